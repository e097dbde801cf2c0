"""Training images: MNIST and Fashion-MNIST as float32 arrays in [-1, 1].

`load_mnist` and `load_fashion_mnist` read the first source that has the
split asked for: IDX files in a folder you name (then the only source), a
tensorflow-datasets copy already prepared on this machine, the download
cache of `keras.datasets`, then, for Fashion-MNIST, the folder of Debian's
`dataset-fashion-mnist` package and, for MNIST, the official train and test
splits embedded in this package (so that MNIST always works offline). With
`download=True`, `keras.datasets` downloads what no local source has. One
log line per call names the source.
"""

import dataclasses
import importlib
import importlib.resources
import logging
import os
import pathlib
import tempfile
import zipfile
import zlib

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
    keras_name: str  # the module of keras.datasets, e.g. "mnist"
    # Where keras.datasets caches it, relative to its cache folder: an .npz
    # file of the arrays x_train, y_train, x_test and y_test, or a folder of
    # the official gzipped IDX files.
    keras_cache: str
    num_classes: int
    # Folder under keras_wgan/resources holding both splits as gzipped IDX
    # files, or None when the package ships no copy.
    embedded_dir: str | None = None
    # A system-wide folder of IDX files (both splits), tried after the
    # keras.datasets cache.
    system_dir: str | None = None
    # How to get the data, besides data_dir= and download=True, for the
    # error raised when no source has it (empty, or ends with ", ").
    how_to_get: str = ""


