"""Data-parallel training (`keras_wgan.distribute`) on every backend."""

import json
import os
import subprocess
import sys
import time

import keras
import numpy as np
import psutil
import pytest

from keras_wgan import checkpoints
from keras_wgan import cli
from keras_wgan import distribute
from keras_wgan.data import batches
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import ROOT
from tests.cli.helpers import state

WORKER = os.path.join(ROOT, "tests", "distribution_worker.py")


def _command(script_args):
    """The command running a script on 2 replicas: torchrun on torch."""
    prefix = [sys.executable]
    if keras.backend.backend() == "torch":
        prefix += ["-m", "torch.distributed.run", "--nproc-per-node", "2",
                   "--standalone"]
    return prefix + script_args


def _environment():
    return dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")


def _kill(process):
    """SIGKILLs `process` and its children: torchrun's workers run in
    sessions of their own, and outlive a killed torchrun."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    for member in [process, *children]:
        try:
            member.kill()
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
    process.wait()


def _launch(script_args):
    """Runs a script on 2 replicas; returns the finished process."""
    with subprocess.Popen(_command(script_args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True,
                          env=_environment(), cwd=ROOT) as process:
        try:
            stdout, stderr = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise
    result = subprocess.CompletedProcess(process.args, process.returncode,
                                         stdout, stderr)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory):
    """The worker's weights and logs, one device against 2 replicas."""
    folder = tmp_path_factory.mktemp("replicas")
    _launch([WORKER, str(folder)])
    with open(folder / "logs.json") as f:
        logs = json.load(f)
    return folder, logs


@pytest.mark.parametrize("name", ["wgan", "wgan_gp"])
def test_two_replicas_train_as_one_device(two_replicas, name):
    # The global batch of 8 split 4 + 4, the noise and the interpolation
    # weights each replica's rows of the one-device draw: after 8 critic
    # and 4 generator updates the weights agree to float rounding (the
    # all-reduce sums in another order), for clipping and for the penalty.
    folder, logs = two_replicas
    assert logs["replicas"] == 2
    one = np.load(folder / f"{name}_one.npz")
    two = np.load(folder / f"{name}_two.npz")
    assert len(one.files) == 6
    moved = 0.0
    for key in one.files:
        np.testing.assert_allclose(two[key], one[key], rtol=0, atol=1e-5)
        moved = max(moved, float(np.abs(one[key]).max()))
    assert moved > 0
    # The logged losses are the mean over the global batch too.
    for metric, values in logs[f"{name}_one"].items():
        np.testing.assert_allclose(logs[f"{name}_two"][metric], values,
                                   rtol=1e-4, atol=1e-6)


def _files(folder):
    return sorted(os.path.relpath(os.path.join(root, name), folder)
                  for root, _, names in os.walk(folder) for name in names)


def _metrics(folder):
    return np.loadtxt(os.path.join(folder, "metrics.csv"), delimiter=",",
                      skiprows=1)


@pytest.mark.slow  # 3 command-line runs, 2 of them on 2 replicas
def test_a_killed_data_parallel_run_resumes_as_one_device_run(tmp_path):
    # The command line on 2 replicas (torchrun processes, or --devices 2),
    # killed (SIGKILL to every process) once it has saved a checkpoint, and
    # resumed for one epoch more, against one device trained as many epochs
    # straight: the same files, metrics and weights.
    run = CLI_RUN + ["--num-images", "64"]
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    devices = [] if keras.backend.backend() == "torch" else ["--devices", "2"]
    train = ["-m", "keras_wgan", "train", "--out", two, *devices]
    process = subprocess.Popen(
        _command(train + [*run, "--epochs", "1000"]), env=_environment(),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        while not checkpoints.list_checkpoints(os.path.join(two,
                                                            "checkpoints")):
            assert process.poll() is None, "the run ended before a checkpoint"
            time.sleep(0.05)
    finally:
        _kill(process)
    epochs = checkpoints.latest_checkpoint(os.path.join(two,
                                                        "checkpoints"))[0] + 1
    # --devices is not given again: the resume reads it from run.json.
    resumed = _launch(["-m", "keras_wgan", "train", "--out", two, "--resume",
                       "--epochs", str(epochs)])
    assert "resuming from" in resumed.stdout
    assert cli.main(["train", "--out", one, *run, "--epochs",
                     str(epochs)]) == 0
    assert _files(two) == _files(one)
    np.testing.assert_allclose(_metrics(two), _metrics(one), rtol=1e-5,
                               atol=1e-6)
    loaded = [cli.model_loading.load_model(os.path.join(folder, "model.keras"),
                                        "--out", keras.Model)
              for folder in (one, two)]
    for a, b in zip(state(loaded[0]), state(loaded[1])):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)


def test_shards_of_a_batch_split_every_critic_batch():
    images = np.arange(24, dtype="float32")[:, None]
    whole = batches.ShuffledBatches(images, 12, seed=3)[1][0][:, 0]
    shards = [batches.ShuffledBatches(images, 12, seed=3, parts=3,
                                      replicas=2, shard=shard)[1][0][:, 0]
              for shard in range(2)]
    # Each replica's critic batch i is its half of the global critic batch i.
    for shard, rows in enumerate(shards):
        for part, critic_batch in enumerate(batches.split_batch(rows, 3)):
            start = part * 4 + shard * 2
            np.testing.assert_array_equal(critic_batch,
                                          whole[start:start + 2])
    # Laid out replica by replica, the unsharded batch is the shards in turn
    # (how tf.distribute cuts a batch between replicas).
    layout = batches.ShuffledBatches(images, 12, seed=3, parts=3,
                                     replicas=2)[1][0][:, 0]
    np.testing.assert_array_equal(layout, np.concatenate(shards))


def test_last_step_must_split_between_replicas():
    # 20 images, batch 8, 2 critic updates: the last step has 4 images, one
    # a critic update of each of 2 replicas, but not of 4.
    assert batches.short_last_step(20, 8, 2, replicas=2) is None
    assert batches.short_last_step(20, 8, 2, replicas=4) == 4
    assert batches.short_last_step(22, 8, 2, replicas=4) == 6  # not 4 | 6


def test_one_replica_outside_data_parallel():
    assert distribute.replicas() == 1
    assert distribute.is_chief()
    rows = distribute.replica_rows(lambda n: np.arange(n), 5)
    np.testing.assert_array_equal(rows, np.arange(5))


def test_batch_size_must_split_between_replicas(monkeypatch):
    monkeypatch.setattr(distribute.backend, "replica_count", lambda: 4)
    with pytest.raises(ValueError, match="batch_size must be a multiple of "
                       "the 4 replicas .* got 6"):
        distribute.check_batch_size(6)


def test_devices_must_be_a_positive_int():
    with pytest.raises(ValueError, match="devices must be"):
        with distribute.data_parallel(devices=0):
            pass
