"""keras_wgan.backend.torch_distributed in one process (no process group).

The collectives over several processes run in tests/test_distribution.py,
under torchrun.
"""

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.backends("torch")

torch = pytest.importorskip("torch")
from keras_wgan.backend import torch_distributed  # noqa: E402


def test_one_process_is_one_replica_and_the_chief():
    assert torch_distributed.replica_count() == 1
    assert torch_distributed.step_shard() == (1, 0)
    assert torch_distributed.data_shard() == (1, 0)
    assert torch_distributed.is_chief()


def test_one_replica_reduces_nothing():
    grads = [torch.ones(2, 3), torch.arange(4.0)]
    assert torch_distributed.reduce_gradients(grads) is grads
    logs = {"critic_loss": torch.tensor(1.5)}
    assert torch_distributed.reduce_logs(logs) is logs
    variable = keras.Variable(np.full((2,), 3.0, "float32"))
    torch_distributed.synchronize([variable])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), 3.0)


def test_no_replica_is_lost_in_one_process():
    assert not torch_distributed.lost_replica(RuntimeError("gloo: by peer"))


def test_data_parallel_needs_torchrun(monkeypatch):
    with pytest.raises(ValueError, match="devices must be None on the torch"):
        torch_distributed.data_parallel(2)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with pytest.raises(ValueError, match="WORLD_SIZE is not set"):
        torch_distributed.data_parallel(None)
