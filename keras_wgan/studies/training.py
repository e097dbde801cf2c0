"""Trains one variant of the model comparison within its budget.

`train_variant` builds the variant (`build_variant`: the shared networks,
the same initial weights for every variant), trains it with `fit` until
the budget of `BudgetAndEvaluation` is spent, evaluates its samples and
critic every `eval_every` generator iterations, and returns the variant's
results for the report (`keras_wgan.studies.report`).
"""

import math
import time
from collections.abc import Callable
from typing import Any
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_wgan.errors import NonFiniteError
from keras_wgan.models import registry
from keras_wgan.studies import diagnostics
from keras_wgan.studies import measures
from keras_wgan.studies import toy
from keras_wgan.studies.variant_state import VariantState

if TYPE_CHECKING:
    from keras_wgan.studies.compare import CompareConfig
    from keras_wgan.studies.compare import ComparisonData

# Images per sample grid in the report (an 8 x 8 grid).
GRID_SAMPLES = 64


def build_variant(name: str, config: "CompareConfig") -> keras.Model:
    """Builds and compiles one variant with the shared networks.

    The global seed is reset first, so every variant starts from the same
    initial critic and generator weights. Each model keeps its own
    defaults (n_critic, clip value or penalty weight, optimizer) except
    the learning rates that `config` sets (`learning_rate`, and the
    critic's and the generator's of TTUR).

    Args:
        name: Key of `keras_wgan.models.registry.VARIANTS`.
        config: A `CompareConfig`.

    Returns:
        A compiled `keras_wgan.AdversarialModel`.
    """
    from keras_wgan.nets import architectures

    keras.utils.set_random_seed(config.seed)
    if config.is_toy:
        critic = toy.toy_critic(2, width=config.width)
        generator = toy.toy_generator(config.latent_dim, 2, width=config.width)
    else:
        critic = architectures.mnist_critic(width=config.width)
        generator = architectures.mnist_generator(
            latent_dim=config.latent_dim, width=config.width)
    model_class = registry.get_variant(name).model_class
    extra = ({} if config.generator_ema is None
             else {"generator_ema": config.generator_ema})
    model = model_class(critic, generator, seed=config.seed, **extra)
    model.compile(learning_rate=config.learning_rate,
                  critic_learning_rate=config.critic_learning_rate,
                  generator_learning_rate=config.generator_learning_rate)
    return model


def describe_optimizer(optimizer: keras.optimizers.Optimizer) -> str:
    """Returns an optimizer's class and settings in a few words.

    Example:

    >>> describe_optimizer(keras.optimizers.Adam(1e-4, beta_1=0.0,
    ...                                          beta_2=0.9))
    'Adam(lr=0.0001, beta_1=0, beta_2=0.9)'
    """
    config = optimizer.get_config()
    parts = [f"lr={float(config['learning_rate']):g}"]
    parts += [f"{key}={config[key]:g}" for key in ("beta_1", "beta_2", "rho")
              if key in config]
    return f"{type(optimizer).__name__}({', '.join(parts)})"


def describe_model(model: keras.Model) -> dict[str, Any]:
    """Returns the settings of a variant that the report lists.

    Args:
        model: A compiled `keras_wgan.AdversarialModel`.

    Returns:
        A dict: `"class"`, `"n_critic"`, `"optimizer"` (the critic's, as
        `describe_optimizer` writes it), `"generator_optimizer"` when the
        generator's differs (TTUR), `"loss": "hinge_loss"` for a hinge
        loss and, for a registered variant that has
        one, its `lipschitz_argument` (`"clip_value"`, `"gp_weight"`).

    Example:

    >>> gan = keras_wgan.WGAN(toy.toy_critic(2, 8, 1),
    ...                       toy.toy_generator(2, 2, 8, 1))
    >>> gan.compile()
    >>> describe_model(gan)
    {'class': 'WGAN', 'n_critic': 5, 'optimizer': 'RMSprop(lr=5e-05,
    rho=0.9)', 'clip_value': 0.01}
    """
    settings = {"class": type(model).__name__, "n_critic": model.n_critic,
                "optimizer": describe_optimizer(model.critic_optimizer)}
    generator = describe_optimizer(model.generator_optimizer)
    if generator != settings["optimizer"]:  # TTUR
        settings["generator_optimizer"] = generator
    if getattr(model.loss_fn, "name", None) == "hinge_loss":
        settings["loss"] = model.loss_fn.name
    variant = registry.variant_of(model)
    if variant is not None and variant.lipschitz_argument is not None:
        settings[variant.lipschitz_argument] = getattr(
            model, variant.lipschitz_argument)
    return settings


class BudgetAndEvaluation(keras.callbacks.Callback):
    """Stops `fit` at the budget and evaluates at the end of every epoch.

    `fit` is run with `steps_per_epoch=eval_every`, so an epoch ends every
    `eval_every` generator iterations (weights are in the model then on
    every backend). Training time is counted without the evaluations.

    Args:
        config: A `CompareConfig`.
        evaluate: Function `(model, iteration) -> None` recording one
            evaluation.
        iterations: Generator iterations already done (a continued run).
        train_seconds: Training seconds already spent.
        epoch_done: `None`, or a function `(model, epochs) -> None` called
            after the evaluation that ends each whole epoch.
    """

    def __init__(self, config: "CompareConfig",
                 evaluate: Callable[[keras.Model, int], object],
                 iterations: int = 0, train_seconds: float = 0.0,
                 epoch_done: Callable[[keras.Model, int], object] | None = None
                 ) -> None:
        super().__init__()
        self.config = config
        self.evaluate = evaluate
        self.epoch_done = epoch_done
        self.iterations = iterations
        self.train_seconds = train_seconds
        # A continued run was evaluated where it stopped.
        self.evaluated_at: int | None = iterations if iterations else None
        self._started: float | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self.evaluated_at != self.iterations:
            self.evaluate(self.model, self.iterations)
            self.evaluated_at = self.iterations
        self._started = time.perf_counter()

    def _pause(self):
        self.train_seconds += time.perf_counter() - self._started

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.iterations += 1
        assert self._started is not None, "on_train_begin starts the clock"
        elapsed = self.train_seconds + time.perf_counter() - self._started
        if (self.config.iterations is not None
                and self.iterations >= self.config.iterations) or (
                    self.config.seconds is not None
                    and elapsed >= self.config.seconds):
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._pause()
        self.evaluate(self.model, self.iterations)
        self.evaluated_at = self.iterations
        # Keras ends the epoch early when the budget stops it: only a whole
        # epoch is a point a continued run can start from exactly.
        if (self.epoch_done is not None
                and self.iterations == (epoch + 1) * self.config.eval_every):
            self.epoch_done(self.model, epoch + 1)
        self._started = time.perf_counter()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._started is not None and self.evaluated_at != self.iterations:
            self._pause()
            self._started = None


