"""`python -m keras_wgan train` (keras_wgan.cli.train): runs, bad input,
resume, NaN."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from keras_wgan import checkpoints
from keras_wgan import cli
from keras_wgan import data
from keras_wgan.cli import train
from keras_wgan.cli.config import TrainConfig
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import ROOT
from tests.cli.helpers import assert_same_state
from tests.cli.helpers import error_lines
from tests.cli.helpers import run_module
from tests.cli.helpers import snapshot
from tests.cli.helpers import state
from tests.cli.test_config import LEGACY_RECORD
from tests.helpers import idx_bytes

TINY = ["--width", "4", "--latent-dim", "8", "--num-images", "48",
        "--batch-size", "8", "--n-critic", "2", "--samples", "4",
        "--verbose", "2", "--split", "test"]


def test_train_then_sample_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = run_module("train", "--model", "wgan", "--epochs", "2", "--out",
                        str(out), *TINY)
    assert result.returncode == 0, result.stderr
    assert "Epoch 2/2" in result.stdout
    assert "critic_loss" in result.stdout
    assert "keras_wgan: MNIST 'test'" in result.stderr
    assert sorted(os.listdir(out)) == ["checkpoints", "metrics.csv",
                                       "model.keras", "run.json", "samples"]
    assert sorted(os.listdir(out / "checkpoints")) == [
        "epoch_0001.keras", "epoch_0002.keras", "manifest.json"]
    assert (out / "model.keras").read_bytes() == (
        out / "checkpoints" / "epoch_0002.keras").read_bytes()
    assert sorted(os.listdir(out / "samples")) == ["epoch_001.png",
                                                   "epoch_002.png"]
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"critic_loss", "generator_loss", "wasserstein_estimate"} <= set(rows[0])
    assert json.loads((out / "run.json").read_text())["model"] == "wgan"

    grid = tmp_path / "grid.png"
    result = run_module("sample", "--checkpoint", str(out / "model.keras"),
                        "--n", "6", "--columns", "3", "--out", str(grid))
    assert result.returncode == 0, result.stderr
    from matplotlib import image as mpl_image

    assert mpl_image.imread(grid).shape[:2] == (2 * 30 + 2, 3 * 30 + 2)


@pytest.mark.parametrize("args, pattern", [
    (["--model", "wgan-gp", "--clip-value", "0.1"], "--clip-value applies to --model wgan only"),
    (["--model", "wgan", "--gp-weight", "1"], "--gp-weight applies to --model wgan-gp only"),
    (["--data-dir", "/nonexistent/mnist"], "--data-dir: /nonexistent/mnist is not a folder"),
    (["--num-images", "17", "--batch-size", "8", "--n-critic", "2", "--split", "test"],
     "--batch-size 8 with --n-critic 2 leaves a last step of 1 of 17 images"),
    (["--num-images", "20000", "--split", "test"], "--num-images must be <= 10000"),
    (["--data-dir", "/tmp", "--download"], "--download applies only without --data-dir."),
])
def test_bad_train_arguments_give_one_line_and_write_nothing(tmp_path, capsys,
                                                             args, pattern):
    out = tmp_path / "never"
    status = cli.main(["train", "--out", str(out), *args])
    assert status == 2
    err = error_lines(capsys)
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and pattern in err
    assert not out.exists()


def test_data_dir_without_mnist_files_is_one_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    status = cli.main(["train", "--out", str(tmp_path / "o"), "--data-dir",
                       str(empty)])
    err = error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1
    assert "data_dir" in err and "train-images-idx3-ubyte" in err
    assert not (tmp_path / "o").exists()


def test_data_dir_with_images_of_the_wrong_size_is_one_line(tmp_path, capsys):
    data_dir = tmp_path / "mnist32"
    data_dir.mkdir()
    (data_dir / "train-images-idx3-ubyte").write_bytes(
        idx_bytes(np.zeros((4, 32, 32), np.uint8)))
    (data_dir / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.zeros(4, np.uint8)))
    status = cli.main(["train", "--out", str(tmp_path / "o"), "--data-dir",
                       str(data_dir)])
    err = error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert "train-images-idx3-ubyte" in err and "(N, 28, 28)" in err
    assert not (tmp_path / "o").exists()


def test_dataset_picks_the_loader_and_is_recorded(tmp_path, monkeypatch):
    # Fashion-MNIST from an IDX folder written here: garments of two kinds,
    # told apart from MNIST by the log line and run.json.
    data_dir = tmp_path / "fashion"
    data_dir.mkdir()
    pixels = np.zeros((20, 28, 28), np.uint8)
    pixels[10:] = 255
    (data_dir / "train-images-idx3-ubyte").write_bytes(idx_bytes(pixels))
    (data_dir / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.repeat(np.array([9, 2], np.uint8), 10)))
    used = []
    loader = data.IMAGE_DATASETS["fashion_mnist"]
    monkeypatch.setitem(data.IMAGE_DATASETS, "fashion_mnist",
                        lambda **kwargs: used.append(kwargs) or loader(**kwargs))
    out = tmp_path / "run"
    status = cli.main(["train", "--out", str(out), "--dataset",
                       "fashion_mnist", "--data-dir", str(data_dir),
                       "--epochs", "1", "--batch-size", "2", "--n-critic",
                       "2", "--width", "2", "--latent-dim", "4",
                       "--samples", "4", "--verbose", "0"])
    assert status == 0
    assert used == [{"split": "train", "data_dir": str(data_dir),
                     "download": False}]
    record = json.loads((out / "run.json").read_text())
    assert record["dataset"] == "fashion_mnist" and record["num_images"] == 20


def test_existing_checkpoint_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.keras").write_bytes(b"precious")
    assert cli.main(["train", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds a run; pass --resume to continue it" in err
    assert (out / "model.keras").read_bytes() == b"precious"


@pytest.mark.parametrize("model, argument, value", [
    ("wgan", "clip_value", 0.02), ("wgan-gp", "gp_weight", 3.0),
    ("wgan", "clip_value", None), ("wgan-gp", "gp_weight", None),
])
def test_build_model_uses_the_registry_variant(model, argument, value):
    from keras_wgan.models.registry import get_variant

    config = TrainConfig(out="o", model=model, width=2, latent_dim=4,
                         n_critic=3, learning_rate=2e-3,
                         **({argument: value} if value else {}))
    built = train.build_model(config)
    variant = get_variant(model)
    assert type(built) is variant.model_class
    assert built.n_critic == 3 and built.latent_dim == 4
    expected = variant.default(argument) if value is None else value
    assert getattr(built, argument) == pytest.approx(expected)
    assert float(built.generator_optimizer.learning_rate) == pytest.approx(2e-3)


# ------------------------------------------------------------------ resume


def _train_process(out, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "keras_wgan", "train", "--out", str(out), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT, KERAS_BACKEND="torch"),
    )


def _finish(process):
    stdout, stderr = process.communicate(timeout=1200)
    assert process.returncode == 0, stderr
    return stdout


def _resume_after_sigkill(tmp_path, num_images, epochs, kill_after):
    """Trains straight, and killed + resumed; returns both run folders."""
    common = [*CLI_RUN, "--num-images", str(num_images), "--epochs", str(epochs)]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    _finish(_train_process(straight, *common))

    process = _train_process(killed, *common)
    target = killed / "checkpoints" / f"epoch_{kill_after:04d}.keras"
    deadline = time.monotonic() + 1200
    while not target.exists():
        assert process.poll() is None, "the run ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)  # a few steps into the next epoch
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    epoch, _ = checkpoints.latest_checkpoint(killed / "checkpoints")
    assert kill_after <= epoch < epochs, "the kill came after the last epoch"

    stdout = _finish(_train_process(killed, "--resume"))
    assert f"({epoch} epochs done)" in stdout
    return straight, killed


def _assert_same_run(straight, killed):
    assert_same_state(
        state(keras.models.load_model(straight / "model.keras")),
        state(keras.models.load_model(killed / "model.keras")),
    )
    # Every logged number of every epoch, to the last digit.
    assert (straight / "metrics.csv").read_text() == (
        killed / "metrics.csv").read_text()


@pytest.mark.backends("torch", reason="the CLI runs on torch here; the API "
                      "test covers all")
def test_cli_run_killed_mid_epoch_resumes_to_the_same_weights(tmp_path):
    # 96 images in steps of 2 x 8: 6 generator steps per epoch.
    _assert_same_run(*_resume_after_sigkill(tmp_path, num_images=96,
                                            epochs=4, kill_after=2))


@pytest.mark.slow
@pytest.mark.backends("torch", reason="the CLI runs on torch here; the API "
                      "test covers all")
def test_cli_2000_steps_straight_equal_1000_kill_resume_1000(tmp_path):
    # 320 images in steps of 2 x 8: 20 generator steps per epoch.
    _assert_same_run(*_resume_after_sigkill(tmp_path, num_images=320,
                                            epochs=100, kill_after=50))


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A one-epoch CLI run (run.json and one checkpoint), made in-process."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "1",
                     "--num-images", "16", *CLI_RUN]) == 0
    return out


def _copy_run(finished_run, tmp_path, with_checkpoint=True):
    out = tmp_path / "run"
    out.mkdir(parents=True)
    shutil.copy(finished_run / "run.json", out / "run.json")
    if with_checkpoint:
        shutil.copytree(finished_run / "checkpoints", out / "checkpoints")
    return out


def _resume_error(capsys, out, *args):
    before = snapshot(out)
    status = cli.main(["train", "--out", str(out), "--resume", *args])
    err = error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert snapshot(out) == before, "a rejected resume changed files"
    return err


def test_resume_rejects_what_would_make_another_run(finished_run, tmp_path,
                                                    capsys):
    out = _copy_run(finished_run, tmp_path)
    err = _resume_error(capsys, out, "--epochs", "3", "--batch-size", "4")
    assert "--batch-size 4 differs from the run's recorded --batch-size 8" in err
    err = _resume_error(capsys, out, "--epochs", "1")
    assert "--epochs must be > 1 to resume" in err
    err = _resume_error(capsys, out, "--overwrite")
    assert "--resume and --overwrite exclude each other" in err
    err = _resume_error(capsys, out, "--epochs", "3", "--clip-value", "0.1")
    assert "--clip-value 0.1 differs from the run's recorded --clip-value None" in err


def test_resume_rejects_missing_unreadable_and_foreign_files(finished_run,
                                                             tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no run.json" in _resume_error(capsys, empty)
    (empty / "run.json").write_text("{not json")
    assert "is not a run record written by 'train'" in _resume_error(
        capsys, empty)

    bare = _copy_run(finished_run, tmp_path / "bare", with_checkpoint=False)
    assert "has no checkpoint in checkpoints/" in _resume_error(capsys, bare)

    run = _copy_run(finished_run, tmp_path / "junk")
    (run / "checkpoints" / "epoch_0002.keras").write_bytes(b"PK\x03\x04junk")
    err = _resume_error(capsys, run, "--epochs", "3")
    assert "epoch_0002.keras is not a readable .keras model" in err

    foreign = _copy_run(finished_run, tmp_path / "foreign")
    record = (foreign / "run.json").read_text()
    (foreign / "run.json").write_text(record.replace('"wgan-gp"', '"wgan"'))
    err = _resume_error(capsys, foreign, "--epochs", "3")
    assert "holds a WGANGP, expected a keras_wgan WGAN" in err


def test_a_run_json_of_the_code_before_the_split_resumes(finished_run,
                                                         tmp_path, capsys):
    # LEGACY_RECORD was written by keras_wgan/cli/commands.py for the run
    # that `finished_run` makes (CLI_RUN, one epoch of 16 images).
    out = _copy_run(finished_run, tmp_path)
    legacy = dict(LEGACY_RECORD, out=str(out))
    (out / "run.json").write_text(json.dumps(legacy, indent=2))
    assert json.loads((finished_run / "run.json").read_text()) == dict(
        legacy, out=str(finished_run))
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs", "2",
                     "--learning-rate", "0.002"]) == 0
    assert "resuming from" in capsys.readouterr().out
    record = json.loads((out / "run.json").read_text())
    assert record == dict(legacy, epochs=2, learning_rate=0.002, resumed=[
        {"checkpoint": os.path.join("checkpoints", "epoch_0001.keras"),
         "initial_epoch": 1}])
    model = keras.models.load_model(out / "model.keras")
    # 16 images in steps of 2 x 8: one generator step per epoch.
    assert int(model.generator_optimizer.iterations) == 2
    assert float(model.critic_optimizer.learning_rate) == pytest.approx(0.002)
    assert sorted(os.listdir(out / "checkpoints")) == [
        "epoch_0001.keras", "epoch_0002.keras", "manifest.json"]


def test_nan_stops_the_cli_with_status_3_and_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    # A learning rate of 1e38 overflows the critic's weights within steps.
    status = cli.main(["train", "--out", str(out), "--epochs", "2",
                       "--num-images", "32", *CLI_RUN, "--model", "wgan",
                       "--learning-rate", "1e38"])
    err = error_lines(capsys).splitlines()
    assert status == 3 and len(err) == 1, err
    assert "became nan at epoch 1, step" in err[0]
    assert "No checkpoint was written before it" in err[0]
    assert not (out / "checkpoints").exists()
