"""The progress bar of a long read (a large folder or tfds dataset)."""

import keras

#: Above this many images, a read shows a progress bar.
PROGRESS_MIN = 500


def progress_bar(count: int, verbose: bool) -> keras.utils.Progbar | None:
    """A progress bar for reading `count` images, or `None`.

    Args:
        count: The number of images to read.
        verbose: Whether the caller shows progress at all.

    Returns:
        A `keras.utils.Progbar` counting images when `verbose` and `count`
        is above `PROGRESS_MIN`, else `None` (a short read shows nothing).

    Example:

    >>> progress_bar(10, verbose=True) is None
    True
    >>> progress_bar(PROGRESS_MIN + 1, verbose=True).target
    501
    """
    if not verbose or count <= PROGRESS_MIN:
        return None
    return keras.utils.Progbar(count, unit_name="image")
