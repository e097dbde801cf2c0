"""A pytest plugin for tests/run_all_backends.py: which tests a run runs.

Loaded by tests/conftest.py and by the runner. It reads three
variables the runner sets, and without them changes nothing:

- `KERAS_WGAN_INDEPENDENT_ON=NAME`: the tests marked `backend_independent`,
  `spawns` or `above_the_models` run when `KERAS_BACKEND` is NAME (the
  runner's first backend) and skip, saying so, on the others.
- `KERAS_WGAN_TEST_TIER`: `spawns` keeps the tests marked `spawns` only,
  `in_process` all the others.
- `KERAS_WGAN_SHARD=I/N`: keeps the tests of every N-th test file, starting
  with the I-th (1-based): one of N processes sharing a backend's run.

`above_the_models` marks a test that reaches a backend only through the
models it drives, to check the code above them (the command line, run
folders, reports, studies, the explorer): the models themselves are tested
on every backend in their own modules, so it runs once too, like a
backend-independent test. `every_backend` on a test of such a module keeps
it on every backend: one end-to-end test per command, so that each command
still runs on each backend.

`backend_independent` marks a test that never reaches a Keras backend (no
model, no `keras.ops`, no backend tensor: NumPy, files, parsing,
documentation). Wherever it runs, it fails if it calls into backend code
after all, so that the marker cannot hide a backend's behaviour. `spawns`
marks a test that starts Python processes choosing their own backends
(notebook kernels, one process per backend): it is backend-independent
too, and runs in a pytest process of its own, beside the backends' runs.

The plugin imports neither Keras nor a backend: the runner's own tests use
it on test files of their own.
"""

import importlib.util
import os
import sys
import threading

import pytest

TIERS = ("in_process", "spawns")


def independent_skip_reason(item, current, independent_on):
    """Why a `backend_independent` test skips on `current`, or `None`.

    Args:
        item: The test.
        current: The backend this run uses.
        independent_on: The one backend that runs the backend-independent
            tests (`KERAS_WGAN_INDEPENDENT_ON`), or `None`: every backend.
    """
    # The backends it names already choose where it runs.
    if item.get_closest_marker("backends") is not None:
        return None
    if is_independent(item):
        reason = "backend-independent"
    elif is_above_the_models(item):
        reason = "checks the code above the models"
    else:
        return None
    if not independent_on or independent_on == current:
        return None
    return f"{reason}: runs once, in the {independent_on} run"


def is_above_the_models(item):
    """Whether the test is marked `above_the_models` and not
    `every_backend`."""
    return (item.get_closest_marker("above_the_models") is not None
            and item.get_closest_marker("every_backend") is None)


def is_independent(item):
    """Whether the test is marked `backend_independent` or `spawns`."""
    return any(item.get_closest_marker(name) is not None
               for name in ("backend_independent", "spawns"))


def in_shard(path, paths, shard):
    """Whether the test file `path` belongs to `shard` (`KERAS_WGAN_SHARD`).

    Args:
        path: The test's file.
        paths: Every collected test file, sorted.
        shard: `"I/N"`: every N-th file, starting with the I-th; empty or
            `None` for all of them.

    Raises:
        pytest.UsageError: `shard` is not `I/N` with 1 <= I <= N.
    """
    if not shard:
        return True
    try:
        number, count = map(int, shard.split("/"))
    except ValueError:
        number = count = 0
    if not 1 <= number <= count:
        raise pytest.UsageError(
            f"KERAS_WGAN_SHARD must be I/N with 1 <= I <= N, got {shard!r}.")
    return paths.index(path) % count == number - 1


def in_tier(item, tier):
    """Whether the test belongs to `tier` (`KERAS_WGAN_TEST_TIER`).

    Raises:
        pytest.UsageError: `tier` is not one of `TIERS`.
    """
    if not tier:
        return True
    if tier not in TIERS:
        raise pytest.UsageError(
            f"KERAS_WGAN_TEST_TIER must be one of {TIERS}, got {tier!r}.")
    spawns = item.get_closest_marker("spawns") is not None
    return spawns == (tier == "spawns")


def pytest_collection_modifyitems(config, items):
    tier = os.environ.get("KERAS_WGAN_TEST_TIER")
    shard = os.environ.get("KERAS_WGAN_SHARD")
    in_this_tier = [item for item in items if in_tier(item, tier)]
    # Shards of the tier's files: the few files of the spawns tier split
    # evenly too.
    paths = sorted({item.path for item in in_this_tier})
    kept = [item for item in in_this_tier
            if in_shard(item.path, paths, shard)]
    if len(kept) < len(items):
        keep = set(map(id, kept))
        config.hook.pytest_deselected(
            items=[item for item in items if id(item) not in keep])
        items[:] = kept
    current = os.environ.get("KERAS_BACKEND", "torch")
    independent_on = os.environ.get("KERAS_WGAN_INDEPENDENT_ON")
    for item in items:
        reason = independent_skip_reason(item, current, independent_on)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


# Where backend code lives, Keras's and this package's: a call into one of
# these files is a call into a backend.
_KERAS_SPEC = importlib.util.find_spec("keras")
_KERAS = os.path.join(
    _KERAS_SPEC.submodule_search_locations[0] if _KERAS_SPEC else os.devnull,
    "src", "backend", "")
_PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "keras_wgan", "backend", "")
_BACKEND_CODE = tuple(
    [os.path.join(_KERAS, name, "")
     for name in ("torch", "jax", "tensorflow", "numpy", "openvino")]
    + [os.path.join(_PACKAGE, f"{name}.py")
       for name in ("torch", "jax", "tensorflow")])


class BackendCallError(AssertionError):
    """A test marked backend-independent called into a backend."""


class BackendCallRecorder:
    """Stops the first call into a backend while it is active.

    A profile hook on this thread and on the threads started meanwhile: it
    sees each Python call (C calls pass straight through) and raises
    `BackendCallError` from the first one into backend code, which also
    ends the hook. `first` names that call, for when the code under test
    catches the error.
    """

    def __init__(self):
        self.first = None

    def _profile(self, frame, event, arg):
        if event == "call" and self.first is None:
            path = frame.f_code.co_filename
            if path.startswith(_BACKEND_CODE):
                self.first = (f"{frame.f_code.co_name} ({path}:"
                              f"{frame.f_lineno})")
                raise BackendCallError(self.message())

    def message(self):
        return ("marked backend_independent, but it calls into the "
                f"backend: {self.first}; remove the marker")

    def __enter__(self):
        self._previous = (sys.getprofile(), threading.getprofile())
        sys.setprofile(self._profile)
        threading.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous[0])
        threading.setprofile(self._previous[1])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if item.get_closest_marker("backend_independent") is None:
        return (yield)
    with BackendCallRecorder() as recorder:
        result = yield  # a failing test raises here, with its own error
    if recorder.first is not None:
        pytest.fail(recorder.message(), pytrace=False)
    return result
