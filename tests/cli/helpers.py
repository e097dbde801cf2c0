"""Helpers shared by the command-line tests."""

import os
import subprocess
import sys

import numpy as np

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
