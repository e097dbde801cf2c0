"""Ctrl-C and SIGTERM: stop at a safe point, say how to continue.

While a command runs (`handled`), SIGINT (Ctrl-C) and SIGTERM raise
`Interrupted` at once, a `KeyboardInterrupt` carrying the signal. While
`train` trains (`deferred`), the first of them only asks to stop: the
`StopAtSafePoint` callback stops the run at the end of the step, or after
the epoch's checkpoint is written, so no file is left half written. A
second Ctrl-C stops at once, for a step that does not end.

The exit status is 128 plus the signal's number, as a shell reports it: 130
for Ctrl-C, 143 for SIGTERM.
"""

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

import keras

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The signal waiting for a safe point, and whether waiting is allowed.
_state = {"deferred": False, "pending": None}


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal.

    A `KeyboardInterrupt`, so that no `except Exception` on the way catches
    it.

    Attributes:
        signum: The signal's number.
        status: The exit status, 128 + `signum`.
    """

    def __init__(self, signum: int, message: str | None = None) -> None:
        self.signum = signum
        self.status = 128 + signum
        name = signal.Signals(signum).name
        super().__init__(message or f"stopped by {name}")


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Makes SIGINT and SIGTERM raise `Interrupted` inside the block.

    Outside the main thread signals cannot be handled; the block then runs
    with the handlers as they are.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _handler) for number in _SIGNALS}
    _state.update(deferred=False, pending=None)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _state.update(deferred=False, pending=None)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Inside the block a signal waits for `stop_if_asked` (a safe point)."""
    _state.update(deferred=True, pending=None)
    try:
        yield
    finally:
        _state["deferred"] = False


def asked() -> int | None:
    """The signal waiting for a safe point, or `None`."""
    return _state["pending"]


def stop_if_asked() -> None:
    """Raises `Interrupted` if a signal asked to stop."""
    if _state["pending"] is not None:
        signum, _state["pending"] = _state["pending"], None
        raise Interrupted(signum)


def _handler(signum, frame):
    del frame
    waiting = _state["pending"] is not None
    if _state["deferred"] and not (waiting and signum == signal.SIGINT):
        if not waiting:
            _state["pending"] = signum
        return
    raise Interrupted(signum)


class StopAtSafePoint(keras.callbacks.Callback):
    """Stops training where nothing is half written, if a signal asked.

    Put it last among the callbacks: at the end of an epoch it then runs
    after the epoch's metrics row and checkpoint are written.

    Example:

    >>> StopAtSafePoint().on_train_batch_end(0)  # nothing asked: no error
    """

    def on_train_batch_end(self, batch: int,
                           logs: dict[str, Any] | None = None) -> None:
        stop_if_asked()

    def on_epoch_end(self, epoch: int,
                     logs: dict[str, Any] | None = None) -> None:
        stop_if_asked()
