"""Every `>>>` example in the package's docstrings runs, on every backend
(those of the command line, the studies and the explorer on the first).

Each module's examples run as one doctest set in a fresh temporary folder
(examples may write files), with `np`, `keras`, `ops`, `keras_wgan` and
`architectures` already imported, as an example's reader would have them.
"""

import doctest
import importlib
import logging
import pkgutil

import keras
import numpy as np
import pytest

import keras_wgan

# `__main__` runs the command line on import; the backend modules other
# than the current one import a framework this run does not use.
_SKIPPED = {"keras_wgan.__main__"} | {
    f"keras_wgan.backend.{name}"
    for name in ("torch", "jax", "tensorflow")
    if name != keras.backend.backend()
}
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(keras_wgan.__path__, "keras_wgan.")
    if info.name not in _SKIPPED
)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples(module):
    finder = doctest.DocTestFinder(exclude_empty=True)
    extras = {
        "np": np,
        "keras": keras,
        "ops": keras.ops,
        "keras_wgan": keras_wgan,
        "architectures": keras_wgan.nets.architectures,
    }
    tests = []
    for test in finder.find(module, module.__name__):
        if test.examples and test.name.startswith(module.__name__):
            test.globs = {**extras, **test.globs}
            tests.append(test)
    return tests


def test_every_module_is_found():
    assert "keras_wgan.models.wasserstein" in MODULES
    assert "keras_wgan.losses" in MODULES


# The examples of the code above the models run once, in the first
# backend's run (tests/tiers_plugin.py); the models' own run on every one.
_ABOVE_THE_MODELS = ("keras_wgan.cli.", "keras_wgan.studies.",
                     "keras_wgan.explorer.")


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.above_the_models)
    if name.startswith(_ABOVE_THE_MODELS) else name
    for name in MODULES])
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # An example may configure the package logger as an application does
    # (keras_wgan.cli.output); the tests after it get it back as it was.
    logger = logging.getLogger("keras_wgan")
    for attribute in ("handlers", "level", "propagate"):
        monkeypatch.setattr(logger, attribute, getattr(logger, attribute))
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    failures = []
    for test in _examples(module):
        runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)
