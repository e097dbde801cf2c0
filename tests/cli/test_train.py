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
from keras_wgan.cli import model_setup
from keras_wgan.cli import train
from keras_wgan.cli import training_data
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.run_folder import RunFolder
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
    # No validation data, so no val_* columns of NA (issue 20, fault 8).
    assert not any(name.startswith("val_") for name in rows[0])
    assert "NA" not in (out / "metrics.csv").read_text()
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
    loader = data.DATASETS["fashion_mnist"]
    monkeypatch.setitem(data.DATASETS, "fashion_mnist",
                        lambda **kwargs: used.append(kwargs) or loader(**kwargs))
    out = tmp_path / "run"
    status = cli.main(["train", "--out", str(out), "--dataset",
                       "fashion_mnist", "--data-dir", str(data_dir),
                       "--epochs", "1", "--batch-size", "2", "--n-critic",
                       "2", "--width", "2", "--latent-dim", "4",
                       "--samples", "4", "--verbose", "0"])
    assert status == 0
    assert used == [{"split": "train", "data_dir": str(data_dir),
                     "return_labels": False, "download": False}]
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
    ("wgan-lp", "gp_weight", 2.0), ("dragan", "gp_weight", None),
    ("wgan-r1", "gp_weight", 1.0), ("wgan-sn", "power_iterations", None),
    ("sngan-hinge", "power_iterations", None),
])
def test_build_model_uses_the_registry_variant(model, argument, value):
    from keras_wgan.models.registry import get_variant

    config = TrainConfig(out="o", model=model, width=2, latent_dim=4,
                         n_critic=3, learning_rate=2e-3,
                         **({argument: value} if value else {}))
    images = np.zeros((10, 28, 28, 1), "float32")
    built = model_setup.build_model(config, training_data.TrainingData(images))
    variant = get_variant(model)
    assert type(built) is variant.model_class
    assert built.n_critic == 3 and built.latent_dim == 4
    expected = variant.default(argument) if value is None else value
    assert getattr(built, argument) == pytest.approx(expected)
    assert float(built.generator_optimizer.learning_rate) == pytest.approx(2e-3)


@pytest.mark.backends("torch", reason="the CLI is backend-agnostic code; "
                      "tests/models/test_lipschitz.py trains on all")
def test_train_a_spectral_normalised_critic_and_resume_it(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--model", "sngan-hinge", "--epochs", "1",
                     "--out", str(out), *TINY]) == 0
    assert json.loads((out / "run.json").read_text())["model"] == (
        "sngan-hinge")
    model = keras.models.load_model(out / "model.keras")
    assert type(model).__name__ == "SNGANHinge"
    assert type(model.loss_fn).__name__ == "HingeLoss"
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     "2"]) == 0
    assert "Epoch 2/2" in capsys.readouterr().out
    assert cli.main(["train", "--model", "wgan-sn", "--gp-weight", "1",
                     "--out", str(tmp_path / "bad"), *TINY]) == 2
    assert "--gp-weight applies to --model" in capsys.readouterr().err


@pytest.mark.backends("torch", reason="the CLI is backend-agnostic code; "
                      "tests/models/test_adversarial.py compiles on all")
