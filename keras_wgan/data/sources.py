"""Images from anywhere as float32 arrays in [-1, 1]: `load_images`.

One entry point for every source of training images: a dataset name of
`DATASETS` (each name's own loader, with its fallbacks), any image dataset
of tensorflow-datasets (`"tfds:<name>"`, `tfds_reader`), a folder of image
files (`folders`, cached as an array after the first read) or an `.npy` /
`.npz` file (`array_files`). `class_names` gives the names of the labels.
"""

import logging
import os
import pathlib

import numpy as np

from keras_wgan import argument_validation
from keras_wgan.data import array_files
from keras_wgan.data import checks
from keras_wgan.data import folders
from keras_wgan.data import resize
from keras_wgan.data import tfds_reader
from keras_wgan.data.cifar import load_cifar10
from keras_wgan.data.cifar import load_cifar100
from keras_wgan.data.coloured_mnist import joint_class_names
from keras_wgan.data.coloured_mnist import load_coloured_mnist
from keras_wgan.data.coloured_mnist import load_coloured_mnist_joint
from keras_wgan.data.mnist import load_fashion_mnist
from keras_wgan.data.mnist import load_mnist
from keras_wgan.data.pixels import to_unit_range

_LOGGER = logging.getLogger(__name__)

#: The datasets `load_images` knows by name. Each loader takes
#: `(split="train", data_dir=None, return_labels=False, *, download=False)`
#: and returns float32 images `(N, H, W, C)` in [-1, 1] (and int64 labels).
DATASETS = {
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
    "coloured_mnist": load_coloured_mnist,
    "coloured_mnist_joint": load_coloured_mnist_joint,
    "cifar10": load_cifar10,
    "cifar100": load_cifar100,
}

#: The datasets the comparison study (`compare`) and the shipped
#: MNIST-size classifiers know, by name: 28x28 grey images, the size of
#: the study's networks. `train` takes any source of `load_images`.
IMAGE_DATASETS = {name: DATASETS[name]
                  for name in ("mnist", "fashion_mnist")}

# Label names of the datasets above, index = label.
_CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "coloured_mnist": tuple(str(digit) for digit in range(10)),
    "coloured_mnist_joint": joint_class_names(),
    "fashion_mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    "cifar10": ("airplane", "automobile", "bird", "cat", "deer", "dog",
                "frog", "horse", "ship", "truck"),
    "cifar100": tuple("""
        apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle
        bowl boy bridge bus butterfly camel can castle caterpillar cattle
        chair chimpanzee clock cloud cockroach couch crab crocodile cup
        dinosaur dolphin elephant flatfish forest fox girl hamster house
        kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man
        maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid
        otter palm_tree pear pickup_truck pine_tree plain plate poppy
        porcupine possum rabbit raccoon ray road rocket rose sea seal shark
        shrew skunk skyscraper snail snake spider squirrel streetcar
        sunflower sweet_pepper table tank telephone television tiger
        tractor train trout tulip turtle wardrobe whale willow_tree wolf
        woman worm""".split()),
}

# 28x28 digits on black, padded rather than resized to 32x32 (as LeNet-5
# and the 32x32 MNIST networks of the GAN literature do).
_PADDED_TO_32 = ("mnist", "fashion_mnist")


