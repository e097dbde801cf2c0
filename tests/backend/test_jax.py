"""keras_wgan.backend.jax: the package's convolutions and their gradients.

On JAX a strided `PaddedConv2D` (and Keras's own `Conv2D`, through
`fused_layer_call`) computes its forward pass as XLA's
convolution and its input gradient as the transposed convolution;
`PaddedConv2DTranspose` (and Keras's `Conv2DTranspose`) computes its forward pass as the sub-pixel
convolution (`keras_wgan.backend.subpixel`) and its gradients as those of
the adjoint strided convolution. Value, first-order gradients and the
gradient penalty's second-order gradient must equal the plain
computation's.
"""

import keras
import numpy as np
import pytest

from tests.helpers import assert_close_to_scale

pytestmark = pytest.mark.backends("jax")

# (height, width, kernel, stride, padding): the MNIST critic's three
# convolutions (output paddings 1, 1, 0), an even kernel, output paddings
# differing between the axes (7 x 8), an output padding above the padding
# (8 -> 3 with no padding), and stride 1 (XLA's own gradient).
CONVOLUTIONS = [
    (28, 28, 5, 2, 2), (14, 14, 5, 2, 2), (7, 7, 5, 2, 2), (10, 10, 4, 2, 1),
    (7, 8, 5, 2, 2), (8, 8, 3, 2, 0), (6, 6, 3, 1, 1),
]


def _plain(inputs, kernel, bias, stride, padding):
    import jax

    return jax.lax.conv_general_dilated(
        inputs, kernel, (stride, stride), [(padding, padding)] * 2,
        dimension_numbers=("NHWC", "OHWI", "NHWC")) + bias


def _orders(conv, x, kernel, bias):
    """Value, gradients of a weighted sum, and the penalty's gradient.

    The penalty is `mean((||d sum(conv(x)^2) / dx|| - 1)^2)`, differentiated
    with respect to the kernel and the bias: the double backward of the
    gradient penalty, through this convolution.
    """
    import jax
    import jax.numpy as jnp

    weights = np.random.default_rng(1).normal(
        size=jax.eval_shape(conv, x, kernel, bias).shape).astype("float32")

    def penalty(k, b):
        grads = jax.grad(lambda t: jnp.sum(conv(t, k, b) ** 2))(x)
        norms = jnp.sqrt(jnp.sum(grads ** 2, axis=(1, 2, 3)) + 1e-12)
        return jnp.mean((norms - 1.0) ** 2)

    @jax.jit  # one compilation, not one dispatch per operation
    def orders(x, kernel, bias):
        first = jax.grad(
            lambda t, k, b: jnp.sum(conv(t, k, b) * weights),
            argnums=(0, 1, 2))(x, kernel, bias)
        second = jax.grad(penalty, argnums=(0, 1))(kernel, bias)
        return [conv(x, kernel, bias), *first, *second]

    return orders(x, kernel, bias)


@pytest.mark.parametrize("height, width, size, stride, padding",
                         CONVOLUTIONS)
def test_equals_the_plain_convolution_to_second_order(
        height, width, size, stride, padding):
    from keras_wgan import backend

    rng = np.random.default_rng(height + width + size)
    x = rng.normal(size=(2, height, width, 3)).astype("float32")
    kernel = rng.normal(size=(4, size, size, 3)).astype("float32")
    bias = rng.normal(size=4).astype("float32")
    ours = _orders(
        lambda t, k, b: backend.fused_conv2d(t, k, b, stride, padding),
        x, kernel, bias)
    plain = _orders(lambda t, k, b: _plain(t, k, b, stride, padding),
                    x, kernel, bias)
    assert_close_to_scale(ours, plain)


# (side, kernel, stride, padding, output_padding): the MNIST generator's
# 4 -> 7 and 7 -> 14, DCGAN's 4x4 kernels, stride 1, stride 3 cutting
# nothing.
TRANSPOSED = [
    (4, 5, 2, 2, 0), (7, 5, 2, 2, 1), (4, 4, 2, 1, 0), (5, 3, 1, 1, 0),
    (3, 3, 3, 0, 0),
]


def _plain_transpose(inputs, kernel, bias, stride, padding, output_padding):
    from keras import ops

    full = ops.conv_transpose(inputs, ops.transpose(kernel, (1, 2, 3, 0)),
                              strides=stride, padding="valid")
    size = kernel.shape[1]
    height, width = ((n - 1) * stride - 2 * padding + size + output_padding
                     for n in inputs.shape[1:3])
    return full[:, padding:padding + height, padding:padding + width] + bias


@pytest.mark.parametrize("side, size, stride, padding, output_padding",
                         TRANSPOSED)
