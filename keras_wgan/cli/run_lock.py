"""The lock of a run folder: one `train` at a time writes there.

The lock is `flock` on `.lock` in the folder, so the system drops it when
the process ends, however it ends: a killed run leaves no stale lock.
"""

import os

from keras_wgan import distribute
from keras_wgan.cli.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows: no flock, so no lock (docs: Resuming and failures).
    fcntl = None  # type: ignore[assignment]

#: The lock file in a run folder.
LOCK_NAME = ".lock"


def lock_folder(out: str) -> "RunLock":
    """Takes the lock that keeps a second `train` out of the folder `out`.

    Creates the folder if need be (`RunLock.release` can remove it again).
    In a data-parallel run only the chief process locks: the others write
    nothing.

    Returns:
        A `RunLock`.

    Raises:
        UsageError: naming `--out`, if another process holds the lock.

    Example:

    >>> lock = lock_folder("locked")
    >>> lock_folder("locked")
    Traceback (most recent call last):
    ...
    keras_wgan.cli.errors.UsageError: --out: locked is in use by another 'train' (process ...); wait for it to end, or choose another folder.
    >>> lock.release(remove_created=True)
    >>> os.path.exists("locked")
    False
    """
    if not distribute.is_chief():
        # A data-parallel run's other processes write nothing; the
        # chief holds the lock for them all.
        return RunLock(None, None, [])
    created = _make_folders(out)
    path = os.path.join(out, LOCK_NAME)
    if fcntl is None:
        return RunLock(path, None, created)
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(handle, 32).decode(errors="replace").strip()
            os.close(handle)
            raise UsageError(
                f"--out: {out} is in use by another 'train' "
                f"(process {owner or 'unknown'}); wait for it to end, or "
                "choose another folder."
            ) from None
        # The holder before us deletes the file as it lets go: if that
        # happened after our open, our lock is on a file nobody else
        # sees, so take it again on the file that is there now.
        try:
            same = os.fstat(handle).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(handle)
    os.ftruncate(handle, 0)
    os.write(handle, f"{os.getpid()}\n".encode())
    return RunLock(path, handle, created)


class RunLock:
    """The lock of a run folder, held by this process until `release`."""

    def __init__(self, path: str | None, handle: int | None,
                 created: list[str]) -> None:
        self.path = path
        self._handle = handle
        self._created = created

    def release(self, remove_created: bool = False) -> None:
        """Lets go of the lock and deletes `.lock`.

        Args:
            remove_created: Also remove the folders `lock` created, if they
                are empty (a run refused before it wrote anything).
        """
        try:
            if self.path is not None:
                os.remove(self.path)
        except FileNotFoundError:
            pass
        if self._handle is not None:
            os.close(self._handle)  # closing lets go of the flock
            self._handle = None
        if remove_created:
            for folder in reversed(self._created):
                try:
                    os.rmdir(folder)
                except OSError:
                    break


def _make_folders(path: str) -> list[str]:
    """Creates `path` and the folders above it; returns those it created."""
    missing = []
    while path and not os.path.exists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    missing.reverse()
    for folder in missing:
        os.makedirs(folder, exist_ok=True)
    return missing
