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
"""

import importlib
import logging
import os
import sys

from keras_wgan import _startup_signals

# First: the imports below take seconds, and a Ctrl-C meanwhile should end
# `python -m keras_wgan` in one line (only the command line is affected).
_startup_signals.install()

logging.getLogger(__name__).addHandler(logging.NullHandler())


def _default_to_torch():
    if "keras" not in sys.modules and "KERAS_BACKEND" not in os.environ:
        os.environ["KERAS_BACKEND"] = "torch"


_default_to_torch()

#: Every public name: where it comes from, `(module, attribute)`, with
#: `attribute` None for a module.
_EXPORTS = {
    "callbacks": ("keras_wgan.callbacks", None),
    "checkpoints": ("keras_wgan.checkpoints", None),
    "data": ("keras_wgan.data", None),
    "distribute": ("keras_wgan.distribute", None),
    "latent": ("keras_wgan.latent", None),
    "models": ("keras_wgan.models", None),
    "nets": ("keras_wgan.nets", None),
    "quality": ("keras_wgan.quality", None),
    "studies": ("keras_wgan.studies", None),
    "ClipConstraint": ("keras_wgan.constraints", "ClipConstraint"),
    "NonFiniteError": ("keras_wgan.errors", "NonFiniteError"),
    "HingeLoss": ("keras_wgan.losses", "HingeLoss"),
    "WassersteinLoss": ("keras_wgan.losses", "WassersteinLoss"),
    "wasserstein_loss": ("keras_wgan.losses", "wasserstein_loss"),
    "WGAN": ("keras_wgan.models", "WGAN"),
    "WGANGP": ("keras_wgan.models", "WGANGP"),
    "WassersteinGAN": ("keras_wgan.models", "WassersteinGAN"),
    "AdversarialModel": ("keras_wgan.models", "AdversarialModel"),
    "BiGAN": ("keras_wgan.models", "BiGAN"),
    "BiGANGP": ("keras_wgan.models", "BiGANGP"),
    "ConditionalWGANGP": ("keras_wgan.models", "ConditionalWGANGP"),
    "CycleGAN": ("keras_wgan.models", "CycleGAN"),
    "MinimaxGAN": ("keras_wgan.models", "MinimaxGAN"),
    "NonSaturatingGAN": ("keras_wgan.models", "NonSaturatingGAN"),
    "DRAGAN": ("keras_wgan.models", "DRAGAN"),
    "SNGANHinge": ("keras_wgan.models", "SNGANHinge"),
    "WGANLP": ("keras_wgan.models", "WGANLP"),
    "WGANR1": ("keras_wgan.models", "WGANR1"),
    "WGANSN": ("keras_wgan.models", "WGANSN"),
    "architectures": ("keras_wgan.nets", "architectures"),
    "gradient_penalty": ("keras_wgan.penalty", "gradient_penalty"),
    "joint_gradient_penalty": ("keras_wgan.penalty", "joint_gradient_penalty"),
    "diagnostics": ("keras_wgan.studies", "diagnostics"),
    "toy": ("keras_wgan.studies", "toy"),
    "PRETRAINED_MODELS": ("keras_wgan.zoo", "PRETRAINED_MODELS"),
    "pretrained": ("keras_wgan.zoo", "pretrained"),
    "pretrained_info": ("keras_wgan.zoo", "pretrained_info"),
}


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


def _load(name):
    module, attribute = _EXPORTS[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def _load_all():
    """Imports every public name (and so registers every serializable
    class with Keras, which `keras.models.load_model` needs)."""
    for name in _EXPORTS:
        _load(name)


def __getattr__(name):
    if name in _EXPORTS:
        return _load(name)
    raise AttributeError(f"module 'keras_wgan' has no attribute {name!r}")


if not _started_as_command_line():
    _load_all()

from keras_wgan.version import __version__  # noqa: E402,F401 - its one home

__all__ = [
    "AdversarialModel",
    "BiGAN",
    "BiGANGP",
    "ConditionalWGANGP",
    "CycleGAN",
    "MinimaxGAN",
    "NonSaturatingGAN",
    "DRAGAN",
    "SNGANHinge",
    "WGANLP",
    "WGANR1",
    "WGANSN",
    "HingeLoss",
    "PRETRAINED_MODELS",
    "WGAN",
    "WGANGP",
    "WassersteinGAN",
    "ClipConstraint",
    "NonFiniteError",
    "WassersteinLoss",
    "architectures",
    "callbacks",
    "checkpoints",
    "data",
    "distribute",
    "diagnostics",
    "gradient_penalty",
    "joint_gradient_penalty",
    "latent",
    "models",
    "nets",
    "pretrained",
    "pretrained_info",
    "quality",
    "studies",
    "toy",
    "wasserstein_loss",
]
