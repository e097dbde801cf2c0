"""DCGAN-style critic and generator for square images of 32x32 or larger.

The shapes follow the DCGAN models of the WGAN-GP paper's released code
(Gulrajani et al., 2017): for 32x32 (`gan_cifar.py`) a critic of three 5x5
stride-2 convolutions with `width`, `2 * width` and `4 * width` filters
(width 128 there) and LeakyReLU(0.2), and a generator from a 4x4 map through
three 5x5 stride-2 transposed convolutions with BatchNorm and ReLU, ending in
tanh; for 64x64 (`gan_64x64.py`, width 64) one stage more on each side, up to
`8 * width` filters. In general the number of stride-2 stages is
`log2(size / 4)`, so any power-of-two size from 8 up works, grey or RGB.

Critics have no BatchNorm unless asked for: a penalty is computed per sample,
and BatchNorm makes each sample's score depend on the rest of its batch (the
paper, section 4). Where the paper normalises a critic for the penalty it
uses layer normalisation; `normalization="layer"` does that the paper's way:
statistics over each sample's whole feature map (height, width and channels)
with a scale and offset per channel, which is Keras's `GroupNormalization`
with one group.

Convolutions use `keras_wgan.nets.layers` (PyTorch-style symmetric padding 2
for the 5x5 kernels, fused on torch): a stride-2 convolution halves the size
exactly and a stride-2 transposed convolution with `output_padding=1`
doubles it.
"""

import math
from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

from keras_wgan import argument_validation
from keras_wgan.nets import conditional
from keras_wgan.nets.layers import PaddedConv2D
from keras_wgan.nets.layers import PaddedConv2DTranspose

#: What a critic may normalise its hidden layers with.
CRITIC_NORMALIZATIONS = (None, "layer", "batch")


def check_image_shape(image_shape: Sequence[int],
                      minimum: int = 8) -> tuple[int, ...]:
    """Returns `image_shape` as a tuple, or raises a one-line error.

    The DCGAN and ResNet networks take square images whose side is a power
    of two, at least 8 (the ResNet critic: 16), with 1 (grey) or 3 (RGB)
    channels.

    Args:
        image_shape: `(size, size, channels)`.
        minimum: The smallest side accepted, a power of two.

    Example:

    >>> check_image_shape([64, 64, 3])
    (64, 64, 3)
    >>> check_image_shape((28, 28, 1))
    Traceback (most recent call last):
    ...
    ValueError: image_shape must be (size, size, 1 or 3) with size a power of two >= 8, got (28, 28, 1).
    """
    shape: Any = tuple(image_shape) if isinstance(image_shape, (list, tuple)) \
        else image_shape
    valid = (
        isinstance(shape, tuple) and len(shape) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
        and shape[0] == shape[1] and shape[0] >= minimum
        and shape[0] & (shape[0] - 1) == 0 and shape[2] in (1, 3)
    )
    if not valid:
        raise ValueError(
            "image_shape must be (size, size, 1 or 3) with size a power of "
            f"two >= {minimum}, got {shape!r}."
        )
    return shape


