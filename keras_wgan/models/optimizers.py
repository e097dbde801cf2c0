"""The optimizer pair: `compile`, its saved config, and what is frozen.

`TwoOptimizerModel` is the `keras.Model` under `keras_wgan.AdversarialModel`:
its `compile` makes one optimizer per player (the critic's, the
generator's), wires learning rates and schedules of the generator iteration
into them (`keras_wgan.models.schedules`), wraps them for loss scaling under
`mixed_float16`, and records which networks train; `get_compile_config` and
`compile_from_config` save and restore all of it with a `.keras` file.

Keras's trainers read one `model.optimizer`; the JAX trainer carries only
its variables through the jitted step (keras issues #18881 and #19358), so
`model.optimizer` is an `OptimizerGroup` of both. The helpers below are
the pieces `compile` and the training step share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeAlias

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.models import schedules

#: A learning rate as `compile` takes it: a number or a Keras schedule.
LearningRate: TypeAlias = (
    "float | keras.optimizers.schedules.LearningRateSchedule")


class TwoOptimizerModel(keras.Model):
    """A `keras.Model` with one optimizer per player, critic and generator.

    A subclass implements `networks()` (every network by attribute name),
    `player_variables(player)` (the weights each optimizer trains),
    `default_optimizer()` and `default_loss()`, and has an `n_critic`
    attribute; `keras_wgan.AdversarialModel` does.

    A network without trainable weights (`trainable = False` before
    `compile`) is frozen: it is not updated, and it runs in inference mode
    (`training=False`), as Keras runs a frozen `BatchNormalization`
    (`is_frozen`). A partly frozen network (some layers `trainable =
    False`) trains the rest as usual. Keras fixes what trains at compile:
    after changing `trainable`, call `compile` again.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The ids of each network's trainable weights at compile.
        self._compiled_trainable: dict[str, list[int]] | None = None
        self._requested_jit_compile: bool | str = "auto"

    # ---------------------------------------------------- subclass hooks

    def networks(self) -> tuple[tuple[str, keras.Model], ...]:
        """Returns `(name, network)` for every network, by attribute name."""
        raise NotImplementedError

    def player_variables(self, player: str) -> list[keras.Variable]:
        """Returns the weights the optimizer of `player` trains."""
        raise NotImplementedError

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        """Returns a new optimizer for either player (the paper's setting)."""
        raise NotImplementedError

    def default_loss(self) -> keras.losses.Loss:
        """Returns the loss used when `compile(loss=None)`."""
        raise NotImplementedError

    # ------------------------------------------------------------ compile

    def compile(
        self,
        critic_optimizer: Any = None,
        generator_optimizer: Any = None,
        loss: Any = None,
        run_eagerly: bool = False,
        jit_compile: bool | str = "auto",
        learning_rate: LearningRate | None = None,
        critic_learning_rate: LearningRate | None = None,
        generator_learning_rate: LearningRate | None = None,
        auto_scale_loss: bool = True,
    ) -> None:
        """Configures the two optimizers and the loss for training.

        Args:
            critic_optimizer: Optimizer instance, name or config for the
                critic; `None` gives `default_optimizer()`.
            generator_optimizer: Same for the generator. It must be a
                different instance from `critic_optimizer`: each optimizer
                keeps per-variable state.
            loss: Loss for both players; `None` gives `default_loss()`.
            run_eagerly: Passed to `keras.Model.compile`.
            jit_compile: Passed to `keras.Model.compile`.
            learning_rate: A number > 0, or a
                `keras.optimizers.schedules.LearningRateSchedule` of the
                generator iteration (the training step, e.g.
                `keras_wgan.models.linear_decay`), to use instead of the
                paper's learning rate in both default optimizers (their
                other settings kept); only when both optimizers are left
                `None`. The critic's optimizer, which updates `n_critic`
                times per iteration, reads a schedule through
                `keras_wgan.models.IterationSchedule`, so both follow the
                same iteration. (An optimizer of your own evaluates its
                schedule at its own update count.)
            critic_learning_rate: As `learning_rate`, for the critic's
                default optimizer alone; it replaces `learning_rate` there.
                With `generator_learning_rate`, the two time-scale update
                rule (TTUR, Heusel et al., 2017): each player its own rate.
            generator_learning_rate: As `learning_rate`, for the
                generator's default optimizer alone.
            auto_scale_loss: As in `keras.Model.compile`: when a network
                computes under the `"mixed_float16"` dtype policy, each
                optimizer is wrapped in a
                `keras.optimizers.LossScaleOptimizer` (unless it is one
                already), which scales each loss before its gradients are
                taken and skips an update whose gradients are not finite.

        Example:

        ```python
        gan.compile(learning_rate=3e-4)  # the paper's optimizer, faster
        # The WGAN-GP paper's CIFAR-10 recipe: both rates decay linearly
        # to 0 over 100,000 generator iterations.
        schedule = keras_wgan.models.linear_decay(2e-4, iterations=100_000)
        gan.compile(learning_rate=schedule)
        # TTUR: the critic learns four times faster than the generator.
        gan.compile(critic_learning_rate=4e-4, generator_learning_rate=1e-4)
        ```
        """
        rates = {"learning_rate": learning_rate,
                 "critic_learning_rate": critic_learning_rate,
                 "generator_learning_rate": generator_learning_rate}
        for name, rate in rates.items():
            if rate is None:
                continue
            rates[name] = check_learning_rate(rate, name)
            if critic_optimizer is not None or generator_optimizer is not None:
                raise ValueError(
                    f"{name} sets the default optimizers' rate; with "
                    "optimizers of your own, set it on them instead."
                )
        critic_rate, generator_rate = (
            rates["learning_rate"] if rates[name] is None else rates[name]
            for name in ("critic_learning_rate", "generator_learning_rate"))
        super().compile(
            optimizer=None, run_eagerly=run_eagerly, jit_compile=jit_compile
        )
        # Saved as given: Keras resolves "auto" for the current backend (True
        # on JAX, False on torch), and a resolved True would make a file
        # saved on JAX fail to load as WGANGP on torch, while a resolved
        # False would make a file saved on torch train uncompiled on JAX.
        self._requested_jit_compile = jit_compile
        critic_optimizer = keras.optimizers.get(critic_optimizer)
        generator_optimizer = keras.optimizers.get(generator_optimizer)
        if critic_optimizer is None:
            critic_optimizer = with_learning_rate(
                self.default_optimizer(),
                schedules.critic_rate(critic_rate, self.n_critic))
        if generator_optimizer is None:
            generator_optimizer = with_learning_rate(
                self.default_optimizer(), generator_rate)
        if auto_scale_loss and any(
                network.dtype_policy.name == "mixed_float16"
                for _, network in self.networks()):
            critic_optimizer = loss_scaled(critic_optimizer, "critic")
            generator_optimizer = loss_scaled(
                generator_optimizer, "generator")
        if critic_optimizer is generator_optimizer:
            raise ValueError(
                "critic_optimizer and generator_optimizer must be two "
                "different optimizer instances, got the same object twice."
            )
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self.optimizer = OptimizerGroup(critic_optimizer, generator_optimizer)
        self.loss_fn = keras.losses.get(loss) or self.default_loss()
        self._compiled_trainable = {
            name: [id(v) for v in network.trainable_variables]
            for name, network in self.networks()
        }
        # Built now so that loading a checkpoint finds their slot variables.
        self.critic_optimizer.build(self.player_variables("critic"))
        self.generator_optimizer.build(self.player_variables("generator"))

    def get_compile_config(self) -> dict[str, Any]:
        """Returns `compile`'s arguments, serialized, for a `.keras` file."""
        if not self.compiled:
            return {}
        return {
            "critic_optimizer": keras.optimizers.serialize(
                self.critic_optimizer
            ),
            "generator_optimizer": keras.optimizers.serialize(
                self.generator_optimizer
            ),
            "loss": keras.losses.serialize(self.loss_fn),
            "run_eagerly": self.run_eagerly,
            "jit_compile": self._requested_jit_compile,
        }

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compiles as `get_compile_config` recorded it."""
        config = dict(config)
        for key in ("critic_optimizer", "generator_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        config["loss"] = keras.losses.deserialize(config["loss"])
        self.compile(**config)

    # ------------------------------------------------------------- frozen

    def is_frozen(self, name: str) -> bool:
        """Whether network `name` had no trainable weights at compile.

        Args:
            name: A name of `networks()`, e.g. `"critic"`.

        Returns:
            `False` before `compile`.
        """
        compiled = self._compiled_trainable
        return compiled is not None and not compiled[name]

    def check_trainable(self) -> None:
        """Raises if `fit` has nothing to train or `trainable` changed.

        `fit` calls it; a model not compiled passes (Keras's `fit` says so).
        """
        if self._compiled_trainable is None:
            return
        for name, network in self.networks():
            compiled = self._compiled_trainable[name]
            now = [id(v) for v in network.trainable_variables]
            if now != compiled:
                raise ValueError(
                    f"the {name}'s trainable weights changed since compile "
                    f"({len(compiled)} then, {len(now)} now); call compile() "
                    "again after setting trainable, as Keras requires."
                )
        if self.is_frozen("critic") and self.is_frozen("generator"):
            raise ValueError(
                "critic and generator are both frozen (no trainable "
                "weights): fit has nothing to train; set trainable = True "
                "on one of them and compile again."
            )


class OptimizerGroup:
    """Both optimizers, where Keras's trainers expect `model.optimizer`.

    The JAX trainer carries `model.optimizer.variables` through its
    functional state and the trainers ask `model.optimizer.built`; grouping
    the two optimizers there keeps both optimizers' state (keras issues
    #18881 and #19358). It is not saved: each optimizer is saved itself.

    Example:

    >>> group = OptimizerGroup(keras.optimizers.SGD(), keras.optimizers.SGD())
    >>> group.built, len(group.optimizers)
    (False, 2)
    """

    def __init__(self, *optimizers: keras.optimizers.Optimizer) -> None:
        self.optimizers = optimizers

    @property
    def variables(self) -> list[keras.Variable]:
        """Every variable of every optimizer, in order."""
        return [v for opt in self.optimizers for v in opt.variables]

    @property
    def built(self) -> bool:
        """Whether every optimizer is built."""
        return all(opt.built for opt in self.optimizers)


def check_learning_rate(learning_rate: Any,
                        name: str = "learning_rate") -> LearningRate:
    """Returns a learning rate `compile` accepts, or raises one line.

    Example:

    >>> check_learning_rate(1e-4)
    0.0001
    >>> check_learning_rate(-1, "critic_learning_rate")
    Traceback (most recent call last):
    ...
    ValueError: critic_learning_rate must be a finite number > 0.0, got -1.0.
    """
    if isinstance(learning_rate,
                  keras.optimizers.schedules.LearningRateSchedule):
        return learning_rate
    if isinstance(learning_rate, (int, float, np.integer, np.floating)):
        return argument_validation.check_float(
            name, learning_rate, 0.0, inclusive=False
        )
    raise ValueError(
        f"{name} must be a number > 0 or a keras.optimizers."
        f"schedules.LearningRateSchedule, got {learning_rate!r}."
    )


def with_learning_rate(optimizer: keras.optimizers.Optimizer,
                       learning_rate: LearningRate | None
                       ) -> keras.optimizers.Optimizer:
    """Returns `optimizer`, or a copy of its config with `learning_rate`.

    A new optimizer rather than a new rate on this one: an optimizer made
    with a number keeps it in a variable, which a schedule would leave
    behind in its saved state.

    Example:

    >>> adam = with_learning_rate(keras.optimizers.Adam(1e-4, beta_1=0.0), 3e-4)
    >>> round(float(adam.learning_rate), 6), float(adam.beta_1)
    (0.0003, 0.0)
    """
    if learning_rate is None:
        return optimizer
    config = optimizer.get_config()
    config["learning_rate"] = learning_rate
    return type(optimizer).from_config(config)


def loss_scaled(optimizer: keras.optimizers.Optimizer,
                player: str) -> keras.optimizers.LossScaleOptimizer:
    """Returns `optimizer` wrapped in a `LossScaleOptimizer` (once)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(
        optimizer, name=f"{player}_loss_scale_optimizer")


def scaled_objective(optimizer: keras.optimizers.Optimizer,
                     objective: Callable[..., tuple[Any, dict[str, Any]]],
                     *args: Any) -> Callable[[], tuple[Any, dict[str, Any]]]:
    """Returns `objective(*args)` with its loss scaled by `optimizer`.

    The loss is multiplied by the optimizer's loss scale (1 unless it is a
    `LossScaleOptimizer`, which divides the gradients by it again); the
    logs keep the unscaled values.

    Example:

    >>> objective = scaled_objective(keras.optimizers.SGD(),
    ...                              lambda x: (2.0 * x, {"x": x}), 3.0)
    >>> objective()
    (6.0, {'x': 3.0})
    """
    def scaled() -> tuple[Any, dict[str, Any]]:
        loss, logs = objective(*args)
        return optimizer.scale_loss(loss), logs
    return scaled
