"""Fixtures shared by the data tests."""

import pytest

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
