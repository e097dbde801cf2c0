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

from keras_wgan import callbacks  # noqa: E402
from keras_wgan import checkpoints  # noqa: E402
from keras_wgan import data  # noqa: E402
from keras_wgan import distribute  # noqa: E402
from keras_wgan import latent  # noqa: E402
from keras_wgan import models  # noqa: E402
from keras_wgan import nets  # noqa: E402
from keras_wgan import quality  # noqa: E402
from keras_wgan import studies  # noqa: E402
from keras_wgan.constraints import ClipConstraint  # noqa: E402
from keras_wgan.errors import NonFiniteError  # noqa: E402
from keras_wgan.losses import HingeLoss  # noqa: E402
from keras_wgan.losses import WassersteinLoss  # noqa: E402
from keras_wgan.losses import wasserstein_loss  # noqa: E402
from keras_wgan.models import WGAN  # noqa: E402
from keras_wgan.models import WGANGP  # noqa: E402
from keras_wgan.models import WassersteinGAN  # noqa: E402
from keras_wgan.models import AdversarialModel  # noqa: E402
from keras_wgan.models import BiGAN  # noqa: E402
from keras_wgan.models import BiGANGP  # noqa: E402
from keras_wgan.models import ConditionalWGANGP  # noqa: E402
from keras_wgan.models import CycleGAN  # noqa: E402
from keras_wgan.models import MinimaxGAN  # noqa: E402
from keras_wgan.models import NonSaturatingGAN  # noqa: E402
from keras_wgan.models import DRAGAN  # noqa: E402
from keras_wgan.models import SNGANHinge  # noqa: E402
from keras_wgan.models import WGANLP  # noqa: E402
from keras_wgan.models import WGANR1  # noqa: E402
from keras_wgan.models import WGANSN  # noqa: E402
from keras_wgan.nets import architectures  # noqa: E402
from keras_wgan.penalty import gradient_penalty  # noqa: E402
from keras_wgan.penalty import joint_gradient_penalty  # noqa: E402
from keras_wgan.studies import diagnostics  # noqa: E402
from keras_wgan.studies import toy  # noqa: E402
from keras_wgan.zoo import PRETRAINED_MODELS  # noqa: E402
from keras_wgan.zoo import pretrained  # noqa: E402
from keras_wgan.zoo import pretrained_info  # noqa: E402

__version__ = "0.1.0"

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
