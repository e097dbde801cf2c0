"""keras_wgan.quality.labels: whether images show the classes asked for."""

import keras
import numpy as np
import pytest

from keras_wgan import quality
from keras_wgan.data import coloured_mnist
from tests.quality import shared


def _pixel_classifier():
    """2x2 images to 3 logits: the first three pixels, row by row."""
    images = keras.Input((2, 2, 1))
    logits = keras.layers.Dense(3, use_bias=False)(
        keras.layers.Flatten()(images))
    model = keras.Model(images, logits)
    model.set_weights([np.eye(4, 3, dtype="float32")])
    return model


def test_label_accuracy_by_hand():
    # Pixels (row by row); the largest of the first three is the class.
    pixels = np.array([
        [0.5, -0.5, -1.0, 1.0],   # class 0
        [-1.0, 0.0, -0.5, 1.0],   # class 1
        [-1.0, -0.5, 0.2, -1.0],  # class 2
        [0.1, 0.3, 0.2, 0.9],     # class 1
        [-0.2, -0.9, -0.3, 0.0],  # class 0
    ], dtype="float32")
    images = pixels.reshape(5, 2, 2, 1)
    classifier = _pixel_classifier()
    # Right for images 0, 1 and 3; wrong for 2 and 4.
    labels = [0, 1, 0, 1, 2]
    assert quality.label_accuracy(images, labels, classifier) == 0.6
    assert quality.label_accuracy(images, [0, 1, 2, 1, 0], classifier) == 1.0
    assert quality.label_accuracy(images[:2], [2, 2], classifier) == 0.0
    # Batches of two give the same share.
    assert quality.label_accuracy(images, labels, classifier,
                                  batch_size=2) == 0.6


def test_accuracy_from_logits_by_hand():
    logits = [[1.0, 0.0, 0.0], [0.0, 2.0, 1.0], [0.0, 1.0, 3.0],
              [5.0, 0.0, 6.0]]
    assert quality.accuracy_from_logits(logits, [0, 1, 2, 2]) == 1.0
    assert quality.accuracy_from_logits(logits, [0, 2, 2, 0]) == 0.5
    assert quality.accuracy_from_logits(logits, np.array([1, 0, 0, 1],
                                                         np.uint8)) == 0.0


def test_label_accuracy_bad_inputs():
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"^labels must have shape "
                                         r"\(3,\), one label per image, got "
                                         r"shape \(2,\)"):
        quality.accuracy_from_logits(logits, [0, 1])
    with pytest.raises(ValueError, match=r"^labels must hold integer class "
                                         r"labels in \[0, 4\)"):
        quality.accuracy_from_logits(logits, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"^labels must hold class labels in "
                                         r"\[0, 4\), got \[0, 4\]\.$"):
        quality.accuracy_from_logits(logits, [0, 4, 1])
    with pytest.raises(ValueError, match=r"^logits must have shape "
                                         r"\(N, num_classes\)"):
        quality.accuracy_from_logits(np.zeros(3), [0, 1, 2])
    with pytest.raises(ValueError, match=r"images must have images of shape "
                                         r"\(2, 2, 1\)"):
        quality.label_accuracy(np.zeros((3, 28, 28, 1), "float32"), [0, 1, 2],
                               _pixel_classifier())


def test_coloured_mnist_predictions_marginalise_the_softmax():
    logits = np.full((2, 200), -50.0)
    # Image 0: digit 3 spread evenly over its 20 colour pairs (20 e^0 in
    # all) beats digit 5 in one class (e^2 = 7.4), which the joint argmax
    # picks; that class, red (2) on black (0), also adds e^2 to each of
    # its colours, which the spread gives e^0 times 4 (pairs) each.
    digit_3 = np.arange(60, 80)
    logits[0, digit_3] = 0.0
    logits[0, coloured_mnist.joint_labels([5], [[2, 0]])] = 2.0
    # Image 1: one certain class, white (1) on green (3) 8.
    logits[1, coloured_mnist.joint_labels([8], [[1, 3]])] = 50.0
    assert np.argmax(logits[0]) == 5 * 20 + 4 * 2 + 0
    digits, colours = quality.coloured_mnist_predictions(logits)
    assert digits.tolist() == [3, 8]
    assert colours.tolist() == [[2, 0], [1, 3]]
    # A thousand times sharper, digit 5's one class outweighs the spread
    # (e^2000 against 20 e^0), without overflow.
    digits, _ = quality.coloured_mnist_predictions(logits * 1e3)
    assert digits.tolist() == [5, 8]
    with pytest.raises(ValueError, match=r"^logits must have shape \(N, 200\)"):
        quality.coloured_mnist_predictions(np.zeros((2, 10)))


