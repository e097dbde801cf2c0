"""Where MNIST and Fashion-MNIST come from: each source, and their order.

`MNIST` and `FASHION_MNIST` say what differs between the two datasets;
`local_sources` lists the sources tried on this machine, in order, and
`download` is the last resort. Each source returns uint8 digits
`(N, 28, 28)` and int64 labels, checked by `checked_split`; `mnist` reads
the first that has a split.
"""

import dataclasses
import importlib
import importlib.resources
import os
import pathlib
import zipfile
import zlib
from collections.abc import Callable

import numpy as np

from keras_wgan.data import checks
from keras_wgan.data import idx
from keras_wgan.data import keras_folders
from keras_wgan.data import tfds_reader

_IMAGE_SHAPE = (28, 28)

#: Where the embedded copy is, in log lines and messages.
EMBEDDED = "the copy embedded in keras_wgan"


@dataclasses.dataclass(frozen=True)
class IdxDataset:
    """What differs between the 28x28 IDX datasets (MNIST, Fashion-MNIST).

    Attributes:
        title: The name in messages, e.g. `"MNIST"`.
        tfds_name: The tensorflow-datasets builder name.
        keras_name: The module of `keras.datasets`, e.g. `"mnist"`.
        keras_cache: Where `keras.datasets` caches it, relative to its
            cache folder: an `.npz` file of the arrays `x_train`,
            `y_train`, `x_test` and `y_test`, or a folder of the official
            gzipped IDX files.
        num_classes: The number of classes.
        embedded_dir: The folder under `keras_wgan/resources` holding both
            splits as gzipped IDX files, or `None` when the package ships
            no copy.
        system_dir: A system-wide folder of IDX files (both splits), tried
            after the `keras.datasets` cache, or `None`.
        how_to_get: How to get the data, besides `data_dir=` and
            `download=True`, for the error raised when no source has it
            (empty, or ends with ", ").
    """

    title: str
    tfds_name: str
    keras_name: str
    keras_cache: str
    num_classes: int
    embedded_dir: str | None = None
    system_dir: str | None = None
    how_to_get: str = ""


#: MNIST (LeCun et al., 1998), both splits embedded in this package.
MNIST = IdxDataset(
    title="MNIST",
    tfds_name="mnist",
    keras_name="mnist",
    keras_cache="mnist.npz",
    num_classes=10,
    embedded_dir="mnist",
)

# Debian and Ubuntu ship Fashion-MNIST as a package; its gzip files are
# recompressed (other bytes than the originals, same IDX content), so they
# are read as IDX and never matched against published checksums.
#: Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017).
FASHION_MNIST = IdxDataset(
    title="Fashion-MNIST",
    tfds_name="fashion_mnist",
    keras_name="fashion_mnist",
    keras_cache="fashion-mnist",
    num_classes=10,
    system_dir="/usr/share/datasets/fashion-mnist",
    how_to_get=(
        "install it with `apt-get install dataset-fashion-mnist` "
        "(Debian/Ubuntu, into /usr/share/datasets/fashion-mnist), "
    ),
)

#: A source: `(dataset, split)` to `(images, labels, where)`, `where` for
#: the log line; it raises `checks.SourceUnavailable` when it has nothing.
Reader = Callable[[IdxDataset, str],
                  tuple[np.ndarray, np.ndarray, str]]


def local_sources(dataset: IdxDataset) -> list[tuple[str, Reader]]:
    """The sources of `dataset` on this machine, in the order tried.

    Args:
        dataset: `MNIST` or `FASHION_MNIST`.

    Returns:
        `(name, reader)` pairs: tensorflow-datasets, the `keras.datasets`
        cache, then the system folder and the embedded copy where the
        dataset has them.

    Example:

    >>> [name for name, _ in local_sources(MNIST)]
    ['tensorflow-datasets', 'keras.datasets cache', 'embedded copy']
    """
    sources = [("tensorflow-datasets", _read_tfds),
               ("keras.datasets cache", _read_keras_cache)]
    if dataset.system_dir is not None:
        sources.append(("system folder", _read_system_dir))
    if dataset.embedded_dir is not None:
        sources.append(("embedded copy", _read_embedded))
    return sources


