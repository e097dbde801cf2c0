"""Tests for keras_wgan.data.mnist: `load_mnist` and `load_fashion_mnist`,
the first source that has a split, `data_dir`, downloads and what each
logs."""

import dataclasses
import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import mnist
from keras_wgan.data import mnist_sources
from tests.data.image_samples import scaled
from tests.data.mnist_samples import EMBEDDED
from tests.data.mnist_samples import NAMES
from tests.data.mnist_samples import NO_TFDS
from tests.data.mnist_samples import FakeSource
from tests.data.mnist_samples import digits
from tests.data.mnist_samples import failing_load_data
from tests.data.mnist_samples import fake_load_data
from tests.data.mnist_samples import idx_folder
from tests.data.mnist_samples import keras_npz
from tests.data.mnist_samples import mnist_arrays
from tests.data.mnist_samples import mock_tfds
from tests.data.mnist_samples import no_keras_cache
from tests.data.mnist_samples import prepared_tfds_dir
from tests.helpers import write_file
from tests.helpers import idx_bytes

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_idx_folder_round_trip(tmp_path, log, split, compress):
    images, labels = digits(7)
    idx_folder(tmp_path, split, images, labels, compress)

    loaded, loaded_labels = data.load_mnist(
        split, data_dir=tmp_path, return_labels=True
    )

    assert loaded.shape == (7, 28, 28, 1)
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))
    # The end points are exact, so a tanh generator's range matches.
    assert loaded[images == 0].min() == loaded[images == 0].max() == -1.0
    assert loaded[images == 255].min() == loaded[images == 255].max() == 1.0
    assert loaded_labels.dtype == np.int64
    np.testing.assert_array_equal(loaded_labels, labels)
    assert log.messages == [
        f"MNIST {split!r} from IDX files in {tmp_path} (7 images)"
    ]


def test_gzip_is_detected_by_content_not_name(tmp_path):
    images, labels = digits(3)
    # Gzipped data under the raw names.
    write_file(tmp_path / NAMES["test"][0], idx_bytes(images), compress=True)
    write_file(tmp_path / NAMES["test"][1], idx_bytes(labels), compress=True)
    loaded = data.load_mnist("test", data_dir=str(tmp_path))
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))


def test_uncompressed_file_wins_over_gzip(tmp_path):
    images, labels = digits(2)
    idx_folder(tmp_path, "test", images, labels, compress=False)
    idx_folder(tmp_path, "test", 255 - images, labels, compress=True)
    loaded = data.load_mnist("test", data_dir=tmp_path)
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))


def test_images_must_be_28_by_28(tmp_path):
    images, labels = digits(2)
    idx_folder(tmp_path, "test", images[:, :, :27], labels, compress=False)
    expected = r"shape \(N, 28, 28\), got \(2, 28, 27\)"
    with pytest.raises(ValueError, match=expected):
        data.load_mnist("test", data_dir=tmp_path)


def test_label_file_must_be_one_dimensional(tmp_path):
    images, labels = digits(2)
    idx_folder(tmp_path, "test", images, labels[:, None], compress=False)
    with pytest.raises(ValueError, match=r"labels of shape \(N,\)"):
        data.load_mnist("test", data_dir=tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = digits(3)
    idx_folder(tmp_path, "test", images, labels[:2], compress=False)
    with pytest.raises(ValueError, match=r"got 3 images and 2 labels") as err:
        data.load_mnist("test", data_dir=tmp_path)
    assert NAMES["test"][0] in str(err.value)
    assert NAMES["test"][1] in str(err.value)


def test_labels_must_bedigits(tmp_path):
    images, labels = digits(3)
    labels[1] = 10
    idx_folder(tmp_path, "test", images, labels, compress=False)
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
    images, labels = digits(2)
    idx_folder(tmp_path, "test", images, labels, compress=True)
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


TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851,
                      5949]


TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


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
    assert message.endswith(f"; {no_keras_cache(keras_home)})")


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
    assert message.endswith(f"; {no_keras_cache(keras_home)})")
    assert "\n" not in message


