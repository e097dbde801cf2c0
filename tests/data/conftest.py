"""Fixtures shared by the data tests."""

import dataclasses
import sys

import pytest

from keras_wgan.data import mnist_sources
from tests.helpers import LogRecords


@pytest.fixture
def log():
    """Collects what keras_wgan logs."""
    with LogRecords() as records:
        yield records


@pytest.fixture(autouse=True)
def keras_home(monkeypatch, tmp_path):
    """An empty Keras folder (`KERAS_HOME`): no keras.datasets cache and no
    cached image folders."""
    folder = tmp_path / "keras_home"
    folder.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(folder))
    return folder


@pytest.fixture
def no_tfds(monkeypatch):
    """Makes `import tensorflow_datasets` fail, leaving the other sources."""
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)


@pytest.fixture
def system_dir(monkeypatch, tmp_path):
    """Points Fashion-MNIST's system folder at an empty temporary one."""
    folder = tmp_path / "system"
    monkeypatch.setattr(mnist_sources, "FASHION_MNIST", dataclasses.replace(
        mnist_sources.FASHION_MNIST, system_dir=str(folder)))
    return folder
