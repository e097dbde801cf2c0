"""Tests for keras_wgan.data.sources: which reader `load_images` and
`class_names` use for a source, and the datasets known by name."""

import numpy as np
import pytest

from keras_wgan import data
from tests.data.image_samples import grey
from tests.data.image_samples import save
from tests.data.image_samples import scaled

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("kwargs, error, message", [
    ({"source": 3}, ValueError,
     "^source must be a dataset name, 'tfds:<name>', or the path of a folder "
     r"or an \.npy/\.npz file, got int\.$"),
    ({"source": "mnits"}, FileNotFoundError,
     r"^source 'mnits' is not a dataset name \(one of \('mnist', "),
    ({"source": "mnist", "image_size": 0}, ValueError,
     "^image_size must be an integer >= 1, got 0.$"),
    ({"source": "mnist", "channels": 2}, ValueError,
     r"^channels must be one of \(None, 1, 3\), got 2\.$"),
    ({"source": "mnist", "return_labels": "yes"}, ValueError,
     r"^return_labels must be one of \(False, True\), got 'yes'\.$"),
    ({"source": "tfds:"}, ValueError,
     "^source must name a dataset after 'tfds:', got 'tfds:'.$"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.load_images(**kwargs)


def test_a_file_that_is_not_an_array(tmp_path):
    save(tmp_path / "a.png", grey(0))
    with pytest.raises(ValueError, match="must be a folder or an .npy/.npz"):
        data.load_images(tmp_path / "a.png")


def test_mnist_padded_to_32_and_in_colour(log):
    digits, labels = data.load_mnist("test", return_labels=True)
    padded, padded_labels = data.load_images("mnist", image_size=32,
                                             channels=3, split="test",
                                             return_labels=True)
    assert padded.shape == (10000, 32, 32, 3)
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], np.repeat(
        digits, 3, axis=-1))
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert np.all(padded[:, border] == -1)
    np.testing.assert_array_equal(padded_labels, labels)
    # One line per call: the loader's.
    assert len(log.messages) == 2
    assert log.messages[1].startswith("MNIST 'test' from ")


def test_mnist_resized_to_other_sizes():
    small = data.load_images("mnist", image_size=14, split="test")
    assert small.shape == (10000, 14, 14, 1)
    assert small.min() >= -1 and small.max() <= 1
    assert data.class_names("mnist") == tuple("0123456789")
    assert len(data.class_names("fashion_mnist")) == 10


def test_registry():
    assert set(data.DATASETS) == {"mnist", "fashion_mnist", "coloured_mnist",
                                  "coloured_mnist_joint", "cifar10",
                                  "cifar100"}
    # The command line trains on the 28x28 grey datasets only, so far.
    assert data.IMAGE_DATASETS == {"mnist": data.load_mnist,
                                   "fashion_mnist": data.load_fashion_mnist}
    names = data.class_names("cifar100")
    assert len(names) == 100 == len(set(names)) and list(names) == sorted(
        names)


def test_limit_takes_the_first_images_and_labels(tmp_path):
    pixels = np.arange(5 * 2 * 2, dtype=np.uint8).reshape(5, 2, 2)
    np.savez(tmp_path / "five.npz", x=pixels, y=np.arange(5))
    images, labels = data.load_images(tmp_path / "five.npz", limit=2,
                                      return_labels=True)
    np.testing.assert_array_equal(images[..., 0], scaled(pixels[:2]))
    np.testing.assert_array_equal(labels, [0, 1])
    digits = data.load_images("mnist", split="test", limit=3)
    np.testing.assert_array_equal(digits, data.load_mnist("test")[:3])


def test_data_dir_only_for_named_datasets(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match=(
            r"^data_dir applies to the named datasets \('mnist', ")):
        data.load_images(tmp_path / "a.npy", data_dir=tmp_path)
