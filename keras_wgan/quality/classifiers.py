"""The pretrained classifiers shipped with keras_wgan, and their records."""

import importlib.resources
import json

from keras_wgan import argument_validation
from keras_wgan.quality.architecture import image_classifier

# Datasets with a shipped classifier; files are named after them.
CLASSIFIER_DATASETS = ("mnist", "fashion_mnist")

_PACKAGE = "keras_wgan.resources.classifiers"


def _resource(name):
    return importlib.resources.files(_PACKAGE) / name


def load_classifier(dataset="mnist"):
    """Loads the pretrained classifier for MNIST or Fashion-MNIST.

    The weights were trained by `scripts/train_classifier.py` and ship with
    the package (`keras_wgan/resources/classifiers/`); `classifier_info`
    returns what they were trained and evaluated on. They load on every
    Keras backend. Each call returns a new model.

    Args:
        dataset: `"mnist"` or `"fashion_mnist"`.

    Returns:
        A `keras.Model` (see `image_classifier`) from 28x28x1 images in
        [-1, 1] to 10 logits.

    Example:

    >>> classifier = load_classifier("mnist")
    >>> images, labels = keras_wgan.data.load_mnist("test", return_labels=True)
    >>> logits = classifier.predict(images, verbose=0)  # never trained on
    >>> round(float((logits.argmax(axis=1) == labels).mean()), 3)
    0.993
    """
    dataset = argument_validation.check_choice("dataset", dataset, CLASSIFIER_DATASETS)
    info = classifier_info(dataset)
    classifier = image_classifier(
        num_classes=info["num_classes"], width=info["width"],
        name=f"{dataset}_classifier",
        # Random kernels would be overwritten at once, and on JAX each
        # shape's random draw compiles a program of its own.
        kernel_initializer="zeros",
    )
    # as_file gives a real path even when the package sits in a zip.
    with importlib.resources.as_file(
        _resource(f"{dataset}.weights.h5")
    ) as path:
        classifier.load_weights(path)
    return classifier


def classifier_info(dataset="mnist"):
    """Returns the training record of a shipped classifier.

    Args:
        dataset: `"mnist"` or `"fashion_mnist"`.

    Returns:
        A dict read from `<dataset>.json` next to the weights: the data it
        was trained and evaluated on (`"trained_on"`, `"evaluated_on"`, each
        with the loader call and the index range used), the held-out
        `"accuracy"`, the `"command"` and `"seed"` that produced it, and the
        library versions.

    Example:

    >>> info = classifier_info("mnist")
    >>> info["trained_on"]["description"]
    'the MNIST train split (60,000 digits)'
    >>> info["evaluated_on"]["indices"], info["accuracy"]
    ([0, 10000], 0.9931)
    """
    dataset = argument_validation.check_choice("dataset", dataset, CLASSIFIER_DATASETS)
    return json.loads(_resource(f"{dataset}.json").read_text("utf-8"))