def test_ttur_rates_and_ema_are_recorded_and_kept_by_resume(tmp_path,
                                                           capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--model", "wgan-lp", "--epochs", "1",
                     "--critic-learning-rate", "4e-4",
                     "--generator-learning-rate", "1e-4",
                     "--generator-ema", "0.99", "--out", str(out),
                     *TINY]) == 0
    record = json.loads((out / "run.json").read_text())
    assert (record["critic_learning_rate"], record["generator_learning_rate"],
            record["generator_ema"]) == (4e-4, 1e-4, 0.99)
    assert cli.main(["train", "--out", str(out), "--resume",
                     "--learning-rate", "1e-3", "--epochs", "2"]) == 2
    assert "a resume keeps them" in capsys.readouterr().err
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     "2"]) == 0
    model = keras.models.load_model(out / "model.keras")
    assert float(model.critic_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(
        1e-4)
    assert int(model.generator_optimizer.iterations) == 6
    assert model.generator_ema == 0.99 and model.ema_generator is not None
    grids = [tmp_path / "average.png", tmp_path / "raw.png"]
    for grid, extra in zip(grids, ([], ["--raw"])):
        assert cli.main(["sample", "--checkpoint", str(out / "model.keras"),
                         "--out", str(grid), "--n", "4", *extra]) == 0
    assert grids[0].read_bytes() != grids[1].read_bytes()


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
    # 96 images in steps of 2 x 8: 6 generator steps per epoch. Epochs of
    # these tiny networks take a fraction of a second on a quiet machine:
    # enough of them after the kill point that the kill, 0.3 s after epoch
    # 2's checkpoint, still lands before the last.
    _assert_same_run(*_resume_after_sigkill(tmp_path, num_images=96,
                                            epochs=12, kill_after=2))


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
    (run / "checkpoints" / "epoch_0001.keras").write_bytes(b"PK\x03\x04junk")
    err = _resume_error(capsys, run, "--epochs", "3")
    assert err == (f"error: --resume: no checkpoint in {run}/checkpoints is "
                   "intact (epoch_0001.keras: its SHA-256 differs from the "
                   "one recorded when it was written); start again with "
                   "--overwrite.")

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
    # A run of today records the data and the networks too; the legacy
    # runs were MNIST on the MNIST networks.
    added = dict(recipe=None, dataset="mnist", image_size=None,
                 channels=None, architecture="mnist", conditional=False,
                 lr_decay="none", image_shape=[28, 28, 1], num_classes=None,
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


# ------------------------------------------------- faults of issue 20


def _resume(out, *args):
    return cli.main(["train", "--out", str(out), "--resume", *args])


def test_writing_into_model_keras_cannot_change_the_run(finished_run,
                                                        tmp_path, capsys):
    # Fault 1: model.keras was a hard link to the newest checkpoint, so
    # `cp B/model.keras A/model.keras` replaced A's checkpoint and --resume
    # continued B's run; garbage in model.keras destroyed the checkpoint.
    out = _copy_run(finished_run, tmp_path)
    shutil.copy(finished_run / "model.keras", out / "model.keras")
    checkpoint = out / "checkpoints" / "epoch_0001.keras"
    own = checkpoint.read_bytes()
    other = tmp_path / "other.keras"
    gan = model_setup.build_model(
        TrainConfig(out="o", model="wgan-gp", width=2, latent_dim=8,
                    n_critic=2, seed=9),
        training_data.TrainingData(np.zeros((8, 28, 28, 1), "float32")))
    gan.save(other)
    subprocess.run(["cp", str(other), str(out / "model.keras")], check=True)
    assert checkpoint.read_bytes() == own
    with open(out / "model.keras", "wb") as f:
        f.write(b"garbage")
    assert checkpoint.read_bytes() == own
    assert _resume(out, "--epochs", "2") == 0
    assert f"resuming from {checkpoint} (1 epochs done)\n" in (
        capsys.readouterr().out)
    resumed = keras.models.load_model(out / "model.keras")
    assert int(resumed.generator_optimizer.iterations) == 2


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(
        finished_run, tmp_path, capsys):
    # Fault 3: a damaged newest checkpoint stopped the resume although an
    # intact one sat beside it.
    out = _copy_run(finished_run, tmp_path)
    assert _resume(out, "--epochs", "2") == 0
    newest = out / "checkpoints" / "epoch_0002.keras"
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte: still a zip of the same size
    newest.write_bytes(bytes(data))
    capsys.readouterr()
    assert _resume(out, "--epochs", "3") == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"resuming from {out}/checkpoints/epoch_0001.keras (1 epochs done); "
        "passed over epoch_0002.keras: its SHA-256 differs from the one "
        "recorded when it was written")
    # Epoch 2 was trained again and its checkpoint written afresh.
    assert checkpoints.verify_checkpoint(newest) is None
    model = keras.models.load_model(out / "model.keras")
    assert int(model.generator_optimizer.iterations) == 3


def test_stale_temporary_files_go_on_resume_and_overwrite(finished_run,
                                                          tmp_path):
    # Fault 4: a 0-byte temporary file of a write that SIGTERM interrupted
    # survived --resume and even --overwrite.
    out = _copy_run(finished_run, tmp_path)
    stale = [out / "checkpoints" / ".epoch_0002.4711.0a1b2c3d.tmp.keras",
             out / ".run.4711.0a1b2c3d.tmp.json"]
    for args in (["--resume", "--epochs", "2"],
                 ["--overwrite", "--epochs", "1", "--num-images", "16",
                  *CLI_RUN]):
        for path in stale:
            path.write_bytes(b"")
        assert cli.main(["train", "--out", str(out), *args]) == 0
        assert not any(path.exists() for path in stale)


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143),
                                             (signal.SIGINT, 130)])
