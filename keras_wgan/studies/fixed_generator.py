"""A critic trained alone against a fixed generator: WGAN-GP's Fig. 1a set-up.

`FixedGeneratorCritic` trains the critic of any registered variant
(`keras_wgan.models.registry.VARIANTS`: weight clipping, the penalties,
spectral normalisation, ...) against the paper's fixed "generator", the
real data plus Gaussian noise, with that variant's own objective, penalty
and post-update step; `keras_wgan.studies.diagnostics.critic_surface` then
draws its value over the plane.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from keras_wgan import argument_validation
from keras_wgan.models import registry
from keras_wgan.models.adversarial import AdversarialModel


class FixedGeneratorCritic(AdversarialModel):
    """Trains a variant's critic alone against a fixed "generator": real+noise.

    The value surfaces of Fig. 1a of Gulrajani et al. (2017) are those of
    critics trained to optimality while the generator is held fixed at the
    real data plus Gaussian noise (`FIXED_GENERATOR` in the paper's released
    toy code): each step draws a real batch `x`, makes the fake batch
    `x + noise_std * N(0, I)`, and takes one critic update. Without a
    moving generator the critic's optimum stays put, so its shape is that
    of the constraint and not of a training trajectory.

    `FixedGeneratorCritic(critic, variant, ...)` is an instance of the
    variant's own model class (e.g. `keras_wgan.WGANGP`), with `n_critic`
    1, whose generator is a network without weights, the identity on
    inputs of the critic's sample size, fed `real + noise_std * N(0, I)`
    (`noise_for`), and whose generator update is skipped. The critic update
    is the variant's unchanged: its loss and penalty (`critic_objective`),
    its clipping constraint (`WGAN`), its normalisation after each update
    (`WGANSN`), its loss (`SNGANHinge`'s hinge). A generator network held
    fixed is a frozen generator of the variant itself instead
    (`generator.trainable = False` before `compile`, see
    `keras_wgan.AdversarialModel`).

    Compile as the variant (`compile(critic_optimizer=...)`; `loss=None`
    keeps the variant's loss) and train with `fit(real_samples,
    batch_size=m)`: one step is one critic update on `m` samples. The
    variant's logs other than `generator_loss` are logged (`critic_loss`,
    `wasserstein_estimate`, `gradient_penalty` for a penalty). The model's
    critic is trained in place, except that `WGANSN` and `SNGANHinge`
    train a spectrally normalised copy: read it from `model.critic`.
    It saves and loads as the variant does (`model.save`, then
    `keras.models.load_model` once this module is imported).

    Args:
        critic: A built `keras.Model` mapping `(batch, *shape)` to
            `(batch, 1)`.
        variant: A name of `keras_wgan.models.registry.VARIANTS`, e.g.
            `"wgan"` (clipping) or `"wgan-gp"`.
        noise_std: Standard deviation of the noise added to real samples to
            make the fakes, a float >= 0 (the paper's toy code: 1).
        seed: Int seed for the noise and the variant's own randomness (the
            penalty's interpolation), or `None`.
        **kwargs: The variant's constructor arguments (`clip_value`,
            `gp_weight`, `power_iterations`, ...; its defaults otherwise),
            and those of `keras.Model`.

    Example:

    >>> trainer = FixedGeneratorCritic(
    ...     keras_wgan.toy.toy_critic(2, width=8), "wgan-gp", gp_weight=10.0,
    ...     seed=0)
    >>> isinstance(trainer, keras_wgan.WGANGP)
    True
    >>> trainer.compile(critic_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9))
    >>> history = trainer.fit(keras_wgan.toy.swiss_roll(64 * 4, seed=0),
    ...                       batch_size=64, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'gradient_penalty', 'wasserstein_estimate']
    >>> xs, ys, values = keras_wgan.diagnostics.critic_surface(
    ...     trainer.critic, (-2.5, 2.5), resolution=20)
    >>> values.shape
    (20, 20)
    """

    def __new__(cls, critic: keras.Model, variant: str, *args: Any,
                **kwargs: Any) -> FixedGeneratorCritic:
        # Called as FixedGeneratorCritic(...), it makes an instance of the
        # variant's subclass, which Python then initialises.
        model_class = (_fixed_generator_class(variant)
                       if cls is FixedGeneratorCritic else cls)
        return super(FixedGeneratorCritic, model_class).__new__(
            model_class, critic, variant, *args, **kwargs)

    def __init__(self, critic: keras.Model, variant: str,
                 noise_std: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        if "n_critic" in kwargs:
            raise ValueError(
                "n_critic must not be given: a fixed-generator critic takes "
                f"one update per step, got n_critic={kwargs['n_critic']!r}."
            )
        self.variant = variant
        self.noise_std = argument_validation.check_float(
            "noise_std", noise_std)
        shape = argument_validation.model_input_shape(critic, "critic")
        dims = [dim for dim in shape if dim is not None]
        if len(dims) != len(shape):
            raise ValueError(
                "critic must take inputs of a fixed shape, got an input of "
                f"shape (batch, {', '.join(map(str, shape))})."
            )
        size = math.prod(dims)
        # The fixed generator's samples are its inputs (noise_for): a
        # network without weights, so the loop treats it as frozen.
        generator = keras.Sequential(
            [keras.Input((size,)), keras.layers.Reshape(shape)],
            name="fixed_generator",
        )
        super().__init__(critic, generator, n_critic=1, seed=seed, **kwargs)

    def noise_for(self, real: Any) -> Any:
        """Returns the fixed generator's input: `real + noise_std * N(0, I)`.

        Flat, `(batch, latent_dim)`; the generator reshapes it back.
        """
        noise = keras.random.normal(ops.shape(real), seed=self.seed_generator)
        fake = real + self.noise_std * noise
        return ops.reshape(fake, (ops.shape(real)[0], self.latent_dim))

    def generator_update(self, real: Any) -> dict[str, Any]:
        """Skips the generator's update: it has no weights, nor a loss to log."""
        del real
        return {}

    def sampler(self, raw: bool = False) -> Callable[[Any], Any]:
        """Raises: the fixed generator needs real samples (`noise_for`)."""
        del raw
        raise ValueError(
            "a FixedGeneratorCritic cannot generate from noise alone: its "
            "fakes are real samples plus noise, generator_samples("
            "noise_for(real))."
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        # The fixed generator and the step are made by __init__.
        for key in ("generator", "latent_dim", "n_critic"):
            del config[key]
        config.update(variant=self.variant, noise_std=self.noise_std)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FixedGeneratorCritic:
        config = dict(config)
        config["critic"] = keras.saving.deserialize_keras_object(
            config["critic"])
        return cls(**config)


def _fixed_generator_subclass(
        model_class: type[AdversarialModel]) -> type[FixedGeneratorCritic]:
    """Returns the subclass of `FixedGeneratorCritic` and `model_class`."""
    subclass = type(
        f"FixedGenerator{model_class.__name__}",
        (FixedGeneratorCritic, model_class),
        {
            "__doc__": f"`FixedGeneratorCritic` of `{model_class.__name__}`.",
            "__module__": __name__,
            "metric_names": tuple(name for name in model_class.metric_names
                                  if name != "generator_loss"),
        },
    )
    # Registered so that a saved trainer loads as the same class.
    return keras.saving.register_keras_serializable(package="keras_wgan")(
        subclass)


# The class of each registered variant's fixed-generator critic, by name.
_CLASSES = {
    name: _fixed_generator_subclass(variant.model_class)
    for name, variant in registry.VARIANTS.items()
}


def _fixed_generator_class(variant: str) -> type[FixedGeneratorCritic]:
    """Returns the fixed-generator critic class of a registered variant."""
    registry.get_variant(variant)  # raises for an unknown name
    return _CLASSES[variant]
