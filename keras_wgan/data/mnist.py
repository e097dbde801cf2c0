"""MNIST and Fashion-MNIST as float32 arrays in [-1, 1].

`load_mnist` and `load_fashion_mnist` read the first source that has the
split asked for: IDX files in a folder you name (then the only source), a
tensorflow-datasets copy already prepared on this machine, the download
cache of `keras.datasets`, then, for Fashion-MNIST, the folder of Debian's
`dataset-fashion-mnist` package and, for MNIST, the official train and test
splits embedded in this package (so that MNIST always works offline). With
`download=True`, `keras.datasets` downloads what no local source has. One
log line per call names the source. `read_split` is that choice, for
loaders built on these datasets (`load_coloured_mnist`); the sources
themselves are in `mnist_sources`.
"""

import logging
import os
from typing import Literal
from typing import NamedTuple
from typing import overload

import numpy as np

from keras_wgan.data import checks
from keras_wgan.data import mnist_sources
from keras_wgan.data.pixels import to_unit_range

_LOGGER = logging.getLogger(__name__)

_SPLITS = ("train", "test")


class Split(NamedTuple):
    """A split as read from its source, before it is scaled.

    Attributes:
        images: uint8 digits `(N, 28, 28)`, 0 background, 255 stroke.
        labels: int64 labels `(N,)`.
        where: The source, for the log line.
        skipped: Why each source tried before it could not be used.
    """

    images: np.ndarray
    labels: np.ndarray
    where: str
    skipped: list[str]


@overload
def load_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
               return_labels: Literal[False] = ..., *, download: bool = ...
               ) -> np.ndarray: ...


@overload
def load_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
               *, return_labels: Literal[True], download: bool = ...
               ) -> tuple[np.ndarray, np.ndarray]: ...


@overload
def load_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
               return_labels: bool = ..., *, download: bool = ...
               ) -> np.ndarray | tuple[np.ndarray, np.ndarray]: ...


