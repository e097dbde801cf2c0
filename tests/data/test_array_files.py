"""Tests for keras_wgan.data.array_files: images and labels from `.npy` and
`.npz` files."""

import os

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import array_files
from tests.data.image_samples import ramp
from tests.data.image_samples import scaled

pytestmark = pytest.mark.backend_independent


def test_npy_uint8_and_float(tmp_path, log):
    pixels = ramp(6, 5).reshape(2, 3, 5)
    np.save(tmp_path / "grey.npy", pixels)
    images = data.load_images(tmp_path / "grey.npy")
    np.testing.assert_array_equal(images, scaled(pixels)[..., None])
    assert log.messages == [f"images from {tmp_path / 'grey.npy'} (2 images)"]

    floats = np.linspace(-1, 1, 2 * 3 * 3 * 3).reshape(2, 3, 3, 3)
    np.save(tmp_path / "floats.npy", floats)
    loaded = data.load_images(str(tmp_path / "floats.npy"))
    assert loaded.dtype == np.float32
    np.testing.assert_allclose(loaded, floats, rtol=1e-6)
    as_grey = data.load_images(tmp_path / "floats.npy", channels=1)
    np.testing.assert_allclose(
        as_grey[..., 0], floats @ [0.299, 0.587, 0.114], rtol=1e-5)


@pytest.mark.parametrize("array, message", [
    (np.zeros((2, 3, 3), np.int64),
     r"expected uint8 images \(0\.\.255\) or floating point ones in "
     r"\[-1, 1\], got dtype int64\."),
    (np.full((2, 3, 3), 255.0),
     r"floating point images must lie in \[-1, 1\], got \[255, 255\]"),
    (np.full((2, 3, 3), np.nan), "contain NaN or Inf"),
    (np.zeros((2, 3, 3, 2), np.uint8),
     r"expected images of shape \(N, H, W\), \(N, H, W, 1\) or "
     r"\(N, H, W, 3\), got \(2, 3, 3, 2\)\."),
    (np.zeros((0, 3, 3), np.uint8), "expected at least one image, got 0"),
])
def test_bad_arrays_are_refused(tmp_path, array, message):
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(ValueError, match=message):
        data.load_images(tmp_path / "bad.npy")


def test_npz_keys_labels_and_splits(tmp_path):
    x = ramp(4 * 3 * 3, 1).reshape(4, 3, 3)
    np.savez(tmp_path / "plain.npz", images=x, labels=np.array([3, 0, 1, 3]),
             class_names=np.array(["a", "b", "c", "d"]))
    images, labels = data.load_images(tmp_path / "plain.npz",
                                      return_labels=True)
    np.testing.assert_array_equal(images[..., 0], scaled(x))
    np.testing.assert_array_equal(labels, [3, 0, 1, 3])
    assert labels.dtype == np.int64
    assert data.class_names(tmp_path / "plain.npz") == ("a", "b", "c", "d")
    with pytest.raises(ValueError, match=(
            r"^split must be 'train' for file .*plain.npz \(no x_test\), "
            r"which has no splits; got 'test'\.$")):
        data.load_images(tmp_path / "plain.npz", split="test")

    # keras.datasets' layout: x_<split>, labels of shape (N, 1).
    np.savez(tmp_path / "keras.npz", x_train=x, y_train=np.zeros((4, 1), int),
             x_test=255 - x[:2], y_test=np.ones((2, 1), np.uint8))
    test, test_labels = data.load_images(tmp_path / "keras.npz", split="test",
                                          return_labels=True)
    np.testing.assert_array_equal(test[..., 0], scaled(255 - x[:2]))
    np.testing.assert_array_equal(test_labels, [1, 1])

    np.savez(tmp_path / "unlabelled.npz", x=x)
    with pytest.raises(ValueError, match="return_labels must be False"):
        data.load_images(tmp_path / "unlabelled.npz", return_labels=True)
    with pytest.raises(ValueError, match="has no class names"):
        data.class_names(tmp_path / "unlabelled.npz")


@pytest.mark.parametrize("arrays, message", [
    ({"pixels": np.zeros((2, 3, 3), np.uint8)},
     r"expected the images under 'x', 'images' or 'x_train', got keys "
     r"\['pixels'\]\."),
    ({"x": np.zeros((2, 3, 3), np.uint8), "y": np.array([0, 1, 2])},
     "expected one label per image, got 2 images and 3 labels"),
    ({"x": np.zeros((2, 3, 3), np.uint8), "y": np.array([0.5, 1])},
     r"\(y\): expected integer labels of shape \(N,\), got float64"),
    ({"x": np.zeros((2, 3, 3), np.uint8), "y": np.array([0, -1])},
     r"\(y\): expected labels >= 0, got -1\."),
])
def test_bad_npz_is_refused(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        data.load_images(tmp_path / "bad.npz")


def test_unreadable_array_files(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"junk.npz: not a readable \.npz"):
        data.load_images(tmp_path / "junk.npz")
    np.save(tmp_path / "one.npz", np.zeros((1, 2, 2), np.uint8))
    os.replace(tmp_path / "one.npz.npy", tmp_path / "one.npz")
    with pytest.raises(ValueError, match="not an .npz archive"):
        data.load_images(tmp_path / "one.npz")


def test_read_array_file_keeps_pixels_and_names_classes(tmp_path):
    pixels = ramp(2 * 3 * 4, 1).reshape(2, 3, 4)
    np.savez(tmp_path / "set.npz", x=pixels, y=np.array([1, 0], np.uint8),
             class_names=np.array(["cat", "dog"]))
    images, labels, where = array_files.read_array_file(tmp_path / "set.npz")
    assert images.dtype == np.uint8 and images.shape == (2, 3, 4, 1)
    np.testing.assert_array_equal(images[..., 0], pixels)
    assert labels.dtype == np.int64 and labels.tolist() == [1, 0]
    assert where == str(tmp_path / "set.npz")
    assert array_files.npz_class_names(tmp_path / "set.npz") == ("cat",
                                                                  "dog")
    np.savez(tmp_path / "bare.npz", x=pixels)
    assert array_files.npz_class_names(tmp_path / "bare.npz") is None
    np.save(tmp_path / "bare.npy", pixels)
    assert array_files.read_array_file(tmp_path / "bare.npy")[1] is None
