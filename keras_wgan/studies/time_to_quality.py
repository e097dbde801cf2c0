"""Quality against CPU seconds: which training recipe gets there soonest.

A GAN on a CPU is limited by compute, not by iterations: a narrower network
or a smaller batch does more generator iterations per second, and whether
that buys quality sooner is an empirical question. This module measures it.
`CpuBudget` is a Keras callback that counts the CPU seconds the training
process spends (`time.process_time`, so a busy machine slows the wall clock
but not the count), scores the generator's samples every `eval_every`
seconds of it, and stops `fit` when the budget is spent; the scoring's own
CPU time is not counted. With `decay=True` it also lowers both learning
rates linearly to 0 over the budget, the WGAN-GP paper's linear decay with
CPU seconds in place of iterations.

`STUDIED_RECIPES` are the settings compared; `time_to_reach` and
`markdown_table` turn the curves into the answer: the CPU seconds each
recipe needs to reach a given classifier FID.
"""

import dataclasses
import math
import time
from typing import Callable
from typing import Optional

import keras
import numpy as np

from keras_wgan import argument_validation


@dataclasses.dataclass(frozen=True)
class StudiedRecipe:
    """One training setting of the study.

    Attributes:
        name: Its short name in the tables and plots.
        options: `train` options by `TrainConfig` field name (width,
            batch_size, n_critic, learning rates, generator_ema); the
            others keep `train`'s defaults.
        decay: Whether the learning rates decay linearly to 0 over the
            CPU budget.
        description: One line for the report.
    """

    name: str
    options: dict
    decay: bool = False
    description: str = ""


def _recipe(name, description, decay=False, **options):
    base = {"width": 32, "batch_size": 64, "n_critic": 5,
            "learning_rate": 2e-4}
    base.update(options)
    return StudiedRecipe(name, base, decay, description)


#: The settings compared, by name. The base is the shipped MNIST WGAN-GP:
#: width 32, batch 64, n_critic 5, Adam(2e-4, beta_1=0, beta_2=0.9),
#: penalty weight 10; each entry changes one or two of these.
STUDIED_RECIPES = {
    recipe.name: recipe
    for recipe in (
        _recipe("base", "width 32, batch 64, n_critic 5, lr 2e-4"),
        _recipe("width-16", "width 16", width=16),
        _recipe("width-64", "width 64", width=64),
        _recipe("batch-32", "batch 32", batch_size=32),
        _recipe("batch-128", "batch 128", batch_size=128),
        _recipe("ttur", "n_critic 1, TTUR: critic lr 4e-4, generator lr 1e-4 "
                "(Heusel et al., 2017)", n_critic=1, learning_rate=None,
                critic_learning_rate=4e-4, generator_learning_rate=1e-4),
        _recipe("ema", "generator EMA 0.999 (Yazici et al., 2019)",
                generator_ema=0.999),
        _recipe("decay", "lr decayed linearly to 0 over the budget",
                decay=True),
        _recipe("ema-decay", "EMA 0.999 and linear decay",
                decay=True, generator_ema=0.999),
        _recipe("width-16-ema-decay", "width 16, EMA 0.999, linear decay",
                decay=True, width=16, generator_ema=0.999),
        _recipe("quickstart", "the README's set-up command: width 16, "
                "batch 32, lr 3e-4", width=16, batch_size=32,
                learning_rate=3e-4),
        _recipe("width-16-ttur", "width 16, n_critic 1, TTUR: critic lr "
                "4e-4, generator lr 1e-4", width=16, n_critic=1,
                learning_rate=None, critic_learning_rate=4e-4,
                generator_learning_rate=1e-4),
    )
}


