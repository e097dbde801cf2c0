"""Images from anywhere as float32 arrays in [-1, 1]: `load_images`.

One entry point for every source of training images: a dataset name of
`DATASETS`, any image dataset of tensorflow-datasets (`"tfds:<name>"`), a
folder of image files (cached as an array after the first read) or an
`.npy` / `.npz` file. `class_names` gives the names of the labels.
"""

import hashlib
import json
import logging
import os
import pathlib
import zipfile
import zlib

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan._atomic import write_atomically
from keras_wgan.data import cifar
from keras_wgan.data import datasets
from keras_wgan.data.coloured_mnist import load_coloured_mnist

_LOGGER = logging.getLogger(__name__)

#: The datasets `load_images` knows by name. Each loader takes
#: `(split="train", data_dir=None, return_labels=False, *, download=False)`
#: and returns float32 images `(N, H, W, C)` in [-1, 1] (and int64 labels).
DATASETS = {
    "mnist": datasets.load_mnist,
    "fashion_mnist": datasets.load_fashion_mnist,
    "coloured_mnist": load_coloured_mnist,
    "cifar10": cifar.load_cifar10,
    "cifar100": cifar.load_cifar100,
}

# Label names of the datasets above, index = label.
_CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "coloured_mnist": tuple(str(digit) for digit in range(10)),
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

#: File name endings read as images in a folder (in any letter case).
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff",
                  ".webp")

_TFDS_PREFIX = "tfds:"
_CHANNELS = (None, 1, 3)
# Pillow modes without colour; an image in any other mode (palette
# images included) makes a folder RGB when `channels` is not given.
_GREY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L",
               "I;16N", "F")
# Above this many files, reading a folder shows a progress bar.
_PROGRESS_MIN = 500
# Pillow modes of integer pixels wider than 8 bits (16-bit PNG and TIFF
# greys); their values are scaled to 0..255, not clipped.
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")
# Bump when the cached arrays change meaning, so old caches are not used
# (2: 16-bit images scaled, no longer clipped to 255).
_CACHE_VERSION = 2
# tfds examples decoded per batched read.
_TFDS_CHUNK = 1000


