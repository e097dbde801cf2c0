"""Test set-up: the torch backend unless KERAS_BACKEND says otherwise."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

if keras.backend.backend() == "torch":
    import torch

    # The tests' models are tiny: with two intra-op threads on a 2-core
    # machine, each small op waits for the second thread to be scheduled
    # (measured: a 45 s test took 7 s on one thread under load).
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seeded():
    """Each test starts from the same global random state."""
    keras.utils.set_random_seed(1234)
    yield