def stages(image_shape: Sequence[int]) -> int:
    """The number of stride-2 stages between a 4x4 map and the image.

    Example:

    >>> stages((32, 32, 3)), stages((64, 64, 1))
    (3, 4)
    """
    return int(math.log2(check_image_shape(image_shape)[0] // 4))


def critic_normalization(normalization: str | None,
                         name: str | None = None) -> keras.Layer | None:
    """Returns the normalisation layer a critic's hidden layer uses, or None.

    Args:
        normalization: One of `CRITIC_NORMALIZATIONS`: `None`, `"layer"`
            (per sample over height, width and channels, with a scale and
            offset per channel: the WGAN-GP paper's layer normalisation) or
            `"batch"` (for weight clipping only; a penalised critic refuses
            it).
        name: Layer name.

    Example:

    >>> type(critic_normalization("layer")).__name__
    'GroupNormalization'
    >>> critic_normalization(None) is None
    True
    """
    normalization = argument_validation.check_choice(
        "normalization", normalization, CRITIC_NORMALIZATIONS)
    if normalization == "layer":
        return layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    if normalization == "batch":
        return layers.BatchNormalization(name=name)
    return None


def dcgan_critic(image_shape: Sequence[int] = (32, 32, 3), width: int = 128,
                 normalization: str | None = None, name: str = "critic",
                 num_classes: int | None = None,
                 class_factors: Sequence[int] | None = None) -> keras.Model:
    """Builds a DCGAN critic: square images to one linear score.

    `stages(image_shape)` 5x5 stride-2 convolutions with `width`,
    `2 * width`, `4 * width`, ... filters down to a 4x4 map, each followed by
    LeakyReLU(0.2) (and, after the first, the chosen normalisation), then a
    linear score.

    Args:
        image_shape: `(size, size, channels)`, size a power of two >= 8,
            channels 1 or 3. `(32, 32, 3)` is CIFAR-10's.
        width: Filters of the first convolution, an int >= 1 (the paper:
            128 at 32x32, 64 at 64x64).
        normalization: `None` (the paper's critic at 32x32, and the one for
            `WGANGP`), `"layer"` (the paper's choice where it normalises a
            penalised critic) or `"batch"` (for `WGAN` with clipping only).
        name: Model name.
        num_classes: `None`, or an int >= 2 for a projection critic that
            also takes int labels `(batch,)` (see
            `keras_wgan.nets.conditional`).
        class_factors: `None`, or the factor sizes of the classes, for
            factored labels (`keras_wgan.nets.conditional`).

    Returns:
        A built `keras.Model` from `(batch, *image_shape)` (and labels
        `(batch,)` if conditional) to `(batch, 1)`.

    Example:

    >>> critic = dcgan_critic((32, 32, 3), width=8)
    >>> critic.output_shape
    (None, 1)
    >>> [layer.output.shape[1] for layer in critic.layers
    ...  if "conv" in layer.name]
    [16, 8, 4]
    """
    image_shape = check_image_shape(image_shape)
    width = argument_validation.check_int("width", width)
    critic_normalization(normalization)  # checks the value
    num_classes = conditional.check_num_classes(num_classes)
    images = keras.Input(image_shape, name="images")
    x = images
    for stage in range(stages(image_shape)):
        x = PaddedConv2D(width * 2**stage, 5, strides=2, padding=2,
                         name=f"conv_{stage + 1}")(x)
        norm = critic_normalization(normalization, f"norm_{stage + 1}") if (
            stage) else None
        if norm is not None:
            x = norm(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    score = layers.Dense(1, name="score")(x)
    return conditional.critic_model(images, x, score, num_classes, name,
                                    class_factors)


def dcgan_generator(latent_dim: int = 128,
                    image_shape: Sequence[int] = (32, 32, 3),
                    width: int = 128, name: str = "generator",
                    num_classes: int | None = None,
                    class_factors: Sequence[int] | None = None) -> keras.Model:
    """Builds a DCGAN generator: noise to square images in [-1, 1].

    A dense layer to a 4x4 map of `2**(stages - 1) * width` channels, then
    5x5 stride-2 transposed convolutions that double the size and halve the
    channels down to `width`, each with BatchNorm and ReLU, and a last one to
    the image's channels with tanh (the paper's generators; BatchNorm in the
    generator does not touch the critic's penalty).

    Args:
        latent_dim: Size of the noise vector, an int >= 1 (the paper: 128).
        image_shape: `(size, size, channels)`, size a power of two >= 8,
            channels 1 or 3.
        width: Filters of the last hidden layer, an int >= 1.
        name: Model name.
        num_classes: `None`, or an int >= 2 for a generator that also
            takes int labels `(batch,)`, seen one-hot beside the noise (see
            `keras_wgan.nets.conditional`).
        class_factors: `None`, or the factor sizes of the classes, for
            factored labels (`keras_wgan.nets.conditional`).

    Returns:
        A built `keras.Model` from `(batch, latent_dim)` (and labels
        `(batch,)` if conditional) to `(batch, *image_shape)`.

    Example:

    >>> generator = dcgan_generator(16, (64, 64, 1), width=4)
    >>> generator.output_shape
    (None, 64, 64, 1)
    """
    latent_dim = argument_validation.check_int("latent_dim", latent_dim)
    image_shape = check_image_shape(image_shape)
    width = argument_validation.check_int("width", width)
    num_classes = conditional.check_num_classes(num_classes)
    count = stages(image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    inputs, x = conditional.generator_inputs(noise, num_classes,
                                             class_factors)
    channels = width * 2 ** (count - 1)
    x = layers.Dense(4 * 4 * channels)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((4, 4, channels))(x)
    for stage in range(count - 1):
        channels //= 2
        x = PaddedConv2DTranspose(channels, 5, strides=2, padding=2,
                                  output_padding=1)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    x = PaddedConv2DTranspose(image_shape[-1], 5, strides=2, padding=2,
                              output_padding=1)(x)
    images = layers.Activation("tanh", name="images")(x)
    return keras.Model(inputs, images, name=name)
