"""The small CNN that judges generated 28x28 images for the quality metrics."""

import keras
from keras import layers

from keras_wgan import argument_validation

IMAGE_SHAPE = (28, 28, 1)

# Names of the layers the metrics read; `load_classifier` relies on them.
FEATURES_LAYER = "features"
LOGITS_LAYER = "logits"


def image_classifier(num_classes=10, width=16, name="classifier",
                     kernel_initializer="glorot_uniform"):
    """Builds a small CNN classifier for 28x28x1 images in [-1, 1].

    Three 3x3 convolutions (`width`, `2 * width`, `4 * width` filters), each
    followed by batch normalisation, ReLU and 2x2 max pooling (28 -> 14 ->
    7 -> 3), then a 128-unit dense layer named `"features"`, dropout, and a
    linear layer named `"logits"` with one output per class. It outputs
    logits, not probabilities: the Frechet distance is taken on the logits
    (as TF-GAN's MNIST classifier distance does) and the classifier score
    applies the softmax itself. With the default width it has about 98,000
    parameters (under 0.5 MB of weights) and costs about 2 million
    multiply-adds per image, so that training it and scoring thousands of
    samples stays cheap on a CPU.

    Args:
        num_classes: Number of classes, an int >= 2.
        width: Filters of the first convolution, an int >= 1.
        name: Model name.
        kernel_initializer: Initializer of the convolution and dense
            kernels (Keras's default; `load_classifier` passes `"zeros"`,
            as the loaded weights replace them anyway).

    Returns:
        A built `keras.Model` from `(batch, 28, 28, 1)` to
        `(batch, num_classes)` logits.

    Example:

    >>> classifier = image_classifier()
    >>> classifier.output_shape
    (None, 10)
    """
    num_classes = argument_validation.check_int("num_classes", num_classes, minimum=2)
    width = argument_validation.check_int("width", width)
    images = keras.Input(IMAGE_SHAPE, name="images")
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
