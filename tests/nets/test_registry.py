"""The architectures by name (keras_wgan.nets.registry)."""

import keras
import numpy as np
import pytest

from keras_wgan.nets import registry


@pytest.mark.parametrize("name, shape", [
    ("mnist", (28, 28, 1)), ("dcgan", (16, 16, 3)), ("dcgan", (8, 8, 1)),
    ("resnet", (16, 16, 3)),
])
def test_every_architecture_builds_a_matched_pair(name, shape):
    critic, generator = registry.build_networks(name, shape, latent_dim=4,
                                                width=2)
    noise = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(noise, training=False))
    assert images.shape == (3, *shape)
    assert np.abs(images).max() <= 1.0
    assert keras.ops.convert_to_numpy(critic(images)).shape == (3, 1)


def test_the_default_is_mnist_for_mnist_images_else_dcgan():
    assert registry.default_architecture((28, 28, 1)) == "mnist"
    assert registry.default_architecture((28, 28, 3)) == "dcgan"
    assert registry.default_architecture([64, 64, 3]) == "dcgan"


@pytest.mark.parametrize("kwargs, message", [
    ({"architecture": "vgg"}, "architecture must be one of ('mnist', "
     "'dcgan', 'resnet'), got 'vgg'."),
    ({"architecture": "mnist", "image_shape": (32, 32, 1)},
     "architecture 'mnist' builds images of shape (28, 28, 1) only, got "
     "(32, 32, 1)."),
    ({"architecture": "mnist", "normalization": "layer"},
     "normalization must be None for architecture 'mnist' (its critic has "
     "none), got 'layer'."),
    ({"architecture": "dcgan", "image_shape": (24, 24, 3)},
     "image_shape must be (size, size, 1 or 3) with size a power of two"),
    ({"architecture": "dcgan", "num_classes": 1},
     "num_classes must be an integer >= 2, got 1."),
])
def test_bad_arguments_are_one_line(kwargs, message):
    kwargs = {"image_shape": (28, 28, 1), **kwargs}
    with pytest.raises(ValueError) as error:
        registry.build_networks(**kwargs)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_critic_normalisation_reaches_the_critic():
    critic, _ = registry.build_networks("dcgan", (16, 16, 3), width=2,
                                        normalization="layer")
    assert any(type(layer).__name__ == "GroupNormalization"
               for layer in critic.layers)
