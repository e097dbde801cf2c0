"""Tests for keras_wgan.data.cifar: the keras.datasets cache, downloads
and the official python-version files."""

import os
import pickle

import keras
import numpy as np
import pytest

from keras_wgan import data
from tests.helpers import LogRecords

pytestmark = pytest.mark.backend_independent


def _pixels(count, start=0):
    return ((np.arange(count * 32 * 32 * 3) * 7 + start) % 256).astype(
        np.uint8).reshape(count, 32, 32, 3)


class _FakeLoadData:
    """Stands in for keras.datasets.cifar10.load_data; counts its calls."""

    def __init__(self, channels_first=False, labels=(3, 9)):
        self.calls = 0
        self.train = _pixels(2)
        self.test = _pixels(1, start=5)
        self.channels_first = channels_first
        self.labels = labels

    def __call__(self):
        self.calls += 1
        arrays = [self.train, self.test]
        if self.channels_first:
            arrays = [x.transpose(0, 3, 1, 2) for x in arrays]
        labels = np.asarray(self.labels, np.uint8).reshape(-1, 1)
        return (arrays[0], labels), (arrays[1], labels[:1])


def _scaled(pixels):
    return pixels.astype(np.float32) / 127.5 - 1


def test_keras_cache(monkeypatch, keras_home):
    fake = _FakeLoadData()
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", fake)
    archive = keras_home / "datasets" / "cifar-10-batches-py-target_archive"
    archive.parent.mkdir()
    archive.write_bytes(b"the download")
    with LogRecords() as log:
        images, labels = data.load_cifar10(return_labels=True)
        test = data.load_images("cifar10", split="test")
    np.testing.assert_array_equal(images, _scaled(fake.train))
    np.testing.assert_array_equal(labels, [3, 9])
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(test, _scaled(fake.test))
    assert log.messages == [
        f"CIFAR-10 'train' from the keras.datasets cache {archive.parent} "
        "(2 images)",
        f"CIFAR-10 'test' from the keras.datasets cache {archive.parent} "
        "(1 images)",
    ]


def test_no_cache_no_download(monkeypatch, keras_home):
    fake = _FakeLoadData()
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", fake)
    with pytest.raises(FileNotFoundError, match=(
            r"^CIFAR-10 is not in the keras.datasets cache \(no .*"
            r"cifar-10-batches-py-target_archive\); pass download=True")):
        data.load_images("cifar10")
    assert fake.calls == 0


def test_download(monkeypatch):
    fake = _FakeLoadData(channels_first=True)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", fake)
    with LogRecords() as log:
        images = data.load_cifar10(download=True)
    # Transposed back from keras' channels_first layout.
    np.testing.assert_array_equal(images, _scaled(fake.train))
    assert log.messages == [
        "CIFAR-10 'train' from a download by "
        "keras.datasets.cifar10.load_data() (2 images)"]


def test_failed_download_and_bad_arrays(monkeypatch):
    def offline():
        raise Exception("URL fetch failure on https://www.cs.toronto.edu")

    monkeypatch.setattr(keras.datasets.cifar100, "load_data", offline)
    with pytest.raises(FileNotFoundError, match=(
            r"^keras.datasets.cifar100.load_data\(\) failed \(URL fetch "
            r"failure on https://www.cs.toronto.edu\); pass data_dir=")):
        data.load_cifar100(download=True)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data",
                        _FakeLoadData(labels=(3, 10)))
    with pytest.raises(ValueError, match=r"expected labels in 0\.\.9"):
        data.load_cifar10(download=True)


def _write_batch(path, pixels, labels, key=b"labels"):
    rows = pixels.transpose(0, 3, 1, 2).reshape(len(pixels), -1)
    path.write_bytes(pickle.dumps({b"data": rows, key: list(labels),
                                   b"batch_label": b"x"}))


def test_python_version_files(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = [_pixels(1, start=i) for i in range(5)]
    for i, pixels in enumerate(batches):
        _write_batch(folder / f"data_batch_{i + 1}", pixels, [i])
    images, labels = data.load_cifar10(data_dir=folder, return_labels=True)
    np.testing.assert_array_equal(images, _scaled(np.concatenate(batches)))
    np.testing.assert_array_equal(labels, [0, 1, 2, 3, 4])
    with pytest.raises(FileNotFoundError, match=(
            "has no file test_batch; split 'test' needs test_batch")):
        data.load_cifar10("test", data_dir=folder)

    hundred = tmp_path / "cifar-100-python"
    hundred.mkdir()
    _write_batch(hundred / "test", _pixels(2), [99, 0], key=b"fine_labels")
    test, fine = data.load_cifar100("test", data_dir=hundred,
                                    return_labels=True)
    np.testing.assert_array_equal(test, _scaled(_pixels(2)))
    np.testing.assert_array_equal(fine, [99, 0])


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo unsafe",))


def test_python_version_files_are_checked(tmp_path):
    folder = tmp_path / "cifar"
    folder.mkdir()
    (folder / "test_batch").write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(ValueError, match=(
            r"test_batch: not a CIFAR-10 python-version file \(refusing to "
            r"load (posix|os|nt)\.system\)")):
        data.load_cifar10("test", data_dir=folder)
    (folder / "test_batch").write_bytes(pickle.dumps(
        {b"data": np.zeros((1, 10), np.uint8), b"labels": [0]}))
    with pytest.raises(ValueError, match=(
            r"expected uint8 data of shape \(N, 3072\), got uint8 \(1, 10\)")):
        data.load_cifar10("test", data_dir=folder)
    with pytest.raises(ValueError, match="download must be False"):
        data.load_cifar10("test", data_dir=folder, download=True)
    with pytest.raises(FileNotFoundError, match="is not an existing folder"):
        data.load_cifar10("test", data_dir=folder / "missing")
