"""Tests for keras_wgan.data.idx: the IDX reader of MNIST's files."""

import gzip
import importlib.resources

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import idx
from tests.helpers import idx_bytes as _idx_bytes
from tests.helpers import idx_digits as _digits
from tests.helpers import write_file as _write

pytestmark = pytest.mark.backend_independent


def test_read_idx_returns_writable_array(tmp_path):
    images, _ = _digits(2)
    path = _write(tmp_path / "x", _idx_bytes(images), compress=True)
    array = data.read_idx(path)
    np.testing.assert_array_equal(array, images)
    array[0, 0, 0] = 1  # must not raise


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_truncated_idx_reports_byte_counts(tmp_path, compress):
    images, _ = _digits(2)  # 2 * 784 = 1568 data bytes
    payload = _idx_bytes(images)[:-100]
    path = _write(tmp_path / "short", payload, compress)
    if compress:  # cut the gzip stream itself, not only its content
        path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(ValueError, match=r"expected 1568 data bytes") as err:
        data.read_idx(path)
    assert str(path) in str(err.value)


def test_extra_idx_bytes_are_an_error(tmp_path):
    images, _ = _digits(1)
    path = _write(tmp_path / "long", _idx_bytes(images) + b"\0", False)
    with pytest.raises(ValueError, match=r"expected 784 data bytes, got 785"):
        data.read_idx(path)


def test_gzip_cut_only_in_trailer_is_an_error(tmp_path):
    images, _ = _digits(1)
    path = _write(tmp_path / "x", _idx_bytes(images), compress=True)
    path.write_bytes(path.read_bytes()[:-4])  # drop the size trailer
    with pytest.raises(ValueError, match=r"gzip stream is cut off"):
        data.read_idx(path)


@pytest.mark.parametrize(
    "magic, message",
    [
        (b"\x00\x01\x08\x03", r"should start with two zero bytes"),
        (b"\x00\x00\x0d\x03",
         r"type code 0x0d is not supported; expected 0x08"),
        (b"\x00\x00\x08\x00", r"0 dimensions"),
    ],
)
def test_bad_idx_magic(tmp_path, magic, message):
    images, _ = _digits(1)
    path = _write(tmp_path / "bad", magic + _idx_bytes(images)[4:], False)
    with pytest.raises(ValueError, match=message) as err:
        data.read_idx(path)
    assert str(path) in str(err.value)


def test_reads_the_embedded_mnist_labels():
    folder = importlib.resources.files("keras_wgan") / "resources" / "mnist"
    with importlib.resources.as_file(
            folder / "t10k-labels-idx1-ubyte.gz") as path:
        labels = data.read_idx(path)
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_header_gives_the_shape_and_big_endian_sizes(tmp_path):
    # Sizes above 255 show the byte order: 256 is 00 00 01 00.
    array = (np.arange(2 * 256) % 251).astype(np.uint8).reshape(2, 256)
    path = _write(tmp_path / "wide", _idx_bytes(array), compress=False)
    assert path.read_bytes()[:12] == bytes(
        [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 1, 0])
    np.testing.assert_array_equal(data.read_idx(path), array)


def test_concatenated_gzip_members_are_one_stream(tmp_path):
    images, _ = _digits(2)
    payload = _idx_bytes(images)
    path = tmp_path / "two-members"
    path.write_bytes(gzip.compress(payload[:1000]) + gzip.compress(
        payload[1000:]))
    np.testing.assert_array_equal(data.read_idx(path), images)


@pytest.mark.parametrize("payload, message", [
    (b"\x00\x00", r"2 bytes is too short for an IDX file"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02",
     r"IDX header with 3 dimensions needs 16 bytes, got 8"),
])
def test_too_short_for_the_header(tmp_path, payload, message):
    path = _write(tmp_path / "stub", payload, compress=False)
    with pytest.raises(ValueError, match=message):
        data.read_idx(path)


def test_corrupt_gzip_data_is_a_value_error(tmp_path):
    images, _ = _digits(1)
    raw = bytearray(gzip.compress(_idx_bytes(images)))
    raw[12:20] = b"\xff" * 8  # inside the deflate stream
    path = tmp_path / "corrupt"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"corrupt gzip data"):
        data.read_idx(path)


def test_split_files_prefer_the_uncompressed_file(tmp_path):
    images_name, labels_name = idx.IDX_FILES["train"]
    assert idx.split_files(tmp_path, "train") == [None, None]
    (tmp_path / f"{images_name}.gz").write_bytes(b"")
    (tmp_path / labels_name).write_bytes(b"")
    (tmp_path / f"{labels_name}.gz").write_bytes(b"")
    assert idx.split_files(tmp_path, "train") == [
        tmp_path / f"{images_name}.gz", tmp_path / labels_name]
    # A folder of that name is not a file.
    (tmp_path / images_name).mkdir()
    assert idx.split_files(tmp_path, "train")[0] == (
        tmp_path / f"{images_name}.gz")
    assert idx.split_wanted("train") == (
        "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]")
