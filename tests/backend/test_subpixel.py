"""keras_wgan.backend.subpixel: a transposed convolution as a sub-pixel one."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_wgan import backend
from keras_wgan.backend import subpixel
from keras_wgan.nets.layers import PaddedConv2DTranspose


def _reference(layer, x):
    """Keras's transposed convolution, cropped as PyTorch's padding does."""
    full = ops.conv_transpose(x, layer._keras_kernel(),
                              strides=layer.strides, padding="valid")
    start = layer.padding[0]
    height = layer._output_size(x.shape[1])
    width = layer._output_size(x.shape[2])
    return full[:, start:start + height, start:start + width, :] + layer.bias


@pytest.mark.parametrize("size, stride, padding, output_padding", [
    (5, 2, 2, 0),  # the MNIST generator's 4x4 -> 7x7
    (5, 2, 2, 1),  # and its doublings
    (4, 2, 1, 0),  # DCGAN's 4x4 kernels
    (3, 2, 1, 1),
    (5, 1, 2, 0),  # stride 1: one phase
    (3, 3, 0, 0),  # kernel = stride: no tap shared between phases
    (5, 2, 0, 0),  # nothing cut
])
def test_equals_the_transposed_convolution(size, stride, padding,
                                           output_padding):
    layer = PaddedConv2DTranspose(3, size, strides=stride, padding=padding,
                                  output_padding=output_padding)
    rng = np.random.default_rng(size + stride)
    x = rng.normal(size=(2, 4, 5, 4)).astype("float32")
    layer.build(x.shape)
    layer.bias.assign(rng.normal(size=3).astype("float32"))
    ours = backend.no_grad(subpixel.conv2d_transpose, x, layer.kernel,
                           layer.bias, stride, padding, output_padding)
    expected = backend.no_grad(_reference, layer, x)
    assert tuple(ours.shape) == tuple(expected.shape)
    np.testing.assert_allclose(ops.convert_to_numpy(ours),
                               ops.convert_to_numpy(expected), atol=1e-5)

    def gradients(fn):
        upstream = rng.normal(size=tuple(expected.shape)).astype("float32")
        upstream = ops.convert_to_tensor(upstream)
        return backend.value_and_grad(
            lambda: (ops.sum(ops.multiply(fn(), upstream)), {}),
            [layer.kernel, layer.bias])[2]

    rng = np.random.default_rng(0)
    ours = gradients(lambda: subpixel.conv2d_transpose(
        x, layer.kernel, layer.bias, stride, padding, output_padding))
    rng = np.random.default_rng(0)
    theirs = gradients(lambda: _reference(layer, x))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(ops.convert_to_numpy(a),
                                   ops.convert_to_numpy(b), atol=1e-4)


def test_jax_computes_transposed_convolutions_this_way():
    if keras.backend.backend() != "jax":
        assert backend.fused_conv2d_transpose is not subpixel.conv2d_transpose
        return
    import jax

    # The sub-pixel convolution's stride-1 convolution to 4x the channels
    # (2 x 2 phases of 3 filters) is in JAX's forward computation.
    x, kernel = np.ones((1, 4, 4, 2), "float32"), np.ones((2, 5, 5, 3),
                                                          "float32")
    text = str(jax.make_jaxpr(
        lambda t: backend.fused_conv2d_transpose(
            t, kernel, np.zeros(3, "float32"), 2, 2, 0))(x))
    assert "12" in text and "window_strides=(1, 1)" in text
