"""Training images: MNIST and Fashion-MNIST as float32 arrays in [-1, 1].

`load_mnist` reads, in this order: IDX files in a folder you name, a
tensorflow-datasets copy that is already prepared on this machine, or the
official MNIST test split embedded in this package (so that it always works
offline). `load_fashion_mnist` reads the same first two sources, then the
folder of Debian's `dataset-fashion-mnist` package. One log line per call
says which source was used.
"""

import dataclasses
import importlib.resources
import importlib.util
import logging
import os
import pathlib

import numpy as np

from keras_wgan.data.idx import read_idx

_LOGGER = logging.getLogger(__name__)

_SPLITS = ("train", "test")

# Official IDX file names (images, labels) per split; Fashion-MNIST uses the
# same names, so a folder of either dataset reads the same way.
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

_IMAGE_SHAPE = (28, 28)


@dataclasses.dataclass(frozen=True)
class _IdxDataset:
    """What differs between the 28x28 IDX datasets this module loads."""

    title: str  # as named in messages, e.g. "MNIST"
    tfds_name: str  # the tensorflow-datasets builder name
    num_classes: int
    # Folder under keras_wgan/resources holding the gzipped test split, or
    # None when the package ships no copy.
    embedded_dir: str | None = None
    # How the log line names the embedded images.
    embedded_name: str = ""
    # A system-wide folder of IDX files (both splits) tried when
    # tensorflow-datasets cannot help, before the embedded copy.
    system_dir: str | None = None
    # How to get the data, for the error raised when no source has it.
    how_to_get: str = ""


_MNIST = _IdxDataset(
    title="MNIST",
    tfds_name="mnist",
    num_classes=10,
    embedded_dir="mnist",
    embedded_name="the copy embedded in keras_wgan",
)

# Debian and Ubuntu ship Fashion-MNIST as a package; its gzip files are
# recompressed (other bytes than the originals, same IDX content), so they
# are read as IDX and never matched against published checksums.
_FASHION_MNIST = _IdxDataset(
    title="Fashion-MNIST",
    tfds_name="fashion_mnist",
    num_classes=10,
    system_dir="/usr/share/datasets/fashion-mnist",
    how_to_get=(
        "install it with `apt-get install dataset-fashion-mnist` "
        "(Debian/Ubuntu, into /usr/share/datasets/fashion-mnist), pass "
        "data_dir= a folder holding the official IDX files, or pass "
        "download=True (needs TensorFlow and network)"
    ),
)


class _Unavailable(Exception):
    """A source cannot provide the data here; the message says why."""


def load_mnist(split="train", data_dir=None, return_labels=False, *,
               download=False, stand_in=True):
    """Loads MNIST digits as float32 images scaled to [-1, 1].

    Pixel values `x` in 0..255 become `x / 127.5 - 1`, so 0 maps to -1 and
    255 to 1, the range of a `tanh` generator. The sources, in order:

    1. `data_dir`, when given: a folder holding the official IDX files
       (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
       `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), each gzipped
       (with a `.gz` suffix) or not; the uncompressed file wins when both
       exist. Nothing else is tried then.
    2. tensorflow-datasets (`tfds.data_source("mnist")`, which needs no
       TensorFlow), when MNIST is already prepared in its data folder
       (`~/tensorflow_datasets` or `$TFDS_DATA_DIR`) in a random-access
       format (`array_record`). It is not downloaded unless
       `download=True`, for two reasons: preparing MNIST in
       tensorflow-datasets 4.9 needs TensorFlow (to decompress and to
       encode the images), and without network a download attempt spends
       minutes in retries before it fails.
    3. The official MNIST test split (10,000 digits) shipped with this
       package. For `split="train"` this is a stand-in: 10,000 test digits
       instead of the 60,000 train digits, and the log line (at WARNING
       level) says so; `stand_in=False` raises instead.

    Exactly one line is logged on the `"keras_wgan"` logger naming the
    source and the number of images; when the embedded digits are used it
    also says why tensorflow-datasets was not.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder (str or path) with the IDX files. When
            given, it is the only source: a missing folder or file raises
            `FileNotFoundError`.
        return_labels: If `True`, also return the digit labels.
        download: If `True`, let tensorflow-datasets download and prepare
            MNIST when it is not prepared yet (needs TensorFlow and network;
            a failure falls back to the embedded digits). Cannot be combined
            with `data_dir`.
        stand_in: If `False`, `split="train"` raises `FileNotFoundError`
            instead of returning the embedded test digits in place of the
            train split (for code that must not train on test digits
            unknowingly). No effect on `split="test"`.

    Returns:
        A float32 array of shape `(N, 28, 28, 1)` with values in [-1, 1],
        or `(images, labels)` with int64 labels of shape `(N,)` in 0..9
        when `return_labels=True`.

    Example:

    >>> images = load_mnist("test")
    >>> images.shape, images.dtype
    ((10000, 28, 28, 1), dtype('float32'))
    >>> images, labels = load_mnist("test", return_labels=True)
    >>> labels[:5]
    array([7, 2, 1, 0, 4])
    """
    return _load_idx_dataset(
        _MNIST, split, data_dir, return_labels, download, stand_in
    )


