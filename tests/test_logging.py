"""The package logs like a library: to its logger, shown only when asked."""

import logging
import os
import subprocess
import sys

import pytest

from tests.helpers import LogRecords

# Its processes use torch whatever the run's backend.
pytestmark = pytest.mark.backend_independent

_LOAD = ("import keras_wgan, logging; {setup}"
         "keras_wgan.data.load_mnist('test')")


def _stderr(setup, folder):
    # Empty Keras and tensorflow-datasets folders: the embedded copy is read.
    env = dict(os.environ, KERAS_BACKEND="torch", KERAS_HOME=str(folder),
               TFDS_DATA_DIR=str(folder))
    return subprocess.run(
        [sys.executable, "-c", _LOAD.format(setup=setup)],
        capture_output=True, text=True, check=True, env=env).stderr


def test_the_package_logger_has_only_a_null_handler():
    # In a fresh interpreter: the command line's tests, run in this one,
    # configure the logger as an application does.
    check = ("import logging, keras_wgan; "
             "logger = logging.getLogger('keras_wgan'); "
             "print([type(h).__name__ for h in logger.handlers], "
             "logger.level, logger.propagate)")
    printed = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True,
        check=True, env=dict(os.environ, KERAS_BACKEND="torch")).stdout
    assert printed.split("\n")[-2] == "['NullHandler'] 0 True"


def test_nothing_is_printed_unless_the_application_asks(tmp_path):
    assert "keras_wgan" not in _stderr("", tmp_path)
    shown = _stderr("logging.basicConfig(level=logging.INFO); ", tmp_path)
    assert ("INFO:keras_wgan.data.mnist:MNIST 'test' from the copy "
            "embedded in keras_wgan (10000 images;") in shown


def test_records_reach_a_handler_of_the_package_logger():
    import keras_wgan

    with LogRecords() as log:
        keras_wgan.data.load_mnist("test")
    [record] = log.records
    assert record.name == "keras_wgan.data.mnist"
    assert record.getMessage().startswith("MNIST 'test' from ")
