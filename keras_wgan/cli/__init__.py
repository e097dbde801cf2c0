"""The command line, `python -m keras_wgan train|sample|compare`."""

from keras_wgan.cli.commands import build_parser
from keras_wgan.cli.commands import console_main
from keras_wgan.cli.commands import main

__all__ = ["build_parser", "console_main", "main"]