def load_fashion_mnist(split="train", data_dir=None, return_labels=False, *,
                       download=False):
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
       data folder in a random-access format, or when `download=True`
       (which needs TensorFlow and network; see `load_mnist`).
    3. `/usr/share/datasets/fashion-mnist/`, where Debian's and Ubuntu's
       package installs it: `apt-get install dataset-fashion-mnist`. Its
       files are read as IDX; they are recompressed, so their bytes differ
       from the original downloads, but not their content.

    Unlike MNIST, no copy is embedded in this package (it would add 30 MB);
    when no source has the data, a `FileNotFoundError` says how to get it.
    Exactly one line is logged on the `"keras_wgan"` logger naming the
    source and the number of images.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder (str or path) with the IDX files. When
            given, it is the only source.
        return_labels: If `True`, also return the class labels.
        download: If `True`, let tensorflow-datasets download and prepare
            Fashion-MNIST when it is not prepared yet. Cannot be combined
            with `data_dir`.

    Returns:
        A float32 array of shape `(N, 28, 28, 1)` with values in [-1, 1],
        or `(images, labels)` with int64 labels of shape `(N,)` in 0..9
        when `return_labels=True`.

    Raises:
        FileNotFoundError: No source has the split (the message says how to
            get it), or `data_dir` lacks a file.

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
    return _load_idx_dataset(
        _FASHION_MNIST, split, data_dir, return_labels, download
    )


def _load_idx_dataset(dataset, split, data_dir, return_labels, download,
                      stand_in=True):
    """Loads `split` of `dataset` from the first source that has it."""
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}.")
    logger = _LOGGER
    if data_dir is not None:
        if download:
            raise ValueError(
                "download must be False when data_dir is given (data_dir is "
                f"then the only source), got download={download!r}."
            )
        images, labels = _read_idx_folder(dataset, split, data_dir)
        logger.info(
            f"{dataset.title} {split!r} from IDX files in "
            f"{os.fspath(data_dir)} ({len(images)} images)"
        )
    else:
        try:
            images, labels, location = _read_tfds(dataset, split, download)
        except _Unavailable as unavailable:
            reason = " ".join(str(unavailable).split())  # keep it one line
            images, labels = _read_offline(
                dataset, split, reason, logger, stand_in
            )
        else:
            logger.info(
                f"{dataset.title} {split!r} from tensorflow-datasets in "
                f"{location} ({len(images)} images)"
            )

    scaled = images.astype(np.float32)
    scaled /= 127.5
    scaled -= 1.0
    scaled = scaled[..., np.newaxis]
    if return_labels:
        return scaled, labels
    return scaled


def _read_offline(dataset, split, reason, logger, stand_in):
    """Reads `split` from the system folder or the embedded copy, and logs.

    `reason` says why tensorflow-datasets could not provide it; `stand_in`
    whether the embedded test split may replace the train split.
    """
    if dataset.system_dir is not None and os.path.isdir(dataset.system_dir):
        images, labels = _read_idx_folder(dataset, split, dataset.system_dir)
        logger.info(
            f"{dataset.title} {split!r} from IDX files in "
            f"{dataset.system_dir} ({len(images)} images; "
            f"tensorflow-datasets unavailable: {reason})"
        )
        return images, labels
    if dataset.embedded_dir is None:
        searched = (
            f"; no folder {dataset.system_dir}" if dataset.system_dir else ""
        )
        raise FileNotFoundError(
            f"{dataset.title} {split!r} is not available here "
            f"(tensorflow-datasets unavailable: {reason}{searched}); "
            f"{dataset.how_to_get}."
        )
    images, labels = _read_embedded(dataset, split)
    logger.info(
        f"{dataset.title} {split!r} from {dataset.embedded_name} "
        f"({len(images)} images; tensorflow-datasets unavailable: {reason})"
    )
    return images, labels


