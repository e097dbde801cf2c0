"""keras_wgan.backend.tensorflow: the convolutions of `nets.layers`.

TensorFlow computes `PaddedConv2D` and `PaddedConv2DTranspose` with its own
"SAME" padding where that reads exactly the layer's zeros, on the reversed
image where it reads them mirrored, and as a padding copy plus "VALID"
convolution (or a cropped full transposed convolution) otherwise. Each
must equal the plain composition from `keras.ops`, in value, in the
gradients of input and weights, and in the gradient penalty's
second-order gradient.
"""

import numpy as np
import pytest
from keras import ops

from keras_wgan import backend
from keras_wgan import penalty
from tests.helpers import assert_close_to_scale

pytestmark = pytest.mark.backends("tensorflow")

# (height, width, kernel, stride, padding): the MNIST critic's three
# convolutions, "SAME" (7 -> 4) and mirrored "SAME" (28 -> 14, 14 -> 7),
# one of each on the two axes (7 x 14), neither (6 -> 8, stride 1 with
# more padding than "SAME" gives), odd and even sides, stride 3, no
# padding.
CONVOLUTIONS = [
    (28, 28, 5, 2, 2), (14, 14, 5, 2, 2), (7, 7, 5, 2, 2), (7, 14, 5, 2, 2),
    (6, 6, 3, 1, 2), (8, 8, 4, 2, 1), (9, 9, 3, 1, 1), (6, 6, 3, 1, 0),
    (10, 10, 5, 3, 2), (5, 5, 1, 2, 0),
]
# (input side, kernel, stride, padding, output_padding): the MNIST
# generator's three ("SAME" for 4 -> 7, mirrored for the others), DCGAN's
# 4x4 kernels, mirrored with nothing cut at the end (4, 3, 2, 1, 1),
# neither (stride 1 cutting more than "SAME" can; nothing cut), stride 3.
TRANSPOSED = [
    (4, 5, 2, 2, 0), (7, 5, 2, 2, 1), (14, 5, 2, 2, 1), (4, 4, 2, 1, 0),
    (4, 3, 2, 1, 1), (5, 3, 1, 1, 0), (4, 3, 1, 2, 0), (3, 3, 3, 0, 0),
    (5, 5, 2, 0, 0),
]


def _plain_conv(x, kernel, bias, stride, padding):
    x = ops.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    y = ops.conv(x, ops.transpose(kernel, (1, 2, 3, 0)), strides=stride,
                 padding="valid")
    return y + bias


def _plain_transpose(x, kernel, bias, stride, padding, output_padding):
    y = ops.conv_transpose(x, ops.transpose(kernel, (1, 2, 3, 0)),
                           strides=stride, padding="valid")
    height = (x.shape[1] - 1) * stride - 2 * padding + kernel.shape[1] \
        + output_padding
    width = (x.shape[2] - 1) * stride - 2 * padding + kernel.shape[1] \
        + output_padding
    return y[:, padding:padding + height, padding:padding + width, :] + bias


