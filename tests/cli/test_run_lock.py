"""keras_wgan.cli.run_lock: one `train` at a time in a run folder; a killed
run leaves no lock behind."""

import fcntl
import os
import subprocess
import sys

import pytest

from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.run_lock import lock_folder

pytestmark = pytest.mark.above_the_models


def test_lock_keeps_out_a_second_holder_and_leaves_no_file(tmp_path):
    out = tmp_path / "new" / "run"
    lock = lock_folder(str(out))
    assert (out / ".lock").read_text() == f"{os.getpid()}\n"
    # Another process cannot take it while this one holds it.
    probe = ("import fcntl, os, sys; h = os.open(sys.argv[1], os.O_RDWR); "
             "fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)")
    taken = subprocess.run([sys.executable, "-c", probe, str(out / ".lock")],
                           capture_output=True, text=True)
    assert taken.returncode == 1 and "BlockingIOError" in taken.stderr
    with pytest.raises(UsageError) as error:
        lock_folder(str(out))
    assert str(error.value) == (
        f"--out: {out} is in use by another 'train' (process {os.getpid()}); "
        "wait for it to end, or choose another folder.")
    assert os.listdir(out) == [".lock"]
    lock.release(remove_created=True)
    # Refused before it wrote anything: the folders it made are gone too.
    assert not (tmp_path / "new").exists()


def test_a_stale_lock_file_of_a_killed_run_does_not_lock(tmp_path):
    # A SIGKILLed run leaves .lock, but the system let go of its flock.
    (tmp_path / ".lock").write_text("4711\n")
    lock = lock_folder(str(tmp_path))
    with open(tmp_path / ".lock") as f:
        with pytest.raises(BlockingIOError):
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    lock.release()
    assert os.listdir(tmp_path) == []