def load_images(source, image_size=None, channels=None, split="train",
                return_labels=False, *, data_dir=None, cache_dir=None,
                download=False, verbose=True, limit=None):
    """Loads images from a named dataset, tfds, a folder or an array file.

    Every source gives float32 images `(N, H, W, C)` scaled to [-1, 1]
    (uint8 pixels `x` become `x / 127.5 - 1`), and int64 labels when it has
    them. The sources:

    - A name of `DATASETS`: `"mnist"`, `"fashion_mnist"`,
      `"coloured_mnist"` (see `load_coloured_mnist`), `"cifar10"`,
      `"cifar100"`, loaded by that loader with `split`, `data_dir` and
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
    argument_validation.check_choice("channels", channels, _CHANNELS)
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
    if isinstance(source, str) and source.startswith(_TFDS_PREFIX):
        images, labels, where = _read_tfds(source, split, image_size,
                                           channels, return_labels, verbose)
        images, labels = _first(limit, images, labels)
    else:
        path = _source_path(source)
        if path.is_dir():
            _check_no_split(split, f"folder {path}")
            images, labels, where = _read_folder(
                path, image_size, channels, return_labels, cache_dir,
                verbose, limit)
        else:
            images, labels, where = _read_array_file(path, split)
            if return_labels and labels is None:
                _refuse_labels(source)
            images, labels = _first(limit, images, labels)
            images = _fit_array(images, image_size, channels)
    _LOGGER.info(f"images from {where} ({len(images)} images)")
    images = _scaled(images)
    return (images, labels) if return_labels else images


def class_names(source, split="train"):
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
    if isinstance(source, str) and source.startswith(_TFDS_PREFIX):
        features = _tfds_source(source, "train")[0].info.features
        if "label" not in features.keys() or not hasattr(features["label"],
                                                          "names"):
            raise ValueError(f"source {source!r} has no 'label' feature with "
                             "class names.")
        return tuple(features["label"].names)
    path = _source_path(source)
    if path.is_dir():
        names = _folder_files(path)[1]
        if names is None:
            raise ValueError(
                f"source {os.fspath(path)!r} has no class subfolders, so no "
                "class names."
            )
        return names
    if path.suffix.lower() == ".npz":
        with _open_npz(path) as npz:
            if "class_names" in npz.files:
                return tuple(str(name) for name in npz["class_names"])
    raise ValueError(
        f"source {os.fspath(path)!r} has no class names (an .npz file can "
        "hold them under 'class_names')."
    )


# --- Named datasets ------------------------------------------------------


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
    images = _fit_array(images, image_size, channels)
    return (images, labels) if return_labels else images


# --- tensorflow-datasets -------------------------------------------------


def _tfds_source(source, split):
    """`(builder, data source)` of `"tfds:<name>"`, or a one-line error."""
    name = source[len(_TFDS_PREFIX):]
    if not name:
        raise ValueError(
            f"source must name a dataset after 'tfds:', got {source!r}."
        )
    if not isinstance(split, str) or not split:
        raise ValueError(
            f"split must be a split name of {source!r}, got {split!r}."
        )
    try:
        return datasets._tfds_data_source(name, split)
    except datasets._Unavailable as unavailable:
        raise FileNotFoundError(
            f"source {source!r} is not available here "
            f"({datasets._one_line(unavailable)}); prepare it where it can "
            f"be downloaded (`tfds build {name} --file_format=array_record`, "
            "which needs TensorFlow) and copy the data folder here, to "
            "~/tensorflow_datasets or $TFDS_DATA_DIR."
        ) from None
    except ValueError as err:
        # tfds' DatasetNotFoundError lists every dataset it knows.
        if type(err).__name__ != "DatasetNotFoundError":
            raise
        raise ValueError(
            f"source {source!r}: tensorflow-datasets knows no dataset "
            f"{name!r}; see https://www.tensorflow.org/datasets/catalog."
        ) from None


def _read_tfds(source, split, image_size, channels, return_labels,
               verbose):
    """Reads the images (and labels) of a prepared tfds dataset."""
    builder, data_source = _tfds_source(source, split)
    features = builder.info.features
    if "image" not in features.keys():
        raise ValueError(
            f"source {source!r} has no 'image' feature; its features are "
            f"{sorted(features.keys())}."
        )
    has_labels = "label" in features.keys()
    if return_labels and not has_labels:
        _refuse_labels(source)
    count = len(data_source)
    if count == 0:
        raise ValueError(f"source {source!r} split {split!r} is empty.")
    progress = _progress(count, verbose)
    images, labels = None, []
    first_key = None
    get_many = getattr(data_source, "__getitems__", None)
    for start in range(0, count, _TFDS_CHUNK):
        keys = list(range(start, min(start + _TFDS_CHUNK, count)))
        # One batched read decodes many examples at once, much faster than
        # one call per example.
        examples = (get_many(keys) if get_many
                    else [data_source[key] for key in keys])
        for key, example in zip(keys, examples):
            image = _as_image_array(np.asarray(example["image"])[np.newaxis],
                                    f"source {source!r} example {key}")
            image = _fit_array(image, image_size, channels)[0]
            if images is None:
                images = np.empty((count, *image.shape), image.dtype)
                first_key = key
            elif image.shape != images.shape[1:]:
                raise ValueError(
                    f"source {source!r}: example {first_key} has shape "
                    f"{images.shape[1:]} but example {key} has "
                    f"{image.shape}; pass image_size= to resize and "
                    "centre-crop them to one size."
                )
            images[key] = image
            if has_labels:
                labels.append(int(example["label"]))
        if progress is not None:
            progress.update(keys[-1] + 1)
    labels = np.asarray(labels, np.int64) if has_labels else None
    name = source[len(_TFDS_PREFIX):]
    return images, labels, (f"tensorflow-datasets {name!r} split "
                            f"{split!r} in {builder.data_dir}")


# --- Folders of image files ---------------------------------------------


def _read_folder(folder, image_size, channels, return_labels, cache_dir,
                 verbose, limit=None):
    """Reads a folder through its cache; `(images, labels, where)`."""
    files, names = _folder_files(folder)
    files = files[:limit]
    if not files:
        raise ValueError(
            f"source {os.fspath(folder)!r} has no image files (names ending "
            f"in {', '.join(IMAGE_SUFFIXES)})."
        )
    if return_labels and names is None:
        _refuse_labels(folder)
    if image_size is not None:
        # Decoded as uint8, then scaled to float32.
        _check_memory(len(files), image_size, channels or 3, 1 + 4)
    cache = _cache_path(folder, files, image_size, channels, cache_dir)
    cached = _read_cache(cache)
    if cached is not None:
        images, labels = cached
        return images, labels, f"{folder} (cached in {cache})"
    images = _read_image_files(files, image_size, channels, verbose)
    labels = None
    if names is not None:
        labels = np.asarray([label for _, label in files], np.int64)
    _write_cache(cache, images, labels)
    return images, labels, f"{folder} (now cached in {cache})"


def _folder_files(folder):
    """`([(path, label)], class names)` of a folder, both sorted.

    Labels and names are None for a folder of images without subfolders.

    Raises:
        ValueError: naming a folder (or class subfolder) that cannot be
            read, rather than leaving its images (a class) out.
    """
    files, subfolders = [], []
    for entry in sorted(_listed(folder)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            subfolders.append(entry)
        elif _is_image_file(entry):
            files.append((entry, None))
    if not subfolders:
        return files, None
    if files:
        raise ValueError(
            f"source {os.fspath(folder)!r} has image files both in it (such "
            f"as {files[0][0].name}) and in subfolders (such as "
            f"{subfolders[0].name}/); put every image in a class subfolder, "
            "or none."
        )
    for label, subfolder in enumerate(subfolders):
        for path in sorted(_files_below(subfolder)):
            relative = path.relative_to(subfolder).parts
            if (_is_image_file(path)
                    and not any(part.startswith(".") for part in relative)):
                files.append((path, label))
    return files, tuple(subfolder.name for subfolder in subfolders)


def _listed(folder):
    try:
        return list(folder.iterdir())
    except OSError as err:
        _unreadable(err)


def _files_below(folder):
    """The files under `folder`, at any depth, named like images and not
    hidden (nor in a hidden folder), as paths."""
    found = []
    # os.walk, not Path.rglob, which passes over unreadable folders.
    for root, folders, names in os.walk(folder, onerror=_unreadable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [pathlib.Path(root, name) for name in names
                  if not name.startswith(".")
                  and name.lower().endswith(IMAGE_SUFFIXES)]
    return found


def _unreadable(err):
    raise ValueError(
        f"{err.filename}: cannot read this folder of the source "
        f"({err.strerror or err}); make it readable, or move it out."
    ) from err


def _is_image_file(path):
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def _read_image_files(files, image_size, channels, verbose):
    """Decodes image files into one uint8 array `(N, H, W, C)`."""
    from PIL import Image

    if channels is None:
        channels = 3 if any(_is_colour(path) for path, _ in files) else 1
    mode = "RGB" if channels == 3 else "L"
    progress = _progress(len(files), verbose)
    images = None
    for index, (path, _) in enumerate(files):
        try:
            with Image.open(path) as image:
                image = _eight_bit(_upright(image), path).convert(mode)
                if image_size is not None:
                    image = _fit(image, image_size)
                pixels = np.asarray(image).reshape(
                    image.height, image.width, channels)
        except (OSError, ValueError, SyntaxError, EOFError,
                Image.DecompressionBombError) as err:
            raise ValueError(
                f"{path}: not a readable image file "
                f"({datasets._one_line(err)})."
            ) from err
        if images is None:
            images = np.empty((len(files), *pixels.shape), np.uint8)
        elif pixels.shape != images.shape[1:]:
            height, width = images.shape[1:3]
            raise ValueError(
                f"images differ in size: {files[0][0]} is {width}x{height} "
                f"but {path} is {pixels.shape[1]}x{pixels.shape[0]} "
                "(width x height); pass image_size= to resize and "
                "centre-crop them to one size."
            )
        images[index] = pixels
        if progress is not None:
            progress.update(index + 1)
    return images


def _eight_bit(image, path):
    """A 16-bit grey image scaled to 8 bits (65535 becomes 255).

    Pillow's `convert("L")` clips such pixels at 255 instead, which turns
    nearly every 16-bit image white.
    """
    if image.mode not in _WIDE_MODES:
        return image
    from PIL import Image

    pixels = np.asarray(image).astype(np.int64)
    if pixels.size and (pixels.min() < 0 or pixels.max() > 65535):
        raise ValueError(
            f"{path}: expected 8- or 16-bit pixels, got values in "
            f"[{pixels.min()}, {pixels.max()}] (mode {image.mode}); save it "
            "as an 8- or 16-bit image."
        )
    # Rounded: x * 255 / 65535 = x / 257.
    return Image.fromarray(((pixels + 128) // 257).astype(np.uint8))


def _is_colour(path):
    """Whether an image file is in a colour mode, from its header only."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.mode not in _GREY_MODES
    except (OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError) as err:
        raise ValueError(
            f"{path}: not a readable image file ({datasets._one_line(err)})."
        ) from err


