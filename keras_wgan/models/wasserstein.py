"""The Wasserstein GANs: a shared base and its two leaves.

`WassersteinGAN` holds what every Wasserstein model shares: the critic loss
`mean D(fake) - mean D(real)` (`keras_wgan.WassersteinLoss`), the generator
loss `-mean D(fake)`, the logged estimate of W1 and the n-critic default of
5. The leaves differ only in how they keep the critic Lipschitz:

- `WGAN` clips every critic weight (Arjovsky et al., 2017);
- `WGANGP` adds a gradient penalty to the critic loss (Gulrajani et al.,
  2017).

A new variant overrides `critic_penalty(real, fake)`, which returns the
named terms added to the critic loss (see `WassersteinGAN`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import keras
from keras import backend as keras_backend
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.constraints import ClipConstraint
from keras_wgan.losses import WASSERSTEIN_FAKE_LABEL
from keras_wgan.losses import WASSERSTEIN_REAL_LABEL
from keras_wgan.losses import WassersteinLoss
from keras_wgan.losses import wasserstein_estimate
from keras_wgan.models.adversarial import Logs
from keras_wgan.models.moving_average import MovingAverageModel
from keras_wgan.penalty import gradient_penalty

if TYPE_CHECKING:
    from keras_wgan.backend.torch_step import FusedWassersteinStep


@keras.saving.register_keras_serializable(package="keras_wgan")
class WassersteinGAN(MovingAverageModel):
    """Base of the Wasserstein GANs: the loss, the estimate, the schedule.

    One training step is one generator iteration of the WGAN papers'
    Algorithm 1 (see `AdversarialModel`): `n_critic` critic updates, each on
    a fresh batch of real images and fresh noise, then one generator update.

    The critic must end in a linear output (a score, not a probability).
    Its loss is the Wasserstein loss plus the terms of `critic_penalty`;
    the generator's is `-mean D(G(z))`.

    Logged metrics: `critic_loss` (of the last critic batch of the step),
    `generator_loss`, `wasserstein_estimate` (`mean D(real) - mean D(fake)`
    on that batch, see `keras_wgan.losses.wasserstein_estimate`) and one per
    penalty term, so that `critic_loss == -wasserstein_estimate + sum of
    the penalty terms`. The training `wasserstein_estimate` is the critic's
    gap on its last batch of the step, read *before* the step's generator
    update, averaged over the epoch's steps; `val_wasserstein_estimate`
    (`fit(validation_data=...)`) is the gap on held-out real images and
    fresh fakes, read *after* the epoch's last generator update, in
    inference mode. Early in training, when one generator update moves the
    fakes far, the two can differ widely, even in sign; they agree once
    training settles. Neither bounds W1 (see
    `keras_wgan.losses.wasserstein_estimate`).

    A variant overrides `critic_penalty`, its terms' names added to
    `metric_names` (and sets `uses_input_gradients = True` when the penalty
    differentiates the critic with respect to its input); see "Writing a
    variant" in the Python API guide.

    Args:
        critic: A built `keras.Model` mapping images `(batch, H, W, C)` to
            scores `(batch, 1)` with a linear last activation.
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to images of the critic's input shape, with values in `[-1, 1]`.
        latent_dim: Size of the noise vector; inferred from the generator's
            input when `None`.
        n_critic: Critic updates per generator update, an int >= 1
            (default 5, the papers' value).
        seed: Int seed for the noise of this model, or `None`.
        generator_ema: `None` (default), or the decay `d` in `(0, 1)` of
            an exponential moving average of the generator's weights
            (Yazici et al., 2019), e.g. 0.999: `ema_generator` is then the
            average, which `generate` samples from (see
            `keras_wgan.models.moving_average`).
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    The drift penalty `0.001 * mean D(x)^2` of Karras et al. (2018):

    >>> class Drift(WassersteinGAN):
    ...     metric_names = WassersteinGAN.metric_names + ("drift",)
    ...     def critic_penalty(self, real, fake):
    ...         return {"drift": 1e-3 * ops.mean(self.critic_scores(real)**2)}
    >>> gan = Drift(keras_wgan.toy.toy_critic(2, width=8),
    ...             keras_wgan.toy.toy_generator(2, 2, width=8))
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'drift', 'generator_loss', 'wasserstein_estimate']
    """

    metric_names: tuple[str, ...] = (
        "critic_loss", "generator_loss", "wasserstein_estimate")
    #: Whether `critic_penalty` differentiates the critic with respect to
    #: its input, which torch.compile cannot differentiate again.
    uses_input_gradients = False

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 5,
        seed: int | None = None,
        generator_ema: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            seed=seed,
            generator_ema=generator_ema,
            **kwargs,
        )
        self.fused_step = True
        self._fused: FusedWassersteinStep | None = None  # set at compile

    # The fused step (keras_wgan.backend.fused_step) replaces the whole
    # update where it applies; the switch is compile(fused_step=...).
    def critic_update(self, real: Any) -> Logs:
        """As `AdversarialModel.critic_update`, through the backend's fused
        step where it applies (`compile(fused_step=...)`)."""
        if self._fused is None:
            return super().critic_update(real)
        logs = self._fused.critic_update(real)
        self.after_critic_update(real)
        return logs

    def generator_update(self, real: Any) -> Logs:
        """As `AdversarialModel.generator_update`, through the backend's
        fused step where it applies (`compile(fused_step=...)`)."""
        if self._fused is None:
            return super().generator_update(real)
        logs = self._fused.generator_update(real)
        self.after_generator_update(real)
        return logs

    @property
    def critic_loss_tracker(self) -> keras.metrics.Mean:
        """The tracker of `critic_loss`."""
        return self.metric_tracker("critic_loss")

    @property
    def generator_loss_tracker(self) -> keras.metrics.Mean:
        """The tracker of `generator_loss`."""
        return self.metric_tracker("generator_loss")

    @property
    def wasserstein_tracker(self) -> keras.metrics.Mean:
        """The tracker of `wasserstein_estimate`."""
        return self.metric_tracker("wasserstein_estimate")

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        """Returns the WGAN-GP paper's Adam(1e-4, beta_1=0, beta_2=0.9)."""
        return keras.optimizers.Adam(
            learning_rate=1e-4, beta_1=0.0, beta_2=0.9
        )

    def default_loss(self) -> keras.losses.Loss:
        """Returns the loss for both players, `WassersteinLoss()`."""
        return WassersteinLoss()

    def compile(self, *args: Any, jit_compile: bool | str = "auto",
                fused_step: bool = True, **kwargs: Any) -> None:
        """As `AdversarialModel.compile`, plus `fused_step`.

        Args:
            *args: Passed to `AdversarialModel.compile`.
            jit_compile: Passed to `AdversarialModel.compile`; on torch it
                must not be True with a gradient penalty.
            fused_step: On the torch backend, whether a `WGAN` or `WGANGP`
                whose networks are plain chains of Keras layers trains
                through the backend's fused step (`keras_wgan.backend.
                torch_step`: the same losses to float rounding, with less
                per-operation overhead); `False` always trains through
                the plain step. No effect on JAX and TensorFlow.
            **kwargs: Passed to `AdversarialModel.compile`.
        """
        if (
            self.uses_input_gradients
            and jit_compile is True
            and keras_backend.backend() == "torch"
        ):
            raise ValueError(
                f"jit_compile must be False or 'auto' for "
                f"{type(self).__name__} on the torch backend: torch.compile "
                "cannot differentiate the gradient penalty twice (double "
                "backward)."
            )
        kwargs["jit_compile"] = jit_compile
        super().compile(*args, **kwargs)
        self.fused_step = bool(fused_step)
        self._fused = backend.fused_step(self)

    def get_compile_config(self) -> dict[str, Any]:
        config = super().get_compile_config()
        if config and not self.fused_step:
            config["fused_step"] = False
        return config

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """The terms that keep the critic Lipschitz, added to its loss.

        Override it to write a variant. Each term is logged under its name,
        which must be in `metric_names`. The base adds none.

        Args:
            real: The real batch of this critic update.
            fake: The generated batch of this critic update.

        Returns:
            A dict of name to scalar tensor, already weighted.
        """
        del real, fake
        return {}

    def critic_objective(self, real: Any, fake: Any) -> tuple[Any, Logs]:
        """Returns the Wasserstein critic loss plus `critic_penalty`."""
        real_scores = self.critic_scores(real, training=True)
        fake_scores = self.critic_scores(fake, training=True)
        loss = self.loss_fn(
            ops.full_like(real_scores, WASSERSTEIN_REAL_LABEL), real_scores
        ) + self.loss_fn(
            ops.full_like(fake_scores, WASSERSTEIN_FAKE_LABEL), fake_scores
        )
        logs = {
            "wasserstein_estimate": wasserstein_estimate(
                real_scores, fake_scores
            )
        }
        for name, term in self.critic_penalty(real, fake).items():
            loss = loss + term
            logs[name] = term
        logs["critic_loss"] = loss
        return loss, logs

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """Returns `-mean D(G(noise))`: the generator labels its samples real."""
        scores = self.critic_scores(self.generator_samples(noise))
        return self.loss_fn(
            ops.full_like(scores, WASSERSTEIN_REAL_LABEL), scores
        ), {}

    def evaluation_logs(self, real: Any, fake: Any) -> Logs:
        """Estimates the Wasserstein distance on held-out real images."""
        return {
            "wasserstein_estimate": wasserstein_estimate(
                self.critic_scores(real, training=False),
                self.critic_scores(fake, training=False),
            )
        }


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGAN(WassersteinGAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al., 2017).

    The training of `WassersteinGAN`, with a `ClipConstraint(clip_value)`
    attached to every trainable critic weight (kernels and biases), so the
    critic optimizer clips each weight right after updating it. The
    logged `critic_loss` is `-wasserstein_estimate`.

    Args:
        critic: A built `keras.Model` mapping images `(batch, H, W, C)` to
            scores `(batch, 1)` with a linear last activation.
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to images of the critic's input shape, with values in `[-1, 1]`.
        latent_dim: Size of the noise vector; inferred from the generator's
            input when `None`.
        n_critic: Critic updates per generator update, an int >= 1
            (default 5, the paper's value).
        clip_value: Weights are clipped to `[-clip_value, clip_value]`
            (default 0.01, the paper's value).
        seed: Int seed for the noise of this model, or `None`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    >>> images = keras_wgan.data.load_mnist("test")[:320]  # in [-1, 1]
    >>> gan = keras_wgan.WGAN(
    ...     architectures.mnist_critic(width=4),
    ...     architectures.mnist_generator(latent_dim=8, width=4),
    ... )
    >>> gan.compile()  # RMSprop(5e-5) for both, as in the paper
    >>> history = gan.fit(images[:320], batch_size=32, epochs=1, verbose=0)
    >>> gan.generate(16).shape
    (16, 28, 28, 1)
    >>> bool(max(abs(w).max() for w in gan.critic.get_weights()) <= 0.01)
    True
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 5,
        clip_value: float = 0.01,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            seed=seed,
            **kwargs,
        )
        self._clip = ClipConstraint(clip_value)
        self.clip_value = self._clip.clip_value
        self._clip_trainable_weights()

    def _clip_trainable_weights(self) -> None:
        for variable in self.critic.trainable_variables:
            if variable.constraint is not None and not isinstance(
                variable.constraint, ClipConstraint
            ):
                raise ValueError(
                    f"critic weight '{variable.path}' already has the "
                    f"constraint {variable.constraint!r}; WGAN's weight "
                    "clipping would replace it. Remove it from the critic."
                )
            variable.constraint = self._clip

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """As `WassersteinGAN.compile`, clipping the critic's weights."""
        # Again at compile, where Keras fixes what trains: a critic frozen
        # when the model was built has no clipped weights yet.
        self._clip_trainable_weights()
        super().compile(*args, **kwargs)

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        """Returns a new optimizer with the paper's settings, RMSprop(5e-5)."""
        return keras.optimizers.RMSprop(learning_rate=5e-5)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["clip_value"] = self.clip_value
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANGP(WassersteinGAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al., 2017).

    The training of `WassersteinGAN`, with the penalty
    `gp_weight * mean((||grad_x D(x_hat)||_2 - 1)^2)` added to the critic
    loss, where `x_hat = a * real + (1 - a) * fake` with one `a ~ U[0, 1]`
    per sample and the norm taken per sample over all pixels (see
    `keras_wgan.penalty.gradient_penalty`).

    The penalty is defined per sample, so the critic must not contain
    `BatchNormalization` (the paper suggests layer normalisation instead).

    Logged metrics: those of `WassersteinGAN` plus `gradient_penalty`, the
    weighted penalty of the last critic batch of the step, so that
    `critic_loss == -wasserstein_estimate + gradient_penalty`.

    Args:
        critic: As for `WGAN`, without BatchNormalization.
        generator: As for `WGAN`.
        latent_dim: As for `WGAN`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: Penalty weight lambda, a finite float >= 0 (default 10,
            the paper's value).
        seed: Int seed for the noise and the interpolation, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> images = keras_wgan.data.load_mnist("test")[:320]
    >>> gan = keras_wgan.WGANGP(
    ...     architectures.mnist_critic(width=4),
    ...     architectures.mnist_generator(latent_dim=8, width=4),
    ... )
    >>> gan.compile()  # Adam(1e-4, beta_1=0, beta_2=0.9), as in the paper
    >>> history = gan.fit(images[:320], batch_size=32, epochs=1, verbose=0)
    >>> logs = {k: v[-1] for k, v in history.history.items()}
    >>> bool(abs(logs["critic_loss"] - (logs["gradient_penalty"]
    ...      - logs["wasserstein_estimate"])) < 1e-4)
    True
    """

    metric_names = WassersteinGAN.metric_names + ("gradient_penalty",)
    uses_input_gradients = True

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 5,
        gp_weight: float = 10.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        gp_weight = argument_validation.check_float("gp_weight", gp_weight)
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            seed=seed,
            **kwargs,
        )
        argument_validation.check_no_batch_norm(self.critic, "critic")
        self.gp_weight = gp_weight

    @property
    def penalty_tracker(self) -> keras.metrics.Mean:
        """The tracker of `gradient_penalty`."""
        return self.metric_tracker("gradient_penalty")

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns `{"gradient_penalty": gp_weight * penalty}`."""
        penalty = gradient_penalty(
            self.critic_scores, real, fake, seed=self.seed_generator
        )
        return {"gradient_penalty": self.gp_weight * penalty}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["gp_weight"] = self.gp_weight
        return config
