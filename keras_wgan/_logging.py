"""The package logger, `logging.getLogger("keras_wgan")`."""

import logging
import sys

_NAME = "keras_wgan"


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to `sys.stderr` as it is at each message.

    A plain `StreamHandler(sys.stderr)` keeps the stream of its creation;
    notebooks and test runners replace `sys.stderr` later, and messages
    would then go to a stale or closed stream.
    """

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        del value  # always the current sys.stderr


def get_logger():
    """Returns the `keras_wgan` logger, visible on stderr by default.

    On first use, when nobody has configured the logger yet (it has no
    handlers), it gets a stderr handler with the format
    `keras_wgan: <message>`, level INFO and `propagate=False`, so that the
    library's few informational lines show without any logging set-up and
    are not printed twice by a root handler. Users who add their own handlers
    to the `keras_wgan` logger beforehand keep their configuration; to
    silence it, raise its level, e.g.
    `logging.getLogger("keras_wgan").setLevel(logging.WARNING)`.

    Returns:
        The `logging.Logger` named `"keras_wgan"`.
    """
    logger = logging.getLogger(_NAME)
    if not logger.handlers:
        handler = _CurrentStderrHandler()
        handler.setFormatter(logging.Formatter("keras_wgan: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
