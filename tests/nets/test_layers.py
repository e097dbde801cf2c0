import keras
import numpy as np
import pytest

from keras_wgan import penalty
from keras_wgan.nets.layers import PaddedConv2D
from keras_wgan.nets.layers import PaddedConv2DTranspose


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _keras_weights(layer):
    # The layers store the kernel as (out, k, k, in) or (in, k, k, out);
    # Keras's layout is (k, k, in, out) or (k, k, out, in).
    kernel, bias = layer.get_weights()
    return [kernel.transpose(1, 2, 3, 0), bias]


def test_padded_conv_equals_zero_padding_then_keras_conv():
    x = np.random.default_rng(0).normal(size=(3, 28, 28, 2)).astype("float32")
    layer = PaddedConv2D(4, 5, strides=2, padding=2)
    layer.build(x.shape)
    reference = keras.Sequential([
        keras.layers.ZeroPadding2D(2), keras.layers.Conv2D(4, 5, strides=2)
    ])
    reference.build(x.shape)
    layer.bias.assign(np.arange(4, dtype="float32"))  # a non-zero bias
    reference.layers[1].set_weights(_keras_weights(layer))
    out = _numpy(layer(x))
    assert out.shape == (3, 14, 14, 4)
    np.testing.assert_allclose(out, _numpy(reference(x)), atol=1e-5)


@pytest.mark.parametrize("size,output_padding,expected", [
    (4, 0, 7), (7, 1, 14), (14, 1, 28)])
def test_padded_conv_transpose_equals_keras_conv_transpose_then_crop(
        size, output_padding, expected):
    x = np.random.default_rng(1).normal(size=(2, size, size, 6))
    x = x.astype("float32")
    layer = PaddedConv2DTranspose(
        3, 5, strides=2, padding=2, output_padding=output_padding)
    layer.build(x.shape)
    layer.bias.assign(np.array([1.0, -2.0, 0.5], "float32"))
    cut = 2 - output_padding
    reference = keras.Sequential([
        keras.layers.Conv2DTranspose(3, 5, strides=2),
        keras.layers.Cropping2D(((2, cut), (2, cut))),
    ])
    reference.build(x.shape)
    reference.layers[0].set_weights(_keras_weights(layer))
    out = _numpy(layer(x))
    assert out.shape == (2, expected, expected, 3)
    assert layer.compute_output_shape(x.shape) == out.shape
    np.testing.assert_allclose(out, _numpy(reference(x)), atol=1e-5)


def test_gradients_match_the_keras_layers():
    # The fused torch path must also differentiate like the reference
    # (the gradient penalty differentiates through it twice).
    x = np.random.default_rng(2).normal(size=(2, 7, 7, 3)).astype("float32")
    layer = PaddedConv2D(2, 5, strides=2, padding=2)
    reference = keras.Sequential([
        keras.layers.ZeroPadding2D(2), keras.layers.Conv2D(2, 5, strides=2)
    ])
    reference.build(x.shape)
    layer.build(x.shape)
    reference.layers[1].set_weights(_keras_weights(layer))
    ours = _numpy(penalty.gradient_norm(lambda t, training: layer(t), x))
    theirs = _numpy(penalty.gradient_norm(
        lambda t, training: reference(t), x))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_config_round_trip():
    layer = PaddedConv2DTranspose(3, 5, strides=2, padding=2,
                                  output_padding=1, name="up")
    clone = PaddedConv2DTranspose.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.output_padding == (1, 1) and clone.padding == (2, 2)


@pytest.mark.parametrize("kwargs,message", [
    (dict(filters=0, kernel_size=5), "filters must be an int >= 1"),
    (dict(filters=2, kernel_size=2.5), "kernel_size must be an int >= 1"),
    (dict(filters=2, kernel_size=5, padding=-1), "padding must be an int"),
])
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PaddedConv2D(**kwargs)


def test_output_padding_must_be_below_the_stride():
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        PaddedConv2DTranspose(2, 5, strides=2, padding=2, output_padding=2)


def test_kernel_layout_and_initial_scale_follow_keras():
    layer = PaddedConv2D(32, 5, padding=2)
    layer.build((None, 28, 28, 16))
    assert tuple(layer.kernel.shape) == (32, 5, 5, 16)
    # Glorot uniform over fan_in = 16 * 25, fan_out = 32 * 25: the limit
    # sqrt(6 / (fan_in + fan_out)), not one computed from the stored axes.
    limit = np.sqrt(6 / (16 * 25 + 32 * 25))
    kernel = _numpy(layer.kernel)
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit
