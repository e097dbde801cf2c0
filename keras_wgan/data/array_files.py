"""Images (and labels) from `.npy` and `.npz` files.

An `.npy` file holds the images; an `.npz` file holds them under `x`,
`images` or `x_<split>` (as `keras.datasets` saves them), its labels under
`y`, `labels` or `y_<split>`, and may name the classes under `class_names`.
Every failure is a one-line `ValueError` naming the file (and the array).
"""

import pathlib
import zipfile
import zlib

import numpy as np

from keras_wgan.data import checks

#: The endings of the array files a source can be (in any letter case).
ARRAY_SUFFIXES = (".npy", ".npz")


def read_array_file(path: pathlib.Path, split: str = "train"
                    ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Reads the images and labels of an `.npy` or `.npz` file.

    Args:
        path: The file, ending in `.npy` or `.npz`.
        split: For an `.npz` file, the split whose `x_<split>` (and
            `y_<split>`) to read; files without such arrays, and `.npy`
            files, have only `"train"`.

    Returns:
        `(images, labels, where)`: the images as `check_image_array` returns
        them (uint8 or float32 `(N, H, W, C)`), int64 labels `(N,)` or
        `None` when the file has none, and the file's name for log lines.

    Raises:
        ValueError: The file is unreadable or damaged, its arrays are not
            images (or labels), or the split is not in it; the message names
            the file and the array.

    Example:

    >>> np.savez("digits.npz", x_test=np.zeros((3, 8, 8), np.uint8),
    ...          y_test=np.array([[1], [2], [3]]))
    >>> images, labels, where = read_array_file(
    ...     pathlib.Path("digits.npz"), "test")
    >>> images.shape, labels
    ((3, 8, 8, 1), array([1, 2, 3]))
    """
    suffix = path.suffix.lower()
    if suffix == ".npy":
        checks.check_no_split(split, f"file {path}")
        try:
            images = np.load(path, allow_pickle=False)
        except MemoryError as err:
            raise _too_big(path, err) from err
        except (OSError, ValueError, EOFError) as err:
            raise ValueError(
                f"{path}: not a readable .npy file ({checks.one_line(err)})."
            ) from err
        if not isinstance(images, np.ndarray):
            raise ValueError(f"{path}: not an .npy file (it is an archive).")
        return checks.check_image_array(images, str(path)), None, str(path)
    with _open_npz(path) as npz:
        keys = set(npz.files)
        if f"x_{split}" in keys:
            image_key = f"x_{split}"
            label_keys: tuple[str, ...] = (f"y_{split}",)
        else:
            found = next((k for k in ("x", "images") if k in keys), None)
            if found is None:
                raise ValueError(
                    f"{path}: expected the images under 'x', 'images' or "
                    f"'x_{split}', got keys {sorted(keys)}."
                )
            checks.check_no_split(split, f"file {path} (no x_{split})")
            image_key, label_keys = found, ("y", "labels")
        label_key = next((k for k in label_keys if k in keys), None)
        images = checks.check_image_array(_member(npz, image_key, path),
                                          f"{path} ({image_key})")
        labels = None
        if label_key is not None:
            labels = np.asarray(_member(npz, label_key, path))
            if labels.ndim == 2 and labels.shape[1] == 1:
                labels = labels[:, 0]  # as keras.datasets saves them
            checks.check_labels(labels, f"{path} ({label_key})")
            checks.check_counts(images, labels, str(path))
            labels = labels.astype(np.int64)
    return images, labels, str(path)


def npz_class_names(path: pathlib.Path) -> tuple[str, ...] | None:
    """The class names an `.npz` file holds under `class_names`.

    Args:
        path: The `.npz` file.

    Returns:
        The names as a tuple of str, or `None` when the file has none.

    Raises:
        ValueError: The file is not a readable `.npz` archive.

    Example:

    >>> np.savez("pets.npz", x=np.zeros((2, 4, 4), np.uint8),
    ...          class_names=np.array(["cat", "dog"]))
    >>> npz_class_names(pathlib.Path("pets.npz"))
    ('cat', 'dog')
    """
    with _open_npz(path) as npz:
        if "class_names" not in npz.files:
            return None
        return tuple(str(name)
                     for name in _member(npz, "class_names", path))


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
            f"({checks.one_line(err)})."
        ) from err


def _too_big(origin, err):
    """The error of an array whose header declares more than fits in
    memory (a damaged or hostile header: the file is far smaller)."""
    return ValueError(f"{origin}: its header declares an array too big for "
                      f"the memory ({checks.one_line(err)}).")


def _open_npz(path):
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"{path}: not a readable .npz file ({checks.one_line(err)})."
        ) from err
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not an .npz archive (it holds one array).")
    return npz
