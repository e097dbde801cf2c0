"""The BiGAN's other two networks for MNIST: the encoder and the joint critic.

The generator is `keras_wgan.nets.architectures.mnist_generator`. The
encoder mirrors the MNIST critic's convolutions (three 5x5 stride-2
convolutions of `width`, `2 * width`, `4 * width` filters, LeakyReLU(0.2))
and ends in a linear `latent_dim` code. The joint critic scores a pair
`(x, z)`: the same convolutions on `x`, a dense layer on `z`, and a dense
layer on both together, the three paths of the ALI discriminator
(Dumoulin et al., 2017). Neither has batch normalisation, so the critic
suits the gradient penalty of `BiGANGP`.
"""

import keras
from keras import layers

from keras_wgan import argument_validation
from keras_wgan.nets.architectures import MNIST_SHAPE
from keras_wgan.nets.layers import PaddedConv2D


def _image_features(images, width, dropout=0.0):
    x = images
    for multiplier in (1, 2, 4):
        # 28 -> 14 -> 7 -> 4.
        x = PaddedConv2D(multiplier * width, 5, strides=2, padding=2)(x)
        x = _activation(x, dropout)
    return layers.Flatten()(x)


def _activation(x, dropout):
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    return layers.Dropout(dropout)(x) if dropout else x


def mnist_encoder(latent_dim: int = 64, width: int = 16,
                  name: str = "encoder") -> keras.Model:
    """Builds the MNIST encoder E: 28x28x1 images to latent codes.

    Args:
        latent_dim: Size of the code, an int >= 1; the generator's noise
            size.
        width: Filters of the first convolution (then 2x and 4x), an
            int >= 1.
        name: Model name.

    Returns:
        A built `keras.Model` from `(batch, 28, 28, 1)` to a linear
        `(batch, latent_dim)`.

    Example:

    >>> mnist_encoder(latent_dim=8, width=4).output_shape
    (None, 8)
    """
    latent_dim = argument_validation.check_int("latent_dim", latent_dim)
    width = argument_validation.check_int("width", width)
    images = keras.Input(MNIST_SHAPE, name="images")
    code = layers.Dense(latent_dim, name="code")(_image_features(images, width))
    return keras.Model(images, code, name=name)


def mnist_joint_critic(latent_dim: int = 64, width: int = 16,
                       dropout: float = 0.0,
                       name: str = "joint_critic") -> keras.Model:
    """Builds the BiGAN critic D(x, z): an image and a code to one score.

    Args:
        latent_dim: Size of the code `z`, an int >= 1.
        width: Filters of the first convolution (then 2x and 4x); the code
            path and the joint layer have `16 * width` units. An int >= 1.
        dropout: Rate of a `Dropout` after every hidden layer, in [0, 1);
            ALI's discriminators use 0.2 (Dumoulin et al., 2017),
            which keeps it from winning the game outright.
        name: Model name.

    Returns:
        A built `keras.Model` taking `[images (batch, 28, 28, 1), codes
        (batch, latent_dim)]` to a linear score `(batch, 1)`.

    Example:

    >>> critic = mnist_joint_critic(latent_dim=8, width=4)
    >>> [tuple(t.shape) for t in critic.inputs], critic.output_shape
    ([(None, 28, 28, 1), (None, 8)], (None, 1))
    """
    latent_dim = argument_validation.check_int("latent_dim", latent_dim)
    width = argument_validation.check_int("width", width)
    dropout = argument_validation.check_float("dropout", dropout)
    if dropout >= 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
    images = keras.Input(MNIST_SHAPE, name="images")
    codes = keras.Input((latent_dim,), name="codes")
    z = _activation(layers.Dense(16 * width)(codes), dropout)
    joint = layers.Concatenate()([_image_features(images, width, dropout), z])
    joint = _activation(layers.Dense(16 * width)(joint), dropout)
    score = layers.Dense(1, name="score")(joint)
    return keras.Model([images, codes], score, name=name)
