"""Tests for keras_wgan.data.images: `load_images` from folders, array
files, dataset names and tensorflow-datasets, and `class_names`."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PIL import ImageOps

from keras_wgan import data
from keras_wgan.data import images as images_module

pytestmark = pytest.mark.backend_independent


def _scaled(pixels):
    return np.asarray(pixels, np.float32) / 127.5 - 1


def _save(path, pixels, mode=None):
    """Writes uint8 `pixels` (H, W) or (H, W, 3) as an image file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8), mode).save(path)
    return path


def _grey(value, height=5, width=4):
    return np.full((height, width), value, np.uint8)


def _ramp(height, width, channels=None, start=0):
    """uint8 pixels with many different values."""
    shape = (height, width) + ((channels,) if channels else ())
    return ((np.arange(np.prod(shape)) * 7 + start) % 256).astype(
        np.uint8).reshape(shape)


def _cache_files(keras_home):
    return sorted((keras_home / "keras_wgan" / "images").glob("*.npz"))


# --- Folders -------------------------------------------------------------


def test_flat_grey_folder(tmp_path, log, keras_home):
    folder = tmp_path / "faces"
    pixels = [_ramp(5, 4, start=start) for start in (0, 1, 2)]
    for name, image in zip(["b.png", "a.png", "c.bmp"], pixels):
        _save(folder / name, image)
    (folder / "notes.txt").write_text("not an image")
    (folder / ".hidden.png").write_bytes(b"ignored")

    images = data.load_images(folder)

    # Sorted by name: a.png, b.png, c.bmp.
    np.testing.assert_array_equal(
        images[..., 0], _scaled([pixels[1], pixels[0], pixels[2]]))
    assert images.dtype == np.float32 and images.shape == (3, 5, 4, 1)
    [cache] = _cache_files(keras_home)
    assert cache.name.startswith("faces-")
    assert log.messages == [
        f"images from {folder} (now cached in {cache}) (3 images)"]


def test_return_labels_without_classes_is_refused(tmp_path, keras_home):
    folder = tmp_path / "flat"
    _save(folder / "a.png", _grey(0))
    with pytest.raises(ValueError, match=(
            "^return_labels must be False for source .*flat', which has no "
            r"labels; got True\.$")):
        data.load_images(folder, return_labels=True)
    assert _cache_files(keras_home) == []  # nothing written
    with pytest.raises(ValueError, match="has no class subfolders"):
        data.class_names(folder)


def test_class_folders_give_labels_and_colour(tmp_path):
    folder = tmp_path / "pets"
    red = np.zeros((6, 6, 3), np.uint8)
    red[..., 0] = 200
    _save(folder / "dogs" / "x.png", _grey(30, 6, 6))
    _save(folder / "cats" / "a.png", red)
    _save(folder / "cats" / "deeper" / "b.jpg", _grey(250, 6, 6))
    (folder / "empty").mkdir()

    images, labels = data.load_images(folder, return_labels=True)

    # One colour image makes the folder RGB; classes in alphabetical order,
    # an empty class folder kept as a class, as keras does.
    assert data.class_names(folder) == ("cats", "dogs", "empty")
    np.testing.assert_array_equal(labels, [0, 0, 1])
    assert labels.dtype == np.int64
    assert images.shape == (3, 6, 6, 3)
    np.testing.assert_array_equal(images[0, 0, 0], _scaled([200, 0, 0]))
    np.testing.assert_array_equal(images[2], _scaled(np.full((6, 6, 3), 30)))
    # JPEG is lossy: near 250 on every channel.
    np.testing.assert_allclose(images[1], _scaled(250), atol=0.05)


def test_channels_convert_as_pillow(tmp_path):
    folder = tmp_path / "mixed"
    colour = _ramp(4, 4, channels=3)
    _save(folder / "a.png", colour)
    _save(folder / "b.png", _grey(77, 4, 4))

    grey = data.load_images(folder, channels=1)

    expected = np.asarray(Image.fromarray(colour).convert("L"))
    np.testing.assert_array_equal(grey[0, ..., 0], _scaled(expected))
    np.testing.assert_array_equal(grey[1, ..., 0], _scaled(_grey(77, 4, 4)))
    rgb = data.load_images(folder, channels=3)
    np.testing.assert_array_equal(rgb[1], _scaled(np.full((4, 4, 3), 77)))


