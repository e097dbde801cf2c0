"""An exponential moving average of the generator's weights.

`MovingAverageModel` is the `keras_wgan.AdversarialModel` under
`keras_wgan.WassersteinGAN` that can keep, beside its generator, a copy
`ema_generator` whose weights are an exponential moving average of the
generator's (Yazici et al., 2019), and sample from it. It is written
against the public hooks of `AdversarialModel`: `networks` (the average is
saved with the model), `after_generator_update` (one step of the average),
`sampler` (`generate` draws from the average) and `get_config`.

The average starts as the generator's weights and after each generator
update `t` (1, 2, ...) becomes `w_ema = d_t * w_ema + (1 - d_t) * w`, with
`d_t = min(d, (1 + t) / (10 + t))` (`warmed_up_decay`) so that the first
updates are not dominated by the initial weights (the warm-up of
TensorFlow's `ExponentialMovingAverage`); non-trainable weights (e.g. batch
normalisation statistics) are copied (`update_average`). It is saved with
the model and continues exactly on resume. Keras optimizers' `use_ema` is
not used: it writes the average into the generator's own weights (during
training, or at the end of `fit`), after which training would continue
from the average, not the trained weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from keras_wgan import argument_validation
from keras_wgan.models.adversarial import AdversarialModel


def warmed_up_decay(decay: float, step: Any) -> Any:
    """Returns the decay `min(decay, (1 + step) / (10 + step))` of update `step`.

    Args:
        decay: The decay `d` in `(0, 1)` the average tends to.
        step: The number `t` of generator updates so far, a scalar.

    Returns:
        A float32 scalar tensor.

    Example:

    >>> [round(float(warmed_up_decay(0.999, t)), 4) for t in (1, 10, 10_000)]
    [0.1818, 0.55, 0.999]
    """
    step = ops.cast(step, "float32")
    return ops.minimum(decay, (1.0 + step) / (10.0 + step))


def update_average(average: keras.Model, network: keras.Model,
                   decay: Any) -> None:
    """One step of a moving average of `network`'s weights, in place.

    Each trainable weight `w_ema` of `average` becomes
    `decay * w_ema + (1 - decay) * w` of the matching weight of `network`;
    each non-trainable weight is copied. No gradient flows through it.

    Args:
        average: A network of the same architecture as `network`.
        network: The network whose weights are averaged.
        decay: The weight of the old average, a scalar in `[0, 1]`.

    Example:

    >>> network = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    >>> average = keras.models.clone_model(network)
    >>> average.set_weights([np.zeros((1, 1)), np.zeros(1)])
    >>> network.set_weights([np.ones((1, 1)), np.ones(1)])
    >>> update_average(average, network, 0.75)
    >>> [float(w.reshape(-1)[0]) for w in average.get_weights()]
    [0.25, 0.25]
    """
    for mean, weight in zip(average.weights, network.weights, strict=True):
        value = ops.stop_gradient(weight.value)
        if weight.trainable:
            value = decay * mean.value + (1.0 - decay) * value
        mean.assign(ops.cast(value, mean.dtype))


class MovingAverageModel(AdversarialModel):
    """An `AdversarialModel` that can average its generator's weights.

    With `generator_ema`, `ema_generator` is a frozen copy of the generator
    whose weights follow the moving average described in
    `keras_wgan.models.moving_average`; `generate` samples from it
    (`generate(..., raw=True)` from the trained generator). Without it,
    `ema_generator` is `None` and the model is an `AdversarialModel`.

    A subclass with a `generate_from` of its own (a conditional model's
    also takes labels) keeps the average by sampling through
    `sampler(raw)`, as `keras_wgan.ConditionalWGANGP` does.

    Args:
        critic: As for `AdversarialModel`.
        generator: As for `AdversarialModel`.
        latent_dim: As for `AdversarialModel`.
        n_critic: As for `AdversarialModel`.
        seed: As for `AdversarialModel`.
        generator_ema: `None` (default), or the decay `d` in `(0, 1)` of
            the average, e.g. 0.999.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    >>> gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8),
    ...                         keras_wgan.toy.toy_generator(2, 2, width=8),
    ...                         generator_ema=0.999)
    >>> isinstance(gan, MovingAverageModel), gan.ema_generator.trainable
    (True, False)
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> gan.generate(3).shape  # from the average
    (3, 2)
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 1,
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
            **kwargs,
        )
        self.generator_ema: float | None = None
        self.ema_generator: keras.Model | None = None
        if generator_ema is not None:
            self._add_ema_generator(generator_ema)

    def _add_ema_generator(self, decay: float) -> None:
        checked = argument_validation.check_float(
            "generator_ema", decay, 0.0, inclusive=False)
        if checked >= 1.0:
            raise ValueError(
                f"generator_ema must be a decay in (0, 1), e.g. 0.999, got "
                f"{decay!r}."
            )
        self.generator_ema = checked
        ema = keras.models.clone_model(self.generator)
        ema.set_weights(self.generator.get_weights())
        ema.trainable = False
        self.ema_generator = ema

    def networks(self) -> tuple[tuple[str, keras.Model], ...]:
        """The critic, the generator and, with `generator_ema`, its average."""
        if self.ema_generator is None:
            return super().networks()
        return super().networks() + (("ema_generator", self.ema_generator),)

    def after_generator_update(self, real: Any) -> None:
        """Updates the moving average of the generator, if any."""
        super().after_generator_update(real)
        if (self.ema_generator is not None
                and self.generator_ema is not None
                and not self.is_frozen("generator")):
            decay = warmed_up_decay(self.generator_ema,
                                    self.generator_optimizer.iterations)
            update_average(self.ema_generator, self.generator, decay)

    def sampler(self, raw: bool = False) -> Callable[[Any], Any]:
        """Returns the moving average of the generator, unless `raw`."""
        if raw or self.ema_generator is None:
            return super().sampler(raw)
        return lambda noise: self.call_network("ema_generator", noise, False)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.generator_ema is not None:
            config["generator_ema"] = self.generator_ema
        return config
