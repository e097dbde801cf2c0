"""What a comparison keeps on disk so that a stopped one can continue.

A comparison of hours (`python -m keras_wgan compare --resume`) must survive
a stop. Each variant keeps a folder `<out>/state/<variant>/` holding

- `progress.json` and the checkpoint it names: the model (both networks,
  both optimizers' state, the noise generator's state) and the history of
  evaluations at the last evaluation, which is always at the end of a
  `fit` epoch (`eval_every` generator iterations), so that a continued run
  reads the same batches and draws the same noise as an uninterrupted one;
- `final.json` and `final.npz`, once the variant has spent its budget: its
  result for the report and its final samples and critic weights.

Every file is written under a temporary name and renamed (an atomic step),
the checkpoint before the `progress.json` that names it, so a stop at any
moment leaves a state that loads. `<out>/state/config.json` holds the
settings every variant of the comparison shares: a continued comparison
must have the same, though its budget may grow and its variants change.
"""

import dataclasses
import json
import os
import shutil
from collections.abc import Sequence
from typing import Any
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_wgan._atomic import write_atomically
from keras_wgan.checkpoints import save_atomically

if TYPE_CHECKING:
    from keras_wgan.studies.compare import CompareConfig

#: The folder under a comparison's output folder that holds its state.
STATE_FOLDER = "state"
#: The `CompareConfig` fields a continued comparison may change.
MAY_CHANGE = ("out", "variants", "iterations", "seconds")


def shared_settings(config: "CompareConfig") -> dict[str, Any]:
    """Returns the settings of `config` a continued comparison must keep.

    Example:

    >>> from keras_wgan.studies.compare import CompareConfig
    >>> settings = shared_settings(CompareConfig("toy-8gaussians", "runs/a",
    ...                                          iterations=500))
    >>> settings["eval_every"], "iterations" in settings
    (50, False)
    """
    return {key: value for key, value in dataclasses.asdict(config).items()
            if key not in MAY_CHANGE}


def changed_settings(config: "CompareConfig") -> list[str]:
    """Names the shared settings that differ from those stored in `config.out`.

    Args:
        config: The comparison to continue.

    Returns:
        One `"name: stored -> given"` line per difference; empty when the
        folder holds no state or the same settings.

    Example:

    >>> from keras_wgan.studies.compare import CompareConfig
    >>> config = CompareConfig("toy-8gaussians", "runs/b", iterations=500)
    >>> save_settings(config)
    >>> changed_settings(CompareConfig("toy-8gaussians", "runs/b",
    ...                                iterations=900, batch_size=32))
    ['batch_size: 64 -> 32']
    """
    path = os.path.join(config.out, STATE_FOLDER, "config.json")
    if not os.path.exists(path):
        return []
    with open(path) as file:
        stored = json.load(file)
    given = json.loads(json.dumps(shared_settings(config)))
    return [f"{key}: {stored.get(key)!r} -> {given.get(key)!r}"
            for key in sorted(set(stored) | set(given))
            if stored.get(key) != given.get(key)]


def save_settings(config: "CompareConfig") -> None:
    """Writes the shared settings of `config` to `<out>/state/config.json`."""
    folder = os.path.join(config.out, STATE_FOLDER)
    os.makedirs(folder, exist_ok=True)
    _write_json(os.path.join(folder, "config.json"), shared_settings(config))


def has_state(out: str) -> bool:
    """Whether the folder `out` holds a comparison's state."""
    return os.path.exists(os.path.join(out, STATE_FOLDER, "config.json"))


@dataclasses.dataclass
class Progress:
    """A variant's training so far, at the end of a `fit` epoch.

    Args:
        model: The model, loaded from its checkpoint.
        epoch: The `fit` epochs done: `fit(..., initial_epoch=epoch)`
            continues the run.
        iterations: Generator iterations done.
        train_seconds: Training seconds spent (evaluations not counted).
        history: The evaluations so far, oldest first.
    """

    model: keras.Model
    epoch: int
    iterations: int
    train_seconds: float
    history: list[dict[str, Any]]


class VariantState:
    """The state folder of one variant of a comparison.

    Args:
        out: The comparison's output folder.
        name: The variant's name (`keras_wgan.models.registry.VARIANTS`).

    Example:

    >>> state = VariantState("runs/c", "wgan-gp")
    >>> state.load_progress() is None, state.load_final() is None
    (True, True)
    """

    def __init__(self, out: str, name: str) -> None:
        self.folder = os.path.join(out, STATE_FOLDER, name)

    def clear(self) -> None:
        """Removes the variant's state, to train it afresh."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def save_progress(self, model: keras.Model, epoch: int, iterations: int,
                      train_seconds: float,
                      history: Sequence[dict[str, Any]]) -> None:
        """Saves the model and its history at the end of `fit` epoch `epoch`.

        The checkpoint is written first, then `progress.json` naming it,
        then older checkpoints are removed: a stop between any two steps
        leaves a `progress.json` whose checkpoint exists.
        """
        os.makedirs(self.folder, exist_ok=True)
        checkpoint = f"epoch_{epoch:06d}.keras"
        save_atomically(model, os.path.join(self.folder, checkpoint))
        _write_json(os.path.join(self.folder, "progress.json"), {
            "checkpoint": checkpoint, "epoch": epoch,
            "iterations": iterations, "train_seconds": train_seconds,
            "history": list(history)})
        for name in os.listdir(self.folder):
            if name.endswith(".keras") and name != checkpoint:
                os.remove(os.path.join(self.folder, name))

    def iterations_done(self) -> int:
        """The generator iterations of the saved progress (0 without one)."""
        path = os.path.join(self.folder, "progress.json")
        if not os.path.exists(path):
            return 0
        with open(path) as file:
            return int(json.load(file)["iterations"])

    def load_progress(self) -> Progress | None:
        """Returns the saved `Progress`, or `None` when there is none."""
        path = os.path.join(self.folder, "progress.json")
        if not os.path.exists(path):
            return None
        with open(path) as file:
            progress = json.load(file)
        model = keras.models.load_model(
            os.path.join(self.folder, progress["checkpoint"]))
        return Progress(model, progress["epoch"], progress["iterations"],
                        progress["train_seconds"], progress["history"])

    def save_final(self, result: dict[str, Any],
                   arrays: dict[str, Any],
                   budget: dict[str, Any]) -> None:
        """Saves a variant that has spent `budget` (its result and arrays)."""
        os.makedirs(self.folder, exist_ok=True)
        write_atomically(os.path.join(self.folder, "final.npz"),
                         lambda temporary: np.savez(temporary, **arrays))
        _write_json(os.path.join(self.folder, "final.json"),
                    {"budget": budget, "result": result})

    def load_final(self) -> tuple[dict[str, Any], dict[str, np.ndarray],
                                  dict[str, Any]] | None:
        """Returns `(result, arrays, budget)` of a finished variant, or `None`."""
        path = os.path.join(self.folder, "final.json")
        if not os.path.exists(path):
            return None
        with open(path) as file:
            final = json.load(file)
        with np.load(os.path.join(self.folder, "final.npz")) as arrays:
            return final["result"], dict(arrays), final["budget"]


def _write_json(path, value):
    def write(temporary):
        with open(temporary, "w") as file:
            json.dump(value, file, indent=1)
    write_atomically(path, write)
