"""The successors of weight clipping and WGAN-GP, on the shared loop.

Each keeps the critic Lipschitz (or its gradients bounded) another way:

- `WGANLP`: the one-sided penalty `max(0, ||grad|| - 1)^2` at interpolates
  (Petzka et al., 2018);
- `DRAGAN`: `(||grad|| - 1)^2` at perturbed real points (Kodali et al.,
  2017);
- `WGANR1`: `gamma/2 ||grad D(x_real)||^2` (Mescheder et al., 2018);
- `WGANSN`: spectral normalisation of the critic's layers (Miyato et al.,
  2018) with the Wasserstein loss;
- `SNGANHinge`: spectral normalisation with the hinge loss (SNGAN).

The penalised ones are `WGANGP` with another `critic_penalty`: the same
weight argument `gp_weight` (lambda, or gamma for R1), the same logged
`gradient_penalty`, the same ban on BatchNormalization. All five train on
the Wasserstein generator loss `-mean D(G(z))` with `n_critic` 5 and the
WGAN-GP paper's Adam(1e-4, beta_1=0, beta_2=0.9), so that a comparison of
them varies only how the critic is kept in check; the papers' own losses
and optimizers differ (see each class).
"""

from __future__ import annotations

from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan import penalty
from keras_wgan.losses import WASSERSTEIN_REAL_LABEL
from keras_wgan.losses import HingeLoss
from keras_wgan.losses import wasserstein_loss
from keras_wgan.models.adversarial import Logs
from keras_wgan.models.wasserstein import WGANGP
from keras_wgan.models.wasserstein import WassersteinGAN
from keras_wgan.nets import spectral


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANLP(WGANGP):
    """WGAN-LP: Wasserstein GAN with a one-sided penalty (Petzka et al., 2018).

    `WGANGP` with the penalty `gp_weight * mean(max(0, ||grad_x D(x_hat)||
    - 1)^2)` at the same interpolates (see
    `keras_wgan.penalty.one_sided_penalty`): gradient norms below 1, which
    a 1-Lipschitz critic may have, are not penalised.

    Args:
        critic: As for `WGANGP`, without BatchNormalization.
        generator: As for `WGANGP`.
        latent_dim: As for `WGANGP`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: Penalty weight lambda, a finite float >= 0 (default 10).
        seed: Int seed for the noise and the interpolation, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> gan = WGANLP(keras_wgan.toy.toy_critic(2, width=8),
    ...              keras_wgan.toy.toy_generator(2, 2, width=8), seed=0)
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein_estimate']
    """

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns `{"gradient_penalty": gp_weight * one-sided penalty}`."""
        return {"gradient_penalty": self.gp_weight * penalty.one_sided_penalty(
            self.critic_scores, real, fake, seed=self.seed_generator)}


@keras.saving.register_keras_serializable(package="keras_wgan")
class DRAGAN(WGANGP):
    """DRAGAN's penalty around the real data (Kodali et al., 2017).

    The penalty `gp_weight * mean((||grad_x D(x_p)||_2 - 1)^2)` is taken at
    points `x_p` near the real batch (`keras_wgan.penalty.perturb`: `x + a
    * perturbation_scale * std(x) * u`, `u ~ U[0, 1)` per pixel, `a ~ U[0,
    1]` per sample, as in the authors' reference code), never at generated
    samples. Kodali et al. pair it with the standard GAN loss; here it
    runs on the Wasserstein loss of every variant of this module.

    Args:
        critic: As for `WGANGP`, without BatchNormalization.
        generator: As for `WGANGP`.
        latent_dim: As for `WGANGP`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: Penalty weight lambda, a finite float >= 0 (default 10,
            the paper's value).
        perturbation_scale: The factor `c` of `std(x)`, a float > 0
            (default 0.5, the authors' code).
        seed: Int seed for the noise and the perturbation, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> gan = DRAGAN(keras_wgan.toy.toy_critic(2, width=8),
    ...              keras_wgan.toy.toy_generator(2, 2, width=8), seed=0)
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> gan.perturbation_scale
    0.5
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 5,
        gp_weight: float = 10.0,
        perturbation_scale: float = 0.5,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.perturbation_scale = argument_validation.check_float(
            "perturbation_scale", perturbation_scale, inclusive=False)
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            gp_weight=gp_weight,
            seed=seed,
            **kwargs,
        )

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns `{"gradient_penalty": gp_weight * DRAGAN penalty}`."""
        del fake
        return {"gradient_penalty": self.gp_weight * penalty.dragan_penalty(
            self.critic_scores, real, scale=self.perturbation_scale,
            seed=self.seed_generator)}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["perturbation_scale"] = self.perturbation_scale
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANR1(WGANGP):
    """The Wasserstein loss with the R1 penalty (Mescheder et al., 2018).

    The penalty is `gp_weight * 1/2 * mean(||grad_x D(x)||^2)` on the real
    batch (`keras_wgan.penalty.r1_penalty`), with `gp_weight` the paper's
    gamma. Mescheder et al. pair R1 with the non-saturating GAN loss and
    n_critic 1; here it runs on the Wasserstein loss with n_critic 5, as
    every variant of this module, so that only the regulariser differs
    from `WGANGP`. R1 does not bound the critic away from the data, so on
    the Wasserstein loss the critic's scores of generated samples are held
    back only by the data's gradients; the comparison
    (`keras_wgan.studies.compare`) measures how that trains.

    Args:
        critic: As for `WGANGP`, without BatchNormalization.
        generator: As for `WGANGP`.
        latent_dim: As for `WGANGP`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: gamma, a finite float >= 0 (default 10, a value of the
            paper's experiments).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> gan = WGANR1(keras_wgan.toy.toy_critic(2, width=8),
    ...              keras_wgan.toy.toy_generator(2, 2, width=8), seed=0)
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> float(history.history["gradient_penalty"][0]) >= 0
    True
    """

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns `{"gradient_penalty": gp_weight * R1 penalty}`."""
        del fake
        return {"gradient_penalty": self.gp_weight * penalty.r1_penalty(
            self.critic_scores, real)}


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANSN(WassersteinGAN):
    """The Wasserstein loss with a spectrally normalised critic.

    Every `Dense` and convolution of the critic is wrapped in
    `keras.layers.SpectralNormalization` (Miyato et al., 2018) by
    `keras_wgan.nets.spectral.spectral_normalize`, with the given weights;
    a critic already normalised (a loaded model's) is used as it is, so
    `model.critic` is the normalised copy, not the critic you passed. No
    penalty is added: `critic_loss == -wasserstein_estimate`.

    After each critic update every kernel is divided by the power-iteration
    estimate of its largest singular value
    (`keras_wgan.nets.spectral.normalize_weights`), so the critic is
    always used normalised; Miyato et al. differentiate through the
    division instead. The critic is therefore called in inference mode
    (`training=False`) throughout: its layers must not behave differently
    in training (no Dropout). A layer of spectral norm 1 is 1-Lipschitz,
    and so is the critic when its activations are; the bound is loose, so
    the critic is smoother than the 1-Lipschitz functions WGAN-GP reaches.

    Args:
        critic: As for `WGAN`, its weighted layers `Dense`, `Conv1D/2D/3D`
            or `keras_wgan.nets.layers.PaddedConv2D`.
        generator: As for `WGAN`.
        latent_dim: As for `WGAN`.
        n_critic: Critic updates per generator update (default 5, as in
            Miyato et al.'s standard CNN experiments).
        power_iterations: Power-iteration steps per training call, an int
            >= 1 (default 1, the paper's value).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> gan = WGANSN(keras_wgan.toy.toy_critic(2, width=8),
    ...              keras_wgan.toy.toy_generator(2, 2, width=8), seed=0)
    >>> spectral.is_spectrally_normalized(gan.critic)
    True
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'generator_loss', 'wasserstein_estimate']
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 5,
        power_iterations: int = 1,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        # Checked before wrapping, which hides the last activation.
        argument_validation.check_linear_output(critic, "critic")
        self.power_iterations = argument_validation.check_int(
            "power_iterations", power_iterations)
        critic = spectral.spectral_normalize(critic, self.power_iterations)
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            seed=seed,
            **kwargs,
        )

    def critic_scores(self, x: Any, training: bool = True) -> Any:
        """Returns the critic's scores, always in inference mode.

        In training mode Keras's `SpectralNormalization` would rewrite the
        kernel inside the forward pass; `normalize_weights` runs after each
        critic update instead.
        """
        del training
        return super().critic_scores(x, training=False)

    def after_critic_update(self, real: Any) -> None:
        """Divides each kernel by its largest singular value's estimate."""
        super().after_critic_update(real)
        spectral.normalize_weights(self.critic)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class SNGANHinge(WGANSN):
    """SNGAN: a spectrally normalised critic with the hinge loss.

    The critic of `WGANSN` minimises the hinge loss
    `mean relu(1 - D(x)) + mean relu(1 + D(G(z)))`
    (`keras_wgan.losses.HingeLoss`, the default loss); the generator
    minimises `-mean D(G(z))`, as in Miyato et al. (2018). The logged
    `critic_loss` is the hinge loss; `wasserstein_estimate` is still
    `mean D(real) - mean D(fake)`, the critic's gap.

    Args:
        critic: As for `WGANSN`.
        generator: As for `WGANSN`.
        latent_dim: As for `WGANSN`.
        n_critic: Critic updates per generator update (default 5).
        power_iterations: As for `WGANSN` (default 1).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> gan = SNGANHinge(keras_wgan.toy.toy_critic(2, width=8),
    ...                  keras_wgan.toy.toy_generator(2, 2, width=8), seed=0)
    >>> gan.compile()
    >>> gan.loss_fn.name
    'hinge_loss'
    """

    def default_loss(self) -> keras.losses.Loss:
        """Returns the critic's loss, `HingeLoss()`."""
        return HingeLoss()

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """Returns `-mean D(G(noise))`, whatever the critic's loss."""
        scores = self.critic_scores(self.generator_samples(noise))
        return keras.ops.mean(
            wasserstein_loss(WASSERSTEIN_REAL_LABEL, scores)), {}
