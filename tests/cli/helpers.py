"""Helpers shared by the command-line tests."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_wgan import cli

from tests.helpers import variable_values

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A tiny train run: 2-filter networks, 8-image batches, 2 critic updates.
CLI_RUN = ["--model", "wgan-gp", "--width", "2", "--latent-dim", "8",
           "--split", "test", "--batch-size", "8", "--n-critic", "2",
           "--samples", "4", "--sample-every", "1000", "--verbose", "0",
           "--seed", "5"]


def run_module(*args, **env):
    """Runs `python -m keras_wgan *args` in a new process."""
    env = dict(os.environ, PYTHONPATH=ROOT, **env)
    return subprocess.run([sys.executable, "-m", "keras_wgan", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def error_lines(capsys):
    """stderr without the data loader's one-line source log and the
    warning that the tests' tiny data sets make an epoch a few steps."""
    err = capsys.readouterr().err
    return "\n".join(line for line in err.splitlines()
                     if not line.startswith(("keras_wgan: MNIST",
                                             "warning: --dataset has")))


def state(model):
    """Every value that decides how training continues, as NumPy arrays."""
    return variable_values(
        model.critic.weights
        + model.generator.weights
        + model.critic_optimizer.variables
        + model.generator_optimizer.variables
        + [model.seed_generator.state]
    )


def assert_same_state(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def snapshot(folder):
    """Every file under `folder` and its bytes."""
    return {
        os.path.relpath(os.path.join(root, name), folder):
            open(os.path.join(root, name), "rb").read()
        for root, _, names in os.walk(folder) for name in names
    }


# ------------------------------------------- runs to resume, in tests


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A one-epoch CLI run (run.json and one checkpoint), made in-process."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "1",
                     "--num-images", "16", *CLI_RUN]) == 0
    return out


def copy_run(finished_run, tmp_path, with_checkpoint=True):
    """A copy of `finished_run`'s run.json (and checkpoints) to change."""
    out = tmp_path / "run"
    out.mkdir(parents=True)
    shutil.copy(finished_run / "run.json", out / "run.json")
    if with_checkpoint:
        shutil.copytree(finished_run / "checkpoints", out / "checkpoints")
    return out


def resume_error(capsys, out, *args):
    """Runs `train --resume *args`; asserts a one-line refusal that changed
    nothing in `out`, returns the line."""
    before = snapshot(out)
    status = cli.main(["train", "--out", str(out), "--resume", *args])
    err = error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert snapshot(out) == before, "a rejected resume changed files"
    return err


def train_process(out, *args):
    """`python -m keras_wgan train --out out *args`, started."""
    return subprocess.Popen(
        [sys.executable, "-m", "keras_wgan", "train", "--out", str(out), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT, KERAS_BACKEND="torch"),
    )


def finish(process):
    """Waits for a `train_process`; asserts it succeeded, returns stdout."""
    stdout, stderr = process.communicate(timeout=1200)
    assert process.returncode == 0, stderr
    return stdout


def resume(out, *args):
    """`train --out out --resume *args` in this process; the status."""
    return cli.main(["train", "--out", str(out), "--resume", *args])
