"""A pytest plugin for tests/run_all_backends.py: how far a run is.

With `KERAS_WGAN_TEST_PROGRESS=FILE` set, pytest keeps `DONE TOTAL
FAILED` (tests finished, tests collected, tests failed) in FILE, which the
runner reads (`run_all_backends.read_progress`) to print each backend's progress. Without it, it does nothing.
"""

import os

_PATH = os.environ.get("KERAS_WGAN_TEST_PROGRESS")
_STATE = {"done": 0, "total": 0, "failed": 0}


def _write():
    if not _PATH:
        return
    temporary = f"{_PATH}.tmp"
    with open(temporary, "w") as f:
        f.write(f"{_STATE['done']} {_STATE['total']} {_STATE['failed']}\n")
    os.replace(temporary, _PATH)  # the runner never reads half a line


def pytest_collection_finish(session):
    _STATE["total"] = len(session.items)
    _write()


def pytest_runtest_logreport(report):
    if report.failed:
        _STATE["failed"] += 1


def pytest_runtest_logfinish(nodeid, location):
    _STATE["done"] += 1
    _write()

