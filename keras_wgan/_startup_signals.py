"""Ctrl-C and SIGTERM while the command line starts, before Keras loads.

`python -m keras_wgan` and the `keras-wgan` script spend their first
seconds importing Keras and its backend; a signal then ended in a
`KeyboardInterrupt` traceback (Ctrl-C) or in silence (SIGTERM). Imported
first by the package, this installs handlers that end the process with one
line and the shell's status, 128 + the signal's number, as the command's
own handlers (`keras_wgan.cli.signals`) do once it runs. Nothing is written
before then, so there is nothing to finish. A program that merely imports
the library keeps its own handlers.
"""

import os
import signal
import sys
from collections.abc import Sequence

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Whether the command has ended (and said its line).
_state = {"ended": False}


def launched_as_command(argv: Sequence[str] | None = None) -> bool:
    """Whether this process is `python -m keras_wgan` or `keras-wgan`.

    Example:

    >>> launched_as_command(["python", "-m", "keras_wgan", "train"])
    True
    >>> launched_as_command(["python", "-m", "pytest"])
    False
    """
    argv = list(getattr(sys, "orig_argv", sys.argv) if argv is None
                else argv)
    if "-m" in argv[:-1]:
        return argv[argv.index("-m") + 1] == "keras_wgan"
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in (
        "keras-wgan", "keras-wgan.exe")


def ended() -> None:
    """Marks the command as ended: a signal then ends the process without
    a line of its own (the command said one)."""
    _state["ended"] = True


def _stop(signum, frame):
    del frame
    if not _state["ended"]:
        name = signal.Signals(signum).name
        os.write(2, f"interrupted: stopped by {name} while starting; "
                    "nothing was written.\n".encode())
    os._exit(128 + signum)


def install() -> None:
    """Installs the start-up handlers, for the command line only."""
    if not launched_as_command():
        return
    for number in _SIGNALS:
        try:
            signal.signal(number, _stop)
        except (ValueError, OSError):  # not the main thread
            return
