"""Tests for keras_wgan.data.coloured_mnist: the construction, its seed,
the palette and the labels."""

import itertools

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import coloured_mnist
from tests.helpers import LogRecords

RGB = np.asarray([colour for _, colour in data.PALETTE])


@pytest.fixture(scope="module")
def test_split():
    """The coloured test split with both labels, and MNIST's test split."""
    coloured = data.load_coloured_mnist("test", return_labels=True,
                                        return_colours=True)
    digits = data.load_mnist("test", return_labels=True)
    return coloured, digits


def _uint8(images):
    return np.rint((images + 1) * 127.5).astype(np.int64)


def test_shape_range_and_labels(test_split):
    (images, labels, colours), (digits, digit_labels) = test_split
    assert images.shape == (10000, 32, 32, 3) and images.dtype == np.float32
    assert images.min() == -1 and images.max() == 1
    np.testing.assert_array_equal(labels, digit_labels)
    assert labels.dtype == colours.dtype == np.int64
    assert colours.shape == (10000, 2)


def test_construction(test_split):
    """Every pixel follows the documented formula, recomputed here."""
    (images, _, colours), (digits, _) = test_split
    # The first 1000 images: the rest are coloured by the same code.
    images, colours, digits = images[:1000], colours[:1000], digits[:1000]
    alpha = _uint8(np.pad(digits[..., 0], ((0, 0), (2, 2), (2, 2)),
                          constant_values=-1))[..., None]
    stroke = RGB[colours[:, 0]][:, None, None, :]
    background = RGB[colours[:, 1]][:, None, None, :]
    expected = (background * (255 - alpha) + stroke * alpha + 127) // 255
    np.testing.assert_array_equal(_uint8(images), expected)
    # The border is background, full strokes are the stroke colour.
    np.testing.assert_array_equal(_uint8(images[:, 0, 0]),
                                  RGB[colours[:, 1]])
    full = alpha[..., 0] == 255
    np.testing.assert_array_equal(
        _uint8(images)[full], np.broadcast_to(stroke, images.shape)[full])


def test_palette_and_colour_counts(test_split):
    (_, _, colours), _ = test_split
    assert [name for name, _ in data.PALETTE] == [
        "black", "white", "red", "green", "blue"]
    assert np.all(colours[:, 0] != colours[:, 1])
    # Pinned: the seeded draw of the test split.
    np.testing.assert_array_equal(np.bincount(colours[:, 0]),
                                  [1990, 2071, 1973, 1930, 2036])
    np.testing.assert_array_equal(np.bincount(colours[:, 1]),
                                  [2008, 2007, 2009, 2071, 1905])
    pairs = {tuple(pair) for pair in colours}
    assert pairs == {pair for pair in itertools.permutations(range(5), 2)}


def test_colours_are_seeded_per_split_and_index():
    first = coloured_mnist.palette_indices(1000, "train")
    np.testing.assert_array_equal(
        coloured_mnist.palette_indices(10, "train"), first[:10])
    np.testing.assert_array_equal(
        coloured_mnist.palette_indices(3, "test"), [[4, 0], [1, 4], [2, 0]])
    test = coloured_mnist.palette_indices(1000, "test")
    other_seed = coloured_mnist.palette_indices(1000, "train", seed=1)
    assert (first != test).any(axis=1).mean() > 0.8
    assert (first != other_seed).any(axis=1).mean() > 0.8


def test_same_images_every_call_and_return_forms(test_split):
    (images, labels, colours), _ = test_split
    with LogRecords() as log:
        again, again_colours = data.load_coloured_mnist(
            "test", return_colours=True)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_colours, colours)
    [message] = log.messages
    assert message.startswith("coloured MNIST 'test' (seed 0) from MNIST "
                              "from ")
    assert message.split("(")[2].startswith("10000 images")