def read_data_dir(dataset: IdxDataset, split: str,
                  data_dir: str | os.PathLike
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Reads `split` from a folder of IDX files the user named.

    Args:
        dataset: `MNIST` or `FASHION_MNIST`.
        split: `"train"` or `"test"`.
        data_dir: The folder, holding the files of `idx.IDX_FILES`.

    Returns:
        `(images, labels)`, checked by `checked_split`.

    Raises:
        FileNotFoundError: `data_dir` is not a folder or lacks a file.
        ValueError: A file is not the dataset's (named).

    Example:

    >>> read_data_dir(MNIST, "test", "nowhere")
    Traceback (most recent call last):
    FileNotFoundError: data_dir='nowhere' is not an existing folder; ...
    """
    folder = pathlib.Path(data_dir)
    wanted = idx.split_wanted(split)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data_dir={os.fspath(data_dir)!r} is not an existing folder; "
            f"expected a folder holding {wanted} for split {split!r}."
        )
    paths = idx.split_files(folder, split)
    for name, path in zip(idx.IDX_FILES[split], paths):
        if path is None:
            raise FileNotFoundError(
                f"data_dir={os.fspath(data_dir)!r} has no {folder / name} "
                f"or {folder / name}.gz; split {split!r} needs {wanted}."
            )
    return _read_idx_pair(dataset, *paths)


def download(dataset: IdxDataset, split: str
             ) -> tuple[np.ndarray, np.ndarray, str]:
    """Downloads `dataset` through `keras.datasets`, which caches it.

    Args:
        dataset: `MNIST` or `FASHION_MNIST`.
        split: `"train"` or `"test"`.

    Returns:
        `(images, labels, where)` of `split`, checked by `checked_split`.

    Raises:
        checks.SourceUnavailable: The download failed (the message says
            why).
    """
    loader = f"keras.datasets.{dataset.keras_name}.load_data()"
    module = importlib.import_module(f"keras.datasets.{dataset.keras_name}")
    try:
        train, test = module.load_data()
    # keras.utils.get_file reports a failed fetch as a bare Exception.
    except Exception as err:  # noqa: BLE001
        raise checks.SourceUnavailable(
            f"{loader} raised {checks.one_line(err)}") from err
    images, labels = train if split == "train" else test
    images, labels = checked_split(dataset, np.asarray(images),
                                   np.asarray(labels),
                                   f"{split} split of {loader}")
    return images, labels, f"a download by {loader}"


def checked_split(dataset: IdxDataset, images: np.ndarray,
                  labels: np.ndarray, origin: str,
                  label_origin: str | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Checks the arrays of a split: uint8 `(N, 28, 28)`, labels in range.

    Args:
        dataset: `MNIST` or `FASHION_MNIST` (its number of classes).
        images: The images.
        labels: Their labels.
        origin: Where the images come from, for error messages, and the
            labels too unless `label_origin` is given.
        label_origin: Where the labels come from, when another file.

    Returns:
        `(images, labels)`, the labels as int64.

    Raises:
        ValueError: An array is not the dataset's (the message names it).

    Example:

    >>> images, labels = checked_split(
    ...     MNIST, np.zeros((2, 28, 28), np.uint8), np.array([3, 9], "uint8"),
    ...     "two digits")
    >>> labels.dtype
    dtype('int64')
    """
    label_origin = origin if label_origin is None else label_origin
    if images.dtype != np.uint8:
        raise ValueError(
            f"{origin}: expected uint8 images, got dtype {images.dtype}."
        )
    if images.ndim != 3 or images.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"{origin}: expected images of shape (N, 28, 28), got "
            f"{images.shape}."
        )
    if len(images) == 0:
        raise ValueError(f"{origin}: expected at least one image, got 0.")
    checks.check_labels(labels, label_origin, dataset.num_classes)
    both = origin if label_origin == origin else f"{origin} and {label_origin}"
    checks.check_counts(images, labels, both)
    return images, labels.astype(np.int64)


