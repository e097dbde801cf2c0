"""keras_wgan.cli.run_folder: layout, reading and writing the record, clearing, truncating metrics."""

import json
import os

import pytest

from keras_wgan import checkpoints
from keras_wgan.cli import UsageError
from keras_wgan.cli.model_loading import UnreadableModelError
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.cli.train_config import TrainConfig

pytestmark = pytest.mark.above_the_models

RECORD = TrainConfig(out="o", width=2, latent_dim=4, batch_size=8,
                     n_critic=2, split="test").record(num_images=16)


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
    record = dict(RECORD, resumed=[])
    folder.write_record(record)
    assert folder.read_record() == record
    assert json.loads((tmp_path / "run" / "run.json").read_text()) == record
    # No temporary file is left beside it.
    assert os.listdir(tmp_path / "run") == ["run.json"]


# Fault 6 of issue 20: every field of a hand-edited record is checked and
# named; {"command": "train"} no longer blames --data-dir.


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
                 "checkpoints/manifest.json",
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


def test_remove_temporaries_deletes_only_interrupted_writes(tmp_path):
    # Fault 4 of issue 20: a SIGTERM during a write left a 0-byte temporary
    # file that outlived --resume and --overwrite.
    names = ["checkpoints/.epoch_0002.4711.0a1b2c3d.tmp.keras",
             ".run.4711.deadbeef.tmp.json", ".metrics.1.00000000.tmp.csv",
             "samples/.epoch_003.99.abcdef01.tmp.png"]
    kept = ["checkpoints/epoch_0001.keras", "run.json", ".hidden",
            "samples/epoch_001.png", "checkpoints/.epoch_0002.tmp.keras"]
    for name in names + kept:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    removed = RunFolder(str(tmp_path)).remove_temporaries()
    assert sorted(removed) == sorted(str(tmp_path / n) for n in names)
    for name in kept:
        assert (tmp_path / name).exists()


def test_resume_hint_names_the_checkpoint_and_the_command(tmp_path):
    out = tmp_path / "my run"
    folder = RunFolder(str(out))
    assert folder.resume_hint() == ("no checkpoint was written yet: start "
                                    "it again with --overwrite.")
    (out / "checkpoints").mkdir(parents=True)
    (out / "checkpoints" / "epoch_0003.keras").write_bytes(b"")
    assert folder.resume_hint() == (
        f"the last checkpoint is {out}/checkpoints/epoch_0003.keras (epoch 3)"
        f"; continue with: python -m keras_wgan train --out '{out}' --resume")


def _checkpoints(tmp_path, *contents):
    folder = RunFolder(str(tmp_path))
    os.makedirs(folder.checkpoints)
    for epoch, content in enumerate(contents, 1):
        path = os.path.join(folder.checkpoints, f"epoch_{epoch:04d}.keras")
        with open(path, "wb") as f:
            f.write(content)
        checkpoints.record_digest(path, checkpoints.file_digest(path))
    return folder


def _load(path):
    # Stands in for loading: "junk" files do not load.
    with open(path, "rb") as f:
        if f.read().startswith(b"junk"):
            raise UnreadableModelError("x", "not a .keras file (junk)")
    return os.path.basename(path)


def test_resume_passes_over_damaged_checkpoints_to_the_newest_intact(tmp_path):
    # Fault 3 of issue 20: a damaged newest checkpoint stopped the resume.
    folder = _checkpoints(tmp_path, b"one", b"two", b"junk three", b"four")
    newest = os.path.join(folder.checkpoints, "epoch_0004.keras")
    with open(newest, "ab") as f:
        f.write(b" changed")
    epoch, path, model, skipped = folder.resumable_checkpoint(_load)
    assert (epoch, model) == (2, "epoch_0002.keras")
    assert skipped == [
        (newest, "its SHA-256 differs from the one recorded when it was "
         "written"),
        (os.path.join(folder.checkpoints, "epoch_0003.keras"),
         "not a .keras file (junk)"),
    ]


def test_resume_refuses_when_no_checkpoint_is_intact(tmp_path):
    folder = _checkpoints(tmp_path, b"junk")
    with pytest.raises(UsageError) as error:
        folder.resumable_checkpoint(_load)
    assert str(error.value) == (
        f"--resume: no checkpoint in {folder.checkpoints} is intact "
        "(epoch_0001.keras: not a .keras file (junk)); start again with "
        "--overwrite.")
    with pytest.raises(UsageError, match="has no checkpoint in checkpoints/"):
        RunFolder(str(tmp_path / "empty")).resumable_checkpoint(_load)


def test_metrics_logger_has_no_validation_columns_without_validation(
        tmp_path):
    # Fault 8 of issue 20: four val_* columns of NA in every row.
    folder = RunFolder(str(tmp_path))
    logger = folder.metrics_logger()
    logger.on_train_begin()
    logger.on_epoch_end(0, {"generator_loss": 0.5, "critic_loss": 1.5})
    logger.on_train_end()
    assert (tmp_path / "metrics.csv").read_text().splitlines() == [
        "epoch,critic_loss,generator_loss", "0,1.5,0.5"]
    # Appending keeps the columns of the header, whatever the logs hold.
    logger = folder.metrics_logger(append=True)
    logger.on_train_begin()
    logger.on_epoch_end(1, {"generator_loss": 0.25, "critic_loss": 2.5,
                            "val_critic_loss": 9.0})
    logger.on_train_end()
    assert (tmp_path / "metrics.csv").read_text().splitlines()[1:] == [
        "0,1.5,0.5", "1,2.5,0.25"]
