"""Checks that the command line can write where it is told to, before any
work is done.

`--out` of `train` is a folder and `--out` of `sample` a file; either may
not exist yet. A path that lies under a regular file, names a file where a
folder is needed (or the reverse), or sits in a folder the user may not
write to, ends in one line naming the option, with nothing written.

`os.access` decides what is writable: it answers for the real user, and a
root user may write almost anywhere, so for root only a read-only file
system, or a folder or file made immutable (`chattr +i`), is refused here.
A read-only file system is named as such, not as a permission.
"""

import os
from collections.abc import Iterable

from keras_wgan.cli.errors import UsageError


def check_folder(path: str, flag: str) -> None:
    """Checks that `path` is, or can be made, a folder to write in.

    Args:
        path: The folder; it need not exist.
        flag: The option that named it, e.g. `"--out"`, for errors.

    Raises:
        UsageError: naming `flag`, if `path` is a file, lies under a file,
            or is (or would be made in) a folder that is not writable.

    Example:

    >>> with open("notes.txt", "w") as f:
    ...     _ = f.write("a file")
    >>> check_folder("runs/new", "--out")  # may be created: no error
    >>> check_folder("notes.txt/run", "--out")
    Traceback (most recent call last):
    ...
    keras_wgan.cli.errors.UsageError: --out: notes.txt/run lies under notes.txt, a file, not a folder.
    """
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise UsageError(f"{flag}: {path} is a file, expected a folder.")
        _check_writable(path, flag, path)
        return
    _check_creatable(path, flag)


def check_file(path: str, flag: str) -> None:
    """Checks that the file `path` can be written (created or replaced).

    Raises:
        UsageError: naming `flag`, if `path` is a folder, lies under a
            file, or its folder is not writable.

    Example:

    >>> os.makedirs("grids")
    >>> check_file("grids/g.png", "--out")
    >>> check_file("grids", "--out")
    Traceback (most recent call last):
    ...
    keras_wgan.cli.errors.UsageError: --out: grids is a folder, expected a file.
    """
    if os.path.isdir(path):
        raise UsageError(f"{flag}: {path} is a folder, expected a file.")
    parent = os.path.dirname(path) or "."
    if os.path.exists(parent):
        if not os.path.isdir(parent):
            raise UsageError(f"{flag}: {path} lies under {parent}, a file, "
                             "not a folder.")
        # The file is replaced by a rename, which needs its folder only.
        _check_writable(parent, flag, path)
    else:
        _check_creatable(path, flag)


def _check_creatable(path, flag):
    # The nearest existing folder above `path` is where it would be made.
    above = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(above):
        above = os.path.dirname(above)
    if not os.path.isdir(above):
        shown = os.path.relpath(above) if not os.path.isabs(path) else above
        raise UsageError(f"{flag}: {path} lies under {shown}, a file, not a "
                         "folder.")
    _check_writable(above, flag, path)


def check_removable(files: Iterable[str], flag: str) -> None:
    """Checks that each of `files` (those that exist) can be deleted.

    Run it before deleting any of them, so that a refusal loses nothing.

    Args:
        files: Paths of files; missing ones are passed over.
        flag: The option whose action deletes them, e.g. `"--overwrite"`.

    Raises:
        UsageError: naming `flag` and the first file that cannot be
            deleted: its folder is not writable, it is immutable, or it
            lies on a read-only file system.

    Example:

    >>> with open("old.png", "w") as f:
    ...     _ = f.write("a grid")
    >>> check_removable(["old.png", "gone.png"], "--overwrite")
    """
    for path in files:
        if not os.path.lexists(path):
            continue
        folder = os.path.dirname(path) or "."
        _check_writable(folder, flag, path, "delete")
        # An immutable file (chattr +i) cannot be deleted even by root;
        # access() reports it as not writable, while a plain read-only
        # mode does not stop a delete, so only root is asked about it.
        if os.geteuid() == 0 and not os.access(path, os.W_OK):
            raise UsageError(f"{flag}: cannot delete {path}: it is "
                             "immutable (chattr +i); nothing was deleted.")


def _check_writable(folder, flag, path, action="write"):
    if read_only_file_system(folder):
        raise UsageError(f"{flag}: cannot {action} {path}: {folder} is on a "
                         "read-only file system.")
    if not writable(folder):
        where = "" if folder == path else f" in {folder}"
        raise UsageError(f"{flag}: cannot {action} {path}: permission "
                         f"denied{where} (not a writable folder).")


def read_only_file_system(path: str) -> bool:
    """Returns whether `path` lies on a file system mounted read-only.

    Example:

    >>> read_only_file_system(".")
    False
    """
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False


def writable(folder: str) -> bool:
    """Returns whether the user may create and delete files in `folder`."""
    return os.access(folder, os.W_OK | os.X_OK)
