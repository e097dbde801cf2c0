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
(`_atomic`, `_keras_internals`, `_startup_signals`) are internal to the
package: their functions have public names, may be imported by any
module of the package, and are not part of the public API.
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

#: Every name of `__all__`: where it comes from, `(module, attribute)`,
#: with `attribute` None for a module.
_EXPORTS = {
    "AdversarialModel": ("keras_wgan.models", "AdversarialModel"),
    "BiGAN": ("keras_wgan.models", "BiGAN"),
    "BiGANGP": ("keras_wgan.models", "BiGANGP"),
    "ClipConstraint": ("keras_wgan.constraints", "ClipConstraint"),
    "ConditionalWGANGP": ("keras_wgan.models", "ConditionalWGANGP"),
    "CycleGAN": ("keras_wgan.models", "CycleGAN"),
    "DRAGAN": ("keras_wgan.models", "DRAGAN"),
    "HingeLoss": ("keras_wgan.losses", "HingeLoss"),
    "MinimaxGAN": ("keras_wgan.models", "MinimaxGAN"),
    "NonFiniteError": ("keras_wgan.errors", "NonFiniteError"),
    "NonSaturatingGAN": ("keras_wgan.models", "NonSaturatingGAN"),
    "PRETRAINED_MODELS": ("keras_wgan.zoo", "PRETRAINED_MODELS"),
    "SNGANHinge": ("keras_wgan.models", "SNGANHinge"),
    "WGAN": ("keras_wgan.models", "WGAN"),
    "WGANGP": ("keras_wgan.models", "WGANGP"),
    "WGANLP": ("keras_wgan.models", "WGANLP"),
    "WGANR1": ("keras_wgan.models", "WGANR1"),
    "WGANSN": ("keras_wgan.models", "WGANSN"),
    "WassersteinGAN": ("keras_wgan.models", "WassersteinGAN"),
    "WassersteinLoss": ("keras_wgan.losses", "WassersteinLoss"),
    "callbacks": ("keras_wgan.callbacks", None),
    "data": ("keras_wgan.data", None),
    "distribute": ("keras_wgan.distribute", None),
    "dragan_penalty": ("keras_wgan.penalty", "dragan_penalty"),
    "gradient_penalty": ("keras_wgan.penalty", "gradient_penalty"),
    "hinge_loss": ("keras_wgan.losses", "hinge_loss"),
    "joint_gradient_penalty": ("keras_wgan.penalty", "joint_gradient_penalty"),
    "latent": ("keras_wgan.latent", None),
    "models": ("keras_wgan.models", None),
    "nets": ("keras_wgan.nets", None),
    "one_sided_penalty": ("keras_wgan.penalty", "one_sided_penalty"),
    "pretrained": ("keras_wgan.zoo", "pretrained"),
    "pretrained_info": ("keras_wgan.zoo", "pretrained_info"),
    "quality": ("keras_wgan.quality", None),
    "r1_penalty": ("keras_wgan.penalty", "r1_penalty"),
    "wasserstein_loss": ("keras_wgan.losses", "wasserstein_loss"),
}

#: Names of the earlier layout, still reachable as attributes but not
#: exported: new code imports them from their subpackage.
_ALIASES = {
    "architectures": ("keras_wgan.nets", "architectures"),
    "diagnostics": ("keras_wgan.studies", "diagnostics"),
    "toy": ("keras_wgan.studies", "toy"),
}

#: Modules imported with the package although none of their names is
#: exported: their classes register with Keras for
#: `keras.models.load_model`, or they are subpackages a user reaches as
#: attributes (`keras_wgan.studies`).
_REGISTERING = ("keras_wgan.checkpoints", "keras_wgan.studies")


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
    module, attribute = {**_EXPORTS, **_ALIASES}[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def _load_all():
    """Imports every public name (and so registers every serializable
    class with Keras, which `keras.models.load_model` needs)."""
    for name in (*_EXPORTS, *_ALIASES):
        _load(name)
    for module in _REGISTERING:
        importlib.import_module(module)


def __getattr__(name):
    if name in _EXPORTS or name in _ALIASES:
        return _load(name)
    raise AttributeError(f"module 'keras_wgan' has no attribute {name!r}")


if not _started_as_command_line():
    _load_all()

__version__ = "0.1.0"

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