def _read_idx_folder(dataset, split, data_dir):
    folder = pathlib.Path(data_dir)
    names = _IDX_FILES[split]
    wanted = " and ".join(f"{name}[.gz]" for name in names)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data_dir={os.fspath(data_dir)!r} is not an existing folder; "
            f"expected a folder holding {wanted} for split {split!r}."
        )
    paths = []
    for name in names:
        candidates = [folder / name, folder / f"{name}.gz"]
        found = [path for path in candidates if path.is_file()]
        if not found:
            raise FileNotFoundError(
                f"data_dir={os.fspath(data_dir)!r} has no {candidates[0]} "
                f"or {candidates[1]}; split {split!r} needs {wanted}."
            )
        paths.append(found[0])
    image_path, label_path = paths
    images = read_idx(image_path)
    labels = read_idx(label_path)
    _check_images(images, str(image_path))
    _check_labels(labels, dataset.num_classes, str(label_path))
    _check_counts(images, labels, f"{image_path} and {label_path}")
    return images, labels.astype(np.int64)


def _read_embedded(dataset, split):
    folder = importlib.resources.files("keras_wgan") / "resources"
    folder = folder / dataset.embedded_dir
    arrays = []
    for name in _IDX_FILES[split]:
        # as_file gives a real path even when the package sits in a zip.
        with importlib.resources.as_file(folder / f"{name}.gz") as path:
            arrays.append(read_idx(path))
    images, labels = arrays
    origin = f"embedded {dataset.title} {split} split"
    _check_images(images, origin)
    _check_labels(labels, dataset.num_classes, origin)
    _check_counts(images, labels, origin)
    return images, labels.astype(np.int64)


def _read_tfds(dataset, split, download):
    """Reads `split` from tensorflow-datasets.

    Returns `(images, labels, location)`. Raises `_Unavailable` when tfds
    cannot provide the data here; anything else propagates.
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise _Unavailable(
            f"cannot import tensorflow_datasets ({err})"
        ) from err
    name = dataset.tfds_name
    # Checked up front because tfds.data_source reports an unprepared
    # dataset with a bare KeyError, and would otherwise try a download.
    builder = tfds.builder(name)
    # is_prepared() logs an absl warning when dataset_info.json is missing,
    # so look for it first: the usual case then logs only our line.
    if (builder.data_path / "dataset_info.json").exists() and (
        builder.is_prepared()
    ):
        file_format = builder.info.file_format
        if file_format not in tfds.core.FileFormat.with_random_access():
            raise _Unavailable(
                f"{name!r} is prepared in {builder.data_dir} as "
                f"{file_format.value}, which has no random access; prepare "
                "it as array_record"
            )
    elif not download:
        raise _Unavailable(
            f"{name!r} is not prepared in {builder.data_dir_root} and "
            "download=False"
        )
    elif importlib.util.find_spec("tensorflow") is None:
        raise _Unavailable(
            f"{name!r} is not prepared in {builder.data_dir_root}, and "
            "preparing it needs TensorFlow, which is not installed"
        )
    try:
        source = tfds.data_source(name, split=split, download=download)
    except _download_errors(tfds) as err:
        raise _Unavailable(f"preparing {name!r} failed: {err}") from err

    origin = f"tensorflow-datasets {name!r} split {split!r}"
    keys = list(range(len(source)))
    get_many = getattr(source, "__getitems__", None)
    # One batched read decodes the examples together, which is much faster
    # than one __getitem__ call (and its Python overhead) per example.
    examples = get_many(keys) if get_many else [source[key] for key in keys]
    if not examples:
        raise ValueError(f"{origin}: expected at least one example, got 0.")
    shapes = {np.shape(example["image"]) for example in examples}
    if shapes != {(*_IMAGE_SHAPE, 1)}:
        raise ValueError(
            f"{origin}: expected every image of shape "
            f"{(*_IMAGE_SHAPE, 1)}, got shapes {sorted(shapes)}."
        )
    images = np.stack([example["image"] for example in examples])[..., 0]
    labels = np.asarray([example["label"] for example in examples])
    _check_images(images, origin)
    _check_labels(labels, dataset.num_classes, origin)
    _check_counts(images, labels, origin)
    return images, labels.astype(np.int64), builder.data_dir


def _download_errors(tfds):
    """The exceptions by which tfds reports a failed download/preparation."""
    from tensorflow_datasets.core.download import download_manager
    from tensorflow_datasets.core.download import extractor

    return (
        OSError,  # includes requests' ConnectionError when offline
        tfds.download.DownloadError,
        download_manager.NonMatchingChecksumError,
        extractor.ExtractError,
    )


def _check_images(images, origin):
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


def _check_labels(labels, num_classes, origin):
    if labels.ndim != 1:
        raise ValueError(
            f"{origin}: expected labels of shape (N,), got {labels.shape}."
        )
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"{origin}: expected integer labels, got dtype {labels.dtype}."
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"{origin}: expected labels in 0..{num_classes - 1}, got values "
            f"from {labels.min()} to {labels.max()}."
        )


def _check_counts(images, labels, origin):
    if len(images) != len(labels):
        raise ValueError(
            f"{origin}: expected one label per image, got {len(images)} "
            f"images and {len(labels)} labels."
        )