def test_through_load_images_and_class_names(test_split):
    (images, labels, _), _ = test_split
    loaded, loaded_labels = data.load_images("coloured_mnist", split="test",
                                             return_labels=True)
    np.testing.assert_array_equal(loaded, images)
    np.testing.assert_array_equal(loaded_labels, labels)
    assert data.class_names("coloured_mnist") == tuple("0123456789")


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "valid"}, r"^split must be one of \('train', 'test'\), got "
                         r"'valid'\.$"),
    ({"seed": -1}, r"^seed must be an integer >= 0, got -1\.$"),
    ({"seed": 1.5}, r"^seed must be an integer >= 0, got 1\.5\.$"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_coloured_mnist(**kwargs)


def test_bad_palette_indices_arguments():
    with pytest.raises(ValueError, match=r"^count must be an integer >= 0"):
        coloured_mnist.palette_indices(-1)
    with pytest.raises(ValueError, match="^split must be one of"):
        coloured_mnist.palette_indices(1, "valid")


def test_joint_labels_are_a_bijection_onto_0_to_199():
    digits = np.repeat(np.arange(10), 20)
    colours = np.tile(list(itertools.permutations(range(5), 2)), (10, 1))
    labels = coloured_mnist.joint_labels(digits, colours)
    assert coloured_mnist.NUM_JOINT_CLASSES == 200
    assert labels.dtype == np.int64
    # permutations() yields the ordered pairs lexicographically: the
    # documented numbering gives 0, 1, ..., 199 in this order.
    np.testing.assert_array_equal(labels, np.arange(200))
    back_digits, back_colours = coloured_mnist.split_joint_labels(labels)
    np.testing.assert_array_equal(back_digits, digits)
    np.testing.assert_array_equal(back_colours, colours)
    # And the other way round, from every label.
    again = coloured_mnist.joint_labels(
        *coloured_mnist.split_joint_labels(np.arange(200)))
    np.testing.assert_array_equal(again, np.arange(200))


def test_joint_labels_of_the_test_split(test_split):
    (_, labels, colours), _ = test_split
    joint = coloured_mnist.joint_labels(labels, colours)
    # The documented formula, by hand, for the first image: a 7, blue (4)
    # on black (0): 20 * 7 + 4 * 4 + 0.
    assert joint[0] == 156
    # Every class occurs; each pair about equally often per digit.
    counts = np.bincount(joint, minlength=200)
    assert len(counts) == 200 and counts.min() >= 20
    digits, back = coloured_mnist.split_joint_labels(joint)
    np.testing.assert_array_equal(digits, labels)
    np.testing.assert_array_equal(back, colours)


@pytest.mark.parametrize("digits, colours, message", [
    ([10], [[0, 1]], r"^digits must hold class labels in \[0, 10\), got "
                     r"\[10, 10\]\.$"),
    ([1.0], [[0, 1]], r"^digits must hold integer class labels in \[0, 10\)"),
    ([1], [[0, 5]], r"^colours must hold class labels in \[0, 5\)"),
    ([1], [[2, 2]], r"^colours must pair two different colours \(stroke != "
                    r"background\), got \[2, 2\]\.$"),
    ([1, 2], [[0, 1]], r"^colours must have shape \(2, 2\) to match digits, "
                       r"got \(1, 2\)\.$"),
])
def test_bad_joint_labels_arguments(digits, colours, message):
    with pytest.raises(ValueError, match=message):
        coloured_mnist.joint_labels(digits, colours)


def test_bad_split_joint_labels_arguments():
    with pytest.raises(ValueError, match=r"^labels must hold class labels "
                                         r"in \[0, 200\), got "
                                         r"\[-1, 200\]\.$"):
        coloured_mnist.split_joint_labels([-1, 200])


def test_joint_loader_labels_each_image_by_digit_and_colours(test_split):
    (images, labels, colours), _ = test_split
    joint_images, joint = data.load_coloured_mnist_joint("test",
                                                         return_labels=True)
    np.testing.assert_array_equal(joint_images, images)
    np.testing.assert_array_equal(
        joint, coloured_mnist.joint_labels(labels, colours))
    assert joint.dtype == np.int64
    assert data.load_coloured_mnist_joint("test").shape == images.shape
    assert data.DATASETS["coloured_mnist_joint"] is \
        data.load_coloured_mnist_joint


def test_joint_class_names_follow_the_labels():
    names = data.class_names("coloured_mnist_joint")
    assert len(names) == coloured_mnist.NUM_JOINT_CLASSES
    assert len(set(names)) == len(names)
    digits, colours = coloured_mnist.split_joint_labels(np.arange(200))
    for label in (0, 19, 47, 156, 199):
        digit, (stroke, background) = digits[label], colours[label]
        assert names[label] == (f"{digit} {data.PALETTE[stroke][0]} on "
                                f"{data.PALETTE[background][0]}")
    assert names[199] == "9 blue on green"
