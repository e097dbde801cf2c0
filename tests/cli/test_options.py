"""keras_wgan.cli.options: an option's flag, the options given, and the
checks both configs share."""

import pathlib

import pytest

from keras_wgan.cli import build_parser
from keras_wgan.cli.options import check_bool
from keras_wgan.cli.options import check_path
from keras_wgan.cli.options import flag
from keras_wgan.cli.options import given_options
from keras_wgan.cli.train_config import RESUME_MAY_CHANGE

pytestmark = pytest.mark.above_the_models


def test_flag_names():
    assert [flag(n) for n in RESUME_MAY_CHANGE] == [
        "--epochs", "--verbose", "--data-dir", "--download", "--learning-rate",
        "--devices", "--tensorboard"]


def test_given_options_are_those_not_none_without_the_command():
    args = build_parser().parse_args(["train", "--out", "runs/a", "--epochs",
                                      "3", "--conditional"])
    assert given_options(args) == {"out": "runs/a", "epochs": 3,
                                   "conditional": True}


def test_paths_and_switches_are_checked():
    assert check_path("out", pathlib.Path("runs") / "a") == "runs/a"
    for value in ("", None, 3):
        with pytest.raises(ValueError) as error:
            check_path("out", value)
        assert str(error.value) == f"out must be a path, got {value!r}."
    check_bool("raw", False)
    with pytest.raises(ValueError) as error:
        check_bool("raw", "yes")
    assert str(error.value) == "raw must be True or False, got 'yes'."
