"""`WGANGP`: WGAN whose Lipschitz constraint is a gradient penalty."""

import keras
from keras import backend as keras_backend

from keras_wgan import argument_validation
from keras_wgan.penalty import gradient_penalty
from keras_wgan.models.wgan import WGAN


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANGP(WGAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al., 2017).

    The same n-critic schedule as `WGAN`, with the weight clipping replaced
    by the penalty `gp_weight * mean((||grad_x D(x_hat)||_2 - 1)^2)` added
    to the critic loss, where `x_hat = a * real + (1 - a) * fake` with one
    `a ~ U[0, 1]` per sample and the norm taken per sample over all pixels
    (see `keras_wgan.penalty.gradient_penalty`).

    The penalty is defined per sample, so the critic must not contain
    `BatchNormalization` (the paper suggests layer normalisation instead).

    Logged metrics: those of `WGAN` plus `gradient_penalty`, the weighted
    penalty of the last critic batch of the step, so that
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

    ```python
    gan = keras_wgan.WGANGP(
        architectures.mnist_critic(), architectures.mnist_generator()
    )
    gan.compile()  # Adam(1e-4, beta_1=0, beta_2=0.9), as in the paper
    gan.fit(images, batch_size=64, epochs=5)
    ```
    """

    metric_names = WGAN.metric_names + ("gradient_penalty",)

    def __init__(
        self,
        critic,
        generator,
        latent_dim=None,
        n_critic=5,
        gp_weight=10.0,
        seed=None,
        **kwargs,
    ):
        gp_weight = argument_validation.check_float("gp_weight", gp_weight)
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            clip_value=None,
            seed=seed,
            **kwargs,
        )
        self.gp_weight = gp_weight

    @property
    def penalty_tracker(self):
        return self._metric("gradient_penalty")

    def _configure_critic(self, clip_value):
        """Enforces the Lipschitz constraint: a penalty, so no clipping."""
        if clip_value is not None:
            raise ValueError(
                f"clip_value must be None for WGANGP (got {clip_value}): the "
                "gradient penalty replaces weight clipping."
            )
        self.clip_value = None
        argument_validation.check_no_batch_norm(self.critic, "critic")

    def default_optimizer(self):
        """Returns the paper's optimizer, Adam(1e-4, beta_1=0, beta_2=0.9)."""
        return keras.optimizers.Adam(
            learning_rate=1e-4, beta_1=0.0, beta_2=0.9
        )

    def compile(self, *args, jit_compile="auto", **kwargs):
        if jit_compile is True and keras_backend.backend() == "torch":
            raise ValueError(
                "jit_compile must be False or 'auto' for WGANGP on the torch "
                "backend: torch.compile cannot differentiate the gradient "
                "penalty twice (double backward)."
            )
        super().compile(*args, jit_compile=jit_compile, **kwargs)

    def _critic_objective(self, real, fake):
        loss, logs = super()._critic_objective(real, fake)
        penalty = self.gp_weight * gradient_penalty(
            self._critic_scores, real, fake, seed=self.seed_generator
        )
        loss = loss + penalty
        logs.update(critic_loss=loss, gradient_penalty=penalty)
        return loss, logs

    def get_config(self):
        config = super().get_config()
        del config["clip_value"]
        config["gp_weight"] = self.gp_weight
        return config
