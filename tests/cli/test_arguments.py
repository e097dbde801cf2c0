"""keras_wgan.cli.arguments: the argparse types of numbers and classes,
`--dry-run`, and the one model source of `evaluate` and `explore`."""

import argparse

import pytest

from keras_wgan.cli import build_parser
from keras_wgan.cli.arguments import add_model_source
from keras_wgan.cli.arguments import class_list
from keras_wgan.cli.arguments import number
from keras_wgan.cli.errors import UsageError

pytestmark = pytest.mark.above_the_models


@pytest.mark.parametrize("kind, minimum, inclusive, text, expected", [
    (int, 1, True, "3", 3),
    (int, 0, True, "0", 0),
    (float, 0.0, False, "1e-4", 1e-4),
    (float, 0.0, True, "0", 0.0),
])
def test_number_accepts(kind, minimum, inclusive, text, expected):
    value = number(kind, minimum, inclusive)(text)
    assert value == expected and type(value) is kind


@pytest.mark.parametrize("kind, minimum, inclusive, text, message", [
    (int, 1, True, "0", "must be an integer >= 1, got 0."),
    (int, 1, True, "2.5", "must be an integer >= 1, got '2.5' of type str."),
    (float, 0.0, False, "0", "must be a finite number > 0.0, got 0.0."),
    (float, 0.0, True, "nan", "must be a finite number >= 0.0, got nan."),
    (float, 0.0, True, "x", "must be a finite number >= 0.0, got 'x' of type str."),
])
def test_number_rejects_in_one_line(kind, minimum, inclusive, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as error:
        number(kind, minimum, inclusive)(text)
    assert str(error.value) == message


def test_class_list_parses_and_rejects():
    assert class_list("3,7") == (3, 7)
    for text in ("", "3,-1", "a"):
        with pytest.raises(argparse.ArgumentTypeError):
            class_list(text)


def test_model_source_is_exactly_one_of_three():
    parser = argparse.ArgumentParser()
    add_model_source(parser, run_help="a run")
    assert vars(parser.parse_args(["--checkpoint", "m.keras"])) == {
        "pretrained": None, "run": None, "checkpoint": "m.keras"}
    run = next(action for action in parser._actions if action.dest == "run")
    assert run.help == "a run" and run.metavar == "DIR"


@pytest.mark.parametrize("command", ["evaluate", "explore"])
def test_evaluate_and_explore_read_the_same_model_sources(command):
    parser = build_parser()
    args = parser.parse_args([command, "--pretrained", "mnist-wgan"])
    assert (args.pretrained, args.run, args.checkpoint) == (
        "mnist-wgan", None, None)
    with pytest.raises(UsageError) as error:
        parser.parse_args([command, "--run", "a", "--checkpoint", "b"])
    assert "not allowed with argument" in str(error.value)
    with pytest.raises(UsageError) as error:
        parser.parse_args([command])
    assert "one of the arguments --pretrained --run --checkpoint is " \
        "required" in str(error.value)
