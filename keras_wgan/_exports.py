"""What `import keras_wgan` imports, and where each top-level name lives.

The package imports its modules on first use of a name (`keras_wgan.WGAN`)
or, unless it starts the command line, all at once (`load_all`), which
registers every serializable class with Keras for
`keras.models.load_model`. Internal to the package.
"""

import importlib
import sys

#: Every name of `__all__`: where it comes from, `(module, attribute)`,
#: with `attribute` None for a module.
EXPORTS = {
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
ALIASES = {
    "architectures": ("keras_wgan.nets", "architectures"),
    "diagnostics": ("keras_wgan.studies", "diagnostics"),
    "toy": ("keras_wgan.studies", "toy"),
}

#: Modules imported with the package although none of their names is
#: exported: their classes register with Keras for
#: `keras.models.load_model`, or they are subpackages a user reaches as
#: attributes (`keras_wgan.studies`).
REGISTERING = ("keras_wgan.checkpoints", "keras_wgan.studies")


def load(name: str) -> object:
    """Imports the top-level name `name` and sets it on the package.

    Example:

    >>> load("WGAN").__name__
    'WGAN'
    """
    module, attribute = {**EXPORTS, **ALIASES}[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    setattr(sys.modules["keras_wgan"], name, value)
    return value


def load_all() -> None:
    """Imports every top-level name and every module of `REGISTERING`."""
    for name in (*EXPORTS, *ALIASES):
        load(name)
    for module in REGISTERING:
        importlib.import_module(module)
