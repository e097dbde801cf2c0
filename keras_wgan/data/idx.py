"""The IDX file format of MNIST and Fashion-MNIST (LeCun et al.), and the
file names of their splits."""

import os
import pathlib
import struct
import zlib

import numpy as np

_IDX_UBYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"

#: The official IDX file names `(images, labels)` of each split; Fashion-
#: MNIST uses the same names, so a folder of either reads the same way.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an unsigned-byte IDX file, gzipped or not, into a numpy array.

    Gzip is recognised by the file's first two bytes (`1f 8b`), not by its
    name. The IDX magic number must be two zero bytes, the type code `0x08`
    (unsigned byte) and the number of dimensions; then come the big-endian
    uint32 sizes and exactly their product in data bytes.

    Args:
        path: The file (str or path).

    Returns:
        A writable uint8 array with the shape given by the file's header.

    Raises:
        ValueError: The file is not such an IDX file, or is truncated or
            malformed (the message names the file and, for a wrong size,
            the expected and actual number of data bytes).

    Example:

    The MNIST test labels embedded in this package:

    >>> import importlib.resources
    >>> resources = importlib.resources.files("keras_wgan") / "resources"
    >>> with importlib.resources.as_file(
    ...         resources / "mnist" / "t10k-labels-idx1-ubyte.gz") as path:
    ...     labels = read_idx(path)
    >>> labels.shape, labels[:5]
    ((10000,), array([7, 2, 1, 0, 4], dtype=uint8))

    A file of two 2x3 images: the magic number (type code 0x08, 3
    dimensions), the sizes, then the pixels.

    >>> header = bytes([0, 0, 0x08, 3]) + b"".join(
    ...     size.to_bytes(4, "big") for size in (2, 2, 3))
    >>> with open("tiny-idx3-ubyte", "wb") as f:
    ...     _ = f.write(header + bytes(range(12)))
    >>> read_idx("tiny-idx3-ubyte")
    array([[[ 0,  1,  2],
            [ 3,  4,  5]],
    <BLANKLINE>
           [[ 6,  7,  8],
            [ 9, 10, 11]]], dtype=uint8)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    complete = True
    if data[:2] == _GZIP_MAGIC:
        data, complete = _gunzip(data, path)
    cut_note = " (its gzip stream is cut off)" if not complete else ""

    if len(data) < 4:
        raise ValueError(
            f"{path}: {len(data)} bytes is too short for an IDX file; "
            f"expected at least the 4-byte magic number{cut_note}."
        )
    if data[:2] != b"\0\0":
        raise ValueError(
            f"{path}: not an IDX file: magic number 0x{data[:4].hex()} "
            "should start with two zero bytes (0x0000)."
        )
    type_code, ndim = data[2], data[3]
    if type_code != _IDX_UBYTE:
        raise ValueError(
            f"{path}: IDX type code 0x{type_code:02x} is not supported; "
            f"expected 0x{_IDX_UBYTE:02x} (unsigned byte)."
        )
    if ndim == 0:
        raise ValueError(
            f"{path}: IDX magic number gives 0 dimensions; expected >= 1."
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(
            f"{path}: IDX header with {ndim} dimensions needs {header_size} "
            f"bytes, got {len(data)}; the file is truncated{cut_note}."
        )
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    expected = int(np.prod(shape, dtype=np.int64))
    actual = len(data) - header_size
    if actual != expected:
        raise ValueError(
            f"{path}: IDX header gives shape {shape}, so expected {expected} "
            f"data bytes, got {actual}; the file is truncated or "
            f"malformed{cut_note}."
        )
    if not complete:
        raise ValueError(
            f"{path}: the gzip stream is cut off before its end marker, "
            "although the IDX data is complete; the file is truncated."
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header_size)
    # A copy, because frombuffer over bytes gives a read-only array.
    return array.reshape(shape).copy()


def split_files(folder: pathlib.Path, split: str
                ) -> list[pathlib.Path | None]:
    """The image and label files of `split` (see `IDX_FILES`) in `folder`.

    Args:
        folder: The folder.
        split: `"train"` or `"test"`.

    Returns:
        `[images, labels]`: for each, the uncompressed file when it is
        there, else the gzipped one (`.gz`), else `None`.

    Example:

    >>> folder = pathlib.Path("idx")
    >>> folder.mkdir()
    >>> _ = (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")
    >>> split_files(folder, "test")
    [None, PosixPath('idx/t10k-labels-idx1-ubyte.gz')]
    """
    found = []
    for name in IDX_FILES[split]:
        raw, gzipped = folder / name, folder / f"{name}.gz"
        found.append(raw if raw.is_file() else
                     gzipped if gzipped.is_file() else None)
    return found


def split_wanted(split: str) -> str:
    """The files of `split` in words, for messages.

    Args:
        split: `"train"` or `"test"`.

    Returns:
        The two names of `IDX_FILES`, each with an optional `.gz`.

    Example:

    >>> split_wanted("test")
    't10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]'
    """
    return " and ".join(f"{name}[.gz]" for name in IDX_FILES[split])


def _gunzip(raw, path):
    """Decompresses gzip data, also a cut-off stream.

    Returns `(data, complete)`. A cut-off stream returns what it holds, so
    that `read_idx` can report expected versus actual byte counts.
    """
    chunks = []
    while raw:  # gzip allows several concatenated members.
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            chunks.append(inflater.decompress(raw))
        except zlib.error as err:
            raise ValueError(f"{path}: corrupt gzip data ({err}).") from err
        if not inflater.eof:
            return b"".join(chunks), False
        raw = inflater.unused_data
    return b"".join(chunks), True