def test_without_the_embedded_copy_mnist_says_how_to_get_it(
        no_tfds, log, monkeypatch):
    # As a copy of the package without its resources would be.
    monkeypatch.setattr(mnist_sources, "MNIST", dataclasses.replace(
        mnist_sources.MNIST, embedded_dir="missing"))
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist("train")
    message = str(err.value)
    assert message.startswith("MNIST 'train' is not available here (")
    assert ("embedded copy unavailable: no train-images-idx3-ubyte.gz in "
            "keras_wgan/resources/missing") in message
    assert "data_dir=" in message and "download=True" in message
    assert "\n" not in message
    assert log.messages == []


def test_tfds_comes_before_the_keras_cache(tmp_path, log, keras_home):
    tfds = pytest.importorskip("tensorflow_datasets")
    images, labels = digits(5)
    keras_npz(keras_home, **mnist_arrays())
    root = prepared_tfds_dir(tfds, tmp_path / "tfds", "array_record")
    with mock_tfds(tfds, root, FakeSource(images, labels)):
        loaded = data.load_mnist("train")
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))
    assert log.messages[0].startswith(
        "MNIST 'train' from tensorflow-datasets in ")


def test_no_download_when_a_local_source_has_it(no_tfds, log, monkeypatch):
    calls = []
    monkeypatch.setattr("keras.datasets.mnist.load_data",
                        failing_load_data(calls))
    assert len(data.load_mnist("test", download=True)) == 10000
    assert calls == []
    assert log.messages[0].startswith(f"MNIST 'test' from {EMBEDDED} (")


def test_download_through_keras(no_tfds, log, monkeypatch):
    # Without the embedded copy, as in a package without its resources.
    monkeypatch.setattr(mnist_sources, "MNIST", dataclasses.replace(
        mnist_sources.MNIST, embedded_dir=None))
    arrays, calls = mnist_arrays(), []
    monkeypatch.setattr("keras.datasets.mnist.load_data",
                        fake_load_data(arrays, calls))
    with pytest.raises(FileNotFoundError, match=r"MNIST 'train' is not "):
        data.load_mnist("train")  # download=False: no download
    assert calls == []

    images, labels = data.load_mnist("train", return_labels=True,
                                     download=True)

    assert calls == [1]
    np.testing.assert_array_equal(images[..., 0], scaled(arrays["x_train"]))
    np.testing.assert_array_equal(labels, arrays["y_train"])
    assert labels.dtype == np.int64
    [message] = log.messages
    assert message.startswith(
        "MNIST 'train' from a download by keras.datasets.mnist.load_data() "
        f"(3 images; {NO_TFDS} (")


def test_failed_download_says_why(no_tfds, log, monkeypatch, system_dir):
    calls = []
    monkeypatch.setattr("keras.datasets.fashion_mnist.load_data",
                        failing_load_data(calls))
    with pytest.raises(FileNotFoundError) as err:
        data.load_fashion_mnist("test", download=True)
    assert calls == [1]
    message = str(err.value)
    assert message.startswith("Fashion-MNIST 'test' is not available here (")
    assert ("; download failed: keras.datasets.fashion_mnist.load_data() "
            "raised URL fetch failure on ") in message
    assert "\n" not in message
    assert log.messages == []


@pytest.mark.parametrize("split", ["train", "test"])
def test_fashionidx_folder(tmp_path, log, split):
    images, labels = digits(6)
    idx_folder(tmp_path, split, images, labels, compress=True)
    loaded, loaded_labels = data.load_fashion_mnist(
        split, data_dir=tmp_path, return_labels=True)
    np.testing.assert_array_equal(loaded[..., 0], scaled(images))
    np.testing.assert_array_equal(loaded_labels, labels)
    assert log.messages == [
        f"Fashion-MNIST {split!r} from IDX files in {tmp_path} (6 images)"
    ]


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
@pytest.mark.spawns
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


def test_read_split_gives_the_pixels_and_why_sources_were_passed_over(
        no_tfds, log, keras_home):
    split = mnist.read_split(mnist_sources.MNIST, "test")
    assert split.images.dtype == np.uint8
    assert split.images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(scaled(split.images)[..., np.newaxis],
                                  data.load_mnist("test"))
    assert split.labels.dtype == np.int64
    assert split.where == EMBEDDED
    first, second = split.skipped
    assert first.startswith(f"{NO_TFDS} (")
    assert second == no_keras_cache(keras_home)
    assert len(log.messages) == 1  # load_mnist's line, not read_split's