class CpuBudget(keras.callbacks.Callback):
    """Scores a GAN every `eval_every` CPU seconds and stops at `budget`.

    The CPU seconds are those of this process (all its threads) since
    `fit` began, less the time spent scoring. After each generator
    iteration (one `fit` step) the callback checks the clock; when it has
    passed the next multiple of `eval_every`, it calls `evaluate(model)`
    and appends a row to `self.curve`: `cpu_seconds`,
    `generator_iterations`, `wall_seconds` and the evaluation's numbers.
    When the count reaches `budget` it scores once more (unless it just
    did) and sets `model.stop_training`.

    Args:
        budget: CPU seconds of training, a number > 0.
        eval_every: CPU seconds between evaluations, a number > 0.
        evaluate: A function of the model returning a dict of numbers
            (e.g. classifier FID and score).
        decay: If `True`, both optimizers' learning rates fall linearly
            from their values at the start to 0 at the budget (the
            optimizers must have constant rates, not schedules).
        clock: The CPU clock, `time.process_time` (a test may pass its
            own).

    Example:

    >>> gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8),
    ...                         keras_wgan.toy.toy_generator(2, 2, width=8))
    >>> gan.compile()
    >>> budget = CpuBudget(budget=0.2, eval_every=0.1,
    ...                    evaluate=lambda model: {"score": 1.0})
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(64000, seed=0),
    ...                   batch_size=64, epochs=100, verbose=0,
    ...                   callbacks=[budget])
    >>> last = budget.curve[-1]
    >>> last["cpu_seconds"] >= 0.2
    True
    >>> last["generator_iterations"] == int(gan.generator_optimizer.iterations)
    True
    """

    def __init__(self, budget: float, eval_every: float,
                 evaluate: Callable[[keras.Model], dict],
                 decay: bool = False,
                 clock: Callable[[], float] = time.process_time):
        super().__init__()
        self.budget = argument_validation.check_float(
            "budget", budget, 0.0, inclusive=False)
        self.eval_every = argument_validation.check_float(
            "eval_every", eval_every, 0.0, inclusive=False)
        self.evaluate = evaluate
        self.decay = bool(decay)
        self.clock = clock
        self.curve: list[dict] = []
        # Set by on_train_begin; `used` is read only while training.
        self._start = 0.0
        self._excluded = 0.0
        self._next = self.eval_every
        self._iterations = 0
        self._wall_start = 0.0
        self._rates: list[float] = []

    def used(self) -> float:
        """The CPU seconds of training so far (scoring excluded)."""
        return self.clock() - self._start - self._excluded

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self._start = self.clock()
        self._wall_start = time.monotonic()
        if self.decay:
            self._rates = [float(keras.ops.convert_to_numpy(
                optimizer.learning_rate)) for optimizer in self._optimizers()]

    def _optimizers(self):
        return [getattr(self.model, name) for name in
                ("critic_optimizer", "generator_optimizer")]

    def on_train_batch_begin(self, batch: int,
                             logs: Optional[dict] = None) -> None:
        if self.decay:
            left = max(0.0, 1.0 - self.used() / self.budget)
            for optimizer, rate in zip(self._optimizers(), self._rates):
                optimizer.learning_rate = rate * left

    def on_train_batch_end(self, batch: int,
                           logs: Optional[dict] = None) -> None:
        self._iterations += 1
        used = self.used()
        if used >= self.budget:
            self._score(used)
            self.model.stop_training = True
        elif used >= self._next:
            self._score(used)
            self._next = (math.floor(used / self.eval_every) + 1) \
                * self.eval_every

    def _score(self, used):
        if self.curve and self.curve[-1]["generator_iterations"] == \
                self._iterations:
            return
        before = self.clock()
        row = {"cpu_seconds": used,
               "generator_iterations": self._iterations,
               "wall_seconds": time.monotonic() - self._wall_start}
        row.update(self.evaluate(self.model))
        self.curve.append(row)
        self._excluded += self.clock() - before


def time_to_reach(curve: list, key: str, target: float,
                  lower_is_better: bool = True) -> Optional[float]:
    """The CPU seconds at which a curve first reaches `target`.

    Args:
        curve: Rows as `CpuBudget.curve`, in order.
        key: The measurement, e.g. `"classifier_fid"`.
        target: The value to reach.
        lower_is_better: Whether reaching means `<= target` (FID) or
            `>= target` (a score).

    Returns:
        The first row's `cpu_seconds` that reaches it, or `None` if none
        does.

    Example:

    >>> curve = [{"cpu_seconds": 60, "fid": 90.0},
    ...          {"cpu_seconds": 120, "fid": 40.0},
    ...          {"cpu_seconds": 180, "fid": 45.0}]
    >>> time_to_reach(curve, "fid", 50.0), time_to_reach(curve, "fid", 10.0)
    (120, None)
    """
    for row in curve:
        value = row[key]
        if value is None or not math.isfinite(value):
            continue
        if (value <= target) if lower_is_better else (value >= target):
            return row["cpu_seconds"]
    return None


