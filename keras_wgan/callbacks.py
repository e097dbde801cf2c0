"""Keras callbacks for watching a GAN train and stopping it when it breaks.

Also public here: `Checkpoint` (from `keras_wgan.checkpoints`),
`QualityMetrics` (from `keras_wgan.quality`) and `TensorBoard` (from
`keras_wgan.tensorboard`, TensorBoard logs without TensorFlow).
"""

import math
import os
from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan.checkpoints import Checkpoint  # noqa: F401 (public here)
from keras_wgan.errors import NonFiniteError
from keras_wgan.image_grids import save_image_grid
from keras_wgan.quality.callback import QualityMetrics  # noqa: F401 (public here)
from keras_wgan.tensorboard import TensorBoard  # noqa: F401 (public here)

__all__ = [
    "Checkpoint",
    "QualityMetrics",
    "SampleGrid",
    "TensorBoard",
    "TerminateOnNonFinite",
]


@keras.saving.register_keras_serializable(package="keras_wgan")
class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of generated samples every `every` epochs.

    The noise batch is drawn once, from `seed`, so successive grids show how
    the same latent points evolve during training.

    For a class-conditional model (one with a `num_classes` attribute, such
    as `keras_wgan.ConditionalWGANGP`) the grid has one row per class, class
    0 at the top, from the model's `class_grid(num_samples, seed)`:
    `num_samples` is rounded up to whole rows, `columns =
    ceil(num_samples / num_classes)`, and each column is one noise vector,
    the same in every row and at every epoch.

    Args:
        directory: Folder for the pictures; created when the first grid is
            written. Files are named `epoch_001.png`, `epoch_002.png`, ...
        num_samples: Images per grid, an int >= 1 (default 64, an 8x8 grid;
            for a conditional model, rounded up to whole rows of classes).
        every: Write a grid after every `every`-th epoch (default 1); the
            last epoch of `fit` always gets one.
        seed: Int seed of the fixed noise batch.

    Example:

    A GAN of 4x4 images, small to keep the example fast:

    >>> critic = keras.Sequential([
    ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
    ...     keras.layers.Dense(1, name="score")])
    >>> generator = keras.Sequential([
    ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
    ...     keras.layers.Reshape((4, 4, 1))])
    >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
    >>> gan.compile()
    >>> images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    >>> grid = SampleGrid("samples", num_samples=4, every=2)
    >>> history = gan.fit(images, batch_size=8, epochs=3, callbacks=[grid],
    ...                   verbose=0)
    >>> grid.paths  # every second epoch, and the last one
    ['samples/epoch_002.png', 'samples/epoch_003.png']
    """

    def __init__(self, directory: str | os.PathLike, num_samples: int = 64,
                 every: int = 1, seed: int = 0) -> None:
        super().__init__()
        self.directory = os.fspath(directory)
        self.num_samples = argument_validation.check_int("num_samples", num_samples)
        self.every = argument_validation.check_int("every", every)
        self.seed = argument_validation.check_int("seed", seed, minimum=0)
        self.paths: list[str] = []
        self._noise = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self._noise is None and not self._conditional:
            self._noise = keras.random.normal(
                (self.num_samples, self.model.latent_dim), seed=self.seed
            )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        last_epoch = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every == 0 or last_epoch:
            self.write(f"epoch_{epoch + 1:03d}.png")

    def write(self, filename: str) -> str:
        """Generates the fixed batch and writes its grid; returns the path."""
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, filename)
        if self._conditional:
            # The same seed gives the same noise at every call.
            images, columns = self.model.class_grid(self.num_samples,
                                                    seed=self.seed)
            save_image_grid(images, path, columns=columns)
        else:
            save_image_grid(self.model.generate_from(self._noise), path)
        self.paths.append(path)
        return path

    @property
    def _conditional(self):
        return getattr(self.model, "num_classes", None) is not None

    def get_config(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "num_samples": self.num_samples,
            "every": self.every,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "SampleGrid":
        # keras.callbacks.Callback has no from_config; without it the
        # registered class could be serialized but not deserialized.
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_wgan")
class TerminateOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or Inf in any logged quantity.

    Keras's `TerminateOnNaN` watches only `loss`, which a GAN does not log,
    and stops at the end of the step, after which callbacks may still save
    the broken weights. This callback checks every logged value after every
    step and raises `NonFiniteError` at once, naming the epoch, the step and
    the quantity, so that no later callback (checkpoint, sample grid) runs.

    Example:

    A critic whose score is infinite makes the first step's loss NaN:

    >>> critic = keras.Sequential([
    ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
    ...     keras.layers.Dense(1, name="score")])
    >>> generator = keras.Sequential([
    ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
    ...     keras.layers.Reshape((4, 4, 1))])
    >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
    >>> gan.compile()
    >>> images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    >>> _ = critic.get_layer("score").bias.assign(np.full(1, np.inf))
    >>> gan.fit(images, batch_size=8, callbacks=[TerminateOnNonFinite()],
    ...         verbose=0)
    Traceback (most recent call last):
    ...
    keras_wgan.errors.NonFiniteError: critic_loss became nan at epoch 1, ...
    """

    def __init__(self) -> None:
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        for name, value in (logs or {}).items():
            value = float(keras.ops.convert_to_numpy(value))
            if not math.isfinite(value):
                steps = self.params.get("steps")
                where = f"epoch {self._epoch + 1}, step {batch + 1}"
                if steps:
                    where += f" of {steps}"
                raise NonFiniteError(
                    f"{name} became {value} at {where}; training stopped "
                    "before anything else was saved (lower the learning "
                    "rate, or check the data for NaN/Inf)."
                )

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "TerminateOnNonFinite":
        return cls(**config)