_MNIST = _IdxDataset(
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
_FASHION_MNIST = _IdxDataset(
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

_EMBEDDED = "the copy embedded in keras_wgan"


class _Unavailable(Exception):
    """A source cannot provide the data here; the message says why."""


def load_mnist(split="train", data_dir=None, return_labels=False, *,
               download=False):
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
    return _load_idx_dataset(_MNIST, split, data_dir, return_labels,
                             download)


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
    return _load_idx_dataset(_FASHION_MNIST, split, data_dir, return_labels,
                             download)


def _load_idx_dataset(dataset, split, data_dir, return_labels, download):
    """Loads `split` of `dataset` from the first source that has it, logs."""
    images, labels, where, skipped = _read_idx_dataset(dataset, split,
                                                       data_dir, download)
    details = "; ".join([f"{len(images)} images", *skipped])
    _LOGGER.info(f"{dataset.title} {split!r} from {where} ({details})")

    scaled = images.astype(np.float32)
    scaled /= 127.5
    scaled -= 1.0
    scaled = scaled[..., np.newaxis]
    if return_labels:
        return scaled, labels
    return scaled


def _read_idx_dataset(dataset, split, data_dir, download):
    """Reads `split` of `dataset` from the first source that has it.

    Returns `(images, labels, where, skipped)`: uint8 images `(N, 28, 28)`,
    int64 labels, where they came from and why the sources before it could
    not be used (for the log line, which the caller writes).
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}.")
    if data_dir is not None:
        if download:
            raise ValueError(
                "download must be False when data_dir is given (data_dir is "
                f"then the only source), got download={download!r}."
            )
        images, labels = _read_data_dir(dataset, split, data_dir)
        where, skipped = f"IDX files in {os.fspath(data_dir)}", []
    else:
        images, labels, where, skipped = _read_first_source(
            dataset, split, download
        )
    return images, labels, where, skipped


def _sources(dataset):
    """`(name, reader)` of the sources tried without data_dir, in order.

    A reader takes `(dataset, split)` and returns `(images, labels, where)`
    (`where` for the log line), or raises `_Unavailable`.
    """
    sources = [("tensorflow-datasets", _read_tfds),
               ("keras.datasets cache", _read_keras_cache)]
    if dataset.system_dir is not None:
        sources.append(("system folder", _read_system_dir))
    if dataset.embedded_dir is not None:
        sources.append(("embedded copy", _read_embedded))
    return sources


def _read_first_source(dataset, split, download):
    """Returns `(images, labels, where, skipped)` from the first source.

    `skipped` says, one entry per source tried before, why it could not be
    used. Raises `FileNotFoundError` when no source has the split.
    """
    skipped = []
    for name, read in _sources(dataset):
        try:
            images, labels, where = read(dataset, split)
        except _Unavailable as unavailable:
            skipped.append(f"{name} unavailable: {_one_line(unavailable)}")
        else:
            return images, labels, where, skipped
    failure = None
    if download:
        try:
            images, labels, where = _download(dataset, split)
        except _Unavailable as unavailable:
            skipped.append(f"download failed: {_one_line(unavailable)}")
            failure = unavailable
        else:
            return images, labels, where, skipped
    raise FileNotFoundError(
        f"{dataset.title} {split!r} is not available here "
        f"({'; '.join(skipped)}); {dataset.how_to_get}pass data_dir= a "
        "folder holding the official IDX files, or download=True "
        "(downloads it through keras.datasets; needs network, not "
        "TensorFlow)."
    ) from failure


def _one_line(error):
    return " ".join(str(error).split())


def _idx_files(folder, split):
    """The image and label files of `split` in `folder`.

    For each, the uncompressed file when present, else the `.gz` one, else
    None.
    """
    found = []
    for name in _IDX_FILES[split]:
        raw, gzipped = folder / name, folder / f"{name}.gz"
        found.append(raw if raw.is_file() else
                     gzipped if gzipped.is_file() else None)
    return found


def _read_idx_pair(dataset, image_path, label_path):
    """Reads and checks an image file and its label file."""
    return _checked(dataset, read_idx(image_path), read_idx(label_path),
                    str(image_path), str(label_path))


def _read_data_dir(dataset, split, data_dir):
    folder = pathlib.Path(data_dir)
    names = _IDX_FILES[split]
    wanted = " and ".join(f"{name}[.gz]" for name in names)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data_dir={os.fspath(data_dir)!r} is not an existing folder; "
            f"expected a folder holding {wanted} for split {split!r}."
        )
    paths = _idx_files(folder, split)
    for name, path in zip(names, paths):
        if path is None:
            raise FileNotFoundError(
                f"data_dir={os.fspath(data_dir)!r} has no {folder / name} "
                f"or {folder / name}.gz; split {split!r} needs {wanted}."
            )
    return _read_idx_pair(dataset, *paths)


def _read_idx_folder_if_complete(dataset, split, folder):
    """Reads `split` from a folder of IDX files; `_Unavailable` if absent."""
    paths = _idx_files(folder, split)
    if None in paths:
        wanted = " and ".join(f"{name}[.gz]" for name in _IDX_FILES[split])
        raise _Unavailable(f"no {wanted} in {folder}")
    return _read_idx_pair(dataset, *paths)


def _read_system_dir(dataset, split):
    folder = pathlib.Path(dataset.system_dir)
    if not folder.is_dir():
        raise _Unavailable(f"no folder {folder}")
    images, labels = _read_idx_folder_if_complete(dataset, split, folder)
    return images, labels, f"IDX files in {folder}"


def _read_embedded(dataset, split):
    folder = importlib.resources.files("keras_wgan") / "resources"
    folder = folder / dataset.embedded_dir
    arrays = []
    for name in _IDX_FILES[split]:
        resource = folder / f"{name}.gz"
        if not resource.is_file():
            raise _Unavailable(
                f"no {name}.gz in keras_wgan/resources/{dataset.embedded_dir}"
            )
        # as_file gives a real path even when the package sits in a zip.
        with importlib.resources.as_file(resource) as path:
            arrays.append(read_idx(path))
    origin = f"embedded {dataset.title} {split} split"
    images, labels = _checked(dataset, *arrays, origin)
    return images, labels, _EMBEDDED



def _keras_datasets_dir():
    """The folder where `keras.datasets` caches its downloads.

    Resolved as Keras 3 does (`keras.src.backend.config` and
    `keras.utils.get_file`): `$KERAS_HOME` when set, else `~/.keras`
    (`/tmp/.keras` when the home folder is not writable); `/tmp/.keras`
    again when that folder is not writable; then `datasets/`. Keras reads
    `KERAS_HOME` once, when imported; this reads it at each call.
    """
    return _keras_home() / "datasets"


def _keras_home():
    """Keras' own folder, `~/.keras` or `$KERAS_HOME` (see above)."""
    if "KERAS_HOME" in os.environ:
        base = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        base = os.path.join(home if os.access(home, os.W_OK) else "/tmp",
                            ".keras")
    base = os.path.expanduser(base)
    if not os.access(base, os.W_OK):
        base = os.path.join(
            "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
            ".keras",
        )
    return pathlib.Path(base)


def _read_keras_cache(dataset, split):
    path = _keras_datasets_dir() / dataset.keras_cache
    if path.suffix == ".npz":
        if not path.is_file():
            raise _Unavailable(f"no file {path}")
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
            f"({_one_line(err)}); delete it (keras.datasets."
            f"{dataset.keras_name}.load_data() downloads it again)."
        ) from err
    return _checked(dataset, images, labels, f"{path} ({', '.join(keys)})")


def _download(dataset, split):
    """Downloads `dataset` through keras.datasets, which caches it."""
    loader = f"keras.datasets.{dataset.keras_name}.load_data()"
    module = importlib.import_module(f"keras.datasets.{dataset.keras_name}")
    try:
        train, test = module.load_data()
    # keras.utils.get_file reports a failed fetch as a bare Exception.
    except Exception as err:  # noqa: BLE001
        raise _Unavailable(f"{loader} raised {_one_line(err)}") from err
    images, labels = train if split == "train" else test
    images, labels = _checked(dataset, np.asarray(images), np.asarray(labels),
                              f"{split} split of {loader}")
    return images, labels, f"a download by {loader}"


def _read_tfds(dataset, split):
    """Reads `split` from a prepared tensorflow-datasets copy.

    Returns `(images, labels, where)`. Raises `_Unavailable` when tfds
    cannot provide the data here without downloading; anything else
    propagates.
    """
    name = dataset.tfds_name
    builder, source = _tfds_data_source(name, split)
    origin = f"tensorflow-datasets {name!r} split {split!r}"
    examples = _tfds_examples(source)
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
    images, labels = _checked(dataset, images, labels, origin)
    return images, labels, f"tensorflow-datasets in {builder.data_dir}"


def _tfds_data_source(name, split):
    """Returns `(builder, source)`: tfds dataset `name` prepared here.

    The source is `tfds.data_source(name, split=split)`, which needs no
    TensorFlow. Raises `_Unavailable` when tensorflow-datasets is missing
    or the dataset is not prepared on this machine in a random-access
    format; it never downloads or prepares anything.
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise _Unavailable(
            f"cannot import tensorflow_datasets ({err})"
        ) from err
    # Checked up front because tfds.data_source reports an unprepared
    # dataset with a bare KeyError, and would otherwise try a download.
    builder = tfds.builder(name)
    # is_prepared() logs an absl warning when dataset_info.json is missing,
    # so look for it first: the usual case then logs only our line.
    if not (builder.data_path / "dataset_info.json").exists() or (
        not builder.is_prepared()
    ):
        raise _Unavailable(
            f"{name!r} is not prepared in {builder.data_dir_root}"
        )
    file_format = builder.info.file_format
    if file_format not in tfds.core.FileFormat.with_random_access():
        raise _Unavailable(
            f"{name!r} is prepared in {builder.data_dir} as "
            f"{file_format.value}, which has no random access; prepare "
            "it as array_record"
        )
    return builder, tfds.data_source(name, split=split, download=False)


def _tfds_examples(source):
    """Every example of a tfds data source, as a list of dicts."""
    keys = list(range(len(source)))
    get_many = getattr(source, "__getitems__", None)
    # One batched read decodes the examples together, which is much faster
    # than one __getitem__ call (and its Python overhead) per example.
    return get_many(keys) if get_many else [source[key] for key in keys]


def _checked(dataset, images, labels, origin, label_origin=None):
    """Checks images and labels; returns them, the labels as int64.

    `origin` names where the images come from in error messages, and the
    labels too unless `label_origin` is given.
    """
    label_origin = origin if label_origin is None else label_origin
    _check_images(images, origin)
    _check_labels(labels, dataset.num_classes, label_origin)
    both = origin if label_origin == origin else f"{origin} and {label_origin}"
    _check_counts(images, labels, both)
    return images, labels.astype(np.int64)


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
