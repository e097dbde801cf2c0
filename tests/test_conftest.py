"""The `backends` marker of tests/conftest.py."""

import pytest

from tests.conftest import backend_skip_reason

pytestmark = pytest.mark.backend_independent


def test_a_test_runs_on_the_backends_it_names():
    marker = pytest.mark.backends("torch", "jax").mark
    assert backend_skip_reason(marker, "torch") is None
    assert backend_skip_reason(marker, "jax") is None
    assert backend_skip_reason(marker, "tensorflow") == (
        "runs on torch, jax only, not on tensorflow")


def test_the_skip_reason_says_why():
    marker = pytest.mark.backends("torch", reason="torch.compile only").mark
    assert backend_skip_reason(marker, "jax") == (
        "runs on torch only, not on jax: torch.compile only")


@pytest.mark.parametrize("names", [(), ("pytorch",), ("torch", "numpy")])
def test_unknown_or_missing_backend_names_are_a_usage_error(names):
    with pytest.raises(pytest.UsageError, match="backend names among"):
        backend_skip_reason(pytest.mark.backends(*names).mark, "torch")
