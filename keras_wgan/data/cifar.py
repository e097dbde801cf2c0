"""CIFAR-10 and CIFAR-100 (Krizhevsky, 2009) as float32 arrays in [-1, 1].

Both come through `keras.datasets` (which needs no TensorFlow): its cache
when the archive is there, a download only when asked, or a folder of the
official "python version" files. A prepared tensorflow-datasets copy loads
with `load_images("tfds:cifar10")`.
"""

import dataclasses
import importlib
import logging
import os
import pathlib
import pickle

import numpy as np

from keras_wgan.data import checks
from keras_wgan.data import keras_folders
from keras_wgan.data.pixels import to_unit_range

_LOGGER = logging.getLogger(__name__)

_SPLITS = ("train", "test")
_IMAGE_SHAPE = (32, 32, 3)


@dataclasses.dataclass(frozen=True)
class _Cifar:
    """What differs between CIFAR-10 and CIFAR-100."""

    title: str  # as named in messages
    keras_name: str  # the module of keras.datasets
    # The download archive as keras.utils.get_file (Keras 3.15) names it in
    # the keras.datasets cache folder; present means no download.
    keras_archive: str
    # The official python-version files of each split, and the key of the
    # labels in them.
    files: dict
    label_key: bytes
    num_classes: int
    archive: str  # the official download, for messages


_CIFAR10 = _Cifar(
    title="CIFAR-10",
    keras_name="cifar10",
    keras_archive="cifar-10-batches-py-target_archive",
    files={"train": tuple(f"data_batch_{i}" for i in range(1, 6)),
           "test": ("test_batch",)},
    label_key=b"labels",
    num_classes=10,
    archive="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
)

_CIFAR100 = _Cifar(
    title="CIFAR-100",
    keras_name="cifar100",
    keras_archive="cifar-100-python-target_archive",
    files={"train": ("train",), "test": ("test",)},
    label_key=b"fine_labels",
    num_classes=100,
    archive="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
)


def load_cifar10(split: str = "train",
                 data_dir: str | os.PathLike | None = None,
                 return_labels: bool = False, *, download: bool = False
                 ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads CIFAR-10 as float32 RGB images `(N, 32, 32, 3)` in [-1, 1].

    CIFAR-10 has 50,000 train and 10,000 test images of 10 classes (0
    airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse,
    8 ship, 9 truck); pixels `x` in 0..255 become `x / 127.5 - 1`
    (`to_unit_range`). The
    sources, in order:

    1. `data_dir`, when given: a folder of the official python-version
       files (`data_batch_1` to `data_batch_5` and `test_batch`, as
       extracted from `cifar-10-python.tar.gz`). Nothing else is tried.
    2. `keras.datasets.cifar10.load_data()`, when its download is already
       in the Keras cache (`cifar-10-batches-py-target_archive` in
       `$KERAS_HOME/datasets/` or `~/.keras/datasets/`), or when
       `download=True` (about 170 MB; needs network, not TensorFlow).

    Otherwise a one-line `FileNotFoundError` says how to get it. One line
    is logged on the `"keras_wgan"` logger: the source and the count.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder of the official python-version files.
        return_labels: If `True`, also return the class labels.
        download: If `True`, let `keras.datasets` download CIFAR-10 when it
            is not in its cache. Cannot be combined with `data_dir`.

    Returns:
        A float32 array `(N, 32, 32, 3)` with values in [-1, 1], or
        `(images, labels)` with int64 labels `(N,)` in 0..9.

    Raises:
        FileNotFoundError: The data is not here (the message says how to
            get it), or `data_dir` lacks a file.
        ValueError: A file is not CIFAR's (the message names it).

    Example:

    A folder holding one test image in the python-version format:

    >>> import pathlib, pickle
    >>> folder = pathlib.Path("cifar-10-batches-py")
    >>> folder.mkdir()
    >>> red = np.repeat(np.array([255, 0, 0], "uint8"), 32 * 32)
    >>> batch = {b"data": red[np.newaxis], b"labels": [3]}
    >>> _ = (folder / "test_batch").write_bytes(pickle.dumps(batch))
    >>> images, labels = load_cifar10("test", data_dir=folder,
    ...                               return_labels=True)
    >>> images.shape, images[0, 0, 0], labels
    ((1, 32, 32, 3), array([ 1., -1., -1.], dtype=float32), array([3]))
    """
    return _load(_CIFAR10, split, data_dir, return_labels, download)


def load_cifar100(split: str = "train",
                  data_dir: str | os.PathLike | None = None,
                  return_labels: bool = False, *, download: bool = False
                  ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads CIFAR-100 as float32 RGB images `(N, 32, 32, 3)` in [-1, 1].

    As `load_cifar10`, with 100 classes (the "fine" labels, 0..99, in the
    alphabetical order of their names) and its files: `train` and `test`
    from `cifar-100-python.tar.gz`, or the Keras cache
    (`cifar-100-python-target_archive`) read by
    `keras.datasets.cifar100.load_data()`.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder of the official python-version files.
        return_labels: If `True`, also return the fine class labels.
        download: If `True`, let `keras.datasets` download CIFAR-100 when
            it is not in its cache. Cannot be combined with `data_dir`.

    Returns:
        A float32 array `(N, 32, 32, 3)` with values in [-1, 1], or
        `(images, labels)` with int64 labels `(N,)` in 0..99.

    Raises:
        FileNotFoundError: The data is not here (the message says how to
            get it), or `data_dir` lacks a file.
        ValueError: A file is not CIFAR's (the message names it).
    """
    return _load(_CIFAR100, split, data_dir, return_labels, download)


def _load(cifar, split, data_dir, return_labels, download):
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}.")
    if data_dir is not None:
        if download:
            raise ValueError(
                "download must be False when data_dir is given (data_dir is "
                f"then the only source), got download={download!r}."
            )
        images, labels = _read_folder(cifar, split, pathlib.Path(data_dir))
        where = f"the python-version files in {os.fspath(data_dir)}"
    else:
        images, labels, where = _read_keras(cifar, split, download)
    _LOGGER.info(f"{cifar.title} {split!r} from {where} "
                  f"({len(images)} images)")
    scaled = to_unit_range(images)
    return (scaled, labels) if return_labels else scaled