def load_mnist(split: str = "train",
               data_dir: str | os.PathLike | None = None,
               return_labels: bool = False, *, download: bool = False
               ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads MNIST digits as float32 images scaled to [-1, 1].

    Pixel values `x` in 0..255 become `x / 127.5 - 1`, so 0 maps to -1 and
    255 to 1, the range of a `tanh` generator. The train split has 60,000
    digits, the test split 10,000. The sources, in order:

    1. `data_dir`, when given: a folder holding the official IDX files
       (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
       `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), each gzipped
       (with a `.gz` suffix) or not; the uncompressed file wins when both
       exist. Nothing else is tried then.
    2. tensorflow-datasets (`tfds.data_source("mnist")`, which needs no
       TensorFlow), when MNIST is already prepared in its data folder
       (`~/tensorflow_datasets` or `$TFDS_DATA_DIR`) in a random-access
       format (`array_record`). It is never asked to download or prepare
       MNIST: that needs TensorFlow in tensorflow-datasets 4.9, and offline
       it retries for minutes before it fails.
    3. The cache of `keras.datasets.mnist.load_data()`, when its file is
       there: `mnist.npz` in `$KERAS_HOME/datasets/` if `KERAS_HOME` is
       set, else in `~/.keras/datasets/` (`/tmp/.keras/datasets/` where
       that folder is not writable, as Keras does). A file that cannot be
       read raises a `ValueError` naming it.
    4. The official MNIST train and test splits embedded in this package
       (`keras_wgan/resources/mnist/`), so MNIST loads offline.

    With `download=True`, `keras.datasets.mnist.load_data()` downloads
    MNIST when no source above has it (it needs network, not TensorFlow);
    while the embedded copy is installed, that never happens.

    Exactly one line is logged on the `"keras_wgan"` logger: the source,
    the number of images and, for sources after tensorflow-datasets, why
    the ones before it could not be used.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder (str or path) with the IDX files. When
            given, it is the only source: a missing folder or file raises
            `FileNotFoundError`.
        return_labels: If `True`, also return the digit labels.
        download: If `True`, let `keras.datasets` download MNIST when no
            local source has it. Cannot be combined with `data_dir`.

    Returns:
        A float32 array of shape `(N, 28, 28, 1)` with values in [-1, 1],
        or `(images, labels)` with int64 labels of shape `(N,)` in 0..9
        when `return_labels=True`.

    Raises:
        FileNotFoundError: `data_dir` is not a folder or lacks a file of
            the split, or no source has the split (the message, one line,
            says why each failed).
        ValueError: A source's files or arrays are not MNIST's (wrong
            dtype, shape, labels or counts; the message names the file).

    Example:

    >>> images, labels = load_mnist("train", return_labels=True)
    >>> images.shape, images.dtype
    ((60000, 28, 28, 1), dtype('float32'))
    >>> labels[:5]
    array([5, 0, 4, 1, 9])
    >>> load_mnist("test").shape
    (10000, 28, 28, 1)
    """
    return _load(mnist_sources.MNIST, split, data_dir, return_labels,
                 download)


@overload
def load_fashion_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
                       return_labels: Literal[False] = ..., *, download: bool = ...
                       ) -> np.ndarray: ...


@overload
def load_fashion_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
                       *, return_labels: Literal[True], download: bool = ...
                       ) -> tuple[np.ndarray, np.ndarray]: ...


@overload
def load_fashion_mnist(split: str = ..., data_dir: str | os.PathLike | None = ...,
                       return_labels: bool = ..., *, download: bool = ...
                       ) -> np.ndarray | tuple[np.ndarray, np.ndarray]: ...


def load_fashion_mnist(split: str = "train",
                       data_dir: str | os.PathLike | None = None,
                       return_labels: bool = False, *, download: bool = False
                       ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads Fashion-MNIST as float32 images scaled to [-1, 1].

    Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) has 28x28 grey images of
    10 kinds of clothing (0 T-shirt/top, 1 trouser, 2 pullover, 3 dress,
    4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot), 60,000 for
    training and 10,000 for testing, in the same IDX files as MNIST. Pixels
    are scaled as in `load_mnist`, `x / 127.5 - 1`. The sources, in order:

    1. `data_dir`, when given: a folder holding the official IDX files
       (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
       `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), each gzipped
       (`.gz`) or not. Nothing else is tried then.
    2. tensorflow-datasets `fashion_mnist`, when already prepared in its
       data folder in a random-access format (see `load_mnist`).
    3. The cache of `keras.datasets.fashion_mnist.load_data()`, when the
       split's two files are there: the gzipped IDX files in
       `fashion-mnist/` of the Keras cache folder (`$KERAS_HOME/datasets/`
       or `~/.keras/datasets/`, as for `load_mnist`).
    4. `/usr/share/datasets/fashion-mnist/`, where Debian's and Ubuntu's
       package installs it: `apt-get install dataset-fashion-mnist`. Its
       files are read as IDX; they are recompressed, so their bytes differ
       from the original downloads, but not their content.
    5. With `download=True`, a download by
       `keras.datasets.fashion_mnist.load_data()` (needs network, not
       TensorFlow; about 30 MB, kept in the cache of 3.).

    Unlike MNIST, no copy is embedded in this package (it would add 30 MB);
    when no source has the data, a one-line `FileNotFoundError` says why
    each failed and how to get it. Exactly one line is logged on the
    `"keras_wgan"` logger naming the source and the number of images.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder (str or path) with the IDX files. When
            given, it is the only source.
        return_labels: If `True`, also return the class labels.
        download: If `True`, let `keras.datasets` download Fashion-MNIST
            when no local source has it. Cannot be combined with
            `data_dir`.

    Returns:
        A float32 array of shape `(N, 28, 28, 1)` with values in [-1, 1],
        or `(images, labels)` with int64 labels of shape `(N,)` in 0..9
        when `return_labels=True`.

    Raises:
        FileNotFoundError: No source has the split (the message says how to
            get it), or `data_dir` lacks a file.
        ValueError: A source's files or arrays are not Fashion-MNIST's (the
            message names the file).

    Example:

    Where Debian's package is installed, `load_fashion_mnist("test")`
    returns the 10,000 test images. Any folder of IDX files works too,
    here one of two images (an ankle boot, 9, all black, and a pullover, 2,
    all white) written in the IDX format that `read_idx` documents:

    >>> import pathlib
    >>> folder = pathlib.Path("fashion")
    >>> folder.mkdir()
    >>> def write_idx(name, array):
    ...     sizes = b"".join(size.to_bytes(4, "big") for size in array.shape)
    ...     header = bytes([0, 0, 0x08, array.ndim]) + sizes
    ...     pixels = array.astype("uint8").tobytes()
    ...     (folder / name).write_bytes(header + pixels)
    >>> write_idx("t10k-images-idx3-ubyte",
    ...           np.stack([np.zeros((28, 28)), np.full((28, 28), 255)]))
    >>> write_idx("t10k-labels-idx1-ubyte", np.array([9, 2]))
    >>> images, labels = load_fashion_mnist("test", data_dir=folder,
    ...                                     return_labels=True)
    >>> images.shape, images.min(axis=(1, 2, 3)), labels
    ((2, 28, 28, 1), array([-1.,  1.], dtype=float32), array([9, 2]))
    """
    return _load(mnist_sources.FASHION_MNIST, split, data_dir,
                 return_labels, download)


def read_split(dataset: mnist_sources.IdxDataset, split: str,
               data_dir: str | os.PathLike | None = None, *,
               download: bool = False) -> Split:
    """Reads `split` of `dataset` from the first source that has it.

    The sources and their order are those of `load_mnist`; nothing is
    logged (the caller writes the log line, from `where` and `skipped`).

    Args:
        dataset: `mnist_sources.MNIST` or `mnist_sources.FASHION_MNIST`.
        split: `"train"` or `"test"`.
        data_dir: Optional folder of the IDX files, then the only source.
        download: If `True`, let `keras.datasets` download the dataset
            when no local source has it. Cannot be combined with
            `data_dir`.

    Returns:
        A `Split`: the uint8 digits, their labels, where they came from
        and why the sources before it were passed over.

    Raises:
        FileNotFoundError: As `load_mnist`.
        ValueError: A bad argument, or a source whose arrays are not the
            dataset's.

    Example:

    >>> digits = read_split(mnist_sources.MNIST, "test")
    >>> digits.images.shape, digits.images.dtype, digits.labels[:3]
    ((10000, 28, 28), dtype('uint8'), array([7, 2, 1]))
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}.")
    if data_dir is None:
        return _read_first_source(dataset, split, download)
    if download:
        raise ValueError(
            "download must be False when data_dir is given (data_dir is "
            f"then the only source), got download={download!r}."
        )
    images, labels = mnist_sources.read_data_dir(dataset, split, data_dir)
    return Split(images, labels, f"IDX files in {os.fspath(data_dir)}", [])


