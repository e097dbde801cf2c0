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

import keras_wgan
from keras_wgan import checkpoints
from keras_wgan import cli
from keras_wgan import data
from keras_wgan.cli import model_setup
from keras_wgan.cli import train
from keras_wgan.cli import training_data
from keras_wgan.cli.train_config import TrainConfig
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import copy_run
from tests.cli.helpers import error_lines
from tests.cli.helpers import finished_run  # noqa: F401 - a fixture
from tests.cli.helpers import resume
from tests.cli.helpers import run_module
from tests.cli.helpers import snapshot
from tests.cli.helpers import train_process
from tests.helpers import idx_bytes

pytestmark = pytest.mark.above_the_models

TINY = ["--width", "4", "--latent-dim", "8", "--num-images", "48",
        "--batch-size", "8", "--n-critic", "2", "--samples", "4",
        "--verbose", "2", "--split", "test"]


@pytest.mark.every_backend
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
    _assert_raw_samples_differ(out, tmp_path, 4)


@pytest.mark.backends("torch", reason="the CLI is backend-agnostic code; "
                      "tests/models/test_conditional.py trains on all")
def test_conditional_model_keeps_a_moving_average(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--conditional", "--generator-ema", "0.9",
                     "--epochs", "1", "--out", str(out), *TINY]) == 0, \
        capsys.readouterr().err
    model = keras.models.load_model(out / "model.keras")
    assert type(model) is keras_wgan.ConditionalWGANGP
    assert model.generator_ema == 0.9 and model.ema_generator is not None
    _assert_raw_samples_differ(out, tmp_path, 10)


@pytest.mark.backends("torch", reason="the CLI is backend-agnostic code; "
                      "tests/nets/test_conditional.py builds factored "
                      "networks on all")
def test_factored_classes_are_recorded_and_resume(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--conditional", "--class-factors", "2,5",
                     "--epochs", "1", "--out", str(out), *TINY]) == 0, \
        capsys.readouterr().err
    record = json.loads((out / "run.json").read_text())
    assert record["class_factors"] == [2, 5]
    model = keras.models.load_model(out / "model.keras")
    projection = model.critic.get_layer("projection")
    assert projection.class_factors == (2, 5)
    assert projection.embeddings.shape[0] == 7  # 2 + 5 rows, not 10
    # --resume takes the recorded factors; giving the same ones is no
    # change.
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs", "2",
                     "--class-factors", "2,5", "--verbose", "0"]) == 0, \
        capsys.readouterr().err
    capsys.readouterr()
    # Factors whose product is not the dataset's classes: refused before
    # anything is written.
    other = tmp_path / "other"
    assert cli.main(["train", "--conditional", "--class-factors", "2,4",
                     "--out", str(other), *TINY]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: --class-factors 2,4 makes 8 classes; mnist has 10: give "
        "counts whose product is 10.")
    assert not other.exists()


def _assert_raw_samples_differ(out, tmp_path, n):
    """`sample` draws from the moving average, `sample --raw` from the
    trained generator: two different grids."""
    grids = [tmp_path / "average.png", tmp_path / "raw.png"]
    for grid, extra in zip(grids, ([], ["--raw"])):
        assert cli.main(["sample", "--checkpoint", str(out / "model.keras"),
                         "--out", str(grid), "--n", str(n), *extra]) == 0
    assert grids[0].read_bytes() != grids[1].read_bytes()


# ------------------------------------------------- faults of issue 20


def test_writing_into_model_keras_cannot_change_the_run(finished_run,
                                                        tmp_path, capsys):
    # Fault 1: model.keras was a hard link to the newest checkpoint, so
    # `cp B/model.keras A/model.keras` replaced A's checkpoint and --resume
    # continued B's run; garbage in model.keras destroyed the checkpoint.
    out = copy_run(finished_run, tmp_path)
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
    assert resume(out, "--epochs", "2") == 0
    assert f"resuming from {checkpoint} (1 epochs done)\n" in (
        capsys.readouterr().out)
    resumed = keras.models.load_model(out / "model.keras")
    assert int(resumed.generator_optimizer.iterations) == 2


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(
        finished_run, tmp_path, capsys):
    # Fault 3: a damaged newest checkpoint stopped the resume although an
    # intact one sat beside it.
    out = copy_run(finished_run, tmp_path)
    assert resume(out, "--epochs", "2") == 0
    newest = out / "checkpoints" / "epoch_0002.keras"
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte: still a zip of the same size
    newest.write_bytes(bytes(data))
    capsys.readouterr()
    assert resume(out, "--epochs", "3") == 0
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
    out = copy_run(finished_run, tmp_path)
    stale = [out / "checkpoints" / ".epoch_0002.4711.0a1b2c3d.tmp.keras",
             out / ".run.4711.0a1b2c3d.tmp.json"]
    for args in (["--resume", "--epochs", "2"],
                 ["--overwrite", "--epochs", "1", "--num-images", "16",
                  *CLI_RUN]):
        for path in stale:
            path.write_bytes(b"")
        assert cli.main(["train", "--out", str(out), *args]) == 0
        assert not any(path.exists() for path in stale)


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
    out = copy_run(finished_run, tmp_path)
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
    assert resume(out, "--epochs", "2") == 0
    assert not (out / ".lock").exists()


@pytest.mark.slow
@pytest.mark.backends("torch", reason="the CLI runs on torch here")
def test_a_second_train_on_a_running_folder_is_refused_then_ctrl_c(tmp_path,
                                                                   capsys):
    # Fault 2: two runs on one folder both "succeeded", the first lost.
    # Fault 4: Ctrl-C printed a 42-line traceback.
    out = tmp_path / "run"
    process = train_process(out, *CLI_RUN, "--num-images", "96",
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
    assert resume(out, "--epochs", str(epoch + 1)) == 0


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
    run = copy_run(finished_run, tmp_path / "copy")
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
