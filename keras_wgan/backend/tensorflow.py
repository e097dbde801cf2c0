"""Gradients on the TensorFlow backend (`tf.GradientTape`)."""

import contextlib
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import ContextManager

import keras
import tensorflow as tf
from keras.src.losses import loss as keras_loss_module

from keras_wgan.tensor_types import Tensor


def run_step(model: keras.Model, step_fn: Callable[[Any], dict[str, Tensor]],
             data: Any) -> dict[str, Tensor]:
    """Runs a train or test step: Keras traces it in a `tf.function`."""
    del model
    return step_fn(data)


def value_and_grad(loss_fn: Callable[[], tuple[Tensor, Any]],
                   variables: Sequence[keras.Variable]
                   ) -> tuple[Tensor, Any, list[Tensor]]:
    """Returns `(loss, aux, grads)` of `loss_fn()` for `variables` only."""
    with _unscaled_losses(), tf.GradientTape() as tape:
        loss, aux = loss_fn()
    # A variable the loss does not reach gets a zero gradient, as on torch.
    # The tf.Variables themselves are passed: filling zeros needs a TF
    # dtype, and a Keras variable reports its dtype as a string.
    grads = tape.gradient(
        loss,
        [v.value for v in variables],
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    return loss, aux, grads


def apply_gradients(optimizer: keras.optimizers.Optimizer,
                    grads: Sequence[Tensor],
                    variables: Sequence[keras.Variable]) -> None:
    """Applies `grads`, divided by the replicas, with `optimizer`."""
    optimizer.apply(reduce_gradients(grads), variables)


def input_gradient(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Returns d sum(fn(x)) / dx.

    Called inside `value_and_grad`'s tape, so the outer tape records this
    inner gradient computation and can differentiate it again (nested
    tapes are how TensorFlow does a double backward).
    """
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = fn(x)
    return tape.gradient(scores, x)


def no_grad(fn: Callable[..., Any], *args: Any) -> Any:
    """Calls `fn(*args)` and cuts its outputs from the gradient tape."""
    return tf.nest.map_structure(tf.stop_gradient, fn(*args))


# ------------------------------------------------------------ convolutions
#
# `keras_wgan.nets.layers` pads symmetrically (PyTorch's convention), which
# TensorFlow computes as a zero-padding copy and a "VALID" convolution (and
# a transposed convolution as its full output, then cropped). The gradient
# of the padding copy is then an input gradient over the padded image,
# whose border is thrown away: for the MNIST critic's last convolution
# (7x7 padded to 11x11) 2.5 times the pixels it needs, and the same for the
# generator's first transposed convolution (4x4 to a full 11x11 cropped to
# 7x7). Where TensorFlow's own "SAME" padding reads exactly the zeros the
# convolution reads, it is one "SAME" call instead. "SAME" pads at most one
# zero more after than before; where the layer's convolution reads one
# zero less after (the MNIST networks' 28 <-> 14 <-> 7 layers), it is the
# "SAME" convolution of the spatially reversed input with the reversed
# kernel, reversed back. Anything else is computed as before. All give the
# same numbers (`tests/backend/test_tensorflow.py` compares them with the
# plain composition, up to the second-order gradient).

# Stored kernel (out or in channels first) to TensorFlow's (k, k, ., .).
_STORED_TO_TF = (1, 2, 3, 0)


def _same_flips(sizes, outs, kernel, stride, before, afters):
    """The image axes to reverse for "SAME" to read the same zeros.

    Args:
        sizes: The convolution's input sides (height, width).
        outs: Its output sides.
        kernel: Kernel side.
        stride: Int stride.
        before: Zeros read before each side.
        afters: Zeros read after each side.

    Returns:
        A list of the axes (1, 2) to reverse, or `None` where "SAME" reads
        other zeros.
    """
    flips = []
    for axis, (size, out, after) in enumerate(zip(sizes, outs, afters), 1):
        # TensorFlow's "SAME": ceil(size / stride) outputs, the zeros split
        # with the smaller half before.
        total = (out - 1) * stride + kernel - size
        if after < 0 or -(-size // stride) != out or total != before + after:
            return None
        if total // 2 == before:
            continue
        if total // 2 == after:
            flips.append(axis)
            continue
        return None
    return flips


def _reverse(x, axes):
    return tf.reverse(x, axes) if axes else x


def fused_conv2d(inputs: Tensor, kernel: Tensor, bias: Tensor | None,
                 stride: int, padding: int) -> Tensor:
    """`PaddedConv2D` as a "SAME" convolution where one reads its zeros.

    Args:
        inputs: `(batch, H, W, C)`.
        kernel: `(filters, k, k, C)`, the layer's stored layout.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int zeros before and after each spatial axis.

    Returns:
        `(batch, H', W', filters)`.
    """
    size = kernel.shape[1]
    weights = tf.transpose(kernel, _STORED_TO_TF)
    sizes = tuple(inputs.shape[1:3])
    flips = None
    if None not in sizes:
        outs = [(n + 2 * padding - size) // stride + 1 for n in sizes]
        # Zeros after the image beyond the last window are never read.
        afters = [(out - 1) * stride + size - n - padding
                  for n, out in zip(sizes, outs)]
        flips = _same_flips(sizes, outs, size, stride, padding, afters)
    if flips is None:
        pad = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
        y = tf.nn.conv2d(tf.pad(inputs, pad), weights, stride, "VALID")
    else:
        y = _reverse(tf.nn.conv2d(
            _reverse(inputs, flips),
            _reverse(weights, [axis - 1 for axis in flips]),
            stride, "SAME"), flips)
    return tf.nn.bias_add(y, bias)


def fused_conv2d_transpose(inputs: Tensor, kernel: Tensor,
                           bias: Tensor | None, stride: int,
                           padding: int,
                           output_padding: int) -> Tensor:
    """`PaddedConv2DTranspose` as a "SAME" one where that cuts its border.

    Args:
        inputs: `(batch, H, W, C)`.
        kernel: `(C, k, k, filters)`, the layer's stored layout.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int border cut from both ends of each spatial axis.
        output_padding: Int given back at the end of each axis.

    Returns:
        `(batch, H', W', filters)`, `H' = (H - 1) * stride - 2 * padding +
        k + output_padding`.
    """
    size, filters = kernel.shape[1], kernel.shape[3]
    weights = tf.transpose(kernel, _STORED_TO_TF)
    sides = tuple(inputs.shape[1:3])
    sizes = [(n - 1) * stride - 2 * padding + size + output_padding
             for n in sides]
    batch = tf.shape(inputs)[0]
    # The transpose of the convolution from `sizes` to `sides` that reads
    # `padding` zeros before and `padding - output_padding` after.
    flips = _same_flips(sizes, sides, size, stride, padding,
                        [padding - output_padding] * 2)
    if flips is None:
        full = [(n - 1) * stride + size for n in sides]
        y = tf.nn.conv2d_transpose(
            inputs, weights, [batch, *full, filters], stride, "VALID")
        y = y[:, padding:padding + sizes[0], padding:padding + sizes[1], :]
    else:
        y = _reverse(tf.nn.conv2d_transpose(
            _reverse(inputs, flips),
            _reverse(weights, [axis - 1 for axis in flips]),
            [batch, *sizes, filters], stride, "SAME"), flips)
    return tf.nn.bias_add(y, bias)


# ------------------------------------------------------------ data parallel
#
# Data parallelism is `tf.distribute.MirroredStrategy`: Keras's trainer
# splits each global batch into one contiguous chunk a replica and runs the
# step once a replica, and `optimizer.apply` sums the replicas' gradients
# (Keras's TensorFlow optimizer all-reduces them in the replica context).


def _replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_count() -> int:
    """Returns the number of data-parallel replicas."""
    return _replicas()


def step_shard() -> tuple[int, int]:
    """Returns `(replicas, index)`: the index is a tensor in a replica."""
    count = _replicas()
    if count == 1:
        return 1, 0
    return count, tf.distribute.get_replica_context().replica_id_in_sync_group


def data_shard() -> tuple[int, int | None]:
    """Returns `(replicas, shard)`: the strategy splits the global batch."""
    return _replicas(), None


def lost_replica(error: BaseException) -> bool:
    """Whether `error` says a replica is gone: never, with the replicas
    the devices of this one process."""
    del error
    return False


def is_chief() -> bool:
    """Whether this process writes the files of a run: one process."""
    return True


def reduce_gradients(grads: Sequence[Tensor]) -> Sequence[Tensor]:
    """Divides `grads` by the replicas, whose sum `optimizer.apply` takes.

    Each replica's loss is the mean over its shard; the mean of the replicas'
    gradients is the gradient of the global batch's mean (as Keras's own
    `scale_loss_for_distribution` does for a built-in loss).
    """
    count = _replicas()
    if count == 1:
        return grads
    return [grad / count for grad in grads]


@contextlib.contextmanager
def _unscaled_losses():
    """Keeps Keras losses the plain mean of a replica's batch.

    Under a strategy a Keras `Loss` divides its value by the replicas, for
    Keras's own trainer, which sums the replicas' gradients. An objective
    that adds a term computed with `keras.ops` (the gradient penalty) would
    then mix scaled and unscaled terms, and log a scaled loss; here every
    term is a plain mean and `reduce_gradients` divides the gradients
    instead. Keras has no public switch for it: this swaps the private
    function while the loss is traced (`tests/test_distribution.py`
    compares the logged loss with one device's, so a Keras release that
    renames it fails there).
    """
    original = keras_loss_module.scale_loss_for_distribution
    keras_loss_module.scale_loss_for_distribution = lambda value: value
    try:
        yield
    finally:
        keras_loss_module.scale_loss_for_distribution = original


def reduce_logs(logs: dict[str, Tensor]) -> dict[str, Tensor]:
    """Returned as they are: Keras's metrics sum over the replicas."""
    return logs


def synchronize(variables: Sequence[keras.Variable]) -> None:
    """Nothing to do: mirrored variables start equal on every replica."""
    del variables


def data_parallel(devices: int | None) -> ContextManager[Any]:
    """Returns the scope of a `MirroredStrategy` over `devices`.

    `devices` is a number: the first GPUs, or, without GPUs, logical CPU
    devices, made here if TensorFlow has not started
    (`tf.config.set_logical_device_configuration`), so that the CPU can
    stand for several devices; `None` takes all GPUs, or the CPU.
    """
    kind = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    cpu = tf.config.list_physical_devices("CPU")[0]
    # Read without starting TensorFlow (listing logical devices would).
    split = tf.config.get_logical_device_configuration(cpu) or [cpu]
    if kind == "CPU" and devices is not None and len(split) < devices:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
        except RuntimeError:
            pass  # TensorFlow has started: its devices are checked below.
    available = [d.name for d in tf.config.list_logical_devices(kind)]
    if devices is not None and devices > len(available):
        raise ValueError(
            f"devices must be <= {len(available)} (the {kind} devices here; "
            "on the CPU call data_parallel before TensorFlow runs an "
            f"operation), got {devices}."
        )
    chosen = available if devices is None else available[:devices]
    return tf.distribute.MirroredStrategy(chosen).scope()


def clip(x: Tensor, limit: float) -> Tensor:
    """`x` clipped to `[-limit, limit]`."""
    return tf.clip_by_value(x, -limit, limit)
