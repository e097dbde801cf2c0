"""keras-wgan: Wasserstein GANs (WGAN and WGAN-GP) for Keras 3.

PyTorch is the default backend: when neither `KERAS_BACKEND` nor a
`keras.json` names a backend and Keras is not imported yet, importing
keras_wgan selects `torch` before Keras loads.
"""

import json
import os
import sys


def _default_to_torch():
    if "keras" in sys.modules or "KERAS_BACKEND" in os.environ:
        return
    keras_home = os.environ.get(
        "KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras")
    )
    try:
        with open(os.path.join(keras_home, "keras.json")) as f:
            if "backend" in json.load(f):
                return
    except (OSError, ValueError):
        pass
    os.environ["KERAS_BACKEND"] = "torch"


_default_to_torch()

from keras_wgan import architectures  # noqa: E402
from keras_wgan import callbacks  # noqa: E402
from keras_wgan import data  # noqa: E402
from keras_wgan.constraints import ClipConstraint  # noqa: E402
from keras_wgan.losses import WassersteinLoss  # noqa: E402
from keras_wgan.losses import wasserstein_loss  # noqa: E402
from keras_wgan.penalty import gradient_penalty  # noqa: E402
from keras_wgan.wgan import WGAN  # noqa: E402
from keras_wgan.wgan_gp import WGANGP  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "WGAN",
    "WGANGP",
    "ClipConstraint",
    "WassersteinLoss",
    "architectures",
    "callbacks",
    "data",
    "gradient_penalty",
    "wasserstein_loss",
]
