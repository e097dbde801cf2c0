"""The adversarial models, the training loop they share, and their registry.

- `adversarial`: `AdversarialModel`, the n-critic `train_step` of every model
  and the public hooks a model is written against.
- `optimizers`: its optimizer pair: `compile`, the compile config, what is
  frozen, loss scaling.
- `inputs`: what `fit` takes (`Samples`, `LabelledSamples`), turned into the
  batches of the step.
- `sampling`: the model's noise and `generate`.
- `wasserstein`: `WassersteinGAN`, the base of the Wasserstein models, and
  its leaves `WGAN` (weight clipping) and `WGANGP` (gradient penalty).
- `moving_average`: `MovingAverageModel`, the base under `WassersteinGAN`
  that keeps an exponential moving average of the generator
  (`generator_ema`).
- `conditional`: `ConditionalWGANGP`, WGAN-GP on labelled images.
- `bigan`: `BiGAN` and `BiGANGP`, a generator and an encoder against a
  critic of pairs `(x, z)`.
- `cyclegan`: `CycleGAN`, unpaired translation between two image domains.
- `lipschitz`: the other ways to keep the critic Lipschitz: `WGANLP`,
  `DRAGAN`, `WGANR1`, `WGANSN`, `SNGANHinge`.
- `gan`: `CrossEntropyGAN` and the baselines `MinimaxGAN` and
  `NonSaturatingGAN`.
- `registry`: every variant by command-line name (`VARIANTS`).
- `schedules`: learning-rate schedules of the generator iteration
  (`linear_decay`, `IterationSchedule`).

`__all__` holds the models, the two bases a new model subclasses
(`AdversarialModel`, and `WassersteinGAN` or `CrossEntropyGAN`), the input
classes a model with new inputs subclasses, the registry and the
schedules; everything else is reached through its module.
"""

from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.bigan import BiGAN
from keras_wgan.models.bigan import BiGANGP
from keras_wgan.models.conditional import ConditionalWGANGP
from keras_wgan.models.cyclegan import CycleGAN
from keras_wgan.models.gan import CrossEntropyGAN
from keras_wgan.models.gan import MinimaxGAN
from keras_wgan.models.gan import NonSaturatingGAN
from keras_wgan.models.inputs import LabelledSamples
from keras_wgan.models.inputs import Samples
from keras_wgan.models.lipschitz import DRAGAN
from keras_wgan.models.lipschitz import SNGANHinge
from keras_wgan.models.lipschitz import WGANLP
from keras_wgan.models.lipschitz import WGANR1
from keras_wgan.models.lipschitz import WGANSN
from keras_wgan.models.registry import VARIANTS
from keras_wgan.models.registry import get_variant
from keras_wgan.models.schedules import IterationSchedule
from keras_wgan.models.schedules import linear_decay
from keras_wgan.models.wasserstein import WGAN
from keras_wgan.models.wasserstein import WGANGP
from keras_wgan.models.wasserstein import WassersteinGAN

__all__ = [
    "AdversarialModel",
    "BiGAN",
    "BiGANGP",
    "ConditionalWGANGP",
    "CrossEntropyGAN",
    "CycleGAN",
    "DRAGAN",
    "IterationSchedule",
    "LabelledSamples",
    "MinimaxGAN",
    "NonSaturatingGAN",
    "SNGANHinge",
    "Samples",
    "VARIANTS",
    "WGAN",
    "WGANGP",
    "WGANLP",
    "WGANR1",
    "WGANSN",
    "WassersteinGAN",
    "get_variant",
    "linear_decay",
]
