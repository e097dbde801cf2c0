"""The standard GAN baselines: minimax (saturating) and non-saturating.

Both train a discriminator `D` with linear output (logits) against a
generator `G` with binary cross-entropy on logits; they differ only in the
generator's loss (Goodfellow et al., 2014, Section 3):

- `MinimaxGAN`: `G` minimises `mean log(1 - sigmoid(D(G(z))))`, the game's
  value function. Its gradient vanishes when `D` rejects the samples
  confidently, which is why the paper suggests the alternative below.
- `NonSaturatingGAN`: `G` maximises `mean log sigmoid(D(G(z)))`, the loss
  used in practice since, e.g. in DCGAN (Radford et al., 2016).

Both maximise, for `D`, `mean log sigmoid(D(x)) + mean log(1 -
sigmoid(D(G(z))))`. They share `keras_wgan.WGAN`'s training loop, so the
four models of the library take the same arguments and train with the same
`fit`; the discriminator is the `critic` argument and attribute.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.adversarial import Logs

#: Cross-entropy target of real samples for the discriminator.
REAL_TARGET = 1.0
#: Cross-entropy target of generated samples for the discriminator.
FAKE_TARGET = 0.0


class CrossEntropyGAN(AdversarialModel):
    """A GAN with a logit discriminator and binary cross-entropy losses.

    Subclasses implement `generator_objective`. Logged metrics:
    `discriminator_loss` (the cross-entropy of the last discriminator batch
    of the step, `-[mean log D(x) + mean log(1 - D(G(z)))]` with `D` the
    sigmoid of the logits), `generator_loss`, and `real_probability` and
    `fake_probability`, the mean `D(x)` and `D(G(z))` on that batch: at the
    game's equilibrium both are 0.5.
    """

    metric_names = (
        "discriminator_loss",
        "generator_loss",
        "real_probability",
        "fake_probability",
    )

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        """Returns DCGAN's optimizer, Adam(2e-4, beta_1=0.5)."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def default_loss(self) -> keras.losses.Loss:
        """Returns `BinaryCrossentropy(from_logits=True)`.

        On logits the loss is computed as `softplus(-l)` or `softplus(l)`,
        finite however confident the discriminator gets, where
        `log(sigmoid(l))` of a probability would round to `log(0)`.
        """
        return keras.losses.BinaryCrossentropy(from_logits=True)

    def _discriminator_logs(self, real_logits: Any,
                            fake_logits: Any) -> tuple[Any, Logs]:
        loss = self.loss_fn(
            ops.full_like(real_logits, REAL_TARGET), real_logits
        ) + self.loss_fn(ops.full_like(fake_logits, FAKE_TARGET), fake_logits)
        return loss, {
            "discriminator_loss": loss,
            "real_probability": ops.mean(ops.sigmoid(real_logits)),
            "fake_probability": ops.mean(ops.sigmoid(fake_logits)),
        }

    def critic_objective(self, real: Any, fake: Any) -> tuple[Any, Logs]:
        """The cross-entropy of real samples as 1 and fakes as 0."""
        return self._discriminator_logs(
            self.critic_scores(real, training=True),
            self.critic_scores(fake, training=True),
        )

    def _fake_logits(self, noise: Any) -> Any:
        return self.critic_scores(self.generator_samples(noise, training=True))

    def evaluation_logs(self, real: Any, fake: Any) -> Logs:
        """Reports the discriminator's loss and mean probabilities."""
        _, logs = self._discriminator_logs(
            self.critic_scores(real, training=False),
            self.critic_scores(fake, training=False),
        )
        return logs


@keras.saving.register_keras_serializable(package="keras_wgan")
class MinimaxGAN(CrossEntropyGAN):
    """The original GAN, generator minimising `log(1 - D(G(z)))`.

    Goodfellow et al. (2014), Algorithm 1: `n_critic` (the paper's `k`,
    default 1) discriminator updates, each on a fresh real batch and fresh
    noise, then one generator update that descends
    `mean log(1 - D(G(z)))`, the saturating loss. Here this loss is computed
    as minus the discriminator's cross-entropy on the fake batch,
    `-BCE(0, logits) = -softplus(logits) = log(1 - sigmoid(logits))`.

    The discriminator must output one logit per sample (linear last layer;
    the loss applies the sigmoid). Defaults: Adam(2e-4, beta_1=0.5) for both
    players, as in DCGAN (Radford et al., 2016).

    Logged metrics: `discriminator_loss`, `generator_loss` (the saturating
    loss, `<= 0`), `real_probability` and `fake_probability` (mean `D(x)`
    and `D(G(z))`); `evaluate` reports all but `generator_loss`.

    Args:
        critic: The discriminator: a built `keras.Model` mapping samples to
            logits `(batch, 1)`, linear last activation.
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to samples of the discriminator's input shape.
        latent_dim: Size of the noise vector; inferred when `None`.
        n_critic: Discriminator updates per generator update (default 1).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    ```python
    gan = keras_wgan.MinimaxGAN(
        keras_wgan.toy.toy_critic(2), keras_wgan.toy.toy_generator(2, 2)
    )
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both players
    gan.fit(keras_wgan.toy.eight_gaussians(4096, seed=0), batch_size=256)
    ```
    """

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """Returns the saturating loss `mean log(1 - D(G(noise)))`."""
        fake_logits = self._fake_logits(noise)
        loss = -self.loss_fn(ops.full_like(fake_logits, FAKE_TARGET), fake_logits)
        return loss, {}


@keras.saving.register_keras_serializable(package="keras_wgan")
class NonSaturatingGAN(CrossEntropyGAN):
    """The non-saturating GAN, generator maximising `log D(G(z))`.

    The discriminator trains as in `MinimaxGAN`; the generator labels its
    samples as real and descends `BCE(1, logits) = -mean log D(G(z))`
    (Goodfellow et al., 2014, Section 3), whose gradient stays large when
    the discriminator rejects the samples. This is the GAN training of
    DCGAN (Radford et al., 2016), whose Adam(2e-4, beta_1=0.5) is the
    default optimizer.

    Logged metrics: as `MinimaxGAN`, with `generator_loss` the
    non-saturating loss (`>= 0`).

    Args:
        critic: The discriminator, as for `MinimaxGAN`.
        generator: As for `MinimaxGAN`.
        latent_dim: Size of the noise vector; inferred when `None`.
        n_critic: Discriminator updates per generator update (default 1).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    ```python
    gan = keras_wgan.NonSaturatingGAN(
        architectures.mnist_critic(), architectures.mnist_generator()
    )
    gan.compile()
    gan.fit(images, batch_size=64, epochs=5)
    ```
    """

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """Returns the non-saturating loss `-mean log D(G(noise))`."""
        fake_logits = self._fake_logits(noise)
        loss = self.loss_fn(ops.full_like(fake_logits, REAL_TARGET), fake_logits)
        return loss, {}