def _read_keras(cifar, split, download):
    """Reads `split` through `keras.datasets`; returns `(x, y, where)`."""
    archive = keras_folders.keras_datasets_dir() / cifar.keras_archive
    loader = f"keras.datasets.{cifar.keras_name}.load_data()"
    if not archive.exists() and not download:
        raise FileNotFoundError(
            f"{cifar.title} is not in the keras.datasets cache (no "
            f"{archive}); pass download=True (downloads it through "
            f"{loader}; needs network, not TensorFlow), or data_dir= the "
            f"folder of the files extracted from {cifar.archive}, or use "
            f"'tfds:{cifar.keras_name}' where tensorflow-datasets has it."
        )
    module = importlib.import_module(f"keras.datasets.{cifar.keras_name}")
    cached = archive.exists()
    try:
        train, test = module.load_data()
    # keras.utils.get_file reports a failed fetch as a bare Exception.
    except Exception as err:  # noqa: BLE001
        raise FileNotFoundError(
            f"{loader} failed ({checks.one_line(err)}); pass data_dir= "
            f"the folder of the files extracted from {cifar.archive}."
        ) from err
    images, labels = train if split == "train" else test
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 3 and images.shape[-1] != 3:
        # keras.datasets follows keras.config.image_data_format().
        images = images.transpose(0, 2, 3, 1)
    origin = f"the {split} split of {loader}"
    _check(cifar, images, np.asarray(labels).reshape(-1), origin)
    where = (f"the keras.datasets cache {archive.parent}" if cached
             else f"a download by {loader}")
    return images, np.asarray(labels).reshape(-1).astype(np.int64), where


def _read_folder(cifar, split, folder):
    """Reads the python-version files of `split` from `folder`."""
    names = cifar.files[split]
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data_dir={os.fspath(folder)!r} is not an existing folder; "
            f"expected a folder holding {', '.join(names)} (extracted from "
            f"{cifar.archive})."
        )
    images, labels = [], []
    for name in names:
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(
                f"data_dir={os.fspath(folder)!r} has no file {name}; split "
                f"{split!r} needs {', '.join(names)} (extracted from "
                f"{cifar.archive})."
            )
        batch = _read_batch(cifar, path)
        images.append(batch[0])
        labels.append(batch[1])
    return np.concatenate(images), np.concatenate(labels)


def _read_batch(cifar, path):
    """Reads one python-version file: `(images, labels)`, checked."""
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
        data = np.asarray(batch[b"data"])
        labels = np.asarray(batch[cifar.label_key])
    except (OSError, EOFError, KeyError, TypeError, IndexError,
            pickle.UnpicklingError) as err:
        raise ValueError(
            f"{path}: not a {cifar.title} python-version file "
            f"({checks.one_line(err)})."
        ) from err
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise ValueError(
            f"{path}: expected uint8 data of shape (N, 3072), got "
            f"{data.dtype} {data.shape}."
        )
    # Each row holds the red, then the green, then the blue 32x32 plane.
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    _check(cifar, images, labels, str(path))
    return images, labels.astype(np.int64)


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles CIFAR's files, refusing any class but NumPy's arrays.

    The files are pickles; a general unpickler would run whatever code a
    crafted file names.
    """

    _ALLOWED = {
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}"
            )
        return super().find_class(module, name)


def _check(cifar, images, labels, origin):
    if images.dtype != np.uint8 or images.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"{origin}: expected uint8 images of shape (N, 32, 32, 3), got "
            f"{images.dtype} {images.shape}."
        )
    checks.check_labels(labels, origin, cifar.num_classes)
    checks.check_counts(images, labels, origin)
