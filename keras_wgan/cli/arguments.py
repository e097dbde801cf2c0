"""The pieces the commands' parsers share: the argparse `type`s of numbers
and class lists (what a flag's text must be, said in one line when it is
not), `--dry-run`, and the model a command reads.
"""

import argparse
from collections.abc import Callable

from keras_wgan import argument_validation
from keras_wgan.zoo import PRETRAINED_MODELS


def number(kind: type, minimum: float,
           inclusive: bool = True) -> Callable[[str], int | float]:
    """Returns an argparse `type` that accepts numbers from `minimum` on.

    Args:
        kind: `int` or `float`.
        minimum: The smallest value accepted.
        inclusive: For floats, whether `minimum` itself is accepted.

    Returns:
        A function from the option's text to the number, raising
        `argparse.ArgumentTypeError` with the expected value.

    Example:

    >>> number(int, 1)("3")
    3
    >>> number(float, 0.0, inclusive=False)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number > 0.0, got 0.0.
    """

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            if kind is int:
                return argument_validation.check_int("value", value, minimum)
            return argument_validation.check_float("value", value, minimum,
                                                   inclusive)
        except ValueError as error:
            raise argparse.ArgumentTypeError(
                str(error).replace("value must be", "must be", 1)
            ) from None

    parse.__name__ = kind.__name__
    return parse


def class_list(text: str) -> tuple[int, ...]:
    """The argparse `type` of `--classes`: comma-separated class numbers.

    Example:

    >>> class_list("3,7")
    (3, 7)
    >>> class_list("3,x")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be class numbers >= 0 separated by commas, e.g. 3,7, got '3,x'.
    """
    return _int_list(text, 0, "class numbers >= 0", "3,7")


def factor_list(text: str) -> tuple[int, ...]:
    """The argparse `type` of `--class-factors`: comma-separated sizes.

    Example:

    >>> factor_list("10,20")
    (10, 20)
    >>> factor_list("10,1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be class counts >= 2 separated by commas, e.g. 10,20, got '10,1'.
    """
    return _int_list(text, 2, "class counts >= 2", "10,20")


def _int_list(text: str, minimum: int, what: str, example: str
              ) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or min(values) < minimum:
        raise argparse.ArgumentTypeError(
            f"must be {what} separated by commas, e.g. {example}, got "
            f"{text!r}.")
    return values


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    """Adds `--dry-run` to a command's parser.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> add_dry_run(parser)
    >>> parser.parse_args(["--dry-run"]).dry_run
    True
    """
    parser.add_argument("--dry-run", action="store_true", default=None,
                        help="check every option and the data source, say "
                        "what would run, and exit without writing anything")


def add_model_source(parser: argparse.ArgumentParser, run_help: str) -> None:
    """Adds the model a command reads: `--pretrained`, `--run` or
    `--checkpoint`, exactly one of them.

    Args:
        parser: The command's parser (`evaluate`, `explore`).
        run_help: The help of `--run`: what the command reads of a run.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> add_model_source(parser, run_help="a folder written by 'train'")
    >>> args = parser.parse_args(["--run", "runs/a"])
    >>> args.run, args.pretrained, args.checkpoint
    ('runs/a', None, None)
    """
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pretrained", choices=PRETRAINED_MODELS,
                        help="a shipped model (see keras_wgan.pretrained)")
    source.add_argument("--run", metavar="DIR", help=run_help)
    source.add_argument("--checkpoint", metavar="FILE",
                        help="a .keras file written by 'train'")