def _read_idx_pair(dataset, image_path, label_path):
    """Reads and checks an image file and its label file."""
    return checked_split(dataset, idx.read_idx(image_path),
                         idx.read_idx(label_path), str(image_path),
                         str(label_path))


def _read_idx_folder_if_complete(dataset, split, folder):
    """Reads `split` from a folder of IDX files; unavailable if absent."""
    paths = idx.split_files(folder, split)
    if None in paths:
        raise checks.SourceUnavailable(
            f"no {idx.split_wanted(split)} in {folder}")
    return _read_idx_pair(dataset, *paths)


def _read_system_dir(dataset, split):
    folder = pathlib.Path(dataset.system_dir)
    if not folder.is_dir():
        raise checks.SourceUnavailable(f"no folder {folder}")
    images, labels = _read_idx_folder_if_complete(dataset, split, folder)
    return images, labels, f"IDX files in {folder}"


def _read_embedded(dataset, split):
    folder = importlib.resources.files("keras_wgan") / "resources"
    folder = folder / dataset.embedded_dir
    arrays = []
    for name in idx.IDX_FILES[split]:
        resource = folder / f"{name}.gz"
        if not resource.is_file():
            raise checks.SourceUnavailable(
                f"no {name}.gz in keras_wgan/resources/{dataset.embedded_dir}"
            )
        # as_file gives a real path even when the package sits in a zip.
        with importlib.resources.as_file(resource) as path:
            arrays.append(idx.read_idx(path))
    origin = f"embedded {dataset.title} {split} split"
    images, labels = checked_split(dataset, *arrays, origin)
    return images, labels, EMBEDDED


def _read_keras_cache(dataset, split):
    path = keras_folders.keras_datasets_dir() / dataset.keras_cache
    if path.suffix == ".npz":
        if not path.is_file():
            raise checks.SourceUnavailable(f"no file {path}")
        images, labels = _read_keras_npz(dataset, split, path)
    else:
        images, labels = _read_idx_folder_if_complete(dataset, split, path)
    return images, labels, f"the keras.datasets cache {path}"


def _read_keras_npz(dataset, split, path):
    """Reads `x_<split>` and `y_<split>` from an .npz file of keras.datasets.

    Raises `ValueError`, naming the file, when it cannot be read.
    """
    keys = (f"x_{split}", f"y_{split}")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds one array, not an .npz archive")
        with loaded as npz:
            images, labels = npz[keys[0]], npz[keys[1]]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile,
            zlib.error) as err:
        raise ValueError(
            f"{path}: not a readable keras.datasets {dataset.title} file "
            f"({checks.one_line(err)}); delete it (keras.datasets."
            f"{dataset.keras_name}.load_data() downloads it again)."
        ) from err
    return checked_split(dataset, images, labels,
                         f"{path} ({', '.join(keys)})")


def _read_tfds(dataset, split):
    """Reads `split` from a prepared tensorflow-datasets copy.

    Raises `checks.SourceUnavailable` when tfds cannot provide the data
    here without downloading; anything else propagates.
    """
    images, labels, data_dir = tfds_reader.read_prepared(
        dataset.tfds_name, split, return_labels=True, verbose=False)
    origin = f"tensorflow-datasets {dataset.tfds_name!r} split {split!r}"
    if images.shape[1:] != (*_IMAGE_SHAPE, 1):
        raise ValueError(
            f"{origin}: expected every image of shape "
            f"{(*_IMAGE_SHAPE, 1)}, got shape {images.shape[1:]}."
        )
    images, labels = checked_split(dataset, images[..., 0], labels, origin)
    return images, labels, f"tensorflow-datasets in {data_dir}"