def test_a_signal_during_a_checkpoint_write_stops_after_it(
        tmp_path, capsys, monkeypatch, signum, status):
    # Fault 4: SIGTERM and Ctrl-C (SIGINT) stop at a safe point with one
    # line naming the last checkpoint and the resume command.
    out = tmp_path / "run"
    digest = checkpoints.file_digest

    def signalled_midway(path):
        os.kill(os.getpid(), signum)  # while the checkpoint is written
        return digest(path)

    monkeypatch.setattr(checkpoints, "file_digest", signalled_midway)
    assert cli.main(["train", "--out", str(out), "--epochs", "3",
                     "--num-images", "16", *CLI_RUN]) == status
    err = error_lines(capsys)
    checkpoint = out / "checkpoints" / "epoch_0001.keras"
    assert err == (
        f"interrupted: {signum.name}: training stopped; the last checkpoint is "
        f"{checkpoint} (epoch 1); continue with: python -m keras_wgan train "
        f"--out {out} --resume")
    # The write it interrupted was finished, and nothing else was begun.
    monkeypatch.undo()
    assert checkpoints.verify_checkpoint(checkpoint) is None
    files = snapshot(out)
    assert not [name for name in files if ".tmp" in name or "lock" in name]
    assert sorted(files) == ["checkpoints/epoch_0001.keras",
                             "checkpoints/manifest.json", "metrics.csv",
                             "model.keras", "run.json"]
    assert _resume(out) == 0
    model = keras.models.load_model(out / "model.keras")
    assert int(model.generator_optimizer.iterations) == 3


_HOLD_LOCK = """
import fcntl, os, sys, time
handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(handle, fcntl.LOCK_EX)
os.write(handle, b"%d\\n" % os.getpid())
print("locked", flush=True)
time.sleep(600)
"""


def test_a_train_on_a_folder_another_process_holds_is_refused(
        finished_run, tmp_path, capsys):
    # Fault 2: two runs on one folder both "succeeded", the first lost.
    # The other process holds the lock as a running `train` does.
    out = _copy_run(finished_run, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK,
                               str(out / ".lock")], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        before = snapshot(out)
        for args in (["--overwrite", "--epochs", "1", *CLI_RUN], ["--resume"],
                     ["--resume", "--epochs", "5"]):
            assert cli.main(["train", "--out", str(out), *args]) == 2
            assert error_lines(capsys) == (
                f"error: --out: {out} is in use by another 'train' (process "
                f"{holder.pid}); wait for it to end, or choose another "
                "folder.")
            assert snapshot(out) == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # Killed, it holds nothing: its .lock file is no lock.
    assert (out / ".lock").exists()
    assert _resume(out, "--epochs", "2") == 0
    assert not (out / ".lock").exists()


