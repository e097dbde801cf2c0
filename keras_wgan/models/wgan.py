"""`WGAN`: a Keras model that trains a critic and a generator with clipping."""

import keras
from keras import ops

from keras_wgan.models.adversarial import DEFAULT_BATCH_SIZE  # noqa: F401
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.adversarial import _OptimizerGroup  # noqa: F401
from keras_wgan.models.adversarial import _split_batch  # noqa: F401
from keras_wgan.constraints import ClipConstraint
from keras_wgan.losses import FAKE_LABEL
from keras_wgan.losses import REAL_LABEL
from keras_wgan.losses import WassersteinLoss


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGAN(AdversarialModel):
    """Wasserstein GAN with weight clipping (Arjovsky et al., 2017).

    One training step (one call of `train_step`, one step of the progress
    bar) is one generator iteration of the paper's Algorithm 1: `n_critic`
    critic updates, each on a fresh batch of real images and fresh noise,
    then one generator update. `fit(x, batch_size=m)` therefore draws
    `n_critic * m` real images per step and splits them into `n_critic`
    critic batches of `m`; a dataset you pass yourself must yield batches
    of `n_critic * m` images.

    The critic must end in a linear output (a score, not a probability).
    `WGAN` attaches a `ClipConstraint(clip_value)` to every trainable critic
    weight (kernels and biases), so the critic optimizer clips each weight
    right after updating it.

    Logged metrics: `critic_loss` (Wasserstein loss of the last critic batch
    of the step), `generator_loss`, and `wasserstein_estimate`, the critic's
    estimate `mean D(real) - mean D(fake)` on the last critic batch of the
    step (so `critic_loss == -wasserstein_estimate` here).

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

    ```python
    import keras_wgan
    from keras_wgan.nets import architectures

    images = keras_wgan.data.load_mnist()  # (N, 28, 28, 1) in [-1, 1]
    gan = keras_wgan.WGAN(
        architectures.mnist_critic(), architectures.mnist_generator()
    )
    gan.compile()  # RMSprop(5e-5) for both, as in the paper
    gan.fit(images, batch_size=64, epochs=5)
    samples = gan.generate(16)
    ```
    """

    metric_names = ("critic_loss", "generator_loss", "wasserstein_estimate")

    def __init__(
        self,
        critic,
        generator,
        latent_dim=None,
        n_critic=5,
        clip_value=0.01,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            seed=seed,
            **kwargs,
        )
        self._configure_critic(clip_value)

    @property
    def critic_loss_tracker(self):
        return self._metric("critic_loss")

    @property
    def generator_loss_tracker(self):
        return self._metric("generator_loss")

    @property
    def wasserstein_tracker(self):
        return self._metric("wasserstein_estimate")

    def _configure_critic(self, clip_value):
        """Enforces the Lipschitz constraint: clipping for plain WGAN."""
        constraint = ClipConstraint(clip_value)
        self.clip_value = constraint.clip_value
        for variable in self.critic.trainable_variables:
            if variable.constraint is not None and not isinstance(
                variable.constraint, ClipConstraint
            ):
                raise ValueError(
                    f"critic weight '{variable.path}' already has the "
                    f"constraint {variable.constraint!r}; WGAN's weight "
                    "clipping would replace it. Remove it from the critic."
                )
            variable.constraint = constraint

    # ----------------------------------------------------------------- compile

    def default_optimizer(self):
        """Returns a new optimizer with the paper's settings, RMSprop(5e-5)."""
        return keras.optimizers.RMSprop(learning_rate=5e-5)

    def default_loss(self):
        """Returns the loss for both players, `WassersteinLoss()`."""
        return WassersteinLoss()

    def _critic_objective(self, real, fake):
        """Returns `(loss, logs)` for the critic on one real and fake batch."""
        real_scores = self._critic_scores(real, training=True)
        fake_scores = self._critic_scores(fake, training=True)
        loss = self.loss_fn(
            ops.full_like(real_scores, REAL_LABEL), real_scores
        ) + self.loss_fn(ops.full_like(fake_scores, FAKE_LABEL), fake_scores)
        estimate = ops.mean(real_scores) - ops.mean(fake_scores)
        return loss, {"critic_loss": loss, "wasserstein_estimate": estimate}

    def _generator_objective(self, noise):
        scores = self._critic_scores(self._generate(noise, training=True))
        # The generator labels its samples as real: it maximises mean D(fake).
        return self.loss_fn(ops.full_like(scores, REAL_LABEL), scores), {}

    def _evaluation_logs(self, real, fake):
        """Estimates the Wasserstein distance on held-out real images."""
        estimate = ops.mean(
            self._critic_scores(real, training=False)
        ) - ops.mean(self._critic_scores(fake, training=False))
        return {"wasserstein_estimate": estimate}

    def get_config(self):
        config = super().get_config()
        config["clip_value"] = self.clip_value
        return config
