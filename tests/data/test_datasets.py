"""Tests for keras_wgan.data.datasets: the MNIST and Fashion-MNIST sources,
the log line of each load (the IDX reader itself: test_idx.py)."""

import dataclasses
import gzip
import hashlib
import importlib.resources
import logging
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import datasets
from tests.helpers import idx_bytes as _idx_bytes
from tests.helpers import idx_digits as _digits
from tests.helpers import write_file as _write

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
# Digits per class in each split.
TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851,
                      5949]
TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

EMBEDDED = "the copy embedded in keras_wgan"

NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@pytest.fixture
def no_tfds(monkeypatch):
    """Makes `import tensorflow_datasets` fail, leaving the other sources."""
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)


@pytest.fixture
def system_dir(monkeypatch, tmp_path):
    """Points Fashion-MNIST's system folder at an empty temporary one."""
    folder = tmp_path / "system"
    monkeypatch.setattr(datasets, "_FASHION_MNIST", dataclasses.replace(
        datasets._FASHION_MNIST, system_dir=str(folder)))
    return folder


NO_TFDS = "tensorflow-datasets unavailable: cannot import tensorflow_datasets"


def _no_keras_cache(keras_home):
    """The log line's reason when keras.datasets has no MNIST file."""
    return ("keras.datasets cache unavailable: no file "
            f"{keras_home / 'datasets' / 'mnist.npz'}")


def _scaled(images):
    """The expected float32 scaling, x / 127.5 - 1."""
    return images.astype(np.float32) / np.float32(127.5) - np.float32(1)


def _idx_folder(folder, split, images, labels, compress):
    image_name, label_name = NAMES[split]
    suffix = ".gz" if compress else ""
    _write(folder / (image_name + suffix), _idx_bytes(images), compress)
    _write(folder / (label_name + suffix), _idx_bytes(labels), compress)
    return folder


# --- IDX files in data_dir ---------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_idx_folder_round_trip(tmp_path, log, split, compress):
    images, labels = _digits(7)
    _idx_folder(tmp_path, split, images, labels, compress)

    loaded, loaded_labels = data.load_mnist(
        split, data_dir=tmp_path, return_labels=True
    )

    assert loaded.shape == (7, 28, 28, 1)
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))
    # The end points are exact, so a tanh generator's range matches.
    assert loaded[images == 0].min() == loaded[images == 0].max() == -1.0
    assert loaded[images == 255].min() == loaded[images == 255].max() == 1.0
    assert loaded_labels.dtype == np.int64
    np.testing.assert_array_equal(loaded_labels, labels)
    assert log.messages == [
        f"MNIST {split!r} from IDX files in {tmp_path} (7 images)"
    ]


def test_gzip_is_detected_by_content_not_name(tmp_path):
    images, labels = _digits(3)
    # Gzipped data under the raw names.
    _write(tmp_path / NAMES["test"][0], _idx_bytes(images), compress=True)
    _write(tmp_path / NAMES["test"][1], _idx_bytes(labels), compress=True)
    loaded = data.load_mnist("test", data_dir=str(tmp_path))
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))


def test_uncompressed_file_wins_over_gzip(tmp_path):
    images, labels = _digits(2)
    _idx_folder(tmp_path, "test", images, labels, compress=False)
    _idx_folder(tmp_path, "test", 255 - images, labels, compress=True)
    loaded = data.load_mnist("test", data_dir=tmp_path)
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))


def test_images_must_be_28_by_28(tmp_path):
    images, labels = _digits(2)
    _idx_folder(tmp_path, "test", images[:, :, :27], labels, compress=False)
    expected = r"shape \(N, 28, 28\), got \(2, 28, 27\)"
    with pytest.raises(ValueError, match=expected):
        data.load_mnist("test", data_dir=tmp_path)


