"""keras_wgan.nets.dcgan: DCGAN critics and generators for 32x32 and up."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.nets import dcgan
from keras_wgan.nets import layers


def _count(*shapes):
    return sum(int(np.prod(shape)) for shape in shapes)


@pytest.mark.parametrize("image_shape, width, filters", [
    ((32, 32, 3), 128, [128, 256, 512]),  # the paper's CIFAR-10 DCGAN
    ((64, 64, 3), 64, [64, 128, 256, 512]),  # its 64x64 one
    ((16, 16, 1), 2, [2, 4]),
])
def test_critic_follows_the_paper_shapes(image_shape, width, filters):
    critic = dcgan.dcgan_critic(image_shape, width=width)
    convs = [l for l in critic.layers if isinstance(l, layers.PaddedConv2D)]
    assert [c.filters for c in convs] == filters
    assert all(c.kernel_size == (5, 5) and c.strides == (2, 2) for c in convs)
    assert [c.output.shape[1] for c in convs][-1] == 4
    assert critic.output_shape == (None, 1)
    assert critic.layers[-1].activation.__name__ == "linear"
    # Convolutions with biases, then the score: nothing else has weights.
    channels = [image_shape[-1]] + filters
    expected = _count(*[(5, 5, a, b) for a, b in zip(channels, filters)],
                      (sum(filters),), (4 * 4 * filters[-1], 1), (1,))
    assert critic.count_params() == expected


@pytest.mark.parametrize("image_shape", [(32, 32, 3), (64, 64, 1)])
def test_generator_maps_noise_to_images_in_range(image_shape):
    generator = dcgan.dcgan_generator(8, image_shape, width=4)
    sizes = [l.output.shape[1:] for l in generator.layers
             if isinstance(l, layers.PaddedConv2DTranspose)]
    count = dcgan.stages(image_shape)
    # Each transposed convolution doubles the size and halves the channels,
    # the last one gives the image's channels.
    assert [s[0] for s in sizes] == [8 * 2**i for i in range(count)]
    assert [s[-1] for s in sizes][:-1] == [4 * 2**(count - 2 - i)
                                          for i in range(count - 1)]
    assert sizes[-1] == image_shape
    noise = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(noise))
    assert images.shape == (3, *image_shape)
    # The images are tanh of the last transposed convolution's output.
    last = keras.Model(generator.input, generator.layers[-2].output)
    np.testing.assert_allclose(
        images, np.tanh(keras.ops.convert_to_numpy(last(noise))), atol=1e-5)
    assert images.min() >= -1 and images.max() <= 1


def test_layer_normalisation_is_the_paper_s():
    critic = dcgan.dcgan_critic((16, 16, 3), width=4, normalization="layer")
    norms = [l for l in critic.layers
             if isinstance(l, keras.layers.GroupNormalization)]
    # Not after the first convolution; a scale and offset per channel.
    assert [n.name for n in norms] == ["norm_2"]
    assert [tuple(w.shape) for w in norms[0].weights] == [(8,), (8,)]
    # Statistics over each sample's whole map: mean 0, variance 1 per sample.
    x = np.random.default_rng(1).normal(3, 2, (2, 4, 4, 8)).astype("float32")
    y = keras.ops.convert_to_numpy(norms[0](x))
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(1, 2, 3)), 1, atol=1e-3)
    assert not any(isinstance(l, keras.layers.GroupNormalization)
                   for l in dcgan.dcgan_critic((16, 16, 3), width=4).layers)


def test_a_batch_normalised_critic_is_refused_by_the_penalty():
    critic = dcgan.dcgan_critic((16, 16, 1), width=2, normalization="batch")
    generator = dcgan.dcgan_generator(4, (16, 16, 1), width=2)
    keras_wgan.WGAN(critic, generator)  # clipping takes it
    with pytest.raises(ValueError, match="BatchNormalization"):
        keras_wgan.WGANGP(critic, generator)


@pytest.mark.parametrize("kwargs, message", [
    ({"image_shape": (28, 28, 1)}, "image_shape must be (size, size, 1 or 3)"),
    ({"image_shape": (32, 32, 2)}, "image_shape must be (size, size, 1 or 3)"),
    ({"image_shape": (4, 4, 3)}, "image_shape must be (size, size, 1 or 3)"),
    ({"width": 0}, "width must be an integer >= 1, got 0."),
    ({"normalization": "group"}, "normalization must be one of (None, 'layer', 'batch'), got 'group'."),
])
def test_bad_arguments_are_one_line(kwargs, message):
    with pytest.raises(ValueError) as error:
        dcgan.dcgan_critic(**kwargs)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_num_classes_adds_the_projection_and_the_one_hot_inputs():
    plain = dcgan.dcgan_critic((16, 16, 3), width=2, normalization="layer")
    critic = dcgan.dcgan_critic((16, 16, 3), width=2, normalization="layer",
                                num_classes=10)
    # The embeddings of the flattened 4x4x4 features, one row per class.
    assert critic.count_params() == plain.count_params() + 10 * 4 * 4 * 4
    assert critic.output_shape == (None, 1)
    plain = dcgan.dcgan_generator(8, (16, 16, 3), width=2)
    generator = dcgan.dcgan_generator(8, (16, 16, 3), width=2, num_classes=10)
    # The first dense layer (to 4x4x4) reads 10 more inputs.
    assert generator.count_params() == plain.count_params() + 10 * 4 * 4 * 4
    assert generator.output_shape == (None, 16, 16, 3)
