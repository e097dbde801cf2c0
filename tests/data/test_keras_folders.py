"""Tests for keras_wgan.data.keras_folders: where Keras keeps its files."""

import os

from keras_wgan.data import keras_folders
import pytest

pytestmark = pytest.mark.backend_independent


def test_keras_home_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "mine"))
    (tmp_path / "mine").mkdir()
    assert keras_folders.keras_home() == tmp_path / "mine"
    assert keras_folders.keras_datasets_dir() == tmp_path / "mine" / "datasets"

    # Without KERAS_HOME, ~/.keras.
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / ".keras").mkdir(parents=True)
    assert keras_folders.keras_home() == tmp_path / "home" / ".keras"


def test_an_unwritable_keras_home_falls_back_to_tmp(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "missing"))
    # A folder that does not exist is not writable: as Keras, /tmp/.keras.
    assert not os.access(tmp_path / "missing", os.W_OK)
    assert keras_folders.keras_home().name == ".keras"
    assert keras_folders.keras_home() != tmp_path / "missing"
