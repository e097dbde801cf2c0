"""The small CNN that judges generated images for the quality metrics."""

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from keras_wgan import argument_validation

#: The input shape of the MNIST and Fashion-MNIST classifiers, the default.
IMAGE_SHAPE = (28, 28, 1)
# Three 2x2 poolings: a side of at least 8 keeps a 1x1 map at the end.
_MIN_SIDE = 8

# Names of the layers the metrics read; `load_classifier` relies on them.
FEATURES_LAYER = "features"
LOGITS_LAYER = "logits"


def image_classifier(num_classes: int = 10, width: int = 16,
                     name: str = "classifier",
                     kernel_initializer: str | keras.initializers.Initializer
                     = "glorot_uniform", *,
                     image_shape: Sequence[int] = IMAGE_SHAPE) -> keras.Model:
    """Builds a small CNN classifier for images in [-1, 1].

    Three 3x3 convolutions (`width`, `2 * width`, `4 * width` filters), each
    followed by batch normalisation, ReLU and 2x2 max pooling (28 -> 14 ->
    7 -> 3 for 28x28 images, 32 -> 16 -> 8 -> 4 for 32x32 ones), then a
    128-unit dense layer named `"features"`, dropout, and a linear layer
    named `"logits"` with one output per class. It outputs logits, not
    probabilities: the Frechet distance is taken on the logits (as TF-GAN's
    MNIST classifier distance does) and the classifier score applies the
    softmax itself. For 28x28x1 images and the default width it has about
    98,000 parameters (under 0.5 MB of weights) and costs about 2 million
    multiply-adds per image, so that training it and scoring thousands of
    samples stays cheap on a CPU; for 32x32x3 images and 200 classes (the
    coloured MNIST classifier) about 181,000 parameters. The weights'
    shapes depend on `image_shape` only through the first convolution's
    input channels and the dense layer's input (the pooled map), so the
    default builds the network of the shipped MNIST and Fashion-MNIST
    weights.

    Args:
        num_classes: Number of classes, an int >= 2.
        width: Filters of the first convolution, an int >= 1.
        name: Model name.
        kernel_initializer: Initializer of the convolution and dense
            kernels (Keras's default; `load_classifier` passes `"zeros"`,
            as the loaded weights replace them anyway).
        image_shape: `(height, width, channels)` of the input images,
            height and width >= 8 (default `(28, 28, 1)`).

    Returns:
        A built `keras.Model` from `(batch, *image_shape)` to
        `(batch, num_classes)` logits.

    Example:

    >>> classifier = image_classifier()
    >>> classifier.output_shape
    (None, 10)
    >>> coloured = image_classifier(200, image_shape=(32, 32, 3))
    >>> coloured.input_shape, coloured.get_layer("features").input.shape
    ((None, 32, 32, 3), (None, 1024))
    """
    num_classes = argument_validation.check_int("num_classes", num_classes, minimum=2)
    width = argument_validation.check_int("width", width)
    image_shape = _check_image_shape(image_shape)
    images = keras.Input(image_shape, name="images")
    x = images
    for multiplier in (1, 2, 4):
        # No bias: the batch normalisation that follows has its own offset.
        x = layers.Conv2D(
            multiplier * width, 3, padding="same", use_bias=False,
            kernel_initializer=kernel_initializer,
        )(x)
        # Momentum 0.9 rather than 0.99: the classifier trains for only
        # about a thousand steps, and slower moving statistics would lag
        # behind the weights at its end.
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER,
                     kernel_initializer=kernel_initializer)(x)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(num_classes, name=LOGITS_LAYER,
                          kernel_initializer=kernel_initializer)(x)
    return keras.Model(images, logits, name=name)


def _check_image_shape(image_shape):
    """Returns `image_shape` as a tuple of 3 ints, or raises."""
    valid = (
        isinstance(image_shape, (tuple, list)) and len(image_shape) == 3
        and all(isinstance(size, (int, np.integer))
                and not isinstance(size, bool) for size in image_shape)
        and min(image_shape[:2]) >= _MIN_SIDE and image_shape[2] >= 1
    )
    if not valid:
        raise ValueError(
            "image_shape must be (height, width, channels) with height and "
            f"width >= {_MIN_SIDE} and channels >= 1, got {image_shape!r}."
        )
    return tuple(int(size) for size in image_shape)
