"""keras_wgan.cli.output: the package's log lines on stderr, once."""

import io
import logging
import sys

import pytest

from keras_wgan import cli
from keras_wgan.cli import output

pytestmark = pytest.mark.backend_independent


@pytest.fixture
def bare_logger(monkeypatch):
    """The `keras_wgan` logger as the library leaves it: a NullHandler."""
    logger = logging.getLogger("keras_wgan")
    monkeypatch.setattr(logger, "handlers", [logging.NullHandler()])
    logger.setLevel(logging.NOTSET)  # conftest.py restores it
    monkeypatch.setattr(logger, "propagate", True)
    return logger


def test_package_lines_go_to_stderr_in_the_cli_format(bare_logger, capsys):
    bare_logger.info("before")  # the library alone prints nothing
    assert capsys.readouterr() == ("", "")
    assert output.show_package_logs() is bare_logger
    bare_logger.info("MNIST 'test' from somewhere")
    bare_logger.debug("not shown")
    assert capsys.readouterr() == ("", "keras_wgan: MNIST 'test' from somewhere\n")
    assert bare_logger.level == logging.INFO and not bare_logger.propagate


def test_main_twice_adds_one_handler(bare_logger, tmp_path, capsys):
    for _ in range(2):
        assert cli.main(["sample", "--pretrained", "mnist-wgan", "--out",
                         str(tmp_path / "g.jpg")]) == 2
    assert sum(isinstance(h, output.StderrHandler)
               for h in bare_logger.handlers) == 1
    capsys.readouterr()
    bare_logger.info("once")
    assert capsys.readouterr().err == "keras_wgan: once\n"


def test_a_handler_of_the_caller_is_kept(bare_logger, capsys):
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    bare_logger.addHandler(Collect())
    bare_logger.setLevel(logging.DEBUG)
    output.show_package_logs()
    assert not any(isinstance(h, output.StderrHandler)
                   for h in bare_logger.handlers)
    assert bare_logger.level == logging.DEBUG
    bare_logger.debug("to the caller")
    assert records == ["to the caller"] and capsys.readouterr().err == ""


def test_the_handler_follows_a_replaced_stderr(bare_logger, monkeypatch):
    output.show_package_logs()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    bare_logger.info("to the stderr of now")
    assert later.getvalue() == "keras_wgan: to the stderr of now\n"