def test_differing_sizes_need_image_size(tmp_path, keras_home):
    folder = tmp_path / "sizes"
    wide = np.zeros((4, 8), np.uint8)
    wide[:, 4:] = 255  # left half black, right half white
    _save(folder / "a.png", _grey(10, 4, 4))
    _save(folder / "b.png", wide)

    with pytest.raises(ValueError, match=(
            rf"^images differ in size: {folder / 'a.png'} is 4x4 but "
            rf"{folder / 'b.png'} is 8x4 \(width x height\); pass "
            "image_size=")):
        data.load_images(folder)
    assert _cache_files(keras_home) == []

    images = data.load_images(folder, image_size=4)
    # The wide image: already 4 high, so only its centre 4 columns remain.
    np.testing.assert_array_equal(images[1, 0, :, 0], [-1, -1, 1, 1])
    bigger = data.load_images(folder, image_size=8)
    assert bigger.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(bigger[0], _scaled(10), atol=1e-6)


def test_image_size_scales_then_crops_as_pillow(tmp_path):
    folder = tmp_path / "photos"
    pixels = _ramp(30, 20, channels=3)
    _save(folder / "a.png", pixels)
    images = data.load_images(folder, image_size=8)
    expected = ImageOps.fit(Image.fromarray(pixels), (8, 8),
                            method=Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(images[0], _scaled(np.asarray(expected)))


@pytest.mark.parametrize("payload", [b"not an image", "truncated"])
def test_corrupt_file_is_named(tmp_path, keras_home, payload):
    folder = tmp_path / "broken"
    _save(folder / "a.png", _grey(0, 16, 16))
    bad = _save(folder / "b.png", _ramp(16, 16))
    if payload == "truncated":
        payload = bad.read_bytes()[:60]
    bad.write_bytes(payload)
    for channels in (None, 1):  # with and without the header pass
        with pytest.raises(ValueError, match=(
                rf"^{bad}: not a readable image file \(.*\)\.$")):
            data.load_images(folder, channels=channels)
    assert _cache_files(keras_home) == []


def test_mixed_layout_and_empty_folder(tmp_path):
    folder = tmp_path / "mixed"
    _save(folder / "top.png", _grey(0))
    _save(folder / "class" / "a.png", _grey(0))
    with pytest.raises(ValueError, match=(
            "has image files both in it .*top.png.* and in subfolders "
            r"\(such as class/\)")):
        data.load_images(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="has no image files"):
        data.load_images(empty)


def test_cache_hit_and_invalidation(tmp_path, monkeypatch, log, keras_home):
    folder = tmp_path / "cached"
    _save(folder / "one" / "a.png", _grey(10))
    _save(folder / "two" / "b.png", _grey(20))
    first, labels = data.load_images(folder, return_labels=True)
    [cache] = _cache_files(keras_home)

    real_read = images_module._read_image_files

    def no_read(*args):
        raise AssertionError("read the files again")

    monkeypatch.setattr(images_module, "_read_image_files", no_read)
    again, again_labels = data.load_images(folder, return_labels=True)
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(again_labels, labels)
    assert log.messages[-1] == (f"images from {folder} (cached in {cache}) "
                                "(2 images)")

    # A changed file (other size and time) is read again; the old cache of
    # the folder goes.
    monkeypatch.setattr(images_module, "_read_image_files", real_read)
    _save(folder / "two" / "b.png", _ramp(5, 4))
    os.utime(folder / "two" / "b.png", ns=(1, 1))
    changed = data.load_images(folder)
    np.testing.assert_array_equal(changed[1, ..., 0], _scaled(_ramp(5, 4)))
    [new_cache] = _cache_files(keras_home)
    assert new_cache != cache
    # Other settings are cached apart; the folder's latest cache is kept.
    data.load_images(folder, image_size=2)
    assert len(_cache_files(keras_home)) == 1


def test_cache_dir_and_damaged_cache(tmp_path):
    folder = tmp_path / "pictures"
    _save(folder / "a.png", _grey(40))
    cache_dir = tmp_path / "my_cache"
    data.load_images(folder, cache_dir=cache_dir)
    [cache] = cache_dir.glob("*.npz")
    cache.write_bytes(b"damaged")
    images = data.load_images(folder, cache_dir=cache_dir)
    np.testing.assert_array_equal(images[0, ..., 0], _scaled(_grey(40)))
    with np.load(cache) as npz:  # written again
        np.testing.assert_array_equal(npz["images"][0, ..., 0], _grey(40))


def test_progress_bar_for_large_folders(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "many"
    for index in range(3):
        _save(folder / f"{index}.png", _grey(index))
    monkeypatch.setattr(images_module, "_PROGRESS_MIN", 2)
    data.load_images(folder, verbose=False)
    assert capsys.readouterr().out == ""
    data.load_images(folder, cache_dir=tmp_path / "other")
    assert "3/3" in capsys.readouterr().out


# --- Array files ---------------------------------------------------------


def test_npy_uint8_and_float(tmp_path, log):
    pixels = _ramp(6, 5).reshape(2, 3, 5)
    np.save(tmp_path / "grey.npy", pixels)
    images = data.load_images(tmp_path / "grey.npy")
    np.testing.assert_array_equal(images, _scaled(pixels)[..., None])
    assert log.messages == [f"images from {tmp_path / 'grey.npy'} (2 images)"]

    floats = np.linspace(-1, 1, 2 * 3 * 3 * 3).reshape(2, 3, 3, 3)
    np.save(tmp_path / "floats.npy", floats)
    loaded = data.load_images(str(tmp_path / "floats.npy"))
    assert loaded.dtype == np.float32
    np.testing.assert_allclose(loaded, floats, rtol=1e-6)
    grey = data.load_images(tmp_path / "floats.npy", channels=1)
    np.testing.assert_allclose(
        grey[..., 0], floats @ [0.299, 0.587, 0.114], rtol=1e-5)


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
    x = _ramp(4 * 3 * 3, 1).reshape(4, 3, 3)
    np.savez(tmp_path / "plain.npz", images=x, labels=np.array([3, 0, 1, 3]),
             class_names=np.array(["a", "b", "c", "d"]))
    images, labels = data.load_images(tmp_path / "plain.npz",
                                      return_labels=True)
    np.testing.assert_array_equal(images[..., 0], _scaled(x))
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
    np.testing.assert_array_equal(test[..., 0], _scaled(255 - x[:2]))
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


def test_arrays_resized_and_converted_as_pillow(tmp_path):
    pixels = _ramp(10, 6, channels=3)[np.newaxis]
    np.save(tmp_path / "rgb.npy", pixels)
    images = data.load_images(tmp_path / "rgb.npy", image_size=4, channels=1)
    expected = ImageOps.fit(Image.fromarray(pixels[0]).convert("L"), (4, 4),
                            method=Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(images[0, ..., 0],
                                  _scaled(np.asarray(expected)))


# --- Arguments -----------------------------------------------------------


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
    _save(tmp_path / "a.png", _grey(0))
    with pytest.raises(ValueError, match="must be a folder or an .npy/.npz"):
        data.load_images(tmp_path / "a.png")


# --- Named datasets ------------------------------------------------------


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
                                  "cifar10", "cifar100"}
    # The command line trains on the 28x28 grey datasets only, so far.
    assert data.IMAGE_DATASETS == {"mnist": data.load_mnist,
                                   "fashion_mnist": data.load_fashion_mnist}
    names = data.class_names("cifar100")
    assert len(names) == 100 == len(set(names)) and list(names) == sorted(
        names)


# --- tensorflow-datasets -------------------------------------------------


def _prepared_tfds_dir(tfds, root, name):
    """A tfds data folder where `name` counts as prepared (metadata only)."""
    builder = tfds.builder(name, data_dir=root / "unused",
                           file_format="array_record")
    variant = root / name / str(builder.version)
    variant.mkdir(parents=True)
    builder.info.write_to_directory(variant)
    return variant


def _mock_tfds(tfds, data_dir, examples):
    return tfds.testing.mock_data(
        data_dir=str(data_dir),
        as_data_source_fn=lambda builder, split, **kwargs: examples,
    )


def test_tfds_images_and_labels(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    variant = _prepared_tfds_dir(tfds, tmp_path, "cifar10")
    pixels = _ramp(3 * 32 * 32, 3).reshape(3, 32, 32, 3)
    examples = [{"image": image, "label": np.int64(label), "id": "x"}
                for image, label in zip(pixels, [4, 0, 9])]
    with _mock_tfds(tfds, tmp_path, examples):
        images, labels = data.load_images("tfds:cifar10", return_labels=True)
        names = data.class_names("tfds:cifar10")
        small = data.load_images("tfds:cifar10", image_size=8, channels=1)
    np.testing.assert_array_equal(images, _scaled(pixels))
    np.testing.assert_array_equal(labels, [4, 0, 9])
    assert labels.dtype == np.int64
    assert len(names) == 10
    assert small.shape == (3, 8, 8, 1)
    assert log.messages[0] == (
        f"images from tensorflow-datasets 'cifar10' split 'train' in "
        f"{variant} (3 images)")


def test_tfds_without_labels_and_differing_sizes(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    _prepared_tfds_dir(tfds, tmp_path, "celeb_a")
    examples = [{"image": _ramp(20, 16, 3)}, {"image": _ramp(22, 16, 3)}]
    with _mock_tfds(tfds, tmp_path, examples):
        with pytest.raises(ValueError, match="return_labels must be False"):
            data.load_images("tfds:celeb_a", return_labels=True)
        with pytest.raises(ValueError, match=(
                r"example 0 has shape \(20, 16, 3\) but example 1 has "
                r"\(22, 16, 3\); pass image_size=")):
            data.load_images("tfds:celeb_a")
        images = data.load_images("tfds:celeb_a", image_size=8)
    assert images.shape == (2, 8, 8, 3)


def test_tfds_unprepared_and_unknown(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    with _mock_tfds(tfds, tmp_path, None):
        with pytest.raises(FileNotFoundError, match=(
                r"^source 'tfds:svhn_cropped' is not available here "
                r"\('svhn_cropped' is not prepared in .*\); prepare it where "
                "it can be downloaded")):
            data.load_images("tfds:svhn_cropped")
        with pytest.raises(ValueError, match=(
                "^source 'tfds:no_such_set': tensorflow-datasets knows no "
                "dataset 'no_such_set'")):
            data.load_images("tfds:no_such_set")


@pytest.mark.backends("torch", reason="runs the same in a fresh process")
def test_tfds_needs_no_tensorflow(tmp_path):
    """A prepared tfds dataset loads where TensorFlow cannot be imported."""
    pytest.importorskip("tensorflow_datasets")
    script = f"""
import sys
import numpy as np
import tensorflow_datasets as tfds
from keras_wgan import data
from tests.data.test_images import _mock_tfds, _prepared_tfds_dir
root = __import__("pathlib").Path({str(tmp_path)!r})
_prepared_tfds_dir(tfds, root, "cifar10")
examples = [{{"image": np.zeros((32, 32, 3), np.uint8), "label": 1}}]
with _mock_tfds(tfds, root, examples):
    images, labels = data.load_images("tfds:cifar10", return_labels=True)
print(images.shape, labels, "tensorflow" in sys.modules)
"""
    # A package of that name first on the path, which fails to import.
    hidden = tmp_path / "hidden" / "tensorflow"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ImportError('TensorFlow is hidden by the test')\n")
    path = [str(hidden.parent), str(pathlib.Path(__file__).parents[2])]
    env = {**os.environ, "KERAS_BACKEND": "torch",
           "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("(1, 32, 32, 3) [1] False")
