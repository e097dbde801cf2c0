"""DCGAN-style critic and generator for 28x28 grey images (MNIST).

The shapes follow the MNIST model of the WGAN-GP paper (Gulrajani et al.,
2017, released code): a critic of three 5x5 stride-2 convolutions with
`width`, `2 * width` and `4 * width` filters (64-128-256 by default) and
LeakyReLU(0.2), then a linear score; a generator that mirrors it with
transposed convolutions from a 4x4 map to 7x7, 14x14 and 28x28 and ends in
tanh for images in [-1, 1] (the paper's code ends in a sigmoid for [0, 1]).

Both use `keras_wgan.nets.layers`: PyTorch-style symmetric padding of 2 for the
5x5 kernels (the paper's TensorFlow code pads "SAME", one pixel
differently, and crops the generator's 8x8 map to 7x7; a padding of 2
gives 7x7 directly), which the torch backend computes as single fused
convolutions. The shapes and parameter counts are the paper's.
"""

from collections.abc import Sequence

import keras
from keras import layers

from keras_wgan import argument_validation
from keras_wgan.nets import conditional
from keras_wgan.nets.layers import PaddedConv2D
from keras_wgan.nets.layers import PaddedConv2DTranspose

MNIST_SHAPE = (28, 28, 1)


def mnist_critic(width: int = 64, name: str = "critic",
                 num_classes: int | None = None,
                 class_factors: Sequence[int] | None = None) -> keras.Model:
    """Builds the MNIST critic: 28x28x1 images to one linear score.

    No batch normalisation, so it suits both `WGAN` and `WGANGP`.

    Args:
        width: Filters of the first convolution (then 2x and 4x), an
            int >= 1. 64 is the paper's size; 8-16 trains fast on a CPU.
        name: Model name.
        num_classes: `None`, or an int >= 2 for a projection critic that
            also takes int labels `(batch,)` (see
            `keras_wgan.nets.conditional`).
        class_factors: `None`, or the factor sizes of the classes, for
            factored labels (`keras_wgan.nets.conditional`).

    Returns:
        A built `keras.Model` with input `(batch, 28, 28, 1)` (and labels
        `(batch,)` if conditional) and output `(batch, 1)`.

    Example:

    >>> critic = mnist_critic(width=8)
    >>> critic.output_shape
    (None, 1)
    """
    width = argument_validation.check_int("width", width)
    num_classes = conditional.check_num_classes(num_classes)
    images = keras.Input(MNIST_SHAPE, name="images")
    x = images
    for multiplier in (1, 2, 4):
        # 28 -> 14 -> 7 -> 4.
        x = PaddedConv2D(multiplier * width, 5, strides=2, padding=2)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    score = layers.Dense(1, name="score")(x)
    return conditional.critic_model(images, x, score, num_classes, name,
                                    class_factors)


def mnist_generator(latent_dim: int = 128, width: int = 64,
                    name: str = "generator",
                    num_classes: int | None = None,
                    class_factors: Sequence[int] | None = None) -> keras.Model:
    """Builds the MNIST generator: noise to 28x28x1 images in [-1, 1].

    Args:
        latent_dim: Size of the noise vector, an int >= 1 (the paper: 128).
        width: Filters of the last hidden transposed convolution (the
            first has 4x, the second 2x), an int >= 1; 64 is the paper's.
        name: Model name.
        num_classes: `None`, or an int >= 2 for a generator that also
            takes int labels `(batch,)`, seen one-hot beside the noise (see
            `keras_wgan.nets.conditional`).
        class_factors: `None`, or the factor sizes of the classes, for
            factored labels (`keras_wgan.nets.conditional`).

    Returns:
        A built `keras.Model` with input `(batch, latent_dim)` (and labels
        `(batch,)` if conditional) and output `(batch, 28, 28, 1)`.

    Example:

    >>> generator = mnist_generator(latent_dim=32, width=8)
    >>> generator.output_shape
    (None, 28, 28, 1)
    """
    latent_dim = argument_validation.check_int("latent_dim", latent_dim)
    width = argument_validation.check_int("width", width)
    num_classes = conditional.check_num_classes(num_classes)
    noise = keras.Input((latent_dim,), name="noise")
    inputs, x = conditional.generator_inputs(noise, num_classes,
                                             class_factors)
    x = layers.Dense(4 * 4 * 4 * width)(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((4, 4, 4 * width))(x)
    # 4x4 -> 7x7, so that two doublings give 28x28.
    x = PaddedConv2DTranspose(2 * width, 5, strides=2, padding=2)(x)
    x = layers.ReLU()(x)
    x = PaddedConv2DTranspose(
        width, 5, strides=2, padding=2, output_padding=1
    )(x)
    x = layers.ReLU()(x)
    x = PaddedConv2DTranspose(1, 5, strides=2, padding=2, output_padding=1)(x)
    images = layers.Activation("tanh", name="images")(x)
    return keras.Model(inputs, images, name=name)
