"""A critic trained alone against a fixed generator: WGAN-GP's Fig. 1a set-up.

`FixedGeneratorCritic` trains a critic against the paper's fixed
"generator", the real data plus Gaussian noise, with weight clipping or the
gradient penalty; `keras_wgan.studies.diagnostics.critic_surface` then
draws its value over the plane.
"""

import keras
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.constraints import ClipConstraint
from keras_wgan.losses import wasserstein_estimate
from keras_wgan.penalty import gradient_penalty


class FixedGeneratorCritic(keras.Model):
    """Trains a critic alone against a fixed "generator": real data + noise.

    The value surfaces of Fig. 1a of Gulrajani et al. (2017) are those of
    critics trained to optimality while the generator is held fixed at the
    real data plus Gaussian noise (`FIXED_GENERATOR` in the paper's released
    toy code): each step draws a real batch `x`, makes the fake batch
    `x + noise_std * N(0, I)`, and takes one optimizer step on the
    Wasserstein critic loss `mean D(fake) - mean D(real)`, with either the
    gradient penalty or weight clipping. Without a moving generator the
    critic's optimum stays put, so its shape is that of the constraint and
    not of a training trajectory.

    This "generator" perturbs each real batch, so it is not a network of
    noise; a generator network held fixed is a frozen generator of
    `keras_wgan.WGANGP` or `keras_wgan.WGAN` instead (`generator.trainable
    = False` before `compile`, see `keras_wgan.AdversarialModel`).

    Compile with an optimizer and train with `fit(real_samples,
    batch_size=m)`; the model logs `critic_loss` and
    `wasserstein_estimate` (`mean D(real) - mean D(fake)`, the W1 estimate
    up to the constraint's scale). The critic is trained in place.

    Args:
        critic: A built `keras.Model` mapping `(batch, *shape)` to
            `(batch, 1)`.
        gp_weight: Weight of the gradient penalty, `> 0`; or `None`.
        clip_value: Clip every critic weight to `[-clip_value, clip_value]`
            after each update; or `None`. Exactly one of `gp_weight` and
            `clip_value` must be given.
        noise_std: Standard deviation of the noise added to real samples to
            make the fakes (the paper's toy code: 1).
        seed: Int seed for the noise and the penalty's interpolation.
        **kwargs: Passed to `keras.Model`.

    Example:

    ```python
    trainer = FixedGeneratorCritic(toy.toy_critic(2), gp_weight=10.0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9))
    trainer.fit(toy.swiss_roll(256 * 500, seed=0), batch_size=256)
    xs, ys, values = diagnostics.critic_surface(trainer.critic, (-2.5, 2.5))
    ```
    """

    def __init__(
        self,
        critic,
        gp_weight=None,
        clip_value=None,
        noise_std=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if (gp_weight is None) == (clip_value is None):
            raise ValueError(
                "pass exactly one of gp_weight and clip_value, got "
                f"gp_weight={gp_weight!r}, clip_value={clip_value!r}."
            )
        if gp_weight is not None:
            gp_weight = argument_validation.check_float(
                "gp_weight", gp_weight, inclusive=False
            )
        else:
            constraint = ClipConstraint(clip_value)
            for variable in critic.trainable_variables:
                variable.constraint = constraint
        self.critic = critic
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.noise_std = argument_validation.check_float("noise_std", noise_std)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._trackers = [
            keras.metrics.Mean(name="critic_loss"),
            keras.metrics.Mean(name="wasserstein_estimate"),
        ]
        self.built = True

    @property
    def metrics(self):
        return list(self._trackers)

    def call(self, inputs, training=False):
        """Returns the critic's scores for `inputs`."""
        return self.critic(inputs, training=training)

    def train_step(self, *args):
        # (data) on torch and TensorFlow, (state, data) on JAX.
        return backend.run_step(self, self._train_step, *args)

    def _train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        noise = keras.random.normal(ops.shape(real), seed=self.seed_generator)
        fake = real + self.noise_std * noise

        def loss_fn():
            estimate = wasserstein_estimate(
                self.critic(real, training=True),
                self.critic(fake, training=True),
            )
            loss = -estimate
            if self.gp_weight is not None:
                loss = loss + self.gp_weight * gradient_penalty(
                    self.critic, real, fake, seed=self.seed_generator
                )
            return loss, {"wasserstein_estimate": estimate}

        variables = self.critic.trainable_variables
        loss, logs, grads = backend.value_and_grad(loss_fn, variables)
        # Applies the clipping constraint too, where there is one.
        self.optimizer.apply(grads, variables)
        self._trackers[0].update_state(loss)
        self._trackers[1].update_state(logs["wasserstein_estimate"])
        return {m.name: m.result() for m in self._trackers}