def _upright(image):
    """The image turned as its EXIF orientation says (photos from phones)."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(image)


def _fit(image, size):
    """Scales a Pillow image to a `size` square, centre-cropping the rest."""
    from PIL import Image
    from PIL import ImageOps

    return ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)


def _progress(count, verbose):
    if not verbose or count <= _PROGRESS_MIN:
        return None
    return keras.utils.Progbar(count, unit_name="image")


# --- The cache of a folder ----------------------------------------------


def _cache_path(folder, files, image_size, channels, cache_dir):
    """Where the cache of `folder` read with these settings lives."""
    listing = []
    for path, label in files:
        stat = path.stat()
        listing.append([path.relative_to(folder).as_posix(), label,
                        stat.st_size, stat.st_mtime_ns])
    folder = folder.resolve()
    key = json.dumps({"version": _CACHE_VERSION, "folder": str(folder),
                      "files": listing, "image_size": image_size,
                      "channels": channels})
    root = (datasets._keras_home() / "keras_wgan" / "images"
            if cache_dir is None else pathlib.Path(cache_dir))
    return root / (f"{folder.name or 'root'}-{_hash(str(folder))[:8]}-"
                   f"{_hash(key)[:16]}.npz")


def _hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _read_cache(path):
    """`(images, labels)` from a cache file; None if absent or unreadable."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            images = npz["images"]
            labels = npz["labels"] if "labels" in npz.files else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile,
            zlib.error):
        # A damaged cache is only a copy: the folder is read again.
        return None
    return images, labels


