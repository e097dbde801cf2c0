"""Writing a file so that a reader or a crash never sees half of it."""

import os
import re
import secrets
from collections.abc import Callable

# The names `write_atomically` gives its temporary files:
# .<name>.<pid>.<8 hex digits>.tmp<extension>
_TEMPORARY_RE = re.compile(r"^\..+\.\d+\.[0-9a-f]{8}\.tmp(\.\w+)?$")


def write_atomically(path: str | os.PathLike,
                     write: Callable[[str], object]) -> str:
    """Calls `write(temporary)`, then renames `temporary` over `path`.

    The temporary file sits in `path`'s folder (a rename is atomic only
    within one file system), starts with a dot and ends in `.tmp` plus
    `path`'s extension, since some writers choose the format by it
    (`model.save` insists on `.keras`, `imsave` reads `.png`). It is flushed
    to disk before the rename. On any failure it is removed and `path` is
    left as it was.

    Args:
        path: Destination file name.
        write: Function that writes the whole file to the path it is given.

    Returns:
        `path`.

    Example:

    >>> def write(temporary):
    ...     with open(temporary, "w") as f:
    ...         f.write('{"epoch": 3}')
    >>> write_atomically("run.json", write)
    'run.json'
    >>> open("run.json").read()
    '{"epoch": 3}'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    name, extension = os.path.splitext(os.path.basename(path))
    temporary = os.path.join(
        directory,
        f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{extension}",
    )
    try:
        write(temporary)
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)
    return path


def _fsync_directory(directory):
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def is_temporary(name: str) -> bool:
    """Returns whether the file name `name` is one `write_atomically` uses.

    Example:

    >>> is_temporary(".epoch_0002.4711.0a1b2c3d.tmp.keras")
    True
    >>> is_temporary("epoch_0002.keras")
    False
    """
    return bool(_TEMPORARY_RE.match(name))


def remove_temporaries(directory: str | os.PathLike) -> list[str]:
    """Deletes the temporary files of interrupted writes in `directory`.

    Only safe when no other process writes there (the command line holds
    the run folder's lock): a write in progress would lose its file.

    Returns:
        The paths deleted, sorted.

    Example:

    >>> os.makedirs("ckpt")
    >>> open("ckpt/.epoch_0002.4711.0a1b2c3d.tmp.keras", "w").close()
    >>> open("ckpt/epoch_0001.keras", "w").close()
    >>> remove_temporaries("ckpt")
    ['ckpt/.epoch_0002.4711.0a1b2c3d.tmp.keras']
    >>> os.listdir("ckpt")
    ['epoch_0001.keras']
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return []
    removed = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if is_temporary(name) and os.path.isfile(path):
            try:
                os.remove(path)
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed
