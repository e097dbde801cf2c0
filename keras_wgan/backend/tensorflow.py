"""Gradients on the TensorFlow backend (`tf.GradientTape`)."""

import contextlib

import tensorflow as tf
from keras.src.losses import loss as keras_loss_module


def run_step(model, step_fn, data):
    """Runs a train or test step: Keras traces it in a `tf.function`."""
    del model
    return step_fn(data)


def value_and_grad(loss_fn, variables):
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


def apply_gradients(optimizer, grads, variables):
    """Applies `grads`, divided by the replicas, with `optimizer`."""
    optimizer.apply(reduce_gradients(grads), variables)


def input_gradient(fn, x):
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


def no_grad(fn, *args):
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
# 7x7). Where TensorFlow's own "SAME" padding reads exactly the same
# pixels, the convolution is one "SAME" call instead; otherwise it is
# computed as before. Both give the same numbers (`tests/backend/
# test_tensorflow.py` compares them with the plain composition).

# Stored kernel (out or in channels first) to TensorFlow's (k, k, ., .).
_STORED_TO_TF = (1, 2, 3, 0)


def _same_padding(size, kernel, stride):
    """Returns (output size, zeros before) of TensorFlow's "SAME" padding."""
    out = -(-size // stride)
    return out, max((out - 1) * stride + kernel - size, 0) // 2


def fused_conv2d(inputs, kernel, bias, stride, padding):
    """`PaddedConv2D`: a "SAME" convolution where it equals the padding.

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
    spatial = tuple(inputs.shape[1:3])
    if None not in spatial and all(
        _same_padding(n, size, stride)
        == ((n + 2 * padding - size) // stride + 1, padding)
        for n in spatial
    ):
        # The zeros "VALID" would read after the image are those "SAME"
        # adds (any further padding rows are never read).
        y = tf.nn.conv2d(inputs, weights, stride, "SAME")
    else:
        pad = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
        y = tf.nn.conv2d(tf.pad(inputs, pad), weights, stride, "VALID")
    return tf.nn.bias_add(y, bias)


def fused_conv2d_transpose(inputs, kernel, bias, stride, padding,
                           output_padding):
    """`PaddedConv2DTranspose`: "SAME" where it cuts exactly `padding`.

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
    spatial = tuple(inputs.shape[1:3])
    sizes = [(n - 1) * stride - 2 * padding + size + output_padding
             for n in spatial]
    batch = tf.shape(inputs)[0]
    if all(
        _same_padding(out, size, stride) == (n, padding)
        and (n - 1) * stride + size - out == 2 * padding
        for n, out in zip(spatial, sizes)
    ):
        # The transposed convolution of the "SAME" convolution producing
        # `sizes`: the full output with `padding` cut from both ends.
        y = tf.nn.conv2d_transpose(
            inputs, weights, [batch, *sizes, filters], stride, "SAME")
    else:
        full = [(n - 1) * stride + size for n in spatial]
        y = tf.nn.conv2d_transpose(
            inputs, weights, [batch, *full, filters], stride, "VALID")
        y = y[:, padding:padding + sizes[0], padding:padding + sizes[1], :]
    return tf.nn.bias_add(y, bias)


# ------------------------------------------------------------ data parallel
#
# Data parallelism is `tf.distribute.MirroredStrategy`: Keras's trainer
# splits each global batch into one contiguous chunk a replica and runs the
# step once a replica, and `optimizer.apply` sums the replicas' gradients
# (Keras's TensorFlow optimizer all-reduces them in the replica context).


def _replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_count():
    """Returns the number of data-parallel replicas."""
    return _replicas()


def step_shard():
    """Returns `(replicas, index)`: the index is a tensor in a replica."""
    count = _replicas()
    if count == 1:
        return 1, 0
    return count, tf.distribute.get_replica_context().replica_id_in_sync_group


def data_shard():
    """Returns `(replicas, shard)`: the strategy splits the global batch."""
    return _replicas(), None


def is_chief():
    """Whether this process writes the files of a run: one process."""
    return True


def reduce_gradients(grads):
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


def reduce_logs(logs):
    """Returned as they are: Keras's metrics sum over the replicas."""
    return logs


def synchronize(variables):
    """Nothing to do: mirrored variables start equal on every replica."""
    del variables


def data_parallel(devices):
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
