"""Data-parallel training on the backend's own engine.

Every backend trains data-parallel with what it already has:

- torch: one process a device, started by `torchrun`, joined in a
  `torch.distributed` process group (gloo on the CPU, NCCL on GPUs); the
  gradients of each update are averaged over the processes with one
  all-reduce (`keras_wgan.backend.torch_distributed` says why not DDP's
  hooks).
- JAX: `keras.distribution.DataParallel` over the devices of one process.
- TensorFlow: `tf.distribute.MirroredStrategy` over the devices of one
  process.

The batch size of `fit` (and `--batch-size`) is the global critic batch
`m`: each of `R` replicas trains on `m / R` samples of every critic batch,
so a run on `R` devices follows the same recipe, with the same steps an
epoch, as on one. Every critic update of every replica still gets a fresh
real batch. The noise and the penalty's interpolation weights are drawn for
the global batch from the model's one random stream and each replica takes
its rows (`replica_rows`), so the replicas draw different samples and the
run computes what one device with the global batch would, up to the order
of floating-point sums.

Only the chief process (`is_chief`) should write files: the command line
writes its run folder from rank 0 alone.
"""

import contextlib
from collections.abc import Callable
from collections.abc import Iterator

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.tensor_types import ArrayLike

__all__ = [
    "ReplicaLost",
    "check_batch_size",
    "data_parallel",
    "is_chief",
    "lost_replica",
    "replica_rows",
    "replicas",
]


@contextlib.contextmanager
def data_parallel(devices: int | None = None) -> Iterator[None]:
    """Trains the models built, compiled and fit inside it data-parallel.

    Args:
        devices: Number of devices, an int >= 1, or `None` for all. On
            torch it must be `None`: there the replicas are the processes
            `torchrun --nproc-per-node N` starts.

    Yields:
        Nothing; build, compile and fit the model inside the block.

    Example:

    ```python
    # JAX or TensorFlow; on a CPU, called before either has run an
    # operation, it makes the CPU stand for 2 devices.
    with keras_wgan.distribute.data_parallel(devices=2):
        gan = keras_wgan.WGANGP(critic, generator, seed=0)
        gan.compile()
        gan.fit(images, batch_size=64, epochs=10)  # 32 images a device
    ```
    """
    if devices is not None:
        devices = argument_validation.check_int("devices", devices)
    with backend.data_parallel(devices):
        yield


def replicas() -> int:
    """Returns the number of data-parallel replicas (1 outside
    `data_parallel`).

    Example:

    >>> replicas()
    1
    """
    return backend.replica_count()


def is_chief() -> bool:
    """Whether this process is the one that writes a run's files.

    Example:

    >>> is_chief()
    True
    """
    return backend.is_chief()


class ReplicaLost(RuntimeError):
    """Another process of a data-parallel run is gone (killed or stopped),
    so this one cannot go on."""


def lost_replica(error: BaseException) -> bool:
    """Whether `error` is a collective failing because another process of
    the run is gone (only `torchrun`'s processes can lose one another).

    Example:

    >>> lost_replica(RuntimeError("Connection reset by peer"))  # 1 replica
    False
    """
    return backend.lost_replica(error)


def replica_rows(draw: Callable[[int], ArrayLike],
                 batch_size: int) -> ArrayLike:
    """Returns this replica's rows of a draw for the global batch.

    Args:
        draw: A function of a row count returning an array of that many
            rows (e.g. noise from the model's seed generator).
        batch_size: The rows of this replica's batch.

    Returns:
        `draw(batch_size)` on one replica; on `R` replicas, rows
        `[i * batch_size, (i + 1) * batch_size)` of `draw(R * batch_size)`
        on replica `i`. Every replica advances its random stream alike, and
        the replicas together use the draw one device would make.

    Example:

    >>> rows = replica_rows(lambda n: np.arange(n), 3)
    >>> rows.tolist()
    [0, 1, 2]
    """
    count, index = backend.step_shard()
    if count == 1:
        return draw(batch_size)
    rows = draw(batch_size * count)
    return rows[index * batch_size : (index + 1) * batch_size]


def check_batch_size(batch_size: int, name: str = "batch_size") -> None:
    """Raises unless the global batch `batch_size` splits over the replicas.

    Example:

    >>> check_batch_size(64)
    """
    count = backend.replica_count()
    if batch_size % count:
        raise ValueError(
            f"{name} must be a multiple of the {count} replicas (it is the "
            f"global batch, split evenly between them), got {batch_size}."
        )
