"""Test set-up: the torch backend unless KERAS_BACKEND says otherwise."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    """Each test starts from the same global random state."""
    keras.utils.set_random_seed(1234)
    yield
