"""Checks of what a data source gives, and the errors the loaders share.

Every loader checks the arrays it read before it returns them, and names
where they came from (`origin`, a file or a split) in a one-line error.
"""

import os

import numpy as np


class SourceUnavailable(Exception):
    """A source cannot provide the data here; the message says why.

    Raised by the readers of one source (a tensorflow-datasets copy, the
    `keras.datasets` cache, ...) so that a loader can try the next one,
    and name in its log line or error why each was passed over.
    """


def one_line(error: BaseException | str) -> str:
    """An error's message on one line, its whitespace runs made one space.

    Args:
        error: An exception or a message.

    Returns:
        The message, for a one-line error or log line of this package.

    Example:

    >>> one_line(ValueError("cannot read\\n  the file"))
    'cannot read the file'
    """
    return " ".join(str(error).split())


def check_image_array(images: np.ndarray, origin: str) -> np.ndarray:
    """Checks an array of images; adds the channel axis of grey ones.

    Args:
        images: An array `(N, H, W)`, `(N, H, W, 1)` or `(N, H, W, 3)`,
            uint8 pixels (0..255) or floating point values in [-1, 1].
        origin: Where the images come from, for the error message.

    Returns:
        The images `(N, H, W, C)`: uint8 ones as they are, floating point
        ones as float32.

    Raises:
        ValueError: The array is not such images (its message names
            `origin`).

    Example:

    >>> check_image_array(np.zeros((2, 4, 4), np.uint8), "x.npy").shape
    (2, 4, 4, 1)
    """
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


def check_labels(labels: np.ndarray, origin: str,
                 num_classes: int | None = None) -> None:
    """Checks class labels: integers `(N,)`, >= 0 and below `num_classes`.

    Args:
        labels: The array of labels.
        origin: Where the labels come from, for the error message.
        num_classes: The number of classes, or `None` for any label >= 0.

    Raises:
        ValueError: A label array of another shape, type or range (its
            message names `origin`).

    Example:

    >>> check_labels(np.array([0, 9]), "y", num_classes=10)
    >>> check_labels(np.array([0, 10]), "y", num_classes=10)
    Traceback (most recent call last):
    ValueError: y: expected labels in 0..9, got values from 0 to 10.
    """
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{origin}: expected integer labels of shape (N,), got "
            f"{labels.dtype} {labels.shape}."
        )
    if not len(labels):
        return
    if num_classes is None:
        if labels.min() < 0:
            raise ValueError(
                f"{origin}: expected labels >= 0, got {labels.min()}."
            )
    elif labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"{origin}: expected labels in 0..{num_classes - 1}, got values "
            f"from {labels.min()} to {labels.max()}."
        )


def check_counts(images: np.ndarray, labels: np.ndarray, origin: str) -> None:
    """Checks that there is one label per image.

    Args:
        images: The images `(N, ...)`.
        labels: Their labels `(M,)`.
        origin: Where they come from, for the error message.

    Raises:
        ValueError: `N != M`.

    Example:

    >>> check_counts(np.zeros((2, 4, 4, 1)), np.array([1]), "a.npz")
    Traceback (most recent call last):
    ValueError: a.npz: expected one label per image, got 2 images and 1 labels.
    """
    if len(images) != len(labels):
        raise ValueError(
            f"{origin}: expected one label per image, got {len(images)} "
            f"images and {len(labels)} labels."
        )


def check_no_split(split: str, what: str) -> None:
    """Checks that `split` is `"train"` for a source without splits.

    Args:
        split: The split asked for.
        what: The source, for the message, e.g. `"folder pets"`.

    Raises:
        ValueError: `split` is not `"train"`.

    Example:

    >>> check_no_split("train", "folder pets")
    """
    if split != "train":
        raise ValueError(
            f"split must be 'train' for {what}, which has no splits; got "
            f"{split!r}."
        )


def no_labels_error(source: str | os.PathLike) -> ValueError:
    """The error for `return_labels=True` with a source without labels.

    Args:
        source: The source, as the user gave it.

    Returns:
        The `ValueError` to raise.

    Example:

    >>> str(no_labels_error("faces"))
    "return_labels must be False for source 'faces', which has no labels; got True."
    """
    return ValueError(
        f"return_labels must be False for source {os.fspath(source)!r}, "
        "which has no labels; got True."
    )
