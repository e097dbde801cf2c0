import keras
import numpy as np

from keras_wgan.nets import architectures
from keras_wgan.nets import layers


def test_mnist_critic_follows_the_paper_shapes():
    critic = architectures.mnist_critic()
    convs = [l for l in critic.layers if isinstance(l, layers.PaddedConv2D)]
    assert [c.filters for c in convs] == [64, 128, 256]
    assert all(c.kernel_size == (5, 5) and c.strides == (2, 2) for c in convs)
    assert not any(isinstance(l, keras.layers.BatchNormalization)
                   for l in critic.layers)
    leaky = [l for l in critic.layers if isinstance(l, keras.layers.LeakyReLU)]
    assert [l.negative_slope for l in leaky] == [0.2, 0.2, 0.2]
    assert critic.output_shape == (None, 1)
    assert critic.layers[-1].activation.__name__ == "linear"


def test_mnist_generator_maps_noise_to_images_in_range():
    generator = architectures.mnist_generator(latent_dim=16, width=8)
    assert generator.input_shape == (None, 16)
    noise = np.random.default_rng(0).normal(size=(5, 16)).astype("float32") * 50
    images = keras.ops.convert_to_numpy(generator(noise))
    assert images.shape == (5, 28, 28, 1)
    # The paper's map sizes: 4x4 (dense), then 7x7, 14x14 and 28x28.
    sizes = [l.output.shape[1:] for l in generator.layers
             if isinstance(l, layers.PaddedConv2DTranspose)]
    assert sizes == [(7, 7, 16), (14, 14, 8), (28, 28, 1)]
    # tanh output: large noise drives pixels to the ends of [-1, 1].
    assert images.min() >= -1 and images.max() <= 1
    assert np.abs(images).max() > 0.9
    # The images are tanh of the last convolution's output.
    last_conv = keras.Model(generator.input, generator.layers[-2].output)
    np.testing.assert_allclose(
        images, np.tanh(keras.ops.convert_to_numpy(last_conv(noise))),
        atol=1e-6)


def _critic_params(w):
    # Three 5x5 convolutions 1 -> w -> 2w -> 4w with biases, then a dense
    # score on the 4x4x4w map.
    return (25 * 1 * w + w) + (25 * w * 2 * w + 2 * w) + (
        25 * 2 * w * 4 * w + 4 * w) + (16 * 4 * w + 1)


def _generator_params(latent_dim, w):
    # A dense layer to 4x4x4w, then 5x5 transposed convolutions
    # 4w -> 2w -> w -> 1 with biases.
    return (latent_dim * 64 * w + 64 * w) + (25 * 4 * w * 2 * w + 2 * w) + (
        25 * 2 * w * w + w) + (25 * w + 1)


def test_width_scales_the_parameter_count():
    small = architectures.mnist_critic(width=8).count_params()
    large = architectures.mnist_critic(width=16).count_params()
    assert 3.5 < large / small < 4.1  # conv weights grow with width^2
    assert (small, large) == (_critic_params(8), _critic_params(16))
    # The paper's sizes, width 64 and 128 noise dimensions.
    assert architectures.mnist_critic().count_params() == _critic_params(64)
    assert architectures.mnist_generator().count_params() == (
        _generator_params(128, 64))
    assert architectures.mnist_generator(latent_dim=16, width=8
                                         ).count_params() == (
        _generator_params(16, 8))


def test_num_classes_adds_the_projection_and_the_one_hot_inputs():
    # The critic gains a (K, 16 * 4w) embedding of its flattened 4x4x4w
    # features; the generator's dense layer reads latent_dim + K inputs.
    critic = architectures.mnist_critic(width=4, num_classes=10)
    generator = architectures.mnist_generator(16, width=4, num_classes=10)
    assert critic.count_params() == _critic_params(4) + 10 * 16 * 16
    assert generator.count_params() == _generator_params(16 + 10, 4)
    assert [tuple(t.shape) for t in critic.inputs] == [(None, 28, 28, 1),
                                                       (None,)]
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 16), (None,)]
    assert generator.output_shape == (None, 28, 28, 1)
