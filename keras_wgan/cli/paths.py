"""Checks that the command line can write where it is told to, before any
work is done.

`--out` of `train` is a folder and `--out` of `sample` a file; either may
not exist yet. A path that lies under a regular file, names a file where a
folder is needed (or the reverse), or sits in a folder the user may not
write to, ends in one line naming the option, with nothing written.

`os.access` decides what is writable: it answers for the real user, and a
root user may write almost anywhere, so for root only a read-only file
system is refused here.
"""

import os

from keras_wgan.cli.parser import UsageError


def check_folder(path, flag):
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
    keras_wgan.cli.parser.UsageError: --out: notes.txt/run lies under notes.txt, a file, not a folder.
    """
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise UsageError(f"{flag}: {path} is a file, expected a folder.")
        _check_writable(path, flag, path)
        return
    _check_creatable(path, flag)


def check_file(path, flag):
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
    keras_wgan.cli.parser.UsageError: --out: grids is a folder, expected a file.
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


def _check_writable(folder, flag, path):
    if not writable(folder):
        where = "" if folder == path else f" in {folder}"
        raise UsageError(f"{flag}: cannot write {path}: permission "
                         f"denied{where} (not a writable folder).")


def writable(folder):
    """Returns whether the user may create and delete files in `folder`."""
    return os.access(folder, os.W_OK | os.X_OK)
