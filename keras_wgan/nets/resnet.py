"""The WGAN-GP paper's ResNet critic and generator (its CIFAR-10 model).

Gulrajani et al. (2017), appendix and `gan_cifar_resnet.py`: residual blocks
of two 3x3 convolutions with `width` filters (128 in the paper) everywhere.

- The generator maps the noise with a dense layer to a 4x4 map, then one
  "up" block per doubling up to the image size (three for 32x32): BatchNorm,
  ReLU, upsampling, 3x3 convolution, BatchNorm, ReLU, 3x3 convolution, plus
  a shortcut of upsampling and a 1x1 convolution. It ends in BatchNorm,
  ReLU, a 3x3 convolution to the image's channels and tanh.
- The critic starts with a block that halves the size (3x3 convolution,
  ReLU, 3x3 convolution, 2x2 mean pooling; shortcut: mean pooling then a
  1x1 convolution), then "down" blocks until the map is 8x8 (ReLU, 3x3
  convolution, ReLU, 3x3 convolution, mean pooling; shortcut: a 1x1
  convolution then mean pooling), then two blocks that keep the size with
  an identity shortcut, then ReLU, the mean over the map and a linear
  score. No normalisation unless asked (the paper's unconditional critic
  has none; `normalization="layer"` adds its layer normalisation before
  each ReLU of the residual blocks).

Resampling is nearest-neighbour upsampling and 2x2 mean pooling. The paper's
code upsamples by stacking four copies of the map along the channels and
calling depth-to-space, which is the same nearest-neighbour upsampling; no
transposed convolution is needed, which also spares JAX's CPU backend its
slow transposed-convolution gradients.
"""

from collections.abc import Sequence

import keras
from keras import layers

from keras_wgan import argument_validation
from keras_wgan.nets import conditional
from keras_wgan.nets.dcgan import check_image_shape
from keras_wgan.nets.dcgan import critic_normalization
from keras_wgan.nets.dcgan import stages
from keras_wgan.nets.layers import PaddedConv2D


def _conv(filters, kernel_size, name):
    # "Same" padding for the odd kernels used here, on a stride of 1.
    return PaddedConv2D(filters, kernel_size, padding=kernel_size // 2,
                        name=name)


def _critic_block(x, width, resample, normalization, name):
    """A residual block of the critic; `resample` is "down" or None."""
    shortcut = x
    if resample == "down":
        shortcut = _conv(width, 1, f"{name}_shortcut")(shortcut)
        shortcut = layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(
            shortcut)
    elif x.shape[-1] != width:
        shortcut = _conv(width, 1, f"{name}_shortcut")(shortcut)
    for i in (1, 2):
        norm = critic_normalization(normalization, f"{name}_norm_{i}")
        if norm is not None:
            x = norm(x)
        x = layers.ReLU()(x)
        x = _conv(width, 3, f"{name}_conv_{i}")(x)
    if resample == "down":
        x = layers.AveragePooling2D(2, name=f"{name}_pool")(x)
    return layers.Add(name=name)([shortcut, x])


