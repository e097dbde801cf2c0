"""Images from a folder of image files, read with Pillow and cached.

Images directly in the folder have no labels; images in class subfolders
(`folder/<class>/...`, at any depth below the class folder) are labelled
by their class folder, the classes numbered in the alphabetical order of
their names. The decoded array is cached as an `.npz` file (see
`read_folder`), so a folder is decoded once.
"""

import hashlib
import json
import os
import pathlib
import zipfile
import zlib

import numpy as np

from keras_wgan._atomic import write_atomically
from keras_wgan.data import checks
from keras_wgan.data import keras_folders
from keras_wgan.data import progress
from keras_wgan.data import resize

#: File name endings read as images in a folder (in any letter case).
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff",
                  ".webp")

# Pillow modes without colour; an image in any other mode (palette
# images included) makes a folder RGB when `channels` is not given.
_GREY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L",
               "I;16N", "F")
# Pillow modes of integer pixels wider than 8 bits (16-bit PNG and TIFF
# greys); their values are scaled to 0..255, not clipped.
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")
# Bump when the cached arrays change meaning, so old caches are not used
# (2: 16-bit images scaled, no longer clipped to 255).
_CACHE_VERSION = 2


def read_folder(folder: pathlib.Path, image_size: int | None = None,
                channels: int | None = None, return_labels: bool = False,
                cache_dir: str | os.PathLike | None = None,
                verbose: bool = True, limit: int | None = None
                ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Reads the images of a folder, through its cache.

    Files whose names end in one of `IMAGE_SUFFIXES` are read; other and
    hidden files (and hidden folders) are left out. With `channels` (1 or
    3) images are converted to grey or RGB; without it the folder is RGB
    when any image is in a colour mode (palette images count as colour),
    else grey. 16-bit grey images are scaled to 8 bits (65535 becomes 255).
    With `image_size`, images are scaled and centre-cropped to that square
    (`resize.fit_square`); without it, they must all have one size.

    The cache is an `.npz` file in `cache_dir` (by default
    `keras_wgan/images/` in Keras' folder, `keras_folders.keras_home()`),
    named after the folder and a hash of its path, of every image file's
    relative path, size and modification time, of `image_size` and of
    `channels`, so that a changed folder is read again. It is written
    atomically and replaces the cache of the folder's earlier contents; a
    damaged cache is read around.

    Args:
        folder: The folder.
        image_size: Optional side of the square images to return.
        channels: Optional number of channels to return, 1 or 3.
        return_labels: If `True`, the folder must have class subfolders.
        cache_dir: Optional folder of the caches.
        verbose: If `True`, reading more than `progress.PROGRESS_MIN`
            files shows a progress bar.
        limit: Optional number of files to read, the first ones in the
            sorted order.

    Returns:
        `(images, labels, where)`: uint8 images `(N, H, W, C)`, int64
        labels `(N,)` (`None` without class subfolders), and where they
        came from, for the log line.

    Raises:
        ValueError: The folder has no image files, mixes files and class
            subfolders, has an unreadable file or subfolder (named),
            images of differing sizes without `image_size`, images too big
            for the memory, or no labels when `return_labels`.

    Example:

    >>> from PIL import Image
    >>> pathlib.Path("shapes").mkdir()
    >>> Image.new("L", (6, 4), 255).save("shapes/a.png")
    >>> images, labels, where = read_folder(pathlib.Path("shapes"),
    ...                                     cache_dir="cache")
    >>> images.shape, images.dtype, labels
    ((1, 4, 6, 1), dtype('uint8'), None)
    """
    files, names = _folder_files(folder)
    files = files[:limit]
    if not files:
        raise ValueError(
            f"source {os.fspath(folder)!r} has no image files (names ending "
            f"in {', '.join(IMAGE_SUFFIXES)})."
        )
    if return_labels and names is None:
        raise checks.no_labels_error(folder)
    if image_size is not None:
        # Decoded as uint8, then scaled to float32.
        resize.check_memory(len(files), image_size, channels or 3, 1 + 4)
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


def folder_class_names(folder: pathlib.Path) -> tuple[str, ...] | None:
    """The class subfolders of a folder of images, in alphabetical order.

    Args:
        folder: The folder.

    Returns:
        The names of its class subfolders (label `i` named by item `i`),
        or `None` when its images are not in subfolders.

    Raises:
        ValueError: The folder cannot be read, or mixes image files and
            subfolders.

    Example:

    >>> from PIL import Image
    >>> for name in ("dogs", "cats"):
    ...     pathlib.Path("pets", name).mkdir(parents=True)
    ...     Image.new("L", (4, 4)).save(f"pets/{name}/a.png")
    >>> folder_class_names(pathlib.Path("pets"))
    ('cats', 'dogs')
    """
    return _folder_files(folder)[1]


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
    bar = progress.progress_bar(len(files), verbose)
    images = None
    for index, (path, _) in enumerate(files):
        try:
            with Image.open(path) as image:
                image = _eight_bit(_upright(image), path).convert(mode)
                if image_size is not None:
                    image = resize.fit_square(image, image_size)
                pixels = np.asarray(image).reshape(
                    image.height, image.width, channels)
        except (OSError, ValueError, SyntaxError, EOFError,
                Image.DecompressionBombError) as err:
            raise ValueError(
                f"{path}: not a readable image file "
                f"({checks.one_line(err)})."
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
        if bar is not None:
            bar.update(index + 1)
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
            f"{path}: not a readable image file ({checks.one_line(err)})."
        ) from err


def _upright(image):
    """The image turned as its EXIF orientation says (photos from phones)."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(image)


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
    root = (keras_folders.keras_home() / "keras_wgan" / "images"
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

