"""Tests for keras_wgan.data.mnist_sources: each source of MNIST and
Fashion-MNIST (the embedded copy, tensorflow-datasets, the keras.datasets
cache, the system folder, a download) and their order."""

import dataclasses
import gzip
import hashlib
import importlib.resources
import logging
import re

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import keras_folders
from keras_wgan.data import mnist_sources
from tests.data.image_samples import scaled
from tests.data.mnist_samples import EMBEDDED
from tests.data.mnist_samples import NO_TFDS
from tests.data.mnist_samples import FakeSource
from tests.data.mnist_samples import digits
from tests.data.mnist_samples import fake_load_data
from tests.data.mnist_samples import idx_folder
from tests.data.mnist_samples import keras_npz
from tests.data.mnist_samples import mnist_arrays
from tests.data.mnist_samples import mock_tfds
from tests.data.mnist_samples import prepared_tfds_dir

pytestmark = pytest.mark.backend_independent


# The embedded MNIST files: SHA256 of the gzipped files as in
# keras_wgan/resources/mnist/README.md (as published with tensorflow-datasets'
# checksums, except the recompressed train images), and the SHA256 of the
# uncompressed train images, as published.
EMBEDDED_SHA256 = {
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    "train-images-idx3-ubyte.gz":
        "db8f937d487057fb14a9f0fbe97f0bc8d311ab41b750d41e1ff37c43b9e55e19",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
}