def test_label_file_must_be_one_dimensional(tmp_path):
    images, labels = _digits(2)
    _idx_folder(tmp_path, "test", images, labels[:, None], compress=False)
    with pytest.raises(ValueError, match=r"labels of shape \(N,\)"):
        data.load_mnist("test", data_dir=tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = _digits(3)
    _idx_folder(tmp_path, "test", images, labels[:2], compress=False)
    with pytest.raises(ValueError, match=r"got 3 images and 2 labels") as err:
        data.load_mnist("test", data_dir=tmp_path)
    assert NAMES["test"][0] in str(err.value)
    assert NAMES["test"][1] in str(err.value)


def test_labels_must_be_digits(tmp_path):
    images, labels = _digits(3)
    labels[1] = 10
    _idx_folder(tmp_path, "test", images, labels, compress=False)
    expected = r"labels in 0\.\.9, got values from 0 to 10"
    with pytest.raises(ValueError, match=expected):
        data.load_mnist("test", data_dir=tmp_path)


def test_missing_data_dir(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist(data_dir=missing)
    message = str(err.value)
    assert "data_dir=" in message and str(missing) in message
    assert "train-images-idx3-ubyte" in message
    assert "\n" not in message


def test_missing_idx_file(tmp_path):
    images, labels = _digits(2)
    _idx_folder(tmp_path, "test", images, labels, compress=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist("test", data_dir=tmp_path)
    message = str(err.value)
    assert f"data_dir={str(tmp_path)!r}" in message
    assert str(tmp_path / "t10k-labels-idx1-ubyte") in message
    # No fallback to another source with data_dir: the train files are
    # asked for even though the embedded copy has them.
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte"):
        data.load_mnist("train", data_dir=tmp_path)


@pytest.mark.parametrize("split", ["val", "TRAIN", None])
def test_bad_split(split):
    expected = r"split must be one of \('train', 'test'\), got"
    with pytest.raises(ValueError, match=expected):
        data.load_mnist(split)


def test_download_with_data_dir_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"download must be False when"):
        data.load_mnist(data_dir=tmp_path, download=True)


# --- The embedded copy: both splits -----------------------------------------


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


def test_embedded_train_split(no_tfds, log, keras_home):
    images, labels = data.load_mnist("train", return_labels=True)

    assert images.shape == (60000, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    # The pixel mean of the train images on the 0..255 scale.
    assert round(float(np.mean((images + 1) * 127.5, dtype=np.float64)),
                 3) == 33.318
    assert labels.dtype == np.int64
    assert np.bincount(labels).tolist() == TRAIN_CLASS_COUNTS
    assert labels[:5].tolist() == [5, 0, 4, 1, 9]
    [record] = log.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith(
        f"MNIST 'train' from {EMBEDDED} (60000 images; {NO_TFDS} (")
    assert message.endswith(f"; {_no_keras_cache(keras_home)})")


def test_embedded_test_split(no_tfds, log, keras_home):
    images, labels = data.load_mnist("test", return_labels=True)

    assert images.shape == (10000, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.dtype == np.int64
    assert np.bincount(labels).tolist() == TEST_CLASS_COUNTS
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    [record] = log.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith(
        f"MNIST 'test' from {EMBEDDED} (10000 images; {NO_TFDS}")
    assert message.endswith(f"; {_no_keras_cache(keras_home)})")
    assert "\n" not in message


def test_without_the_embedded_copy_mnist_says_how_to_get_it(
        no_tfds, log, monkeypatch):
    # As a copy of the package without its resources would be.
    monkeypatch.setattr(datasets, "_MNIST", dataclasses.replace(
        datasets._MNIST, embedded_dir="missing"))
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist("train")
    message = str(err.value)
    assert message.startswith("MNIST 'train' is not available here (")
    assert ("embedded copy unavailable: no train-images-idx3-ubyte.gz in "
            "keras_wgan/resources/missing") in message
    assert "data_dir=" in message and "download=True" in message
    assert "\n" not in message
    assert log.messages == []


# --- tensorflow-datasets -----------------------------------------------------


class _FakeSource:
    """A tfds-like data source of known examples that counts its reads."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels
        self.batched_reads = 0

    def __len__(self):
        return len(self.images)

    def __getitem__(self, key):
        return {"image": self.images[key][..., None],
                "label": np.int64(self.labels[key])}

    def __getitems__(self, keys):
        self.batched_reads += 1
        return [self[key] for key in keys]


def _prepared_tfds_dir(tfds, root, file_format, name="mnist"):
    """A tfds data folder where `name` counts as prepared (metadata only)."""
    # A data_dir of its own, so a copy prepared on this machine is not seen.
    builder = tfds.builder(
        name, data_dir=root / "unused", file_format=file_format
    )
    variant = root / name / str(builder.version)
    variant.mkdir(parents=True)
    builder.info.write_to_directory(variant)
    return root


def _mock_tfds(tfds, data_dir, source):
    def as_data_source(builder, split, **kwargs):
        assert split == "train"
        return source

    return tfds.testing.mock_data(
        data_dir=str(data_dir), as_data_source_fn=as_data_source
    )


def test_tfds_source(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = _digits(5)
    source = _FakeSource(images, labels)
    root = _prepared_tfds_dir(tfds, tmp_path, "array_record")

    with _mock_tfds(tfds, root, source):
        loaded, loaded_labels = data.load_mnist("train", return_labels=True)

    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))
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
    images, labels = _digits(3)
    source = [{"image": image[..., None], "label": label}
              for image, label in zip(images, labels)]
    root = _prepared_tfds_dir(tfds, tmp_path, "array_record")
    with _mock_tfds(tfds, root, source):
        loaded = data.load_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))


def test_bad_tfds_examples_are_not_hidden(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    source = [{"image": np.zeros((32, 32, 3), np.uint8), "label": 0}]
    root = _prepared_tfds_dir(tfds, tmp_path, "array_record")
    with _mock_tfds(tfds, root, source):
        expected = r"shape \(28, 28, 1\), got shapes \[\(32, 32, 3\)\]"
        with pytest.raises(ValueError, match=expected):
            data.load_mnist("train")


def test_tfds_not_prepared_falls_back(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    with _mock_tfds(tfds, tmp_path, source=None):
        images = data.load_mnist("test")
    assert images.shape == (10000, 28, 28, 1)
    [message] = log.messages
    assert message.startswith(f"MNIST 'test' from {EMBEDDED} (10000 images; "
                              "tensorflow-datasets unavailable: 'mnist' is "
                              f"not prepared in {tmp_path}; ")


def test_tfds_without_random_access_falls_back(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    root = _prepared_tfds_dir(tfds, tmp_path, "tfrecord")
    with _mock_tfds(tfds, root, source=None):
        data.load_mnist("test")
    [message] = log.messages
    assert f"from {EMBEDDED}" in message
    assert "as tfrecord, which has no random access" in message


# --- The keras.datasets cache and download -----------------------------------


def _keras_npz(keras_home, **arrays):
    """Writes keras.datasets' MNIST file with `arrays`; returns its path."""
    folder = keras_home / "datasets"
    folder.mkdir(exist_ok=True)
    np.savez(folder / "mnist.npz", **arrays)
    return folder / "mnist.npz"


def _mnist_arrays(train_count=3, test_count=2):
    """The four arrays of keras.datasets' mnist.npz, test = 255 - train."""
    train, train_labels = _digits(train_count)
    test, test_labels = _digits(test_count)
    return {"x_train": train, "y_train": train_labels,
            "x_test": 255 - test, "y_test": test_labels}


@pytest.mark.parametrize("split", ["train", "test"])
def test_keras_cache(no_tfds, log, keras_home, split):
    arrays = _mnist_arrays()
    path = _keras_npz(keras_home, **arrays)

    images, labels = data.load_mnist(split, return_labels=True)

    np.testing.assert_array_equal(images[..., 0],
                                  _scaled(arrays[f"x_{split}"]))
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
    arrays = _mnist_arrays(test_count=4)
    path = _keras_npz(tmp_path / "home" / ".keras", **arrays)
    assert datasets._keras_datasets_dir() == path.parent
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
    arrays = _mnist_arrays()
    arrays["x_test"] = arrays["x_test"].astype(np.float32)
    path = _keras_npz(keras_home, **arrays)
    expected = (re.escape(f"{path} (x_test, y_test): expected uint8 images, "
                          "got dtype float32"))
    with pytest.raises(ValueError, match=expected):
        data.load_mnist("test")
    arrays = _mnist_arrays()
    arrays["y_train"][0] = 10
    _keras_npz(keras_home, **arrays)
    with pytest.raises(ValueError, match=r"labels in 0\.\.9, got values"):
        data.load_mnist("train")


def test_tfds_comes_before_the_keras_cache(tmp_path, log, keras_home):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = _digits(5)
    _keras_npz(keras_home, **_mnist_arrays())
    root = _prepared_tfds_dir(tfds, tmp_path / "tfds", "array_record")
    with _mock_tfds(tfds, root, _FakeSource(images, labels)):
        loaded = data.load_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))
    assert log.messages[0].startswith(
        "MNIST 'train' from tensorflow-datasets in ")


def test_source_order():
    # After data_dir (the only source when given) and before a download.
    def names(dataset):
        return [name for name, _ in datasets._sources(dataset)]

    assert names(datasets._MNIST) == [
        "tensorflow-datasets", "keras.datasets cache", "embedded copy"]
    assert names(datasets._FASHION_MNIST) == [
        "tensorflow-datasets", "keras.datasets cache", "system folder"]


def _fake_load_data(arrays, calls):
    """A keras.datasets load_data that counts its calls (no network)."""
    def load_data():
        calls.append(1)
        return ((arrays["x_train"], arrays["y_train"]),
                (arrays["x_test"], arrays["y_test"]))

    return load_data


def _failing_load_data(calls):
    def load_data():
        calls.append(1)
        raise Exception(  # what keras.utils.get_file raises offline
            "URL fetch failure on https://storage.googleapis.com/: None -- "
            "[Errno -3] Temporary failure in name resolution")

    return load_data


def test_no_download_when_a_local_source_has_it(no_tfds, log, monkeypatch):
    calls = []
    monkeypatch.setattr("keras.datasets.mnist.load_data",
                        _failing_load_data(calls))
    assert len(data.load_mnist("test", download=True)) == 10000
    assert calls == []
    assert log.messages[0].startswith(f"MNIST 'test' from {EMBEDDED} (")


def test_download_through_keras(no_tfds, log, monkeypatch):
    # Without the embedded copy, as in a package without its resources.
    monkeypatch.setattr(datasets, "_MNIST", dataclasses.replace(
        datasets._MNIST, embedded_dir=None))
    arrays, calls = _mnist_arrays(), []
    monkeypatch.setattr("keras.datasets.mnist.load_data",
                        _fake_load_data(arrays, calls))
    with pytest.raises(FileNotFoundError, match=r"MNIST 'train' is not "):
        data.load_mnist("train")  # download=False: no download
    assert calls == []

    images, labels = data.load_mnist("train", return_labels=True,
                                     download=True)

    assert calls == [1]
    np.testing.assert_array_equal(images[..., 0], _scaled(arrays["x_train"]))
    np.testing.assert_array_equal(labels, arrays["y_train"])
    assert labels.dtype == np.int64
    [message] = log.messages
    assert message.startswith(
        "MNIST 'train' from a download by keras.datasets.mnist.load_data() "
        f"(3 images; {NO_TFDS} (")


def test_failed_download_says_why(no_tfds, log, monkeypatch, system_dir):
    calls = []
    monkeypatch.setattr("keras.datasets.fashion_mnist.load_data",
                        _failing_load_data(calls))
    with pytest.raises(FileNotFoundError) as err:
        data.load_fashion_mnist("test", download=True)
    assert calls == [1]
    message = str(err.value)
    assert message.startswith("Fashion-MNIST 'test' is not available here (")
    assert ("; download failed: keras.datasets.fashion_mnist.load_data() "
            "raised URL fetch failure on ") in message
    assert "\n" not in message
    assert log.messages == []


# --- Fashion-MNIST -----------------------------------------------------------


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashion_idx_folder(tmp_path, log, split):
    images, labels = _digits(6)
    _idx_folder(tmp_path, split, images, labels, compress=True)
    loaded, loaded_labels = data.load_fashion_mnist(
        split, data_dir=tmp_path, return_labels=True)
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))
    np.testing.assert_array_equal(loaded_labels, labels)
    assert log.messages == [
        f"Fashion-MNIST {split!r} from IDX files in {tmp_path} (6 images)"
    ]


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashion_system_folder(no_tfds, log, system_dir, keras_home,
                               split):
    images, labels = _digits(5)
    system_dir.mkdir()
    # Both splits there, as the Debian package installs them.
    _idx_folder(system_dir, "train", images, labels, compress=True)
    _idx_folder(system_dir, "test", 255 - images, labels, compress=True)
    loaded, loaded_labels = data.load_fashion_mnist(split,
                                                    return_labels=True)
    expected = images if split == "train" else 255 - images
    np.testing.assert_array_equal(loaded[..., 0], _scaled(expected))
    np.testing.assert_array_equal(loaded_labels, labels)
    [record] = log.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith(
        f"Fashion-MNIST {split!r} from IDX files in {system_dir} (5 images; "
        f"{NO_TFDS} (")
    assert message.endswith(" in {})".format(
        keras_home / "datasets" / "fashion-mnist"))