def _first_and_second_order(fn, x, kernel, bias):
    """Output, gradients of a weighted sum, and a penalty's kernel gradient.

    The penalty is `mean(||d sum(fn(x)) / dx||^2)`, differentiated with
    respect to the kernel: the double backward of the gradient penalty.
    """
    x, kernel, bias = (ops.convert_to_tensor(v) for v in (x, kernel, bias))
    import tensorflow as tf

    weights = tf.constant(np.random.default_rng(1).normal(
        size=fn(x, kernel, bias).shape).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch([x, kernel, bias])
        y = fn(x, kernel, bias)
        total = ops.sum(y * weights)
    first = tape.gradient(total, [x, kernel, bias])
    with tf.GradientTape() as tape:
        tape.watch(kernel)
        norms = penalty.squared_gradient_norm(
            lambda t, training: ops.sum(fn(t, kernel, bias) ** 2, axis=(1, 2)),
            x)
        value = ops.mean(norms)
    second = tape.gradient(value, kernel)
    return [y, *first, second]


@pytest.mark.parametrize("height, width, size, stride, padding",
                         CONVOLUTIONS)
def test_convolution_equals_padding_then_valid_convolution(
        height, width, size, stride, padding):
    rng = np.random.default_rng(height + width + size)
    x = rng.normal(size=(2, height, width, 3)).astype("float32")
    kernel = rng.normal(size=(4, size, size, 3)).astype("float32")
    bias = rng.normal(size=4).astype("float32")

    def ours(t, k, b):
        return backend.fused_conv2d(t, k, b, stride, padding)

    def plain(t, k, b):
        return _plain_conv(t, k, b, stride, padding)

    assert_close_to_scale(_first_and_second_order(ours, x, kernel, bias),
                 _first_and_second_order(plain, x, kernel, bias))


@pytest.mark.parametrize("side, size, stride, padding, output_padding",
                         TRANSPOSED)
def test_transposed_convolution_equals_the_cropped_full_one(
        side, size, stride, padding, output_padding):
    rng = np.random.default_rng(side + size)
    x = rng.normal(size=(2, side, side, 3)).astype("float32")
    kernel = rng.normal(size=(3, size, size, 4)).astype("float32")
    bias = rng.normal(size=4).astype("float32")

    def ours(t, k, b):
        return backend.fused_conv2d_transpose(
            t, k, b, stride, padding, output_padding)

    def plain(t, k, b):
        return _plain_transpose(t, k, b, stride, padding, output_padding)

    assert_close_to_scale(_first_and_second_order(ours, x, kernel, bias),
                 _first_and_second_order(plain, x, kernel, bias))


def _graph_ops(fn, x, kernel, bias):
    import tensorflow as tf

    graph = tf.function(fn).get_concrete_function(
        tf.constant(x), tf.constant(kernel), tf.constant(bias)).graph
    return graph.get_operations()


def _op_types(fn, x, kernel, bias):
    return {op.type for op in _graph_ops(fn, x, kernel, bias)}


def _transposed_sides(fn, x, kernel, bias):
    """The spatial sides the transposed convolution itself computes."""
    (op,) = [op for op in _graph_ops(fn, x, kernel, bias)
             if op.type == "Conv2DBackpropInput"]
    return tuple(op.outputs[0].shape[1:3])


def test_same_padding_replaces_the_padding_copy_only_where_it_is_exact():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(4, 5, 5, 3)).astype("float32")
    bias = np.zeros(4, "float32")

    def conv(stride, padding):
        return lambda t, k, b: backend.fused_conv2d(t, k, b, stride, padding)

    def types(fn, side):
        x = np.zeros((1, side, side, 3), "float32")
        return _op_types(fn, x, kernel, bias)

    # The MNIST critic's 7 -> 4: "SAME" pads 2 before, as the layer does.
    assert not {"Pad", "ReverseV2"} & types(conv(2, 2), 7)
    # 14 -> 7 reads 2 zeros before and 1 after: "SAME" on the reversed
    # image, with no padding copy.
    assert "ReverseV2" in types(conv(2, 2), 14)
    assert "Pad" not in types(conv(2, 2), 14)
    # Stride 1 with padding 4 of a 5x5 kernel: no "SAME" reads that.
    assert "Pad" in types(conv(1, 4), 6)

    def transpose(stride, padding, output_padding):
        return lambda t, k, b: backend.fused_conv2d_transpose(
            t, k, b, stride, padding, output_padding)

    kernel = rng.normal(size=(3, 5, 5, 4)).astype("float32")
    x = np.zeros((1, 4, 4, 3), "float32")
    # 4 -> 7 and 4 -> 8 compute no border to crop. Stride 1 cutting 3 from
    # each end of the full 8x8 (to 2x2) is no "SAME" convolution: the full
    # 8x8 is computed and cropped.
    assert _transposed_sides(transpose(2, 2, 0), x, kernel, bias) == (7, 7)
    assert _transposed_sides(transpose(2, 2, 1), x, kernel, bias) == (8, 8)
    assert _transposed_sides(transpose(1, 3, 0), x, kernel, bias) == (8, 8)