TRAIN_IMAGES_RAW_SHA256 = (
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")


def _readme_table():
    """`{file: (bytes, sha256)}` from keras_wgan/resources/mnist/README.md."""
    folder = importlib.resources.files("keras_wgan") / "resources" / "mnist"
    rows = re.findall(r"^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$",
                      (folder / "README.md").read_text(), re.MULTILINE)
    return {name: (int(size.replace(",", "")), digest)
            for name, size, digest in rows}


def test_embedded_files_are_the_official_ones():
    folder = importlib.resources.files("keras_wgan") / "resources" / "mnist"
    table = _readme_table()
    assert {name: digest for name, (_, digest) in table.items()} == (
        EMBEDDED_SHA256)
    for name, (size, digest) in table.items():
        content = (folder / name).read_bytes()
        assert len(content) == size, name
        assert hashlib.sha256(content).hexdigest() == digest, name
    # The train images are recompressed: their content is the published one.
    images = gzip.decompress(
        (folder / "train-images-idx3-ubyte.gz").read_bytes())
    assert hashlib.sha256(images).hexdigest() == TRAIN_IMAGES_RAW_SHA256
    readme = (folder / "README.md").read_text()
    assert TRAIN_IMAGES_RAW_SHA256 in readme


def test_tfds_source(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = digits(5)
    source = FakeSource(images, labels)
    root = prepared_tfds_dir(tfds, tmp_path, "array_record")

    with mock_tfds(tfds, root, source):
        loaded, loaded_labels = data.load_mnist("train", return_labels=True)

    np.testing.assert_array_equal(loaded[..., 0], scaled(images))
    assert loaded.dtype == np.float32 and loaded.shape == (5, 28, 28, 1)
    np.testing.assert_array_equal(loaded_labels, labels)
    assert loaded_labels.dtype == np.int64
    assert source.batched_reads == 1
    assert log.messages == [
        "MNIST 'train' from tensorflow-datasets in "
        f"{root / 'mnist' / '3.0.1'} (5 images)"
    ]


def test_tfds_source_without_batched_reads(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = digits(3)
    source = [{"image": image[..., None], "label": label}
              for image, label in zip(images, labels)]
    root = prepared_tfds_dir(tfds, tmp_path, "array_record")
    with mock_tfds(tfds, root, source):
        loaded = data.load_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))


def test_bad_tfds_examples_are_not_hidden(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    source = [{"image": np.zeros((32, 32, 3), np.uint8), "label": 0}]
    root = prepared_tfds_dir(tfds, tmp_path, "array_record")
    with mock_tfds(tfds, root, source):
        expected = r"shape \(28, 28, 1\), got shape \(32, 32, 3\)"
        with pytest.raises(ValueError, match=expected):
            data.load_mnist("train")


def test_tfds_not_prepared_falls_back(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    with mock_tfds(tfds, tmp_path, source=None):
        images = data.load_mnist("test")
    assert images.shape == (10000, 28, 28, 1)
    [message] = log.messages
    assert message.startswith(f"MNIST 'test' from {EMBEDDED} (10000 images; "
                              "tensorflow-datasets unavailable: 'mnist' is "
                              f"not prepared in {tmp_path}; ")


def test_tfds_without_random_access_falls_back(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    root = prepared_tfds_dir(tfds, tmp_path, "tfrecord")
    with mock_tfds(tfds, root, source=None):
        data.load_mnist("test")
    [message] = log.messages
    assert f"from {EMBEDDED}" in message
    assert "as tfrecord, which has no random access" in message


@pytest.mark.parametrize("split", ["train", "test"])
def test_keras_cache(no_tfds, log, keras_home, split):
    arrays = mnist_arrays()
    path = keras_npz(keras_home, **arrays)

    images, labels = data.load_mnist(split, return_labels=True)

    np.testing.assert_array_equal(images[..., 0],
                                  scaled(arrays[f"x_{split}"]))
    assert images.dtype == np.float32
    np.testing.assert_array_equal(labels, arrays[f"y_{split}"])
    assert labels.dtype == np.int64  # uint8 in keras' file
    [message] = log.messages
    assert message.startswith(
        f"MNIST {split!r} from the keras.datasets cache {path} "
        f"({len(images)} images; {NO_TFDS} (")
    assert "\n" not in message


def test_keras_cache_follows_keras_home(no_tfds, monkeypatch, tmp_path):
    # Without KERAS_HOME, Keras caches in ~/.keras/datasets.
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / ".keras").mkdir(parents=True)
    arrays = mnist_arrays(test_count=4)
    path = keras_npz(tmp_path / "home" / ".keras", **arrays)
    assert keras_folders.keras_datasets_dir() == path.parent
    assert len(data.load_mnist("test")) == 4


@pytest.mark.parametrize("content", [
    b"not an archive",
    b"PK\x03\x04 cut off",
    "one array",
    "missing keys",
], ids=["garbage", "truncated", "npy", "keys"])
def test_corrupt_keras_cache_names_the_file(no_tfds, log, keras_home,
                                            content):
    path = keras_home / "datasets" / "mnist.npz"
    path.parent.mkdir()
    if content == "one array":
        with open(path, "wb") as f:
            np.save(f, np.zeros(3, np.uint8))
    elif content == "missing keys":
        np.savez(path, x_test=np.zeros((1, 28, 28), np.uint8))
    else:
        path.write_bytes(content)

    with pytest.raises(ValueError) as err:
        data.load_mnist("test")
    message = str(err.value)
    assert message.startswith(
        f"{path}: not a readable keras.datasets MNIST file (")
    assert message.endswith(
        "delete it (keras.datasets.mnist.load_data() downloads it again).")
    assert "\n" not in message
    # Not hidden by a fallback to the embedded copy.
    assert log.messages == []


def test_keras_cache_arrays_are_checked(no_tfds, keras_home):
    arrays = mnist_arrays()
    arrays["x_test"] = arrays["x_test"].astype(np.float32)
    path = keras_npz(keras_home, **arrays)
    expected = (re.escape(f"{path} (x_test, y_test): expected uint8 images, "
                          "got dtype float32"))
    with pytest.raises(ValueError, match=expected):
        data.load_mnist("test")
    arrays = mnist_arrays()
    arrays["y_train"][0] = 10
    keras_npz(keras_home, **arrays)
    with pytest.raises(ValueError, match=r"labels in 0\.\.9, got values"):
        data.load_mnist("train")


def test_sources_are_tried_in_order(no_tfds, monkeypatch, system_dir):
    # Every source unavailable: the error lists why, in the order tried,
    # after data_dir (the only source when given) and before a download.
    monkeypatch.setattr(mnist_sources, "MNIST", dataclasses.replace(
        mnist_sources.MNIST, embedded_dir="missing"))
    tried = re.compile(r"(?:\(|; )([a-z. -]+) unavailable:")
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist("test")
    assert tried.findall(str(err.value)) == [
        "tensorflow-datasets", "keras.datasets cache", "embedded copy"]
    with pytest.raises(FileNotFoundError) as err:
        data.load_fashion_mnist("test")
    assert tried.findall(str(err.value)) == [
        "tensorflow-datasets", "keras.datasets cache", "system folder"]


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashion_system_folder(no_tfds, log, system_dir, keras_home,
                               split):
    images, labels = digits(5)
    system_dir.mkdir()
    # Both splits there, as the Debian package installs them.
    idx_folder(system_dir, "train", images, labels, compress=True)
    idx_folder(system_dir, "test", 255 - images, labels, compress=True)
    loaded, loaded_labels = data.load_fashion_mnist(split,
                                                    return_labels=True)
    expected = images if split == "train" else 255 - images
    np.testing.assert_array_equal(loaded[..., 0], scaled(expected))
    np.testing.assert_array_equal(loaded_labels, labels)
    [record] = log.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith(
        f"Fashion-MNIST {split!r} from IDX files in {system_dir} (5 images; "
        f"{NO_TFDS} (")
    assert message.endswith(" in {})".format(
        keras_home / "datasets" / "fashion-mnist"))


def _fashion_keras_cache(keras_home, images, labels):
    """Writes keras.datasets' Fashion-MNIST folder, test = 255 - train."""
    folder = keras_home / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    idx_folder(folder, "train", images, labels, compress=True)
    idx_folder(folder, "test", 255 - images, labels, compress=True)
    return folder


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashion_keras_cache(no_tfds, log, system_dir, keras_home, split):
    images, labels = digits(5)
    folder = _fashion_keras_cache(keras_home, images, labels)
    # The keras.datasets cache comes before the system folder.
    system_dir.mkdir()
    idx_folder(system_dir, split, images[:2], labels[:2], compress=True)

    loaded, loaded_labels = data.load_fashion_mnist(split,
                                                    return_labels=True)

    expected = images if split == "train" else 255 - images
    np.testing.assert_array_equal(loaded[..., 0], scaled(expected))
    np.testing.assert_array_equal(loaded_labels, labels)
    [message] = log.messages
    assert message.startswith(
        f"Fashion-MNIST {split!r} from the keras.datasets cache {folder} "
        f"(5 images; {NO_TFDS} (")


def test_fashion_corrupt_keras_cache_names_the_file(no_tfds, system_dir,
                                                    keras_home):
    images, labels = digits(2)
    folder = _fashion_keras_cache(keras_home, images, labels)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match=re.escape(f"{path}: ")) as err:
        data.load_fashion_mnist("test")
    assert "\n" not in str(err.value)


def test_fashion_download_through_keras(no_tfds, log, monkeypatch,
                                        system_dir):
    arrays, calls = mnist_arrays(4, 3), []
    monkeypatch.setattr("keras.datasets.fashion_mnist.load_data",
                        fake_load_data(arrays, calls))
    loaded = data.load_fashion_mnist("test", download=True)
    assert calls == [1]
    np.testing.assert_array_equal(loaded[..., 0], scaled(arrays["x_test"]))
    [message] = log.messages
    assert message.startswith(
        "Fashion-MNIST 'test' from a download by "
        f"keras.datasets.fashion_mnist.load_data() (3 images; {NO_TFDS} (")
    assert f"system folder unavailable: no folder {system_dir})" in message


def test_fashion_tfds_source(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = digits(4)
    root = prepared_tfds_dir(tfds, tmp_path, "array_record",
                              name="fashion_mnist")
    with mock_tfds(tfds, root, FakeSource(images, labels)):
        loaded = data.load_fashion_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))
    [message] = log.messages
    assert message.startswith("Fashion-MNIST 'train' from "
                              "tensorflow-datasets in ")
    assert "fashion_mnist" in message