def test_fashion_unavailable_says_how_to_get_it(no_tfds, log, system_dir,
                                                keras_home):
    with pytest.raises(FileNotFoundError) as err:
        data.load_fashion_mnist("train")
    message = str(err.value)
    assert message.startswith("Fashion-MNIST 'train' is not available here")
    cache = keras_home / "datasets" / "fashion-mnist"
    assert ("keras.datasets cache unavailable: no train-images-idx3-ubyte[.gz]"
            f" and train-labels-idx1-ubyte[.gz] in {cache}") in message
    assert f"system folder unavailable: no folder {system_dir}" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "data_dir=" in message and "download=True" in message
    assert "\n" not in message
    assert log.messages == []  # no embedded copy of Fashion-MNIST


def _fashion_keras_cache(keras_home, images, labels):
    """Writes keras.datasets' Fashion-MNIST folder, test = 255 - train."""
    folder = keras_home / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    _idx_folder(folder, "train", images, labels, compress=True)
    _idx_folder(folder, "test", 255 - images, labels, compress=True)
    return folder


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashion_keras_cache(no_tfds, log, system_dir, keras_home, split):
    images, labels = _digits(5)
    folder = _fashion_keras_cache(keras_home, images, labels)
    # The keras.datasets cache comes before the system folder.
    system_dir.mkdir()
    _idx_folder(system_dir, split, images[:2], labels[:2], compress=True)

    loaded, loaded_labels = data.load_fashion_mnist(split,
                                                    return_labels=True)

    expected = images if split == "train" else 255 - images
    np.testing.assert_array_equal(loaded[..., 0], _scaled(expected))
    np.testing.assert_array_equal(loaded_labels, labels)
    [message] = log.messages
    assert message.startswith(
        f"Fashion-MNIST {split!r} from the keras.datasets cache {folder} "
        f"(5 images; {NO_TFDS} (")