@pytest.mark.slow
@pytest.mark.backends("torch", reason="the CLI runs on torch here")
def test_a_second_train_on_a_running_folder_is_refused_then_ctrl_c(tmp_path,
                                                                   capsys):
    # Fault 2: two runs on one folder both "succeeded", the first lost.
    # Fault 4: Ctrl-C printed a 42-line traceback.
    out = tmp_path / "run"
    process = _train_process(out, *CLI_RUN, "--num-images", "96",
                             "--epochs", "1000")
    first = out / "checkpoints" / "epoch_0001.keras"
    deadline = time.monotonic() + 300
    while not first.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    record = (out / "run.json").read_bytes()
    refusal = (f"error: --out: {out} is in use by another 'train' (process "
               f"{process.pid}); wait for it to end, or choose another "
               "folder.")
    for args in (["--overwrite", *CLI_RUN], ["--resume"],
                 ["--resume", "--epochs", "2000"]):
        assert cli.main(["train", "--out", str(out), *args]) == 2
        assert error_lines(capsys) == refusal
    assert first.exists() and (out / "run.json").read_bytes() == record
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("interrupted: SIGINT: training stopped; the last "
                           f"checkpoint is {out}/checkpoints/epoch_")
    assert last.endswith(f"; continue with: python -m keras_wgan train --out "
                         f"{out} --resume")
    assert "Traceback" not in stderr
    assert not [name for name in snapshot(out) if ".tmp" in name]
    epoch, _ = checkpoints.latest_checkpoint(out / "checkpoints")
    assert _resume(out, "--epochs", str(epoch + 1)) == 0


