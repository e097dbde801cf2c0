"""CycleGAN's networks, scaled down to 32x32 images (Zhu et al., 2017).

`image_translator` is the paper's ResNet generator (its appendix: a
7x7 convolution, two stride-2 convolutions, residual blocks, two stride-2
transposed convolutions and a 7x7 convolution to the image, instance
normalisation and ReLU between them), with `width` filters instead of 64,
"same" zero padding instead of reflection padding and `residual_blocks`
blocks (the paper: 6 at 128x128). `patch_critic` is its PatchGAN
discriminator with one stride-2 stage fewer: it scores overlapping patches,
one score per position of an `(H / 4) x (W / 4)` map, with a linear output
for the least-squares loss.
"""

from collections.abc import Sequence

import keras
from keras import layers

from keras_wgan import argument_validation
from keras_wgan.nets.dcgan import check_image_shape


def _normalised(x, activation):
    # groups=-1: one group per channel, the instance normalisation of the
    # paper.
    x = layers.GroupNormalization(groups=-1)(x)
    return activation(x)


def image_translator(image_shape: Sequence[int] = (32, 32, 3),
                     width: int = 16, residual_blocks: int = 2,
                     name: str = "translator") -> keras.Model:
    """Builds an image-to-image generator: images to images of one shape.

    Args:
        image_shape: `(size, size, 1 or 3)`, size a power of two >= 8.
        width: Filters of the first convolution (then 2x and 4x), an
            int >= 1; the paper's is 64.
        residual_blocks: Residual blocks at a quarter of the size, an
            int >= 1.
        name: Model name.

    Returns:
        A built `keras.Model` from images `(batch, *image_shape)` to images
        of the same shape in `[-1, 1]` (tanh).

    Example:

    >>> image_translator((8, 8, 3), width=2, residual_blocks=1).output_shape
    (None, 8, 8, 3)
    """
    image_shape = check_image_shape(image_shape)
    width = argument_validation.check_int("width", width)
    residual_blocks = argument_validation.check_int(
        "residual_blocks", residual_blocks)
    images = keras.Input(image_shape, name="images")
    x = _normalised(layers.Conv2D(width, 7, padding="same")(images),
                    layers.ReLU())
    for multiplier in (2, 4):
        x = _normalised(layers.Conv2D(multiplier * width, 3, strides=2,
                                      padding="same")(x), layers.ReLU())
    for _ in range(residual_blocks):
        y = _normalised(layers.Conv2D(4 * width, 3, padding="same")(x),
                        layers.ReLU())
        y = layers.GroupNormalization(groups=-1)(
            layers.Conv2D(4 * width, 3, padding="same")(y))
        x = layers.Add()([x, y])
    for multiplier in (2, 1):
        x = _normalised(layers.Conv2DTranspose(
            multiplier * width, 3, strides=2, padding="same")(x),
            layers.ReLU())
    x = layers.Conv2D(image_shape[-1], 7, padding="same")(x)
    return keras.Model(images, layers.Activation("tanh")(x), name=name)


def patch_critic(image_shape: Sequence[int] = (32, 32, 3), width: int = 16,
                 name: str = "patch_critic") -> keras.Model:
    """Builds a PatchGAN critic: images to a map of linear patch scores.

    Args:
        image_shape: `(size, size, 1 or 3)`, size a power of two >= 8.
        width: Filters of the first convolution (then 2x and 4x), an
            int >= 1; the paper's is 64.
        name: Model name.

    Returns:
        A built `keras.Model` from images `(batch, *image_shape)` to scores
        `(batch, size / 4, size / 4, 1)`.

    Example:

    >>> patch_critic((8, 8, 3), width=2).output_shape
    (None, 2, 2, 1)
    """
    image_shape = check_image_shape(image_shape)
    width = argument_validation.check_int("width", width)
    leaky = layers.LeakyReLU(negative_slope=0.2)
    images = keras.Input(image_shape, name="images")
    # No normalisation on the first layer, as in the paper.
    x = leaky(layers.Conv2D(width, 4, strides=2, padding="same")(images))
    x = _normalised(layers.Conv2D(2 * width, 4, strides=2, padding="same")(x),
                    layers.LeakyReLU(negative_slope=0.2))
    x = _normalised(layers.Conv2D(4 * width, 4, padding="same")(x),
                    layers.LeakyReLU(negative_slope=0.2))
    scores = layers.Conv2D(1, 4, padding="same", name="scores")(x)
    return keras.Model(images, scores, name=name)
