"""Whether generated images show the classes asked for, by a classifier.

A conditional generator is asked for a class (a digit, a colour); the
shipped classifier tells whether its images show it. `label_accuracy` is
the share of images it assigns to the requested class; for coloured MNIST,
whose classifier knows (digit, stroke colour, background colour) jointly,
`coloured_mnist_accuracy` gives the digit and each colour separately.
`requested_class_accuracy` is the rule the reports use, from logits.
"""

import keras
import numpy as np

from keras_wgan.argument_validation import check_class_labels
from keras_wgan.argument_validation import check_int
from keras_wgan.data import coloured_mnist
from keras_wgan.quality.classifiers import load_classifier
from keras_wgan.quality.features import classifier_logits
from keras_wgan.tensor_types import ArrayLike


def label_accuracy(images: ArrayLike, labels: ArrayLike,
                   classifier: keras.Model, batch_size: int = 500) -> float:
    """Returns the share of images a classifier puts in their given class.

    For a conditional generator, `labels` are the classes it was asked
    for: 1 means the classifier sees every requested class (as far as it
    is right itself: on real test images it scores its own accuracy).

    Args:
        images: Array `(N, height, width, channels)` (the classifier's
            input shape) of floats in [-1, 1].
        labels: Integer array `(N,)` of classes in `0..num_classes - 1`.
        classifier: A `keras.Model` to logits, e.g. `load_classifier()`.
        batch_size: Images per forward pass.

    Returns:
        A Python float in [0, 1].

    Example:

    >>> from keras_wgan.quality import load_classifier
    >>> digits, labels = keras_wgan.data.load_mnist("test", return_labels=True)
    >>> label_accuracy(digits[:100], labels[:100], load_classifier("mnist"))
    1.0
    >>> label_accuracy(digits[:100], (labels[:100] + 1) % 10,
    ...                load_classifier("mnist"))
    0.0
    """
    logits = classifier_logits(images, classifier, "images", batch_size)
    return accuracy_from_logits(logits, labels)


def accuracy_from_logits(logits: ArrayLike, labels: ArrayLike) -> float:
    """Returns the share of rows of `logits` whose argmax is the label.

    `label_accuracy` on the classifier's outputs rather than on images.

    Args:
        logits: Array `(N, num_classes)`.
        labels: Integer array `(N,)` of classes in `0..num_classes - 1`.

    Returns:
        A Python float in [0, 1].

    Example:

    >>> accuracy_from_logits([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]], [0, 1, 1])
    0.6666666666666666
    """
    logits = _logit_rows(logits)
    labels = check_class_labels("labels", labels, logits.shape[1], len(logits))
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def _logit_rows(logits: ArrayLike) -> np.ndarray:
    logits = np.asarray(logits)
    if logits.ndim != 2 or len(logits) == 0:
        raise ValueError(
            "logits must have shape (N, num_classes) with N >= 1, got shape "
            f"{logits.shape}."
        )
    return logits


def requested_class_accuracy(logits: ArrayLike, labels: ArrayLike,
                             num_classes: int) -> float | None:
    """Returns the share of images in the class asked for, from logits.

    The one rule every report of a conditional model uses: where the
    model's `num_classes` are the classifier's classes, the argmax
    (`accuracy_from_logits`); where the classifier is coloured MNIST's
    (its 200 joint classes) and the model's classes are the 10 digits,
    the digit the classifier reads whatever the colours
    (`coloured_mnist_predictions`); otherwise the classifier does not know
    the model's classes, and there is no accuracy.

    Args:
        logits: Array `(N, classifier_classes)` of the classifier's logits
            of the images.
        labels: Integer array `(N,)` of the classes asked for, in
            `0..num_classes - 1`.
        num_classes: The classes the images were drawn from (a
            conditional model's `num_classes`), an int >= 1.

    Returns:
        A Python float in [0, 1], or `None` where the classifier cannot
        tell the classes.

    Example:

    >>> requested_class_accuracy([[2.0, 0.0], [0.0, 1.0]], [0, 0], 2)
    0.5
    >>> from keras_wgan.data.coloured_mnist import joint_labels
    >>> logits = np.zeros((2, 200))
    >>> logits[[0, 1], joint_labels([3, 5], [[1, 4], [2, 0]])] = 10.0
    >>> requested_class_accuracy(logits, [3, 4], 10)
    0.5
    >>> requested_class_accuracy(logits, [3, 4], 7) is None
    True
    """
    logits = _logit_rows(logits)
    num_classes = check_int("num_classes", num_classes, minimum=1)
    if num_classes == logits.shape[1]:
        return accuracy_from_logits(logits, labels)
    if (num_classes == 10
            and logits.shape[1] == coloured_mnist.NUM_JOINT_CLASSES):
        labels = check_class_labels("labels", labels, 10, len(logits))
        digits, _ = coloured_mnist_predictions(logits)
        return float(np.mean(digits == labels))
    return None


def coloured_mnist_predictions(logits: ArrayLike
                               ) -> tuple[np.ndarray, np.ndarray]:
    """Returns the digits and colours the coloured MNIST classifier sees.

    The classifier's classes are the joint labels of
    `keras_wgan.data.coloured_mnist.joint_labels`; its softmax is summed
    over the classes that share a digit (a stroke colour, a background
    colour), and each marginal's most likely value is returned. (So the
    digit is the most likely digit whatever the colours, which can differ
    from the digit of the most likely joint class.)

    Args:
        logits: Array `(N, 200)` of the classifier's logits.

    Returns:
        `(digits, colours)`: int64 arrays `(N,)` and `(N, 2)`, the colours
        as (stroke, background) indices into `keras_wgan.data.PALETTE`.

    Example:

    A digit 7 that could be white or red on blue, a little more likely
    white:

    >>> from keras_wgan.data.coloured_mnist import joint_labels
    >>> logits = np.zeros((1, 200))
    >>> logits[0, joint_labels([7, 7], [[1, 4], [2, 4]])] = [10.0, 9.0]
    >>> digits, colours = coloured_mnist_predictions(logits)
    >>> digits, colours
    (array([7]), array([[1, 4]]))
    """
    count = coloured_mnist.NUM_JOINT_CLASSES
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[1] != count:
        raise ValueError(
            f"logits must have shape (N, {count}), the coloured MNIST "
            f"classifier's output, got shape {logits.shape}."
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    digits, colours = coloured_mnist.split_joint_labels(np.arange(count))
    # The marginal of value v sums the classes whose label part is v: a
    # product with that part's one-hot matrix (200, values).
    predictions = [
        np.argmax(probabilities @ np.eye(part.max() + 1)[part], axis=1)
        for part in (digits, colours[:, 0], colours[:, 1])
    ]
    return predictions[0], np.stack(predictions[1:], axis=1)


def coloured_mnist_accuracy(images: ArrayLike, digits: ArrayLike | None = None,
                            colours: ArrayLike | None = None,
                            classifier: keras.Model | None = None,
                            batch_size: int = 500) -> dict[str, float]:
    """Returns how often coloured MNIST images show the digit and colours.

    For images of a generator asked for digits and colours (or real
    images with their labels): the shares of images whose digit, stroke
    colour and background colour `coloured_mnist_predictions` finds as
    given. Give `digits`, `colours` or both.

    Args:
        images: Array `(N, 32, 32, 3)` of floats in [-1, 1].
        digits: Optional integer array `(N,)` of digits 0..9.
        colours: Optional integer array `(N, 2)` of (stroke, background)
            indices into `keras_wgan.data.PALETTE`.
        classifier: The coloured MNIST classifier; by default
            `load_classifier("coloured_mnist")`.
        batch_size: Images per forward pass.

    Returns:
        A dict of Python floats in [0, 1]: `"digit_accuracy"` with
        `digits`, `"stroke_accuracy"` and `"background_accuracy"` with
        `colours`.

    Example:

    >>> images, digits, colours = keras_wgan.data.load_coloured_mnist(
    ...     "test", return_labels=True, return_colours=True)
    >>> coloured_mnist_accuracy(images[:100], digits[:100], colours[:100])
    {'digit_accuracy': 0.99, 'stroke_accuracy': 1.0, 'background_accuracy': 1.0}
    """
    if digits is None and colours is None:
        raise ValueError(
            "give digits, colours or both: the labels the images should "
            "show, got neither."
        )
    if classifier is None:
        classifier = load_classifier("coloured_mnist")
    count = len(images) if hasattr(images, "__len__") else None
    wanted = {}
    if digits is not None:
        wanted["digit_accuracy"] = check_class_labels(
            "digits", digits, 10, count)
    if colours is not None:
        colours = np.asarray(colours)
        if colours.ndim != 2 or colours.shape[1] != 2:
            raise ValueError(
                "colours must have shape (N, 2), (stroke, background), got "
                f"shape {colours.shape}."
            )
        palette = len(coloured_mnist.PALETTE)
        wanted["stroke_accuracy"] = check_class_labels(
            "colours", colours[:, 0], palette, count)
        wanted["background_accuracy"] = check_class_labels(
            "colours", colours[:, 1], palette, count)
    logits = classifier_logits(images, classifier, "images", batch_size)
    found_digits, found_colours = coloured_mnist_predictions(logits)
    found = {"digit_accuracy": found_digits,
             "stroke_accuracy": found_colours[:, 0],
             "background_accuracy": found_colours[:, 1]}
    return {key: float(np.mean(found[key] == value))
            for key, value in wanted.items()}
