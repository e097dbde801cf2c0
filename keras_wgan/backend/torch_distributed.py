"""Data parallelism on the PyTorch backend: torch.distributed processes.

Data parallelism is torch.distributed across processes (`torchrun`), one
replica a process. DistributedDataParallel is not used: its reducer hooks
fire during `loss.backward()`, but `value_and_grad` takes the gradients
with `torch.autograd.grad` (the penalty's double backward included, which
DDP does not support), so no hook would ever fire. The gradients are
all-reduced explicitly instead, once an update, in one collective.
"""

import contextlib
import os
from collections.abc import Sequence
from typing import Any
from typing import ContextManager

import keras
import torch

from keras_wgan.tensor_types import Tensor


def _process_group():
    """Returns `(count, index)`: the processes and this one's rank."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return (torch.distributed.get_world_size(),
                torch.distributed.get_rank())
    return 1, 0


def replica_count() -> int:
    """Returns the number of data-parallel replicas."""
    return _process_group()[0]


def step_shard() -> tuple[int, int]:
    """Returns `(replicas, index)` of the batch a train step sees.

    Each process's step sees its own shard of the global batch.
    """
    return _process_group()


def data_shard() -> tuple[int, int | None]:
    """Returns `(replicas, shard)`: each process reads its own shard."""
    return _process_group()


def is_chief() -> bool:
    """Whether this process writes the files of a run (rank 0)."""
    return _process_group()[1] == 0


def reduce_gradients(grads: Sequence[Tensor]) -> Sequence[Tensor]:
    """Averages `grads` over the processes (the mean of the replicas' means).

    Args:
        grads: The list of gradient tensors of one update, alike on all
            processes in shapes and order.

    Returns:
        The averaged gradients, in the same shapes.
    """
    count, _ = _process_group()
    if count == 1 or not grads:
        return grads
    flat = torch.cat([grad.reshape(-1) for grad in grads])
    torch.distributed.all_reduce(flat)
    flat = flat / count
    return [part.view_as(grad) for part, grad in
            zip(torch.split(flat, [g.numel() for g in grads]), grads)]


def reduce_logs(logs: dict[str, Tensor]) -> dict[str, Tensor]:
    """Averages a step's logged values over the processes.

    Every process has as many samples, so that is their mean over the
    global batch, the value one process with the global batch would log.
    """
    count, _ = _process_group()
    if count == 1 or not logs:
        return logs
    names = list(logs)
    values = torch.stack([torch.as_tensor(logs[name], dtype=torch.float32)
                          for name in names])
    torch.distributed.all_reduce(values)
    return dict(zip(names, values / count))


def lost_replica(error: BaseException) -> bool:
    """Whether `error` is a collective failing because another process of
    the group is gone (killed, or stopped by a signal before this one)."""
    if _process_group()[0] == 1 or not isinstance(error, RuntimeError):
        return False
    if isinstance(error, getattr(torch.distributed, "DistError", ())):
        return True
    text = str(error)
    # gloo says "Connection reset by peer" or "Connection closed by peer".
    return "gloo" in text or "NCCL" in text or "by peer" in text


def synchronize(variables: Sequence[keras.Variable]) -> None:
    """Copies rank 0's values of `variables` to every process.

    Same seeds give the same initial weights, but a model built without a
    seed, or loaded from a file another process is still writing, would
    not; one broadcast at the start of `fit` makes the replicas start equal.
    """
    if _process_group()[0] == 1:
        return
    for variable in variables:
        value = variable.value.detach()
        # gloo has no unsigned types (the seed generator's state is uint32).
        wire = value.to(torch.int64) if value.dtype == torch.uint32 else value
        wire = wire.clone()
        torch.distributed.broadcast(wire, src=0)
        variable.assign(wire.to(value.dtype))


def data_parallel(devices: int | None) -> ContextManager[Any]:
    """Joins the process group that `torchrun` describes in the environment.

    gloo on the CPU, NCCL on GPUs (each process on the GPU of its local
    rank). `devices` must be `None`: the processes are `torchrun`'s.
    """
    if devices is not None:
        raise ValueError(
            "devices must be None on the torch backend (start one process a "
            f"device with torchrun --nproc-per-node N), got {devices!r}."
        )
    if "WORLD_SIZE" not in os.environ:
        raise ValueError(
            "data_parallel on the torch backend runs in processes started by "
            "torchrun (WORLD_SIZE is not set); launch with torchrun "
            "--nproc-per-node N."
        )
    if not torch.distributed.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
            torch.distributed.init_process_group("nccl")
        else:
            torch.distributed.init_process_group("gloo")
    return contextlib.nullcontext()
