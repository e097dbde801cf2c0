"""Tests for keras_wgan.data.datasets: the MNIST and Fashion-MNIST sources,
the log line of each load (the IDX reader itself: test_idx.py)."""

import dataclasses
import hashlib
import importlib.resources
import importlib.util
import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import datasets
from tests.helpers import LogRecords
from tests.helpers import idx_bytes as _idx_bytes
from tests.helpers import idx_digits as _digits
from tests.helpers import write_file as _write

# The official MNIST test split: SHA256 of the gzipped files (as published
# with tensorflow-datasets' checksums) and the number of digits per class.
EMBEDDED_SHA256 = {
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@pytest.fixture
def log():
    """Collects what keras_wgan logs."""
    with LogRecords() as records:
        yield records


@pytest.fixture
def no_tfds(monkeypatch):
    """Makes `import tensorflow_datasets` fail, leaving the embedded data."""
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)


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
    # asked for even though the embedded test digits exist.
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


# --- The embedded test split -------------------------------------------------


def test_embedded_files_are_the_official_ones():
    folder = importlib.resources.files("keras_wgan") / "resources" / "mnist"
    for name, digest in EMBEDDED_SHA256.items():
        content = (folder / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest


def test_embedded_test_split(no_tfds, log):
    images, labels = data.load_mnist("test", return_labels=True)

    assert images.shape == (10000, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.dtype == np.int64
    assert np.bincount(labels).tolist() == TEST_CLASS_COUNTS
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    [record] = log.records
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith(
        "MNIST 'test' from embedded test digits (10000 images; "
        "tensorflow-datasets unavailable: cannot import tensorflow_datasets"
    )


def test_embedded_train_fallback_says_so(no_tfds, log):
    images = data.load_mnist("train")
    assert images.shape == (10000, 28, 28, 1)
    [record] = log.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith(
        "MNIST 'train' from embedded test digits (10000 images, standing in "
        "for the train split; tensorflow-datasets unavailable: "
    )
    assert "\n" not in message


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
        images = data.load_mnist("train")
    assert images.shape == (10000, 28, 28, 1)
    [message] = log.messages
    assert message.endswith(
        f"tensorflow-datasets unavailable: 'mnist' is not prepared in "
        f"{tmp_path} and download=False)"
    )


def test_tfds_without_random_access_falls_back(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    root = _prepared_tfds_dir(tfds, tmp_path, "tfrecord")
    with _mock_tfds(tfds, root, source=None):
        data.load_mnist("train")
    [message] = log.messages
    assert "embedded test digits" in message
    assert "as tfrecord, which has no random access" in message


def test_download_without_tensorflow_falls_back_at_once(tmp_path, log,
                                                      monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    find_spec = importlib.util.find_spec
    # As on a machine without TensorFlow, whether or not this one has it.
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *a: None if name == "tensorflow" else find_spec(name, *a))
    with _mock_tfds(tfds, tmp_path, source=None):
        data.load_mnist("test", download=True)
    [message] = log.messages
    assert "preparing it needs TensorFlow, which is not installed" in message


def test_no_stand_in_for_the_train_split(no_tfds, log):
    with pytest.raises(FileNotFoundError, match=r"MNIST 'train' is not "
                       r"available here .*stand_in=False") as err:
        data.load_mnist("train", stand_in=False)
    assert "\n" not in str(err.value)
    assert log.messages == []
    # The test split is the embedded one, stand-in or not.
    assert data.load_mnist("test", stand_in=False).shape[0] == 10000


# --- Fashion-MNIST -----------------------------------------------------------


@pytest.fixture
def system_dir(monkeypatch, tmp_path):
    """Points Fashion-MNIST's system folder at an empty temporary one."""
    folder = tmp_path / "system"
    monkeypatch.setattr(datasets, "_FASHION_MNIST", dataclasses.replace(
        datasets._FASHION_MNIST, system_dir=str(folder)))
    return folder


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
def test_fashion_system_folder(no_tfds, log, system_dir, split):
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
    assert record.getMessage().startswith(
        f"Fashion-MNIST {split!r} from IDX files in {system_dir} (5 images; "
        "tensorflow-datasets unavailable: cannot import tensorflow_datasets"
    )


def test_fashion_unavailable_says_how_to_get_it(no_tfds, log, system_dir):
    with pytest.raises(FileNotFoundError) as err:
        data.load_fashion_mnist("train")
    message = str(err.value)
    assert message.startswith("Fashion-MNIST 'train' is not available here")
    assert f"no folder {system_dir}" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "data_dir=" in message and "download=True" in message
    assert "\n" not in message
    assert log.messages == []  # no embedded stand-in for Fashion-MNIST


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