def test_coloured_mnist_accuracy_of_real_test_images():
    images, digits, colours = (part[:1000] for part in shared.coloured())
    classifier = shared.classifier("coloured_mnist")
    result = quality.coloured_mnist_accuracy(images, digits, colours,
                                             classifier)
    assert list(result) == ["digit_accuracy", "stroke_accuracy",
                            "background_accuracy"]
    assert result["digit_accuracy"] >= 0.97
    assert result["stroke_accuracy"] >= 0.998
    assert result["background_accuracy"] >= 0.998
    # The same as the predictions of the cached logits.
    found_digits, _ = quality.coloured_mnist_predictions(
        shared.logits("coloured")[:1000])
    assert result["digit_accuracy"] == np.mean(found_digits == digits)
    # Each label alone gives its own entries.
    assert quality.coloured_mnist_accuracy(
        images[:200], digits=digits[:200], classifier=classifier) == {
        "digit_accuracy": np.mean(found_digits[:200] == digits[:200])}
    only_colours = quality.coloured_mnist_accuracy(
        images[:200], colours=colours[:200], classifier=classifier)
    assert sorted(only_colours) == ["background_accuracy", "stroke_accuracy"]
    # Asked for the swapped colours: every colour wrong, the digits as
    # before.
    swapped = quality.coloured_mnist_accuracy(
        images[:200], digits[:200], colours[:200, ::-1], classifier)
    assert swapped == {
        "digit_accuracy": np.mean(found_digits[:200] == digits[:200]),
        "stroke_accuracy": 0.0, "background_accuracy": 0.0}


def test_coloured_mnist_accuracy_bad_inputs():
    images, digits, colours = shared.coloured()
    with pytest.raises(ValueError, match="^give digits, colours or both"):
        quality.coloured_mnist_accuracy(images[:2])
    with pytest.raises(ValueError, match=r"^colours must have shape \(N, 2\)"):
        quality.coloured_mnist_accuracy(images[:2], colours=[1, 2],
                                        classifier=_pixel_classifier())
    with pytest.raises(ValueError, match=r"^digits must hold class labels in "
                                         r"\[0, 10\)"):
        quality.coloured_mnist_accuracy(images[:2], digits=[1, 12],
                                        classifier=_pixel_classifier())
    with pytest.raises(ValueError, match=r"^digits must have shape \(2,\)"):
        quality.coloured_mnist_accuracy(images[:2], digits[:3],
                                        classifier=_pixel_classifier())


def test_requested_class_accuracy_follows_the_classifiers_classes():
    """The classifier's own classes: the argmax; coloured MNIST's 10 digits:
    the digit marginal; classes the classifier does not know: None."""
    images, digits, colours = (part[:1000] for part in shared.coloured())
    logits = shared.logits("coloured")[:1000]
    found_digits, _ = quality.coloured_mnist_predictions(logits)
    assert quality.requested_class_accuracy(logits, digits, 10) == \
        np.mean(found_digits == digits)
    joint = coloured_mnist.joint_labels(digits, colours)
    assert quality.requested_class_accuracy(logits, joint, 200) == \
        quality.accuracy_from_logits(logits, joint)
    assert quality.requested_class_accuracy(logits, digits % 3, 3) is None
    assert quality.requested_class_accuracy(
        [[0.0, 1.0, 0.0]] * 4, [1, 1, 2, 0], 3) == 0.5


def test_requested_class_accuracy_bad_inputs():
    with pytest.raises(ValueError, match=r"^logits must have shape "
                                         r"\(N, num_classes\)"):
        quality.requested_class_accuracy(np.zeros(3), [0, 1, 2], 3)
    with pytest.raises(ValueError, match="^num_classes must be"):
        quality.requested_class_accuracy(np.zeros((2, 200)), [0, 1], 0)
    with pytest.raises(ValueError, match=r"^labels must hold class labels "
                                         r"in \[0, 10\)"):
        quality.requested_class_accuracy(np.zeros((2, 200)), [0, 10], 10)