def test_transposed_convolution_equals_the_plain_one_to_second_order(
        side, size, stride, padding, output_padding):
    from keras_wgan import backend

    rng = np.random.default_rng(side + size)
    x = rng.normal(size=(2, side, side, 3)).astype("float32")
    kernel = rng.normal(size=(3, size, size, 4)).astype("float32")
    bias = rng.normal(size=4).astype("float32")
    settings = (stride, padding, output_padding)
    ours = _orders(
        lambda t, k, b: backend.fused_conv2d_transpose(t, k, b, *settings),
        x, kernel, bias)
    plain = _orders(lambda t, k, b: _plain_transpose(t, k, b, *settings),
                    x, kernel, bias)
    assert_close_to_scale(ours, plain)


def test_strided_convolutions_take_the_fast_gradient():
    import jax
    import jax.numpy as jnp

    from keras_wgan import backend

    kernel = jnp.ones((4, 5, 5, 3))
    bias = jnp.zeros(4)

    def uses_custom_gradient(side, stride):
        x = jnp.ones((1, side, side, 3))
        text = str(jax.make_jaxpr(
            lambda t: backend.fused_conv2d(t, kernel, bias, stride, 2))(x))
        return "custom_vjp_call" in text

    assert uses_custom_gradient(28, 2)  # the MNIST critic's first layer
    assert not uses_custom_gradient(28, 1)  # stride 1: XLA's own is fast


def _keras_layer(kind, size, padding, extra):
    """A Keras `Conv2D` (`extra`: its input side) or `Conv2DTranspose`
    (`extra`: its output padding), stride 2, built on 2 channels."""
    if kind == "conv":
        layer = keras.layers.Conv2D(3, size, strides=2, padding=padding,
                                    activation="tanh")
        layer.build((None, extra, extra, 2))
        return layer, (2, extra, extra, 2)
    layer = keras.layers.Conv2DTranspose(3, size, strides=2, padding=padding,
                                         output_padding=extra)
    layer.build((None, 4, 4, 2))
    return layer, (2, 4, 4, 2)


# Keras's "same" padding is asymmetric for an even kernel on an even side
# (4 on 8) and for an odd kernel on an odd side; "valid" leaves rows after
# the last window (5 on 8); output padding 1 adds a row the kernel does not
# reach with "valid".
KERAS_LAYERS = [
    ("conv", size, padding, side)
    for size in (4, 5) for padding in ("same", "valid") for side in (7, 8)
] + [
    ("transpose", size, padding, output_padding)
    for size in (4, 5) for padding in ("same", "valid")
    for output_padding in (None, 1)
]


@pytest.mark.parametrize("kind, size, padding, extra", KERAS_LAYERS)
def test_fused_keras_layer_equals_its_call_to_second_order(
        kind, size, padding, extra):
    from keras_wgan import backend

    layer, shape = _keras_layer(kind, size, padding, extra)
    fused = backend.fused_layer_call(layer, (None, *shape[1:]))
    assert fused is not None
    rng = np.random.default_rng(size + (extra or 0))
    x = rng.normal(size=shape).astype("float32")
    kernel = rng.normal(size=layer.kernel.shape).astype("float32")
    bias = rng.normal(size=layer.bias.shape).astype("float32")

    def with_weights(call):
        def conv(t, k, b):
            mapping = [(layer.kernel, k), (layer.bias, b)]
            with keras.StatelessScope(state_mapping=mapping):
                return call(t)
        return conv

    assert_close_to_scale(_orders(with_weights(fused), x, kernel, bias),
                 _orders(with_weights(layer.call), x, kernel, bias))


def test_fused_keras_layer_without_bias():
    from keras_wgan import backend

    layer = keras.layers.Conv2DTranspose(3, 4, strides=2, padding="same",
                                         use_bias=False)
    layer.build((None, 4, 4, 2))
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 2)).astype("float32")
    fused = backend.fused_layer_call(layer, (None, 4, 4, 2))
    np.testing.assert_allclose(fused(x), layer.call(x), atol=1e-5)


@pytest.mark.parametrize("layer", [
    keras.layers.Conv2D(4, 3),
    keras.layers.Conv2D(4, 3, strides=(2, 1)),
    keras.layers.Conv2D(4, (3, 5), strides=2),
    keras.layers.Conv2D(4, 3, strides=2, data_format="channels_first"),
    keras.layers.Conv2DTranspose(4, 3),
    keras.layers.Dense(4),
], ids=["stride_1", "unequal_strides", "rectangular_kernel",
        "channels_first", "transposed_stride_1", "dense"])
def test_other_keras_layers_keep_their_call(layer):
    from keras_wgan import backend

    layer.build((None, 8, 8, 8) if not isinstance(
        layer, keras.layers.Dense) else (None, 8))
    assert backend.fused_layer_call(layer, (None, 8, 8, 8)) is None