def train_variant(name: str, config: "CompareConfig", data: "ComparisonData",
                  evaluator: measures.Evaluator,
                  probe: measures.CriticProbe | None,
                  log: Callable[[str], object] = print,
                  state: VariantState | None = None
                  ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Trains one variant within the budget and evaluates it along the way.

    Args:
        name: Key of `keras_wgan.models.registry.VARIANTS`.
        config: A `CompareConfig`.
        data: A `ComparisonData`.
        evaluator: An `ImageQuality` or `ToyQuality`.
        probe: The fixed critic inputs, a `measures.CriticProbe`.
        log: Function called with one progress line per evaluation.
        state: `None`, or the variant's `VariantState`: it is saved after
            every whole epoch and once the budget is spent, and what it
            holds is continued (a finished variant whose budget is
            unchanged, or which stopped on a non-finite value, is returned
            as it was).

    Returns:
        `(result, arrays)`: `result` a JSON-ready dict (settings, history
        of evaluations, final and best values, iterations, seconds, status);
        `arrays` a dict with the final `samples` and the critic `weights`.

    Raises:
        ValueError: `state` holds more iterations than `config` allows.
    """
    from keras_wgan.callbacks import TerminateOnNonFinite

    label = registry.get_variant(name).label
    budget_spent = {"iterations": config.iterations, "seconds": config.seconds}
    final = None if state is None else state.load_final()
    if state is not None and final is not None:
        result, arrays, budget_of_final = final
        if budget_of_final == budget_spent or result["status"] != "completed":
            log(f"{label}: kept from {state.folder}")
            return result, arrays
    progress = None if state is None else state.load_progress()
    if progress is None:
        model = build_variant(name, config)
        history: list[dict[str, Any]] = []
        first_epoch, done, seconds_done = 0, 0, 0.0
    else:
        if config.iterations is not None and progress.iterations > config.iterations:
            raise ValueError(
                f"iterations must be at least the {progress.iterations} "
                f"{label} has run, got {config.iterations}.")
        model, history = progress.model, progress.history
        first_epoch, done = progress.epoch, progress.iterations
        seconds_done = progress.train_seconds
        log(f"{label}: continued at iteration {done}")
    sample_noise_seed = config.seed + 3

    def evaluate(model, iteration):
        samples = model.generate(config.eval_samples, seed=sample_noise_seed,
                                 raw=True)
        finite = bool(np.all(np.isfinite(samples)))
        values = evaluator(samples) if finite else {}
        if finite and config.generator_ema is not None:
            average = model.generate(config.eval_samples,
                                     seed=sample_noise_seed)
            if np.all(np.isfinite(average)):
                values[f"ema_{evaluator.primary}"] = evaluator(average)[
                    evaluator.primary]
        gap, norms = probe.measure(model)
        record = {"iteration": iteration,
                  "train_seconds": round(budget.train_seconds, 3),
                  **values, "critic_gap": gap, "gradient_norms": norms}
        history.append(record)
        log(_progress_line(label, record, config, evaluator))

    def epoch_done(model, epochs):
        state.save_progress(model, epochs, budget.iterations,
                            budget.train_seconds, history)

    budget = BudgetAndEvaluation(
        config, evaluate, done, seconds_done,
        epoch_done=None if state is None else epoch_done)
    epochs = (10**9 if config.iterations is None
              else math.ceil(config.iterations / config.eval_every))
    status = "completed"
    try:
        model.fit(data.train, batch_size=config.batch_size, epochs=epochs,
                  initial_epoch=first_epoch,
                  steps_per_epoch=config.eval_every, verbose=0,
                  callbacks=[TerminateOnNonFinite(), budget])
    except NonFiniteError as error:
        status = f"stopped: {error}"
        log(f"{label}: {status}")
    if budget.evaluated_at != budget.iterations:
        # Stopped by the clock within an epoch, or by a NaN.
        evaluate(model, budget.iterations)
    samples = model.generate(
        GRID_SAMPLES if not config.is_toy else config.eval_samples,
        seed=sample_noise_seed, raw=True)
    result = {
        "name": name, "label": label, **describe_model(model),
        "iterations": budget.iterations,
        "train_seconds": round(budget.train_seconds, 3),
        "seconds_per_iteration": (budget.train_seconds / budget.iterations
                                  if budget.iterations else None),
        "status": status, "history": history,
        **measures.summarize(history, evaluator.primary),
    }
    arrays = {"samples": samples,
              "weights": diagnostics.critic_weights(model.critic)}
    if state is not None:
        state.save_final(result, arrays, budget_spent)
    return result, arrays


def _progress_line(label, record, config, evaluator):
    total = config.iterations if config.iterations is not None else "?"
    parts = [f"{label}: iteration {record['iteration']}/{total}",
             f"{record['train_seconds']:.1f} s"]
    for key in ("classifier_fid", "ema_classifier_fid", "classifier_score",
                "energy_distance", "ema_energy_distance", "exact_w1",
                "high_quality"):
        if key in record:
            parts.append(f"{key} {record[key]:.4g}")
    for key in ("classes_covered", "modes_covered"):
        if key in record:
            parts.append(f"{key} {record[key]}/{evaluator.num_modes}")
    if evaluator.primary not in record:
        parts.append("samples not finite")
    parts.append(f"critic gap {record['critic_gap']:.4g}")
    return ", ".join(parts)
