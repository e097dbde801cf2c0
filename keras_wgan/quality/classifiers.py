"""The pretrained classifiers shipped with keras_wgan, and their records."""

import importlib.resources
import json
from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan.quality.architecture import image_classifier

#: The datasets with a shipped classifier.
CLASSIFIER_DATASETS = ("mnist", "fashion_mnist", "coloured_mnist",
                       "coloured_mnist_joint")

# Coloured MNIST's classifier already has the 200 joint classes, so the
# joint dataset shares its files; the others' files are named after them.
_FILES = {"coloured_mnist_joint": "coloured_mnist"}

_PACKAGE = "keras_wgan.resources.classifiers"


def _resource(name):
    return importlib.resources.files(_PACKAGE) / name


def load_classifier(dataset: str = "mnist") -> keras.Model:
    """Loads the pretrained classifier of a dataset of `CLASSIFIER_DATASETS`.

    The weights were trained by `scripts/train_classifier.py` and ship with
    the package (`keras_wgan/resources/classifiers/`); `classifier_info`
    returns what they were trained and evaluated on. They load on every
    Keras backend. Each call returns a new model.

    The MNIST and Fashion-MNIST classifiers take 28x28x1 images and have
    the dataset's 10 classes. The coloured MNIST classifier takes 32x32x3
    images and has 200 classes, each a digit with a stroke and a background
    colour (numbered by `keras_wgan.data.coloured_mnist.joint_labels`), so
    that the classifier FID, score and mode coverage see colours as well as
    digits; `coloured_mnist_predictions` gets the digit and the colours
    from its logits.

    Args:
        dataset: `"mnist"`, `"fashion_mnist"`, `"coloured_mnist"` or
            `"coloured_mnist_joint"` (the same classifier as
            `"coloured_mnist"`).

    Returns:
        A `keras.Model` (see `image_classifier`) from images of the
        dataset's shape in [-1, 1] to one logit per class.

    Example:

    >>> classifier = load_classifier("mnist")
    >>> images, labels = keras_wgan.data.load_mnist("test", return_labels=True)
    >>> logits = classifier.predict(images, verbose=0)  # never trained on
    >>> round(float((logits.argmax(axis=1) == labels).mean()), 3)
    0.993
    """
    dataset = argument_validation.check_choice("dataset", dataset, CLASSIFIER_DATASETS)
    info = classifier_info(dataset)
    name = _FILES.get(dataset, dataset)
    classifier = image_classifier(
        num_classes=info["num_classes"], width=info["width"],
        name=f"{name}_classifier", image_shape=tuple(info["image_shape"]),
        # Random kernels would be overwritten at once, and on JAX each
        # shape's random draw compiles a program of its own.
        kernel_initializer="zeros",
    )
    # as_file gives a real path even when the package sits in a zip.
    with importlib.resources.as_file(
        _resource(f"{name}.weights.h5")
    ) as path:
        classifier.load_weights(path)
    return classifier


def classifier_info(dataset: str = "mnist") -> dict[str, Any]:
    """Returns the training record of a shipped classifier.

    Args:
        dataset: A name of `CLASSIFIER_DATASETS`.

    Returns:
        A dict read from `<dataset>.json` next to the weights: the network
        (`"image_shape"`, `"num_classes"`, `"width"`), the data it was
        trained and evaluated on (`"trained_on"`, `"evaluated_on"`, each
        with the loader call and the index range used), the held-out
        `"accuracy"`, the `"command"` and `"seed"` that produced it, and the
        library versions. The coloured MNIST record adds the held-out
        `"digit_accuracy"`, `"stroke_accuracy"` and
        `"background_accuracy"` (of `coloured_mnist_predictions`), and the
        `"floor"`: the classifier FID, score and classes covered of real
        train images against the test split.

    Example:

    >>> info = classifier_info("mnist")
    >>> info["trained_on"]["description"]
    'the MNIST train split (60,000 digits)'
    >>> info["evaluated_on"]["indices"], info["accuracy"]
    ([0, 10000], 0.9931)
    >>> classifier_info("coloured_mnist")["num_classes"]
    200
    """
    dataset = argument_validation.check_choice("dataset", dataset, CLASSIFIER_DATASETS)
    name = _FILES.get(dataset, dataset)
    return json.loads(_resource(f"{name}.json").read_text("utf-8"))