def load_images(source: str | os.PathLike, image_size: int | None = None,
                channels: int | None = None, split: str = "train",
                return_labels: bool = False, *,
                data_dir: str | os.PathLike | None = None,
                cache_dir: str | os.PathLike | None = None,
                download: bool = False, verbose: bool = True,
                limit: int | None = None
                ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads images from a named dataset, tfds, a folder or an array file.

    Every source gives float32 images `(N, H, W, C)` scaled to [-1, 1]
    (uint8 pixels `x` become `x / 127.5 - 1`, see `to_unit_range`), and
    int64 labels when it has them. The sources:

    - A name of `DATASETS`: `"mnist"`, `"fashion_mnist"`,
      `"coloured_mnist"` (see `load_coloured_mnist`),
      `"coloured_mnist_joint"` (the same images labelled by digit and
      colours, `load_coloured_mnist_joint`), `"cifar10"`, `"cifar100"`, loaded by that loader with `split`, `data_dir` and
      `download` (so MNIST always loads offline, and CIFAR comes from the
      `keras.datasets` cache, or a download with `download=True`).
    - `"tfds:<name>"`: any image dataset of tensorflow-datasets already
      prepared here (in `~/tensorflow_datasets` or `$TFDS_DATA_DIR`, in a
      random-access format such as `array_record`), read with
      `tfds.data_source`, which needs no TensorFlow. Its `"image"` feature
      gives the images and its `"label"` feature, when it has one, the
      labels. `split` is any split tfds knows, such as `"train[:1000]"`.
      Nothing is downloaded or prepared.
    - A folder of image files (names ending in one of `IMAGE_SUFFIXES`;
      other and hidden files are ignored), read with Pillow. Images
      directly in the folder have no labels; images in subfolders
      (`folder/<class>/...`, at any depth below the class folder) are
      labelled by their class folder, the classes numbered in the
      alphabetical order of their names (see `class_names`). A folder
      cannot mix both. The result is cached in `cache_dir` (see below).
    - An `.npy` file of images, or an `.npz` file with the images under
      `x`, `images` or `x_<split>` (as `keras.datasets` saves them) and
      optional labels under `y`, `labels` or `y_<split>`. Images are
      uint8 (0..255) or floating point already in [-1, 1], of shape
      `(N, H, W)`, `(N, H, W, 1)` or `(N, H, W, 3)`.

    Sizes and channels: with `channels` (1 or 3), images are converted to
    grey (ITU-R 601-2 luma, as Pillow's `convert("L")`) or RGB; without
    it, a folder is RGB when any of its images is in a colour mode
    (palette images count as colour), else grey, and other sources keep
    their channels. With `image_size`, images not already
    `image_size x image_size` are scaled (Lanczos filter) so that their
    shorter side is `image_size`, then centre-cropped to a square, except
    that MNIST and Fashion-MNIST (28x28 on black) are padded with 2 black
    pixels on each side when `image_size=32`. Without `image_size`, all
    images must have one size.

    The cache of a folder: an `.npz` file in `cache_dir` (by default
    `keras_wgan/images/` in Keras' folder, `~/.keras` or `$KERAS_HOME`),
    named after the folder and a hash of its path, of every image file's
    relative path, size and modification time, of `image_size` and of
    `channels`, so that a changed folder is read again. It is written
    atomically and replaces the cache of the folder's earlier contents.

    One line is logged on the `"keras_wgan"` logger: the source and the
    number of images.

    Args:
        source: A dataset name of `DATASETS`, `"tfds:<name>"`, or the path
            (str or path) of a folder, an `.npy` or an `.npz` file.
        image_size: Optional side in pixels, an integer >= 1, of the
            square images to return.
        channels: Optional number of channels to return, 1 or 3.
        split: The split of a named or tfds dataset, or of an `.npz` file
            with `x_<split>`; other files and folders have only `"train"`.
        return_labels: If `True`, also return the labels; an error for a
            source without labels.
        data_dir: Optional folder holding the files of a named dataset
            (its loader's `data_dir`); only for a name of `DATASETS`.
        cache_dir: Optional folder of the folder caches.
        download: If `True`, a named dataset may be downloaded through
            `keras.datasets` when it is not here.
        verbose: If `True`, reading a folder of more than 500 files shows
            a progress bar (`keras.utils.Progbar`).
        limit: Optional number of images to take, the first ones (and
            their labels), before any is resized: a folder reads only
            those files.

    Returns:
        A float32 array `(N, H, W, C)` with values in [-1, 1], or
        `(images, labels)` with int64 labels `(N,)` when `return_labels`.

    Raises:
        FileNotFoundError: The source is missing, or a named or tfds
            dataset is not available here (the message says how to get
            it).
        ValueError: A bad argument, an unreadable or corrupt file (the
            message names it), images of differing sizes without
            `image_size` (it names two), arrays that are not images, or an
            `image_size` whose images would not fit in the memory
            available (the message, starting with "image_size", says how
            much they need).

    Example:

    A folder with two classes of images, of different sizes and modes:

    >>> from PIL import Image
    >>> import pathlib
    >>> for name, colour in [("cats", (255, 0, 0)), ("dogs", (0, 0, 255))]:
    ...     pathlib.Path("pets", name).mkdir(parents=True)
    ...     Image.new("RGB", (40, 30), colour).save(f"pets/{name}/a.png")
    >>> Image.new("L", (8, 8), 255).save("pets/dogs/b.png")
    >>> images, labels = load_images("pets", image_size=16,
    ...                              return_labels=True, cache_dir="cache")
    >>> images.shape, labels, class_names("pets")
    ((3, 16, 16, 3), array([0, 1, 1]), ('cats', 'dogs'))
    >>> images[:, 0, 0]
    array([[ 1., -1., -1.],
           [-1., -1.,  1.],
           [ 1.,  1.,  1.]], dtype=float32)

    MNIST at 32x32, padded with black, as 3 channels:

    >>> load_images("mnist", image_size=32, channels=3, split="test").shape
    (10000, 32, 32, 3)
    """
    if image_size is not None:
        image_size = argument_validation.check_int("image_size", image_size)
    if limit is not None:
        limit = argument_validation.check_int("limit", limit)
    argument_validation.check_choice("channels", channels, resize.CHANNELS)
    argument_validation.check_choice("return_labels", return_labels,
                                     (False, True))
    if isinstance(source, str) and source in DATASETS:
        return _load_named(source, image_size, channels, split,
                           return_labels, data_dir, download, limit)
    if data_dir is not None:
        raise ValueError(
            f"data_dir applies to the named datasets {tuple(DATASETS)} only, "
            f"got it with source {source!r}."
        )
    if isinstance(source, str) and source.startswith(tfds_reader.TFDS_PREFIX):
        images, labels, where = tfds_reader.read_tfds_source(
            source, split, image_size, channels, return_labels, verbose)
        images, labels = _first(limit, images, labels)
    else:
        path = _source_path(source)
        if path.is_dir():
            checks.check_no_split(split, f"folder {path}")
            images, labels, where = folders.read_folder(
                path, image_size, channels, return_labels, cache_dir,
                verbose, limit)
        else:
            images, labels, where = array_files.read_array_file(path, split)
            if return_labels and labels is None:
                raise checks.no_labels_error(source)
            images, labels = _first(limit, images, labels)
            images = resize.fit_images(images, image_size, channels)
    _LOGGER.info(f"images from {where} ({len(images)} images)")
    images = (to_unit_range(images) if images.dtype == np.uint8
              else images.astype(np.float32, copy=False))
    if not return_labels:
        return images
    if labels is None:  # each source has raised this already
        raise checks.no_labels_error(source)
    return images, labels


def class_names(source: str | os.PathLike, split: str = "train"
                ) -> tuple[str, ...]:
    """The names of a source's labels, label `i` named by item `i`.

    Args:
        source: As in `load_images`: a dataset name of `DATASETS`,
            `"tfds:<name>"` (prepared here, with a `"label"` feature), a
            folder with class subfolders, or an `.npz` file that holds the
            names under `class_names`.
        split: The split, for an `.npz` file with `x_<split>`.

    Returns:
        A tuple of str: the dataset's class names; a folder's class
        subfolders in alphabetical order.

    Raises:
        ValueError: The source has no class names.

    Example:

    >>> class_names("cifar10")[:3]
    ('airplane', 'automobile', 'bird')
    """
    if isinstance(source, str) and source in _CLASS_NAMES:
        return _CLASS_NAMES[source]
    if isinstance(source, str) and source.startswith(tfds_reader.TFDS_PREFIX):
        return tfds_reader.tfds_class_names(source)
    path = _source_path(source)
    if path.is_dir():
        names = folders.folder_class_names(path)
        if names is None:
            raise ValueError(
                f"source {os.fspath(path)!r} has no class subfolders, so no "
                "class names."
            )
        return names
    if path.suffix.lower() == ".npz":
        names = array_files.npz_class_names(path)
        if names is not None:
            return names
    raise ValueError(
        f"source {os.fspath(path)!r} has no class names (an .npz file can "
        "hold them under 'class_names')."
    )


def _load_named(name, image_size, channels, split, return_labels, data_dir,
                download, limit):
    """Loads a dataset of `DATASETS`, which logs its own line."""
    loaded = DATASETS[name](split=split, data_dir=data_dir,
                            return_labels=return_labels, download=download)
    images, labels = _first(limit, *(loaded if return_labels
                                     else (loaded, None)))
    if (name in _PADDED_TO_32 and image_size == 32
            and images.shape[1:3] == (28, 28)):
        # -1 is black in [-1, 1], MNIST's background.
        images = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)),
                        constant_values=-1.0)
    images = resize.fit_images(images, image_size, channels)
    return (images, labels) if return_labels else images


def _first(limit, images, labels):
    """The first `limit` images and labels (all of them for `None`)."""
    if limit is None:
        return images, labels
    return images[:limit], None if labels is None else labels[:limit]


def _source_path(source):
    """The path of a folder or array file, or a one-line error."""
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"source must be a dataset name, 'tfds:<name>', or the path of "
            f"a folder or an .npy/.npz file, got {type(source).__name__}."
        )
    path = pathlib.Path(source).expanduser()
    if path.is_dir() or (path.is_file() and path.suffix.lower()
                         in array_files.ARRAY_SUFFIXES):
        return path
    if path.exists():
        raise ValueError(
            f"source {os.fspath(source)!r} must be a folder or an .npy/.npz "
            "file."
        )
    raise FileNotFoundError(
        f"source {os.fspath(source)!r} is not a dataset name (one of "
        f"{tuple(DATASETS)}, or 'tfds:<name>') nor an existing folder or "
        ".npy/.npz file."
    )


