"""tests/tiers_plugin.py: which tests a run of tests/run_all_backends.py
runs, and the check behind the `backend_independent` marker."""

import keras
import numpy as np
import pytest

from tests import tiers_plugin


class _Item:
    """Stands in for a pytest item with these markers."""

    def __init__(self, *names):
        self.names = names

    def get_closest_marker(self, name):
        return getattr(pytest.mark, name).mark if name in self.names else None


_INDEPENDENT = "backend-independent: runs once, in the torch run"
_ABOVE = "checks the code above the models: runs once, in the torch run"


@pytest.mark.parametrize("names, current, reason", [
    (("backend_independent",), "torch", None),
    (("backend_independent",), "jax", _INDEPENDENT),
    (("spawns",), "tensorflow", _INDEPENDENT),
    ((), "jax", None),
    # The backends it names choose where it runs.
    (("backend_independent", "backends"), "jax", None),
    (("above_the_models",), "torch", None),
    (("above_the_models",), "jax", _ABOVE),
    # One end-to-end test per command runs on every backend.
    (("above_the_models", "every_backend"), "jax", None),
    (("above_the_models", "backends"), "tensorflow", None),
])
def test_tests_of_one_backend_run_once(names, current, reason):
    assert tiers_plugin.independent_skip_reason(_Item(*names), current,
                                                "torch") == reason
    # Without the runner's variable, on every backend.
    assert tiers_plugin.independent_skip_reason(_Item(*names), current,
                                                None) is None


def test_tiers_split_the_tests():
    spawning, other = _Item("spawns"), _Item("backend_independent")
    assert tiers_plugin.in_tier(spawning, "spawns")
    assert not tiers_plugin.in_tier(other, "spawns")
    assert tiers_plugin.in_tier(other, "in_process")
    assert not tiers_plugin.in_tier(spawning, "in_process")
    assert tiers_plugin.in_tier(spawning, None)
    with pytest.raises(pytest.UsageError, match="KERAS_WGAN_TEST_TIER must "
                       r"be one of \('in_process', 'spawns'\), got 'all'"):
        tiers_plugin.in_tier(other, "all")


def test_shards_take_every_nth_file():
    paths = ["a", "b", "c", "d", "e"]
    shards = [[p for p in paths if tiers_plugin.in_shard(p, paths, f"{i}/2")]
              for i in (1, 2)]
    assert shards == [["a", "c", "e"], ["b", "d"]]
    assert all(tiers_plugin.in_shard(p, paths, None) for p in paths)
    for shard in ("0/2", "3/2", "x", "1"):
        with pytest.raises(pytest.UsageError, match="KERAS_WGAN_SHARD must "
                           "be I/N with 1 <= I <= N"):
            tiers_plugin.in_shard("a", paths, shard)


def test_a_call_into_a_backend_is_stopped_and_named():
    with tiers_plugin.BackendCallRecorder() as recorder:
        np.add(np.ones(3), 1.0)
        sorted([3, 1, 2])
    assert recorder.first is None
    with pytest.raises(tiers_plugin.BackendCallError,
                       match="marked backend_independent, but it calls into "
                       "the backend: .*keras/src/backend/"
                       + keras.backend.backend()):
        with tiers_plugin.BackendCallRecorder() as recorder:
            keras.ops.add(np.ones(3), 1.0)
    assert recorder.first is not None


def test_a_caught_backend_call_is_still_named():
    with tiers_plugin.BackendCallRecorder() as recorder:
        try:
            keras.ops.add(np.ones(3), 1.0)
        except tiers_plugin.BackendCallError:
            pass
    assert keras.backend.backend() in recorder.first