def _no_work(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the model was built or the data loaded")

    monkeypatch.setattr(train, "build_model", fail)
    monkeypatch.setattr(train, "load_training_data", fail)


def _out_faults(tmp_path):
    (tmp_path / "file").write_text("a file")
    return [
        (tmp_path / "file", f"--out: {tmp_path}/file is a file, expected a "
         "folder."),
        (tmp_path / "file" / "run", f"--out: {tmp_path}/file/run lies under "
         f"{tmp_path}/file, a file, not a folder."),
        (tmp_path / "file" / "a" / "b", f"--out: {tmp_path}/file/a/b lies "
         f"under {tmp_path}/file, a file, not a folder."),
    ]


def test_out_that_is_or_lies_under_a_file_is_one_line_before_any_work(
        tmp_path, capsys, monkeypatch):
    # Fault 5: tracebacks, after the model was built and the data loaded.
    _no_work(monkeypatch)
    for out, message in _out_faults(tmp_path):
        for extra in ([], ["--overwrite"], ["--resume"]):
            before = snapshot(tmp_path)
            assert cli.main(["train", "--out", str(out), *extra]) == 2
            err = error_lines(capsys)
            if extra == ["--resume"] and out.name != "file":
                assert err == (f"error: --resume: {out} does not exist, so "
                               "there is no run to continue.")
            else:
                assert err == f"error: {message}"
            assert snapshot(tmp_path) == before


def _read_only(monkeypatch, *folders):
    # Root may write anywhere: os.access answers as for a user without
    # write permission on `folders`.
    real_access = os.access
    denied = {str(folder) for folder in folders}
    monkeypatch.setattr(os, "access", lambda path, mode: (
        os.fspath(path) not in denied and real_access(path, mode)))


def test_read_only_places_are_one_line_before_any_work(finished_run,
                                                       tmp_path, capsys,
                                                       monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    run = _copy_run(finished_run, tmp_path / "copy")
    _read_only(monkeypatch, locked, run / "checkpoints")
    _no_work(monkeypatch)
    cases = [
        (["--out", str(locked / "run")], f"--out: cannot write "
         f"{locked}/run: permission denied in {locked} (not a writable "
         "folder)."),
        (["--out", str(locked)], f"--out: cannot write {locked}: permission "
         "denied (not a writable folder)."),
        # Fault 5: a read-only checkpoints/ trained a whole epoch, then
        # crashed at the save.
        (["--out", str(run), "--resume", "--epochs", "3"], f"--resume: cannot "
         f"write {run}/checkpoints: permission denied (not a writable "
         "folder)."),
    ]
    for args, message in cases:
        before = snapshot(tmp_path)
        assert cli.main(["train", *args]) == 2
        assert error_lines(capsys) == f"error: {message}"
        assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only "
                    "folders; the test above simulates them with os.access")
def test_a_really_read_only_folder_is_one_line(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert cli.main(["train", "--out", str(locked / "run")]) == 2
        assert "permission denied" in error_lines(capsys)
    finally:
        locked.chmod(0o755)


def test_missing_run_json_resumes_from_the_checkpoints_with_options_given(
        finished_run, tmp_path, capsys):
    # Fault 6: without run.json only --overwrite (deleting the checkpoints)
    # was offered.
    out = _copy_run(finished_run, tmp_path)
    (out / "run.json").unlink()
    err = _resume_error(capsys, out, "--epochs", "2")
    assert err == (
        f"error: --resume: {out} holds no run.json, but its checkpoints are "
        "there; to continue from them give the options that a checkpoint "
        f"does not record: python -m keras_wgan train --out {out} --resume "
        "--batch-size ... --num-images ... --split ... (and --dataset, "
        "--image-size and --channels if the run had them).")
    err = _resume_error(capsys, out, "--epochs", "2", "--batch-size", "8",
                        "--num-images", "16", "--split", "test", "--width",
                        "3")
    assert "--width 3 differs from the checkpoint's --width 2" in err
    assert _resume(out, "--epochs", "2", "--batch-size", "8", "--num-images",
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


def test_init_from_a_checkpoint_starts_from_its_weights(tmp_path):
    def run(name, *extra):
        out = tmp_path / name
        assert cli.main(["train", "--epochs", "1", "--out", str(out),
                         "--num-images", "32", *CLI_RUN, *extra]) == 0
        return out

    def distance(a, b):
        return sum(float(np.abs(keras.ops.convert_to_numpy(x)
                                - keras.ops.convert_to_numpy(y)).sum())
                   for x, y in zip(a.weights, b.weights, strict=True))

    donor_run = run("donor", "--seed", "1")
    donor = str(donor_run / "model.keras")
    warm = keras.models.load_model(run("warm", "--init-from", donor,
                                       "--generator-ema", "0.9")
                                   / "model.keras")
    scratch = keras.models.load_model(run("scratch") / "model.keras")
    record = json.loads((tmp_path / "warm" / "run.json").read_text())
    assert record["init_from"] == donor
    donor = keras.models.load_model(donor)
    # The same seed and steps from the donor's weights, not from the
    # seed's own initialisation: near the donor, far from the fresh run.
    for player in ("critic", "generator"):
        near = distance(getattr(warm, player), getattr(donor, player))
        far = distance(getattr(scratch, player), getattr(donor, player))
        assert near < 0.5 * far, (player, near, far)


def test_init_from_copies_every_weight_and_the_average(tmp_path):
    config = TrainConfig(out=str(tmp_path / "run"), width=2, latent_dim=8,
                         generator_ema=0.99)
    images = np.zeros((32, 28, 28, 1), "float32")
    donor = model_setup.build_model(TrainConfig(out="x", width=2, latent_dim=8,
                                          seed=3), training_data.TrainingData(images))
    donor.save(tmp_path / "donor.keras")
    model = model_setup.build_model(config, training_data.TrainingData(images))
    model_setup.init_from(model, str(tmp_path / "donor.keras"))
    for player in ("critic", "generator", "ema_generator"):
        source = donor.generator if player == "ema_generator" else \
            getattr(donor, player)
        for ours, theirs in zip(getattr(model, player).weights,
                                source.weights, strict=True):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours),
                                          keras.ops.convert_to_numpy(theirs))


@pytest.mark.parametrize("extra, message", [
    (["--init-from", "weights.h5"],  # the flag, not the keyword
     "--init-from must be a pretrained model"),
    (["--init-from", "missing.keras"],
     "--init-from: missing.keras is not a file"),
    (["--init-from", "mnist-wgan-gp"],  # width 2, not the model's 32
     "--init-from: the critic of mnist-wgan-gp does not match"),
])
def test_init_from_refuses_bad_sources_before_writing(tmp_path, capsys, extra,
                                                      message):
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "1", "--out", str(out),
                     "--num-images", "32", *extra, *CLI_RUN]) != 0
    err = error_lines(capsys)
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