def best(curve: list, key: str, lower_is_better: bool = True) -> dict:
    """The row of `curve` with the best `key` (finite values only).

    Example:

    >>> best([{"fid": 3.0}, {"fid": 2.0}, {"fid": float("nan")}], "fid")
    {'fid': 2.0}
    """
    rows = [row for row in curve
            if row[key] is not None and math.isfinite(row[key])]
    if not rows:
        raise ValueError(f"curve has no finite {key!r} value.")
    pick = min if lower_is_better else max
    return pick(rows, key=lambda row: row[key])


def fastest(results: dict, key: str, target: float) -> Optional[str]:
    """The recipe that reaches `target` (lower is better) in the fewest
    CPU seconds, or `None` if none reaches it.

    Args:
        results: Curves by recipe name.
        key: The measurement.
        target: The value to reach.

    Example:

    >>> fastest({"a": [{"cpu_seconds": 9, "fid": 5.0}],
    ...          "b": [{"cpu_seconds": 4, "fid": 6.0},
    ...                {"cpu_seconds": 8, "fid": 4.0}]}, "fid", 5.0)
    'b'
    """
    reached = {name: time_to_reach(curve, key, target)
               for name, curve in results.items()}
    found: dict[str, float] = {name: seconds
                               for name, seconds in reached.items()
                               if seconds is not None}
    if not found:
        return None
    return min(found, key=lambda name: found[name])


def markdown_table(results: dict, targets: list,
                   descriptions: Optional[dict] = None,
                   key: str = "classifier_fid") -> str:
    """A Markdown table: per recipe, CPU seconds to reach each target,
    the best value and the generator iterations it took.

    Args:
        results: Curves by recipe name (rows as `CpuBudget.curve`).
        targets: The values of `key` to reach (lower is better).
        descriptions: One line per recipe name, or `None`.
        key: The measurement.

    Returns:
        The table, one line per recipe, "—" where a target was not
        reached; the fastest time per target in bold.

    Example:

    >>> print(markdown_table({"a": [{"cpu_seconds": 9.0, "fid": 5.0,
    ...                              "generator_iterations": 30}]},
    ...                      [10.0, 1.0], key="fid"))
    | recipe | CPU s to fid ≤ 10 | CPU s to fid ≤ 1 | best fid | at CPU s | iterations |
    |---|---|---|---|---|---|
    | a | **9** | — | 5 | 9 | 30 |
    """
    descriptions = descriptions or {}
    heads = [f"CPU s to {key} ≤ {target:g}" for target in targets]
    lines = ["| recipe | " + " | ".join(heads)
             + f" | best {key} | at CPU s | iterations |",
             "|---" * (len(targets) + 4) + "|"]
    winners = [fastest(results, key, target) for target in targets]
    for name, curve in results.items():
        cells = []
        for target, winner in zip(targets, winners):
            seconds = time_to_reach(curve, key, target)
            cell = "—" if seconds is None else f"{seconds:.0f}"
            cells.append(f"**{cell}**" if name == winner else cell)
        top = best(curve, key)
        label = name if name not in descriptions else \
            f"{name} ({descriptions[name]})"
        lines.append(f"| {label} | " + " | ".join(cells)
                     + f" | {top[key]:.3g} | {top['cpu_seconds']:.0f} | "
                     f"{top['generator_iterations']} |")
    return "\n".join(lines)


def plot_curves(results: dict, path: str, floor: Optional[float] = None,
                key: str = "classifier_fid") -> None:
    """Draws `key` against CPU seconds, one line per recipe, to `path`.

    Args:
        results: Curves by recipe name.
        path: The image file to write (PNG).
        floor: The real-data floor of `key`, drawn as a dashed line.
        key: The measurement (log scale).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(7, 4.5))
    for name, curve in results.items():
        axis.plot([row["cpu_seconds"] for row in curve],
                  [row[key] for row in curve], marker=".", label=name)
    if floor is not None:
        axis.axhline(floor, color="black", linestyle="--",
                     label="real data (floor)")
    axis.set_yscale("log")
    axis.set_xlabel("CPU seconds of training (one thread)")
    axis.set_ylabel(key.replace("_", " "))
    axis.legend(fontsize="small", ncol=2)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def curve_array(curve: list, key: str) -> np.ndarray:
    """`(cpu_seconds, key)` pairs of a curve as a float array `(n, 2)`.

    Example:

    >>> curve_array([{"cpu_seconds": 1, "fid": 2.0}], "fid").tolist()
    [[1.0, 2.0]]
    """
    return np.array([[row["cpu_seconds"], row[key]] for row in curve],
                    dtype="float64").reshape(-1, 2)
