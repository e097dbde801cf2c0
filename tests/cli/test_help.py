"""`--help` answers from `keras_wgan/cli_help.json` without loading Keras;
the file must hold the parsers' own help texts."""

import os
import subprocess
import sys

import pytest

import keras_wgan
from keras_wgan import __main__ as entry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import cli_reference  # noqa: E402

pytestmark = pytest.mark.above_the_models


def test_cached_help_is_the_parsers_help():
    import json

    with open(entry.HELP_FILE) as f:
        cached = json.load(f)
    assert cached == cli_reference.help_texts(), (
        "keras_wgan/cli_help.json is out of date: run "
        ".venv/bin/python scripts/cli_reference.py --write-help")


# Its processes load no backend at all: once, not on each backend.
@pytest.mark.backend_independent
@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"],
                                  ["sample", "-h"], ["compare", "--help"]])
def test_help_loads_no_keras(argv):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "keras_wgan"] + argv,
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m keras_wgan")
    imported = [line.split("|")[-1].strip()
                for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "keras_wgan" in imported
    assert not {"keras", "torch", "jax", "tensorflow"} & set(imported)


@pytest.mark.backends(
    "torch", reason="where the arguments go is the same on every backend; "
    "the process it starts would only load another")
def test_other_arguments_run_the_command_line():
    assert entry.cached_help(["train", "--out", "runs/a"]) is None
    result = subprocess.run(
        [sys.executable, "-m", "keras_wgan", "sample", "--pretrained",
         "mnist-wgan", "--n", "4", "--out", "x.png", "--dry-run"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "dry run: would write 4 samples" in result.stdout


def test_import_loads_every_public_name():
    # A library import registers every class with Keras at once, so that
    # keras.models.load_model finds them without touching an attribute.
    assert {"WGANGP", "callbacks", "pretrained"} <= set(vars(keras_wgan))
