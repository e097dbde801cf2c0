"""keras_wgan.cli.trainer: what a training writes and how it ends: a run
killed mid-epoch resumes to the same weights, a NaN stops it in one line, a
signal during a checkpoint write stops after the write."""

import os
import signal
import subprocess
import sys

import keras
import pytest

from keras_wgan import checkpoints
from keras_wgan import cli
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import ROOT
from tests.cli.helpers import assert_same_state
from tests.cli.helpers import error_lines
from tests.cli.helpers import finish
from tests.cli.helpers import resume
from tests.cli.helpers import snapshot
from tests.cli.helpers import state
from tests.cli.helpers import train_process

pytestmark = pytest.mark.above_the_models


#: `python -m keras_wgan train` that also says, on stdout, each step it has
# trained: "step EPOCH BATCH" (both from 1), so that a test can kill it at
# a known step instead of guessing one with a sleep.
ANNOUNCING_TRAIN = """
import sys

from keras_wgan import cli
from keras_wgan.cli import signals

def announce(self, batch, logs=None):
    print(f"step {self.epoch_now} {batch + 1}", flush=True)
    signals.stop_if_asked()

def begin(self, epoch, logs=None):
    self.epoch_now = epoch + 1

signals.StopAtSafePoint.on_train_batch_end = announce
signals.StopAtSafePoint.on_epoch_begin = begin
sys.exit(cli.main(sys.argv[1:]))
"""


def _resume_after_sigkill(tmp_path, num_images, epochs, kill_after):
    """Trains straight, and killed + resumed; returns both run folders.

    The kill comes two steps into epoch `kill_after + 1`, after the
    checkpoint of epoch `kill_after`.
    """
    common = [*CLI_RUN, "--num-images", str(num_images), "--epochs", str(epochs)]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    finish(train_process(straight, *common))

    process = subprocess.Popen(
        [sys.executable, "-c", ANNOUNCING_TRAIN, "train", "--out",
         str(killed), *common],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT, KERAS_BACKEND="torch"))
    wanted = f"step {kill_after + 1} 2"
    seen = []
    for line in process.stdout:  # ends if the run ends before the step
        seen.append(line.strip())
        if line.strip() == wanted:
            break
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert wanted in seen, f"the run ended before {wanted}: {seen[-3:]}"
    epoch, _ = checkpoints.latest_checkpoint(killed / "checkpoints")
    assert kill_after <= epoch < epochs, "the kill came after the last epoch"

    stdout = finish(train_process(killed, "--resume"))
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
    # 96 images in steps of 2 x 8: 6 generator steps per epoch; the kill
    # comes two steps into epoch 3.
    _assert_same_run(*_resume_after_sigkill(tmp_path, num_images=96,
                                            epochs=4, kill_after=2))


@pytest.mark.slow
@pytest.mark.backends("torch", reason="the CLI runs on torch here; the API "
                      "test covers all")
def test_cli_2000_steps_straight_equal_1000_kill_resume_1000(tmp_path):
    # 320 images in steps of 2 x 8: 20 generator steps per epoch.
    _assert_same_run(*_resume_after_sigkill(tmp_path, num_images=320,
                                            epochs=100, kill_after=50))


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
    assert resume(out) == 0
    model = keras.models.load_model(out / "model.keras")
    assert int(model.generator_optimizer.iterations) == 3