def _load(dataset, split, data_dir, return_labels, download):
    """Loads `split` of `dataset` from the first source that has it, logs."""
    images, labels, where, skipped = read_split(dataset, split, data_dir,
                                                download=download)
    details = "; ".join([f"{len(images)} images", *skipped])
    _LOGGER.info(f"{dataset.title} {split!r} from {where} ({details})")
    scaled = to_unit_range(images)[..., np.newaxis]
    return (scaled, labels) if return_labels else scaled


def _read_first_source(dataset, split, download):
    """The `Split` from the first source that has it.

    Raises `FileNotFoundError` when no source has the split.
    """
    skipped = []
    for name, read in mnist_sources.local_sources(dataset):
        try:
            images, labels, where = read(dataset, split)
        except checks.SourceUnavailable as unavailable:
            skipped.append(f"{name} unavailable: "
                           f"{checks.one_line(unavailable)}")
        else:
            return Split(images, labels, where, skipped)
    failure = None
    if download:
        try:
            images, labels, where = mnist_sources.download(dataset, split)
        except checks.SourceUnavailable as unavailable:
            skipped.append(f"download failed: {checks.one_line(unavailable)}")
            failure = unavailable
        else:
            return Split(images, labels, where, skipped)
    raise FileNotFoundError(
        f"{dataset.title} {split!r} is not available here "
        f"({'; '.join(skipped)}); {dataset.how_to_get}pass data_dir= a "
        "folder holding the official IDX files, or download=True "
        "(downloads it through keras.datasets; needs network, not "
        "TensorFlow)."
    ) from failure
