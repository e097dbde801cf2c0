"""Tests for keras_wgan._atomic: a file is replaced whole or not at all."""

import os

import pytest

from keras_wgan._atomic import write_atomically

pytestmark = pytest.mark.backend_independent


def test_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "run" / "run.json"
    seen = []

    def write(temporary):
        seen.append(os.path.basename(temporary))
        with open(temporary, "w") as f:
            f.write("second")

    path.parent.mkdir()
    path.write_text("first")
    assert write_atomically(path, write) == str(path)
    assert path.read_text() == "second"
    assert os.listdir(path.parent) == ["run.json"]
    # Hidden, in the same folder, with the extension that writers read.
    [name] = seen
    assert name.startswith(".run.") and name.endswith(".tmp.json")


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "grid.png"
    path.write_bytes(b"old picture")

    def dies_halfway(temporary):
        with open(temporary, "wb") as f:
            f.write(b"half a pic")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, dies_halfway)
    assert path.read_bytes() == b"old picture"
    assert os.listdir(tmp_path) == ["grid.png"]


def test_creates_missing_folders(tmp_path):
    path = tmp_path / "a" / "b" / "c.txt"
    write_atomically(path, lambda temporary: open(temporary, "w").close())
    assert path.is_file() and path.stat().st_size == 0
