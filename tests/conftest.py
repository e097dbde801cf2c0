"""Test set-up: the torch backend unless KERAS_BACKEND says otherwise.

Also the `backends` marker: `@pytest.mark.backends("torch")` runs a test
only when Keras runs on one of the named backends and skips it, saying why,
on the others. An optional `reason=` says why the test is limited to them.
The markers `backend_independent` and `spawns` are tests/tiers_plugin.py's.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

BACKENDS = ("torch", "jax", "tensorflow")

# The backend_independent and spawns markers; tests/run_all_backends.py
# also loads it with -p, for test files outside tests/.
pytest_plugins = ("tests.tiers_plugin",)

if keras.backend.backend() == "torch":
    import torch

    # The tests' models are tiny: each op is too small to split across
    # threads, so a second intra-op thread only waits to be scheduled
    # beside the other runs that share the machine's cores.
    torch.set_num_threads(1)


def backend_skip_reason(marker, current):
    """Why a test with this `backends` marker skips on `current`, or `None`.

    Raises:
        pytest.UsageError: The marker names no backend or an unknown one.
    """
    names = marker.args
    unknown = [name for name in names if name not in BACKENDS]
    if not names or unknown:
        raise pytest.UsageError(
            f"@pytest.mark.backends takes backend names among {BACKENDS}, "
            f"got {names}."
        )
    if current in names:
        return None
    reason = f"runs on {', '.join(names)} only, not on {current}"
    why = marker.kwargs.get("reason")
    return f"{reason}: {why}" if why else reason


def pytest_collection_modifyitems(config, items):
    current = keras.backend.backend()
    for item in items:
        marker = item.get_closest_marker("backends")
        if marker is None:
            continue
        try:
            reason = backend_skip_reason(marker, current)
        except pytest.UsageError as err:
            raise pytest.UsageError(f"{item.nodeid}: {err}") from None
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _seeded():
    """Each test starts from the same global random state."""
    keras.utils.set_random_seed(1234)
    yield
