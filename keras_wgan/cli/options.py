"""What the commands' configs share: an option's flag, the options given on
the command line, and the checks of a path or a switch.

The parser's defaults are all `None`, so `given_options` tells the options
given from one parse; the configs (`TrainConfig`, `SampleConfig`) fill in
the rest with their documented defaults.
"""

import argparse
import os
from typing import Any

#: The most images one sample grid holds (`sample --n`, `train --samples`):
#: 100 x 100 MNIST digits, 3002 x 3002 pixels.
MAX_SAMPLES = 10_000


def flag(name: str) -> str:
    """Returns the command-line flag of an option, e.g. `--batch-size`.

    Example:

    >>> flag("batch_size")
    '--batch-size'
    """
    return "--" + name.replace("_", "-")


def given_options(namespace: argparse.Namespace) -> dict[str, Any]:
    """Returns the options given on the command line, by name.

    Args:
        namespace: What `build_parser().parse_args(...)` returned.

    Returns:
        A dict of the options whose value is not `None` (every parser
        default is `None`), without the command name.

    Example:

    >>> from keras_wgan.cli import build_parser
    >>> args = build_parser().parse_args(["sample", "--pretrained",
    ...                                   "mnist-wgan", "--out", "g.png"])
    >>> given_options(args)
    {'pretrained': 'mnist-wgan', 'out': 'g.png'}
    """
    return {name: value for name, value in vars(namespace).items()
            if value is not None and name != "command"}


def set_checked(config: Any, name: str, value: Any) -> None:
    """Sets a field of a frozen config while it checks its values.

    The configs are frozen dataclasses: in `__post_init__` the checked (and
    converted) values replace the given ones.

    Example:

    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class Config:
    ...     epochs: int
    >>> config = Config(epochs=3)
    >>> set_checked(config, "epochs", 4)
    >>> config.epochs
    4
    """
    object.__setattr__(config, name, value)


def check_path(name: str, value: Any) -> str:
    """Returns the path `value` as a string; raises `ValueError` naming
    `name` unless it is a non-empty path.

    Example:

    >>> check_path("out", "runs/a")
    'runs/a'
    >>> check_path("out", "")
    Traceback (most recent call last):
    ...
    ValueError: out must be a path, got ''.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a path, got {value!r}.")
    return value


def check_bool(name: str, value: Any) -> None:
    """Raises `ValueError` naming `name` unless `value` is True or False.

    Example:

    >>> check_bool("raw", 1)
    Traceback (most recent call last):
    ...
    ValueError: raw must be True or False, got 1.
    """
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