def test_fashion_corrupt_keras_cache_names_the_file(no_tfds, system_dir,
                                                    keras_home):
    images, labels = _digits(2)
    folder = _fashion_keras_cache(keras_home, images, labels)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match=re.escape(f"{path}: ")) as err:
        data.load_fashion_mnist("test")
    assert "\n" not in str(err.value)


def test_fashion_download_through_keras(no_tfds, log, monkeypatch,
                                        system_dir):
    arrays, calls = _mnist_arrays(4, 3), []
    monkeypatch.setattr("keras.datasets.fashion_mnist.load_data",
                        _fake_load_data(arrays, calls))
    loaded = data.load_fashion_mnist("test", download=True)
    assert calls == [1]
    np.testing.assert_array_equal(loaded[..., 0], _scaled(arrays["x_test"]))
    [message] = log.messages
    assert message.startswith(
        "Fashion-MNIST 'test' from a download by "
        f"keras.datasets.fashion_mnist.load_data() (3 images; {NO_TFDS} (")
    assert f"system folder unavailable: no folder {system_dir})" in message


def test_fashion_tfds_source(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = _digits(4)
    root = _prepared_tfds_dir(tfds, tmp_path, "array_record",
                              name="fashion_mnist")
    with _mock_tfds(tfds, root, _FakeSource(images, labels)):
        loaded = data.load_fashion_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], _scaled(images))
    [message] = log.messages
    assert message.startswith("Fashion-MNIST 'train' from "
                              "tensorflow-datasets in ")
    assert "fashion_mnist" in message


