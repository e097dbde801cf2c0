"""Faults at start-up, on the run folder and of several devices: what
`train` does, what it keeps (rows of docs/guides/faults.md, as in
test_faults.py).
"""

import contextlib
import os
import signal
import subprocess
import time

import pytest

from keras_wgan import checkpoints
from tests.cli.helpers import CLI_RUN

from tests.cli.faults import TRAIN
from tests.cli.faults import assert_checkpoints_load
from tests.cli.faults import assert_resumes
from tests.cli.faults import finished_run  # noqa: F401 - a fixture
from tests.cli.faults import nobody_s_copy
from tests.cli.faults import refused
from tests.cli.faults import run_as_nobody
from tests.cli.faults import start_module
from tests.cli.faults import unchanged
from tests.cli.faults import wait_until_importing

pytestmark = pytest.mark.above_the_models


# ------------------------------------------- start-up and the run folder


@pytest.mark.fault(
    fault="The newest checkpoint cannot be read (its permissions)",
    happens="the resume passes over it, like a damaged one, continues from "
    "the one before and says so",
    kept="every checkpoint before it")
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_an_unreadable_newest_checkpoint_falls_back_to_the_one_before(
        finished_run):
    with nobody_s_copy(finished_run) as (shared, out):
        newest = out / "checkpoints" / "epoch_0002.keras"
        os.chmod(newest, 0o000)
        result = run_as_nobody("train", "--out", out, "--resume", "--epochs",
                               "3", home=shared)
        assert result.returncode == 0, result.stderr
        assert (f"resuming from {out}/checkpoints/epoch_0001.keras (1 epochs "
                "done); passed over epoch_0002.keras: not readable "
                "(Permission denied)") in result.stdout
        assert_checkpoints_load(out, [1, 2, 3])


@pytest.mark.fault(
    fault="`run.json` cannot be read (its permissions)",
    happens="one-line refusal naming it (was a PermissionError traceback)",
    kept="the run, unchanged")
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_an_unreadable_run_json_is_one_line(finished_run):
    with nobody_s_copy(finished_run) as (shared, out):
        os.chmod(out / "run.json", 0o000)
        with unchanged(out):
            result = run_as_nobody("train", "--out", out, "--resume",
                                   "--epochs", "3", home=shared)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [
            f"error: --resume: cannot read {out}/run.json (Permission "
            "denied); make it readable."]
        assert_checkpoints_load(out, [1, 2])


@contextlib.contextmanager
def read_only_mount(path):
    """A tmpfs mounted read-only at `path`, or a skip where that is not
    allowed."""
    path.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m",
                             "tmpfs", str(path)], capture_output=True,
                            text=True)
    if result.returncode:
        pytest.skip(f"cannot mount a read-only file system here: "
                    f"{result.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.mark.fault(
    fault="`--out` on a read-only file system",
    happens="one-line refusal that says read-only file system (it said "
    "permission denied)",
    kept="nothing is written")
def test_a_read_only_file_system_is_named_as_such(tmp_path, capsys):
    with read_only_mount(tmp_path / "ro") as mounted:
        err = refused(capsys, "--out", mounted / "run", "--epochs", "1",
                      *TRAIN)
    assert err == (f"error: --out: cannot write {mounted}/run: {mounted} is "
                   "on a read-only file system.")


@pytest.mark.fault(
    fault="Ctrl-C or SIGTERM in the first seconds, while Keras is imported",
    happens="one line and exit status 130 or 143 (a traceback, or silence)",
    kept="nothing was written yet")
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130),
                                            (signal.SIGTERM, 143)])
def test_a_signal_while_starting_is_one_line_and_the_shell_status(
        tmp_path, signum, status):
    process = start_module("train", "--out", tmp_path / "run", "--epochs",
                           "1", *TRAIN)
    wait_until_importing(process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    name = signal.Signals(signum).name
    assert process.returncode == status, err
    # On a fast machine the command may be past its imports: then its own
    # handlers say the line, without "while starting".
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"interrupted: stopped by {name}"), err
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------ several devices


def rank_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            variables = dict(item.split(b"=", 1) for item in f.read().split(
                b"\0") if b"=" in item)
    except OSError:
        return None
    return int(variables[b"RANK"]) if b"RANK" in variables else None


@pytest.mark.fault(
    fault="`torchrun`: one worker killed (SIGKILL), or Ctrl-C to all",
    happens="each of the run's processes ends in one line: the survivor says "
    "another process stopped and how to resume (exit 1), on Ctrl-C each "
    "says interrupted (exit 130); torchrun adds its own report",
    kept="every checkpoint; the resume continues from the newest")
@pytest.mark.backends("torch", reason="torchrun starts torch's processes")
@pytest.mark.slow  # two torchrun processes and a resume: about a minute
@pytest.mark.parametrize("fault", ["kill_one", "ctrl_c"])
def test_torchrun_losing_a_worker_or_ctrl_c_is_one_line_a_process(
        tmp_path, capsys, fault):
    import psutil

    out = tmp_path / "run"
    process = start_module(
        "-m", "torch.distributed.run", "--nproc-per-node", "2",
        "--standalone", "-m", "keras_wgan", "train", "--out", out,
        "--epochs", "1000", "--num-images", "64", *CLI_RUN)
    try:
        while not checkpoints.list_checkpoints(out / "checkpoints"):
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.1)
        workers = psutil.Process(process.pid).children(recursive=True)
        if fault == "kill_one":
            next(worker for worker in workers
                 if rank_of(worker.pid) == 1).kill()
        else:  # a terminal's Ctrl-C reaches the whole process group
            os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    ours = [line for line in err.splitlines()
            if line.startswith(("error:", "interrupted:", "[rank"))]
    hint = "; continue with: python -m keras_wgan train --out"
    if fault == "kill_one":
        assert len(ours) == 1, err
        assert ours[0].startswith(
            "error: another process of the data-parallel run stopped, so "
            "this one cannot go on (connection reset by peer); the last "
            "checkpoint is") and hint in ours[0], err
    else:
        assert len(ours) == 2, err
        assert all(line.startswith("interrupted: SIGINT: training stopped; "
                                   "the last checkpoint is")
                   and hint in line for line in ours), err
    done = checkpoints.latest_checkpoint(out / "checkpoints")[0]
    assert_checkpoints_load(out, range(max(1, done - 2), done + 1))
    assert_resumes(capsys, out, done)
