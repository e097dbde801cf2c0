"""Where the command line shows the package's log lines.

The library only logs (to the `keras_wgan` logger); the command line, an
application, decides where that goes: to stderr as `keras_wgan: <message>`
from level INFO on, e.g. which MNIST source a run reads.
"""

import logging
import sys
from typing import TextIO

LOGGER_NAME = "keras_wgan"
FORMAT = "keras_wgan: %(message)s"


class StderrHandler(logging.StreamHandler):
    """Writes to `sys.stderr` as it is at each message.

    A plain `StreamHandler(sys.stderr)` keeps the stream of its creation;
    test runners and notebooks replace `sys.stderr` later, and messages
    would then go to a stale or closed stream.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        del value  # always the current sys.stderr


def show_package_logs() -> logging.Logger:
    """Shows the `keras_wgan` log lines on stderr; idempotent.

    Adds a `StderrHandler` with the format `keras_wgan: <message>` to the
    `keras_wgan` logger, unless a handler other than a `NullHandler` is
    already there (this one, from an earlier call, or the caller's own).
    Without a level of its own, the logger gets INFO. It stops propagating
    to the root logger, so a root handler does not print each line twice.

    Returns:
        The `keras_wgan` logger.

    Example:

    >>> logger = show_package_logs()
    >>> logger is show_package_logs()
    True
    >>> sum(isinstance(h, StderrHandler) for h in logger.handlers) <= 1
    True
    """
    logger = logging.getLogger(LOGGER_NAME)
    if any(not isinstance(handler, logging.NullHandler)
           for handler in logger.handlers):
        return logger
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
