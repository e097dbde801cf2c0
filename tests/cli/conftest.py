"""Each command-line test leaves the `keras_wgan` logger as it found it.

`cli.main()` shows the package's log lines on stderr, as an application
does; other tests in the same process then see the library alone.
"""

import logging

import pytest


@pytest.fixture(autouse=True)
def _package_logger_restored():
    logger = logging.getLogger("keras_wgan")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])  # also clears the logging module's level cache
    logger.propagate = saved[2]