def _write_cache(path, images, labels):
    """Writes the cache, then removes the caches of the folder's past."""
    arrays = {"images": images}
    if labels is not None:
        arrays["labels"] = labels
    write_atomically(path, lambda temporary: np.savez(temporary, **arrays))
    folder_prefix = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{folder_prefix}-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)


# --- Array files ---------------------------------------------------------


def _read_array_file(path, split):
    """`(images, labels, where)` of an `.npy` or `.npz` file."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        _check_no_split(split, f"file {path}")
        try:
            images = np.load(path, allow_pickle=False)
        except MemoryError as err:
            raise _too_big(path, err) from err
        except (OSError, ValueError, EOFError) as err:
            raise ValueError(
                f"{path}: not a readable .npy file "
                f"({datasets._one_line(err)})."
            ) from err
        if not isinstance(images, np.ndarray):
            raise ValueError(f"{path}: not an .npy file (it is an archive).")
        return _as_image_array(images, str(path)), None, str(path)
    with _open_npz(path) as npz:
        keys = set(npz.files)
        if f"x_{split}" in keys:
            image_key, label_keys = f"x_{split}", (f"y_{split}",)
        else:
            image_key = next((k for k in ("x", "images") if k in keys), None)
            if image_key is None:
                raise ValueError(
                    f"{path}: expected the images under 'x', 'images' or "
                    f"'x_{split}', got keys {sorted(keys)}."
                )
            _check_no_split(split, f"file {path} (no x_{split})")
            label_keys = ("y", "labels")
        label_key = next((k for k in label_keys if k in keys), None)
        images = _as_image_array(_member(npz, image_key, path),
                                 f"{path} ({image_key})")
        labels = None
        if label_key is not None:
            labels = np.asarray(_member(npz, label_key, path))
            origin = f"{path} ({label_key})"
            if labels.ndim == 2 and labels.shape[1] == 1:
                labels = labels[:, 0]  # as keras.datasets saves them
            _check_labels(labels, origin)
            datasets._check_counts(images, labels, str(path))
            labels = labels.astype(np.int64)
    return images, labels, str(path)


def _member(npz, key, path):
    """The array `key` of an open `.npz`, or a one-line error (a damaged
    member fails its CRC only when read)."""
    try:
        return npz[key]
    except MemoryError as err:
        raise _too_big(f"{path} ({key})", err) from err
    except (OSError, ValueError, EOFError, zipfile.BadZipFile,
            zlib.error) as err:
        raise ValueError(
            f"{path}: its array {key!r} is not readable "
            f"({datasets._one_line(err)})."
        ) from err


def _too_big(origin, err):
    """The error of an array whose header declares more than fits in
    memory (a damaged or hostile header: the file is far smaller)."""
    return ValueError(f"{origin}: its header declares an array too big for "
                      f"the memory ({datasets._one_line(err)}).")


def _open_npz(path):
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"{path}: not a readable .npz file ({datasets._one_line(err)})."
        ) from err
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not an .npz archive (it holds one array).")
    return npz


def _check_labels(labels, origin):
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{origin}: expected integer labels of shape (N,), got "
            f"{labels.dtype} {labels.shape}."
        )
    if len(labels) and labels.min() < 0:
        raise ValueError(
            f"{origin}: expected labels >= 0, got {labels.min()}."
        )


def _as_image_array(images, origin):
    """Checks an array of images; adds the channel axis of grey ones."""
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"{origin}: expected images of shape (N, H, W), (N, H, W, 1) or "
            f"(N, H, W, 3), got {images.shape}."
        )
    if len(images) == 0:
        raise ValueError(f"{origin}: expected at least one image, got 0.")
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind != "f":
        raise ValueError(
            f"{origin}: expected uint8 images (0..255) or floating point "
            f"ones in [-1, 1], got dtype {images.dtype}."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{origin}: the images contain NaN or Inf values.")
    low, high = float(images.min()), float(images.max())
    if low < -1.0 or high > 1.0:
        raise ValueError(
            f"{origin}: floating point images must lie in [-1, 1], got "
            f"[{low:g}, {high:g}]; save 0..255 pixels as uint8."
        )
    return images.astype(np.float32, copy=False)


# --- Sizes, channels and scale -------------------------------------------


def _fit_array(images, image_size, channels):
    """Converts `(N, H, W, C)` uint8 or float32 images to the asked shape."""
    images = _convert_channels(images, channels)
    if image_size is None or images.shape[1:3] == (image_size, image_size):
        return images
    # uint8 images are scaled to float32 afterwards.
    _check_memory(len(images), image_size, images.shape[-1],
                  images.itemsize + (4 if images.dtype == np.uint8 else 0))
    from PIL import Image

    count, _, _, depth = images.shape
    resized = np.empty((count, image_size, image_size, depth), images.dtype)
    for index in range(count):
        for channel in range(depth):
            # One channel at a time: Pillow resizes uint8 ("L") and float
            # ("F") planes alike, and RGB channels independently anyway.
            plane = np.ascontiguousarray(images[index, :, :, channel])
            resized[index, :, :, channel] = np.asarray(
                _fit(Image.fromarray(plane), image_size))
    if resized.dtype != np.uint8:
        # Lanczos overshoots at sharp edges.
        np.clip(resized, -1.0, 1.0, out=resized)
    return resized


def _first(limit, images, labels):
    """The first `limit` images and labels (all of them for `None`)."""
    if limit is None:
        return images, labels
    return images[:limit], None if labels is None else labels[:limit]


def _check_memory(count, image_size, depth, bytes_per_value):
    """Raises `ValueError` if `count` images of `image_size` need more
    memory than is available (Linux's MemAvailable; unchecked elsewhere)."""
    need = count * image_size * image_size * depth * bytes_per_value
    available = available_memory()
    if available is not None and need > available:
        raise ValueError(
            f"image_size {image_size} needs {need / 2**30:.1f} GiB for "
            f"{count} images of {image_size}x{image_size}x{depth}, more "
            f"than the {available / 2**30:.1f} GiB of memory available; "
            "choose a smaller image_size or fewer images."
        )


def available_memory():
    """The bytes of memory available to new allocations, or `None` where
    the system does not say (it is read from /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _convert_channels(images, channels):
    if channels is None or channels == images.shape[-1]:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    if images.dtype == np.uint8:
        red, green, blue = (images[..., i].astype(np.uint32)
                            for i in range(3))
        # Pillow's convert("L"): ITU-R 601-2 luma in 16-bit fixed point.
        grey = (red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16
        return grey.astype(np.uint8)[..., np.newaxis]
    weights = np.asarray([0.299, 0.587, 0.114], np.float32)
    return (images @ weights)[..., np.newaxis].astype(np.float32)


def _scaled(images):
    if images.dtype != np.uint8:
        return images.astype(np.float32, copy=False)
    scaled = images.astype(np.float32)
    scaled /= 127.5
    scaled -= 1.0
    return scaled


# --- Arguments -----------------------------------------------------------


def _source_path(source):
    """The path of a folder or array file, or a one-line error."""
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"source must be a dataset name, 'tfds:<name>', or the path of "
            f"a folder or an .npy/.npz file, got {type(source).__name__}."
        )
    path = pathlib.Path(source).expanduser()
    if path.is_dir() or (path.is_file()
                         and path.suffix.lower() in (".npy", ".npz")):
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


def _check_no_split(split, what):
    if split != "train":
        raise ValueError(
            f"split must be 'train' for {what}, which has no splits; got "
            f"{split!r}."
        )


def _refuse_labels(source):
    raise ValueError(
        f"return_labels must be False for source {os.fspath(source)!r}, "
        "which has no labels; got True."
    )
