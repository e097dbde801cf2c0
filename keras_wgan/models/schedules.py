"""Learning-rate schedules counted in generator iterations.

A training step of `AdversarialModel` is one generator iteration: `n_critic`
critic updates, then one generator update. A Keras optimizer evaluates its
schedule at its own update count, so the critic's optimizer counts `n_critic`
updates per iteration and the generator's one. The WGAN-GP paper's code
sets both learning rates from the generator iteration (Gulrajani et al.,
2017, CIFAR-10 recipe: `lr * max(0, 1 - iteration / iterations)`);
`IterationSchedule` gives the critic's optimizer that count.

- `linear_decay(learning_rate, iterations)`: the paper's linear decay to 0.
- `IterationSchedule(schedule, n_critic)`: a schedule of the generator
  iteration, read by an optimizer that updates `n_critic` times per
  iteration. `AdversarialModel.compile(learning_rate=schedule)` wraps the
  critic's default optimizer's schedule in it.
- `critic_rate(learning_rate, n_critic)`: the critic's reading of a rate
  given in generator iterations (`compile` and the CLI's resume use it).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from keras_wgan import argument_validation


def linear_decay(learning_rate: float, iterations: int
                 ) -> keras.optimizers.schedules.PolynomialDecay:
    """Returns the WGAN-GP paper's linear decay: `lr * max(0, 1 - t / T)`.

    `t` is the generator iteration; from `t = iterations` on the rate is 0.
    It is Keras's `PolynomialDecay` with `power=1` and
    `end_learning_rate=0`, so it saves and loads as a Keras schedule. Pass
    it to `compile(learning_rate=...)`, which decays both default
    optimizers with the generator iteration.

    Args:
        learning_rate: The rate at iteration 0, a number > 0.
        iterations: Generator iterations to reach 0, an int >= 1 (the
            paper's CIFAR-10 runs: 100,000).

    Returns:
        A `keras.optimizers.schedules.PolynomialDecay`.

    Example:

    >>> schedule = linear_decay(2e-4, iterations=100)
    >>> [round(float(schedule(t)), 8) for t in (0, 25, 100, 150)]
    [0.0002, 0.00015, 0.0, 0.0]
    >>> gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8),
    ...                         keras_wgan.toy.toy_generator(2, 2, width=8))
    >>> gan.compile(learning_rate=schedule)
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(1280, seed=0),
    ...                   batch_size=64, epochs=1, verbose=0)  # 4 iterations
    >>> [round(float(optimizer.learning_rate), 8)
    ...  for optimizer in (gan.critic_optimizer, gan.generator_optimizer)]
    [0.000192, 0.000192]
    """
    learning_rate = argument_validation.check_float(
        "learning_rate", learning_rate, 0.0, inclusive=False
    )
    iterations = argument_validation.check_int("iterations", iterations)
    return keras.optimizers.schedules.PolynomialDecay(
        learning_rate,
        decay_steps=iterations,
        end_learning_rate=0.0,
        power=1.0,
    )


@keras.saving.register_keras_serializable(package="keras_wgan")
class IterationSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A schedule of the generator iteration, for the critic's optimizer.

    The critic's optimizer updates `n_critic` times per generator iteration;
    at its update count `step` this returns `schedule(step // n_critic)`, so
    all `n_critic` critic updates of an iteration use the rate of that
    iteration, as the generator's update does.

    Args:
        schedule: A `keras.optimizers.schedules.LearningRateSchedule` of the
            generator iteration.
        n_critic: Critic updates per generator iteration, an int >= 1.

    Example:

    >>> schedule = linear_decay(1e-4, iterations=10)
    >>> critic_schedule = IterationSchedule(schedule, n_critic=5)
    >>> [round(float(critic_schedule(step)), 8) for step in (0, 4, 5, 49)]
    [0.0001, 0.0001, 9e-05, 1e-05]
    >>> critic_optimizer = keras.optimizers.Adam(critic_schedule)
    """

    def __init__(self,
                 schedule: keras.optimizers.schedules.LearningRateSchedule,
                 n_critic: int) -> None:
        if not isinstance(
            schedule, keras.optimizers.schedules.LearningRateSchedule
        ):
            raise ValueError(
                "schedule must be a keras.optimizers.schedules."
                f"LearningRateSchedule, got {schedule!r}."
            )
        self.schedule = schedule
        self.n_critic = argument_validation.check_int("n_critic", n_critic)

    def __call__(self, step: Any) -> Any:
        return self.schedule(ops.floor_divide(step, self.n_critic))

    def get_config(self) -> dict[str, Any]:
        return {
            "schedule": keras.saving.serialize_keras_object(self.schedule),
            "n_critic": self.n_critic,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> IterationSchedule:
        config = dict(config)
        config["schedule"] = keras.saving.deserialize_keras_object(
            config["schedule"]
        )
        return cls(**config)


def critic_rate(learning_rate: Any, n_critic: int) -> Any:
    """Returns the critic optimizer's reading of a generator-iteration rate.

    A schedule is wrapped in `IterationSchedule`, so the critic, which
    updates `n_critic` times per generator iteration, follows the same
    iteration as the generator; a number is returned as it is.

    Args:
        learning_rate: A number, or a `LearningRateSchedule` of the
            generator iteration.
        n_critic: Critic updates per generator iteration.

    Returns:
        The number, or an `IterationSchedule`.

    Example:

    >>> critic_rate(1e-4, n_critic=5)
    0.0001
    >>> schedule = critic_rate(linear_decay(2e-4, iterations=100), 5)
    >>> float(schedule(500))  # critic update 500: generator iteration 100
    0.0
    """
    if isinstance(learning_rate,
                  keras.optimizers.schedules.LearningRateSchedule):
        return IterationSchedule(learning_rate, n_critic)
    return learning_rate