def resnet_critic(image_shape: Sequence[int] = (32, 32, 3), width: int = 128,
                  normalization: str | None = None, name: str = "critic",
                  num_classes: int | None = None,
                  class_factors: Sequence[int] | None = None) -> keras.Model:
    """Builds the paper's ResNet critic: square images to one linear score.

    Args:
        image_shape: `(size, size, channels)`, size a power of two >= 16,
            channels 1 or 3; `(32, 32, 3)` is the paper's CIFAR-10 model.
        width: Filters of every convolution, an int >= 1 (the paper: 128).
        normalization: `None` (the paper's unconditional critic) or
            `"layer"` (its layer normalisation); `"batch"` only for weight
            clipping (a penalised critic refuses it).
        name: Model name.
        num_classes: `None`, or an int >= 2 for a projection critic that
            also takes int labels `(batch,)` (see
            `keras_wgan.nets.conditional`); `h` is the mean over the last
            map.
        class_factors: `None`, or the factor sizes of the classes, for
            factored labels (`keras_wgan.nets.conditional`).

    Returns:
        A built `keras.Model` from `(batch, *image_shape)` (and labels
        `(batch,)` if conditional) to `(batch, 1)`.

    Example:

    >>> critic = resnet_critic((32, 32, 3), width=8)
    >>> critic.output_shape
    (None, 1)
    >>> [critic.get_layer(block).output.shape[1:3]
    ...  for block in ("block_1", "block_2", "block_3", "block_4")]
    [(16, 16), (8, 8), (8, 8), (8, 8)]
    """
    # It halves the size to 8x8 at least once.
    image_shape = check_image_shape(image_shape, minimum=16)
    width = argument_validation.check_int("width", width)
    critic_normalization(normalization)  # checks the value
    num_classes = conditional.check_num_classes(num_classes)
    images = keras.Input(image_shape, name="images")
    # The first block: no activation before its first convolution, and its
    # shortcut pools before the 1x1 convolution (cheaper on the full size).
    shortcut = layers.AveragePooling2D(2, name="block_1_shortcut_pool")(images)
    shortcut = _conv(width, 1, "block_1_shortcut")(shortcut)
    x = _conv(width, 3, "block_1_conv_1")(images)
    x = layers.ReLU()(x)
    x = _conv(width, 3, "block_1_conv_2")(x)
    x = layers.AveragePooling2D(2, name="block_1_pool")(x)
    x = layers.Add(name="block_1")([shortcut, x])
    block = 2
    # Down to 8x8, then two blocks at 8x8.
    for _ in range(stages(image_shape) - 2):
        x = _critic_block(x, width, "down", normalization, f"block_{block}")
        block += 1
    for _ in range(2):
        x = _critic_block(x, width, None, normalization, f"block_{block}")
        block += 1
    x = layers.ReLU()(x)
    x = layers.GlobalAveragePooling2D()(x)
    score = layers.Dense(1, name="score")(x)
    return conditional.critic_model(images, x, score, num_classes, name,
                                    class_factors)


def _generator_block(x, width, name):
    """An "up" residual block of the generator."""
    shortcut = layers.UpSampling2D(2, name=f"{name}_shortcut_up")(x)
    shortcut = _conv(width, 1, f"{name}_shortcut")(shortcut)
    x = layers.BatchNormalization(name=f"{name}_norm_1")(x)
    x = layers.ReLU()(x)
    x = layers.UpSampling2D(2, name=f"{name}_up")(x)
    x = _conv(width, 3, f"{name}_conv_1")(x)
    x = layers.BatchNormalization(name=f"{name}_norm_2")(x)
    x = layers.ReLU()(x)
    x = _conv(width, 3, f"{name}_conv_2")(x)
    return layers.Add(name=name)([shortcut, x])


def resnet_generator(latent_dim: int = 128,
                     image_shape: Sequence[int] = (32, 32, 3),
                     width: int = 128, name: str = "generator",
                     num_classes: int | None = None,
                     class_factors: Sequence[int] | None = None,
                     ) -> keras.Model:
    """Builds the paper's ResNet generator: noise to images in [-1, 1].

    Args:
        latent_dim: Size of the noise vector, an int >= 1 (the paper: 128).
        image_shape: `(size, size, channels)`, size a power of two >= 8,
            channels 1 or 3.
        width: Filters of every convolution, an int >= 1 (the paper: 128).
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

    >>> generator = resnet_generator(16, (32, 32, 3), width=8)
    >>> generator.output_shape
    (None, 32, 32, 3)
    >>> [generator.get_layer(f"block_{i}").output.shape[1]
    ...  for i in (1, 2, 3)]
    [8, 16, 32]
    """
    latent_dim = argument_validation.check_int("latent_dim", latent_dim)
    image_shape = check_image_shape(image_shape)
    width = argument_validation.check_int("width", width)
    num_classes = conditional.check_num_classes(num_classes)
    noise = keras.Input((latent_dim,), name="noise")
    inputs, x = conditional.generator_inputs(noise, num_classes,
                                             class_factors)
    x = layers.Dense(4 * 4 * width)(x)
    x = layers.Reshape((4, 4, width))(x)
    for block in range(stages(image_shape)):
        x = _generator_block(x, width, f"block_{block + 1}")
    x = layers.BatchNormalization(name="output_norm")(x)
    x = layers.ReLU()(x)
    x = _conv(image_shape[-1], 3, "output_conv")(x)
    images = layers.Activation("tanh", name="images")(x)
    return keras.Model(inputs, images, name=name)
