"""keras_wgan.cli.run_folder: layout, record, clearing, truncating metrics."""

import json
import os

import pytest

from keras_wgan import checkpoints
from keras_wgan.cli import UsageError
from keras_wgan.cli.run_folder import RunFolder


def test_layout(tmp_path):
    folder = RunFolder(str(tmp_path))
    assert folder.model == str(tmp_path / "model.keras")
    assert folder.checkpoints == str(tmp_path / "checkpoints")
    assert folder.metrics == str(tmp_path / "metrics.csv")
    assert folder.record_path == str(tmp_path / "run.json")
    assert folder.samples == str(tmp_path / "samples")


@pytest.mark.parametrize("path", ["model.keras", "run.json",
                                  "checkpoints/epoch_0003.keras"])
def test_holds_run(tmp_path, path):
    folder = RunFolder(str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "notes.txt").write_text("not a run")
    # A temporary file of an interrupted save is not a checkpoint.
    (tmp_path / "checkpoints" / ".epoch_0001.123.ab.tmp.keras").write_bytes(b"")
    assert not folder.holds_run()
    (tmp_path / path).write_bytes(b"x")
    assert folder.holds_run()


def test_record_round_trip_is_atomic(tmp_path):
    folder = RunFolder(str(tmp_path / "run"))
    record = {"command": "train", "epochs": 3, "resumed": []}
    folder.write_record(record)
    assert folder.read_record() == record
    assert json.loads((tmp_path / "run" / "run.json").read_text()) == record
    # No temporary file is left beside it.
    assert os.listdir(tmp_path / "run") == ["run.json"]


@pytest.mark.parametrize("content, message", [
    (None, "--resume: {out} holds no run.json, so no run to continue."),
    ("{not json", "--resume: {out}/run.json is not a run record written by "
     "'train' (JSONDecodeError)."),
    (b"\xff\xfe", "--resume: {out}/run.json is not a run record written by "
     "'train' (UnicodeDecodeError)."),
    ('["train"]', "--resume: {out}/run.json is not a run record written by "
     "'train'."),
    ('{"command": "compare"}', "--resume: {out}/run.json is not a run record "
     "written by 'train'."),
])
def test_read_record_rejects_in_one_line(tmp_path, content, message):
    if isinstance(content, str):
        (tmp_path / "run.json").write_text(content)
    elif content is not None:
        (tmp_path / "run.json").write_bytes(content)
    with pytest.raises(UsageError) as error:
        RunFolder(str(tmp_path)).read_record()
    assert str(error.value) == message.format(out=tmp_path)


def test_clear_previous_run_keeps_what_is_not_the_run_s(tmp_path):
    for path in ["model.keras", "run.json", "metrics.csv", "notes.txt",
                 "checkpoints/epoch_0001.keras", "checkpoints/epoch_0002.keras",
                 "samples/epoch_001.png", "samples/mine.png"]:
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_bytes(b"x")
    RunFolder(str(tmp_path)).clear_previous_run()
    left = sorted(os.path.relpath(os.path.join(root, name), tmp_path)
                  for root, _, names in os.walk(tmp_path) for name in names)
    # run.json and metrics.csv are rewritten by the new run.
    assert left == ["metrics.csv", "notes.txt", "run.json", "samples/mine.png"]
    RunFolder(str(tmp_path / "nothing")).clear_previous_run()  # no error


def test_truncate_metrics_keeps_the_epochs_before_the_checkpoint(tmp_path):
    folder = RunFolder(str(tmp_path))
    # As Keras's CSVLogger writes it: csv's \r\n line ends, epochs from 0.
    (tmp_path / "metrics.csv").write_bytes(
        b"critic_loss,epoch,generator_loss\r\n"
        b"1.5,0,0.5\r\n2.5,1,0.25\r\n3.5,2,0.125\r\n")
    folder.truncate_metrics(2)
    assert (tmp_path / "metrics.csv").read_bytes() == (
        b"critic_loss,epoch,generator_loss\r\n1.5,0,0.5\r\n2.5,1,0.25\r\n")
    folder.truncate_metrics(0)
    assert (tmp_path / "metrics.csv").read_bytes() == (
        b"critic_loss,epoch,generator_loss\r\n")
    assert os.listdir(tmp_path) == ["metrics.csv"]


def test_truncate_metrics_without_a_file_or_rows(tmp_path):
    folder = RunFolder(str(tmp_path))
    folder.truncate_metrics(3)
    assert not (tmp_path / "metrics.csv").exists()
    (tmp_path / "metrics.csv").write_text("")
    folder.truncate_metrics(3)
    assert (tmp_path / "metrics.csv").read_text() == ""


def test_latest_checkpoint_and_last_good_message(tmp_path):
    folder = RunFolder(str(tmp_path))
    assert folder.latest_checkpoint() is None
    assert folder.last_good() == "No checkpoint was written before it."
    (tmp_path / "checkpoints").mkdir()
    for epoch in (4, 12):
        (tmp_path / "checkpoints" / f"epoch_{epoch:04d}.keras").write_bytes(b"")
    path = str(tmp_path / "checkpoints" / "epoch_0012.keras")
    assert folder.latest_checkpoint() == (12, path)
    assert folder.latest_checkpoint() == checkpoints.latest_checkpoint(
        folder.checkpoints)
    assert folder.last_good() == (
        f"The last good checkpoint is {path} (epoch 12): --resume with a "
        "lower --learning-rate continues from it.")
