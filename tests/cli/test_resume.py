"""keras_wgan.cli.resume: `train --resume` refuses what would make another
run, reads the records of older versions, and rebuilds a lost run.json."""

import json
import os

import keras
import pytest

from keras_wgan import cli
from keras_wgan.cli.run_folder import RunFolder
from tests.cli.helpers import copy_run
from tests.cli.helpers import finished_run  # noqa: F401 - a fixture
from tests.cli.helpers import resume
from tests.cli.helpers import resume_error
from tests.cli.test_train_config import LEGACY_RECORD

pytestmark = pytest.mark.above_the_models


def test_resume_rejects_what_would_make_another_run(finished_run, tmp_path,
                                                    capsys):
    out = copy_run(finished_run, tmp_path)
    err = resume_error(capsys, out, "--epochs", "3", "--batch-size", "4")
    assert "--batch-size 4 differs from the run's recorded --batch-size 8" in err
    err = resume_error(capsys, out, "--epochs", "1")
    assert "--epochs must be > 1 to resume" in err
    err = resume_error(capsys, out, "--overwrite")
    assert "--resume and --overwrite exclude each other" in err
    err = resume_error(capsys, out, "--epochs", "3", "--clip-value", "0.1")
    assert "--clip-value 0.1 differs from the run's recorded --clip-value None" in err


def test_resume_rejects_missing_unreadable_and_foreign_files(finished_run,
                                                             tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no run.json" in resume_error(capsys, empty)
    (empty / "run.json").write_text("{not json")
    assert "is not a run record written by 'train'" in resume_error(
        capsys, empty)

    bare = copy_run(finished_run, tmp_path / "bare", with_checkpoint=False)
    assert "has no checkpoint in checkpoints/" in resume_error(capsys, bare)

    run = copy_run(finished_run, tmp_path / "junk")
    (run / "checkpoints" / "epoch_0001.keras").write_bytes(b"PK\x03\x04junk")
    err = resume_error(capsys, run, "--epochs", "3")
    assert err == (f"error: --resume: no checkpoint in {run}/checkpoints is "
                   "intact (epoch_0001.keras: its SHA-256 differs from the "
                   "one recorded when it was written); start again with "
                   "--overwrite.")

    foreign = copy_run(finished_run, tmp_path / "foreign")
    record = (foreign / "run.json").read_text()
    (foreign / "run.json").write_text(record.replace('"wgan-gp"', '"wgan"'))
    err = resume_error(capsys, foreign, "--epochs", "3")
    assert "holds a WGANGP, expected a keras_wgan WGAN" in err


def test_a_run_json_of_the_code_before_the_split_resumes(finished_run,
                                                         tmp_path, capsys):
    # LEGACY_RECORD was written by keras_wgan/cli/commands.py for the run
    # that `finished_run` makes (CLI_RUN, one epoch of 16 images).
    out = copy_run(finished_run, tmp_path)
    legacy = dict(LEGACY_RECORD, out=str(out))
    (out / "run.json").write_text(json.dumps(legacy, indent=2))
    # A run of today records the data and the networks too; the legacy
    # runs were MNIST on the MNIST networks.
    added = dict(recipe=None, dataset="mnist", image_size=None,
                 channels=None, architecture="mnist", conditional=False,
                 class_factors=None, lr_decay="none", image_shape=[28, 28, 1], num_classes=None,
                 critic_learning_rate=None, generator_learning_rate=None,
                 generator_ema=None, devices=None, init_from=None,
                 tensorboard=False)
    fresh = json.loads((finished_run / "run.json").read_text())
    data = fresh.pop("data")
    assert data["source"] == "mnist"
    assert fresh == dict(legacy, out=str(finished_run), **added)
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs", "2",
                     "--learning-rate", "0.002"]) == 0
    assert "resuming from" in capsys.readouterr().out
    record = json.loads((out / "run.json").read_text())
    # The resume records the data it continued on, for the next resume.
    assert record.pop("data") == data
    assert record == dict(legacy, epochs=2, learning_rate=0.002,
                          devices=None, tensorboard=False, resumed=[
        {"checkpoint": os.path.join("checkpoints", "epoch_0001.keras"),
         "initial_epoch": 1}])
    model = keras.models.load_model(out / "model.keras")
    # 16 images in steps of 2 x 8: one generator step per epoch.
    assert int(model.generator_optimizer.iterations) == 2
    assert float(model.critic_optimizer.learning_rate) == pytest.approx(0.002)
    assert sorted(os.listdir(out / "checkpoints")) == [
        "epoch_0001.keras", "epoch_0002.keras", "manifest.json"]


def test_missing_run_json_resumes_from_the_checkpoints_with_options_given(
        finished_run, tmp_path, capsys):
    # Fault 6: without run.json only --overwrite (deleting the checkpoints)
    # was offered.
    out = copy_run(finished_run, tmp_path)
    (out / "run.json").unlink()
    err = resume_error(capsys, out, "--epochs", "2")
    assert err == (
        f"error: --resume: {out} holds no run.json, but its checkpoints are "
        "there; to continue from them give the options that a checkpoint "
        f"does not record: python -m keras_wgan train --out {out} --resume "
        "--batch-size ... --num-images ... --split ... (and --dataset, "
        "--image-size and --channels if the run had them).")
    err = resume_error(capsys, out, "--epochs", "2", "--batch-size", "8",
                        "--num-images", "16", "--split", "test", "--width",
                        "3")
    assert "--width 3 differs from the checkpoint's --width 2" in err
    assert resume(out, "--epochs", "2", "--batch-size", "8", "--num-images",
                   "16", "--split", "test", "--verbose", "0") == 0
    record = json.loads((out / "run.json").read_text())
    original = json.loads((finished_run / "run.json").read_text())
    # What the checkpoint and the options tell is what was recorded.
    for name in ("model", "n_critic", "latent_dim", "width", "seed",
                 "batch_size", "split", "num_images"):
        assert record[name] == original[name], name
    assert record["recreated_from"] == "checkpoints/epoch_0001.keras"
    assert record["epochs"] == 2
    assert RunFolder(str(out)).read_record() == record
