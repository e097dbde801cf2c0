"""The adversarial models and the training loop they share.

- `adversarial`: `AdversarialModel`, the n-critic `train_step` of every model.
- `wgan`: the Wasserstein models, `WGAN` (weight clipping) and `WGANGP`
  (gradient penalty).
- `gan`: the baselines `MinimaxGAN` and `NonSaturatingGAN`.
"""

from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.gan import MinimaxGAN
from keras_wgan.models.gan import NonSaturatingGAN
from keras_wgan.models.wgan import WGAN
from keras_wgan.models.wgan_gp import WGANGP

__all__ = ["AdversarialModel", "MinimaxGAN", "NonSaturatingGAN", "WGAN", "WGANGP"]
