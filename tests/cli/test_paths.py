"""keras_wgan.cli.paths: whether an output path can be written, said in one
line naming the option, before anything is written."""

import os

import pytest

from keras_wgan.cli import paths
from keras_wgan.cli.errors import UsageError

pytestmark = pytest.mark.above_the_models


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a file")
    return path


def test_a_folder_that_is_there_or_can_be_made_passes(tmp_path):
    paths.check_folder(str(tmp_path), "--out")
    new = tmp_path / "runs" / "a"
    paths.check_folder(str(new), "--out")
    assert not (tmp_path / "runs").exists()  # checked, not made


def test_a_file_where_a_folder_is_needed_is_named(tmp_path, a_file):
    with pytest.raises(UsageError) as raised:
        paths.check_folder(str(a_file), "--out")
    assert str(raised.value) == f"--out: {a_file} is a file, expected a folder."
    under = a_file / "run" / "deeper"
    with pytest.raises(UsageError) as raised:
        paths.check_folder(str(under), "--out")
    assert str(raised.value) == (f"--out: {under} lies under {a_file}, a "
                                 "file, not a folder.")


def test_a_file_to_write_passes_and_a_folder_is_named(tmp_path, a_file):
    paths.check_file(str(tmp_path / "grids" / "g.png"), "--out")
    assert not (tmp_path / "grids").exists()
    paths.check_file(str(a_file), "--out")  # replaced: its folder decides
    with pytest.raises(UsageError) as raised:
        paths.check_file(str(tmp_path), "--out")
    assert str(raised.value) == f"--out: {tmp_path} is a folder, expected a file."
    with pytest.raises(UsageError) as raised:
        paths.check_file(str(a_file / "g.png"), "--out")
    assert str(raised.value) == (f"--out: {a_file / 'g.png'} lies under "
                                 f"{a_file}, a file, not a folder.")


def test_a_folder_the_user_may_not_write_is_named(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    # As root every folder is writable, so the answer of os.access for this
    # one folder is what a user without the permission gets.
    real = os.access
    monkeypatch.setattr(paths.os, "access", lambda path, mode: (
        os.fspath(path) != str(locked) and real(path, mode)))
    assert paths.writable(str(tmp_path)) and not paths.writable(str(locked))
    with pytest.raises(UsageError) as raised:
        paths.check_folder(str(locked / "run"), "--out")
    assert str(raised.value) == (
        f"--out: cannot write {locked / 'run'}: permission denied in "
        f"{locked} (not a writable folder).")
    with pytest.raises(UsageError) as raised:
        paths.check_file(str(locked / "g.png"), "--out")
    assert "permission denied in" in str(raised.value)


def test_removable_names_the_first_file_that_cannot_go(tmp_path,
                                                       monkeypatch):
    kept, stuck = tmp_path / "kept", tmp_path / "stuck"
    kept.mkdir()
    stuck.mkdir()
    for folder in (kept, stuck):
        (folder / "epoch_001.png").write_bytes(b"grid")
    files = [str(tmp_path / "gone.png"), str(kept / "epoch_001.png"),
             str(stuck / "epoch_001.png")]
    paths.check_removable(files, "--overwrite")  # missing ones passed over
    real = paths.writable
    monkeypatch.setattr(paths, "writable",
                        lambda folder: folder != str(stuck) and real(folder))
    with pytest.raises(UsageError) as raised:
        paths.check_removable(files, "--overwrite")
    assert str(raised.value) == (
        f"--overwrite: cannot delete {stuck / 'epoch_001.png'}: permission "
        f"denied in {stuck} (not a writable folder).")
    # A check only: every file is still there.
    assert all(os.path.exists(path) for path in files[1:])


def test_a_read_only_file_system_is_named_as_such(tmp_path, monkeypatch):
    assert paths.read_only_file_system(str(tmp_path)) is False
    real = os.statvfs

    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(paths.os, "statvfs", lambda path: (
        ReadOnly() if os.fspath(path) == str(tmp_path) else real(path)))
    assert paths.read_only_file_system(str(tmp_path)) is True
    with pytest.raises(UsageError) as raised:
        paths.check_folder(str(tmp_path / "run"), "--out")
    assert str(raised.value) == (f"--out: cannot write {tmp_path / 'run'}: "
                                 f"{tmp_path} is on a read-only file system.")
