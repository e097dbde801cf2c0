"""keras-wgan: Wasserstein GANs (WGAN and WGAN-GP) for Keras 3.

PyTorch is the default backend: when `KERAS_BACKEND` is unset and Keras is
not imported yet, importing keras_wgan sets `KERAS_BACKEND=torch` before
Keras loads. (The `backend` entry of `~/.keras/keras.json` is not consulted:
Keras writes that file with "tensorflow" on its first import, so it does not
tell a user's choice.) Set `KERAS_BACKEND` to choose another backend.

The package logs a few informational lines (which data source a loader
read, quality evaluations) to the `keras_wgan` logger, which has only a
`NullHandler`: an application shows them by configuring logging, e.g.
`logging.basicConfig(level=logging.INFO)`; the command line does.

The public API is `__all__` here and in each subpackage and module: the
models, losses, constraints and penalties a training needs, the
pretrained models, and the subpackages `data`, `models`, `nets`,
`quality`, `callbacks`, `latent` and `distribute`. Everything else (the
studies, the command line, checkpoint files) is imported from its own
module. Names with a leading underscore are private to their module and
never imported by another one. The modules with a leading underscore
(`_atomic`, `_exports`, `_keras_internals`, `_startup_signals`) are
internal to the package: their functions have public names, may be imported by any
module of the package, and are not part of the public API.
"""

import logging
import os
import sys

from keras_wgan import _exports
from keras_wgan import _startup_signals

# First: the imports below take seconds, and a Ctrl-C meanwhile should end
# `python -m keras_wgan` in one line (only the command line is affected).
_startup_signals.install()

logging.getLogger(__name__).addHandler(logging.NullHandler())


def _default_to_torch():
    if "keras" not in sys.modules and "KERAS_BACKEND" not in os.environ:
        os.environ["KERAS_BACKEND"] = "torch"


_default_to_torch()


def _started_as_command_line():
    """Whether this import starts the command line.

    `python -m keras_wgan` imports the package with `sys.argv[0] == "-m"`
    before it runs `__main__`; the console script is `keras-wgan`. The
    command line then loads the package's modules itself, after its
    `--help` (which needs none of them) has had its chance to answer.
    """
    first = sys.argv[0] if sys.argv else ""
    script = os.path.basename(first).removesuffix(".exe")
    return first == "-m" or script == "keras-wgan"


def __getattr__(name):
    if name in _exports.EXPORTS or name in _exports.ALIASES:
        return _exports.load(name)
    raise AttributeError(f"module 'keras_wgan' has no attribute {name!r}")


if not _started_as_command_line():
    _exports.load_all()

from keras_wgan.version import __version__  # noqa: E402,F401 - its one home

__all__ = [
    "AdversarialModel",
    "BiGAN",
    "BiGANGP",
    "ClipConstraint",
    "ConditionalWGANGP",
    "CycleGAN",
    "DRAGAN",
    "HingeLoss",
    "MinimaxGAN",
    "NonFiniteError",
    "NonSaturatingGAN",
    "PRETRAINED_MODELS",
    "SNGANHinge",
    "WGAN",
    "WGANGP",
    "WGANLP",
    "WGANR1",
    "WGANSN",
    "WassersteinGAN",
    "WassersteinLoss",
    "callbacks",
    "data",
    "distribute",
    "dragan_penalty",
    "gradient_penalty",
    "hinge_loss",
    "joint_gradient_penalty",
    "latent",
    "models",
    "nets",
    "one_sided_penalty",
    "pretrained",
    "pretrained_info",
    "quality",
    "r1_penalty",
    "wasserstein_loss",
]
