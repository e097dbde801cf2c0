"""Keras' own folder and the `keras.datasets` cache in it.

The loaders read what `keras.datasets` downloaded before, and keep the
cache of image folders next to it.
"""

import os
import pathlib
import tempfile


def keras_home() -> pathlib.Path:
    """Keras' own folder: `$KERAS_HOME`, else `~/.keras`.

    Resolved as Keras 3 does (`keras.src.backend.config` and
    `keras.utils.get_file`): `$KERAS_HOME` when set, else `~/.keras`
    (`/tmp/.keras` when the home folder is not writable); `/tmp/.keras`
    again when that folder is not writable. Keras reads `KERAS_HOME` once,
    when imported; this reads it at each call.

    Returns:
        The folder, as a path (it may not exist yet).

    Example:

    >>> keras_home()  # doctest: +SKIP
    PosixPath('/home/me/.keras')
    """
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


def keras_datasets_dir() -> pathlib.Path:
    """The folder where `keras.datasets` caches its downloads.

    Returns:
        `keras_home() / "datasets"`.

    Example:

    >>> keras_datasets_dir() == keras_home() / "datasets"
    True
    """
    return keras_home() / "datasets"