@pytest.mark.skipif(
    not os.path.isdir("/usr/share/datasets/fashion-mnist"),
    reason="needs the apt package dataset-fashion-mnist")
def test_fashion_debian_package(no_tfds, log):
    images, labels = data.load_fashion_mnist("test", return_labels=True)
    assert images.shape == (10000, 28, 28, 1)
    assert images.min() == -1.0 and images.max() == 1.0
    # The Fashion-MNIST test split has 1,000 images of each class.
    assert np.bincount(labels).tolist() == [1000] * 10
    assert log.messages[0].startswith(
        "Fashion-MNIST 'test' from IDX files in "
        "/usr/share/datasets/fashion-mnist (10000 images;")


_WITHOUT_TENSORFLOW = """
import sys

import importlib.machinery

# As if TensorFlow were not installed: the path finder no longer sees it.
_find_spec = importlib.machinery.PathFinder.find_spec

def _find_spec_without_tensorflow(name, path=None, target=None):
    if name.split(".")[0] == "tensorflow":
        return None
    return _find_spec(name, path, target)

importlib.machinery.PathFinder.find_spec = _find_spec_without_tensorflow
import keras_wgan
images = keras_wgan.data.load_mnist("test")
gan = keras_wgan.WGANGP(keras_wgan.architectures.mnist_critic(width=4),
                        keras_wgan.architectures.mnist_generator(8, width=4),
                        n_critic=2)
gan.compile()
history = gan.fit(images[:32], batch_size=8, epochs=1, verbose=0)
print(images.shape, len(history.history["wasserstein_estimate"]),
      any(m.startswith("tensorflow.") or m == "tensorflow" for m in sys.modules))
"""


@pytest.mark.spawns
@pytest.mark.backends(
    "torch", reason="spawns its backends itself; runs from the torch suite")
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_loading_and_training_need_no_tensorflow(backend):
    pytest.importorskip(backend)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=root)
    result = subprocess.run([sys.executable, "-c", _WITHOUT_TENSORFLOW],
                            env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["(10000,", "28,", "28,", "1)", "1",
                                     "False"]
