"""keras_wgan.cli.main: exit statuses and the console script.

`python -m keras_wgan` runs in test_train.py and test_parser.py.
"""

import importlib
import re

import pytest

from keras_wgan import cli

pytestmark = pytest.mark.backend_independent


def test_exit_statuses_are_named():
    assert (cli.USAGE_STATUS, cli.NON_FINITE_STATUS) == (2, 3)


def test_a_bad_argument_is_one_line_with_status_2(tmp_path, capsys):
    assert cli.main(["train", "--out", str(tmp_path / "o"), "--epochs",
                     "0"]) == 2
    assert capsys.readouterr().err == (
        "error: python -m keras_wgan train: argument --epochs: must be an "
        "integer >= 1, got 0.\n")
    assert cli.main([]) == 2
    assert "the following arguments are required: command" in (
        capsys.readouterr().err)


def test_main_reads_sys_argv(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["keras-wgan", "sample"])
    assert cli.main() == 2
    assert "required: --out" in capsys.readouterr().err


def test_console_main_exits_with_the_status(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["keras-wgan", "train"])
    with pytest.raises(SystemExit) as exit_:
        cli.console_main()
    assert exit_.value.code == 2
    capsys.readouterr()


def test_console_script_entry_point_names_console_main():
    from pathlib import Path

    from tests.cli.helpers import ROOT

    text = (Path(ROOT) / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]")[1].split("\n[")[0]
    target = re.search(r'^keras-wgan = "(.+)"$', scripts, re.M).group(1)
    module, name = target.split(":")
    from keras_wgan import __main__ as entry

    # The entry point answers --help before it loads the command line.
    assert getattr(importlib.import_module(module), name) is entry.console_main
