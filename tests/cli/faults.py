"""Helpers of the fault tests (test_faults.py, test_faults_startup.py):
runs to damage, real permissions, an unprivileged user, one-line refusals.

The tests run as root, which ignores file modes: a folder or file is made
read-only with `chattr +i`, or the command runs as the unprivileged user
`nobody` (`setpriv`).
"""

import contextlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from keras_wgan import checkpoints
from keras_wgan import cli
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import ROOT
from tests.cli.helpers import error_lines
from tests.cli.helpers import snapshot

TRAIN = ["--num-images", "16", *CLI_RUN]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A two-epoch run (two checkpoints, a sample grid), made in-process."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "2",
                     "--sample-every", "1", *TRAIN]) == 0
    return out


@pytest.fixture
def run(finished_run, tmp_path):
    """A copy of the finished run to damage."""
    out = tmp_path / "run"
    shutil.copytree(finished_run, out)
    return out


@contextlib.contextmanager
def immutable(*paths):
    """Makes `paths` immutable (`chattr +i`): even root cannot change them."""
    done = []
    try:
        for path in paths:
            result = subprocess.run(["chattr", "+i", str(path)],
                                    capture_output=True, text=True)
            if result.returncode:
                pytest.skip(f"chattr +i is not possible here: "
                            f"{result.stderr.strip()}")
            done.append(path)
        yield
    finally:
        for path in done:
            subprocess.run(["chattr", "-i", str(path)], check=True)


@contextlib.contextmanager
def unchanged(folder):
    """Asserts that the block leaves every file under `folder` as it was."""
    before = snapshot(folder)
    yield
    assert snapshot(folder) == before, f"files under {folder} changed"


def module_env(**extra):
    """The environment of a `python -m keras_wgan` started by a test."""
    return dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", **extra)


def start_module(*args):
    """Starts `python -m keras_wgan *args` (or another module's, `-m`
    first); its output is piped, text."""
    command = list(args) if args[0] == "-m" else ["-m", "keras_wgan", *args]
    return subprocess.Popen(
        [sys.executable, *map(str, command)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=module_env(), cwd=ROOT,
        start_new_session=True)


def wait_until_importing(process, timeout=300):
    """Waits until `process` (a `start_module`) has loaded NumPy's compiled
    core, which Keras imports: it is then past the package's first lines,
    which install its start-up signal handlers before any import of NumPy,
    and inside the imports of Keras and its backend."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, process.communicate()[1]
        try:
            with open(f"/proc/{process.pid}/maps") as f:
                if "_multiarray_umath" in f.read():
                    return
        except FileNotFoundError:  # not started yet
            pass
        assert time.monotonic() < deadline, "no import of NumPy began"
        time.sleep(0.01)


def refused(capsys, *args):
    """Runs `train *args`; asserts a one-line refusal, returns the line."""
    status = cli.main(["train", *map(str, args)])
    err = "\n".join(line for line in error_lines(capsys).splitlines()
                    if not line.startswith("keras_wgan: images from"))
    assert status == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("error: "), err
    return err


def assert_checkpoints_load(out, epochs):
    """Every epoch checkpoint of `out` is there, verifies and loads."""
    found = checkpoints.list_checkpoints(os.path.join(out, "checkpoints"))
    assert [epoch for epoch, _ in found] == list(epochs)
    for _, path in found:
        assert checkpoints.verify_checkpoint(path) is None
        keras.models.load_model(path)


def assert_resumes(capsys, out, done, epochs=None):
    """`--resume` continues `out` from epoch `done`."""
    epochs = done + 1 if epochs is None else epochs
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     str(epochs)]) == 0
    assert f"({done} epochs done)" in capsys.readouterr().out


def image_folder(path, names, seed, size=16):
    """Writes grey PNG files of random pixels, one per name, into `path`."""
    from PIL import Image

    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:
        pixels = rng.integers(0, 256, (size, size), dtype=np.uint8)
        Image.fromarray(pixels).save(path / name)
    return path


FOLDER_RUN = ["--epochs", "1", "--width", "2", "--latent-dim", "8",
              "--batch-size", "8", "--n-critic", "2", "--samples", "4",
              "--verbose", "0", "--seed", "5"]
NAMES = [f"img_{index:02d}.png" for index in range(16)]


@contextlib.contextmanager
def shared_folder():
    """A folder an unprivileged user may write in (pytest's are root's)."""
    import tempfile

    path = tempfile.mkdtemp(prefix="keras_wgan_faults_")
    os.chmod(path, 0o777)
    try:
        yield pathlib.Path(path)
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", path], check=False)
        shutil.rmtree(path, ignore_errors=True)


def run_as_nobody(*args, home):
    """`python -m keras_wgan *args` as the unprivileged user `nobody`."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is needed to run as an unprivileged user")
    env = module_env(HOME=str(home), KERAS_HOME=str(home / ".keras"))
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-m", "keras_wgan", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.fixture
def no_work(monkeypatch):
    """Loading data or building a model fails the test: the refusal must
    come first (and on the code before it, would exhaust memory)."""
    from keras_wgan.cli import train

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the check")

    monkeypatch.setattr(train, "build_model", forbidden)
    return forbidden


@contextlib.contextmanager
def nobody_s_copy(finished_run):
    """A copy of `finished_run` that the user `nobody` owns, in a folder
    that `nobody` may write in; yields `(folder, run)`."""
    with shared_folder() as shared:
        out = shared / "run"
        shutil.copytree(finished_run, out)
        nobody_owns(out)
        yield shared, out


def labelled_npz(path, labels):
    images = np.random.default_rng(0).integers(0, 256, (len(labels), 16, 16),
                                               dtype=np.uint8)
    np.savez(path, x=images, y=np.asarray(labels))
    return path


def nobody_owns(path):
    subprocess.run(["chown", "-R", "65534:65534", str(path)], check=True)
