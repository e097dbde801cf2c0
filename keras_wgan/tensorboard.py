"""TensorBoard logs of a GAN's training, without TensorFlow.

Keras's own `keras.callbacks.TensorBoard` writes through TensorFlow's
summary ops, so it needs TensorFlow whatever the backend. `TensorBoard`
here writes the event files with the `tensorboard` package's event writer
alone (`pip install keras-wgan[tensorboard]`), on every Keras backend: per
epoch the logged scalars (both losses, the Wasserstein estimate, the
penalty, a quality metric such as `classifier_fid` when a callback before
it adds one), both learning rates, and a sample grid as an image. Open
the logs with `tensorboard --logdir DIR`.
"""

import io
import os
import time
from typing import Any
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.image_grids import image_grid
from keras_wgan.tensor_types import ArrayLike

if TYPE_CHECKING:
    from keras_wgan.callbacks import SampleGrid

__all__ = [
    "TensorBoard",
    "png_bytes",
]

_INSTALL = "pip install keras-wgan[tensorboard]"


def _event_writer(log_dir):
    try:
        from tensorboard.summary.writer.event_file_writer import (
            EventFileWriter)
    except ImportError as error:
        raise ImportError(
            f"keras_wgan.callbacks.TensorBoard needs the tensorboard package "
            f"({_INSTALL}); importing it failed: {error}") from None
    return EventFileWriter(log_dir)


def _protos():
    from tensorboard.compat.proto import event_pb2
    from tensorboard.compat.proto import summary_pb2

    return event_pb2, summary_pb2


def png_bytes(images: ArrayLike, columns: int | None = None) -> bytes:
    """Returns the PNG file of `image_grid(images, columns)`, as bytes.

    The same bytes as `keras_wgan.image_grids.save_image_grid` writes for the
    same images (an RGBA PNG written by matplotlib).

    Example:

    >>> png = png_bytes(np.zeros((4, 2, 2, 1), "float32"))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from matplotlib import image as mpl_image

    grid = image_grid(images, columns=columns)
    if grid.shape[-1] == 1:
        grid = np.repeat(grid, 3, axis=-1)
    buffer = io.BytesIO()
    mpl_image.imsave(buffer, grid, format="png")
    return buffer.getvalue()


def _png_size(png):
    # Width and height are the first fields of the IHDR chunk.
    return (int.from_bytes(png[16:20], "big"),
            int.from_bytes(png[20:24], "big"))


@keras.saving.register_keras_serializable(package="keras_wgan")
class TensorBoard(keras.callbacks.Callback):
    """Logs scalars and sample grids for TensorBoard, without TensorFlow.

    After every epoch it writes, at step `epoch + 1` (the epochs done, the
    number in the sample grids' file names):

    - every number in the epoch's logs under its own name (`critic_loss`,
      `generator_loss`, `wasserstein_estimate`, `gradient_penalty`, ...;
      also `classifier_fid` and the like when a callback before this one
      in the list, such as `keras_wgan.callbacks.QualityMetrics`, adds
      them);
    - `learning_rate/critic` and `learning_rate/generator`, the
      optimizers' current rates;
    - the image `samples`, every `every` epochs and at the last: the PNG
      grid that `grids` (a `keras_wgan.callbacks.SampleGrid` earlier in
      the list) has just written, byte for byte, or without `grids` a grid
      of `num_samples` images from fixed noise drawn once from `seed`
      (the same images `SampleGrid(num_samples=..., seed=...)` shows).

    The events go to `log_dir` through the `tensorboard` package's event
    writer (`pip install keras-wgan[tensorboard]`), on every backend; view
    them with `tensorboard --logdir log_dir`. Each `fit` starts with a
    restart marker at its first epoch, so that TensorBoard drops the
    points of earlier fits from that epoch on: a resumed run that trains
    an epoch again shows it once.

    Args:
        log_dir: Folder of the event files; created at the start of `fit`.
        num_samples: Images per grid without `grids`, an int >= 1.
        every: Log a grid after every `every`-th epoch (and the last).
        seed: Int seed of the grid's noise without `grids`.
        grids: A `SampleGrid` placed before this callback, whose files are
            logged instead of drawing a grid here; `None` draws one.

    Example:

    >>> critic = keras.Sequential([
    ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
    ...     keras.layers.Dense(1, name="score")])
    >>> generator = keras.Sequential([
    ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
    ...     keras.layers.Reshape((4, 4, 1))])
    >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
    >>> gan.compile()
    >>> images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    >>> board = TensorBoard("logs", num_samples=4)
    >>> history = gan.fit(images, batch_size=8, epochs=2, callbacks=[board],
    ...                   verbose=0)
    >>> from tensorboard.backend.event_processing import event_accumulator
    >>> events = event_accumulator.EventAccumulator("logs")
    >>> _ = events.Reload()
    >>> [e.step for e in events.Scalars("critic_loss")]
    [1, 2]
    >>> sorted(events.Tags()["images"])
    ['samples']
    """

    def __init__(self, log_dir: str | os.PathLike, num_samples: int = 64,
                 every: int = 1, seed: int = 0,
                 grids: "SampleGrid | None" = None) -> None:
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.num_samples = argument_validation.check_int("num_samples",
                                                         num_samples)
        self.every = argument_validation.check_int("every", every)
        self.seed = argument_validation.check_int("seed", seed, minimum=0)
        self.grids = grids
        self._writer: Any = None
        self._noise = None
        self._started = False
        # Checked when the callback is made, not when fit begins.
        try:
            import tensorboard  # noqa: F401
        except ImportError as error:
            raise ImportError(
                "keras_wgan.callbacks.TensorBoard needs the tensorboard "
                f"package ({_INSTALL}); importing it failed: {error}"
            ) from None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        os.makedirs(self.log_dir, exist_ok=True)
        self._writer = _event_writer(self.log_dir)
        self._started = False
        conditional = getattr(self.model, "num_classes", None) is not None
        if self.grids is None and not conditional and self._noise is None:
            self._noise = keras.random.normal(
                (self.num_samples, self.model.latent_dim), seed=self.seed)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._started:
            # A restart marker: TensorBoard drops the points an earlier fit
            # wrote from this step on (epochs a resumed run trains again).
            event_pb2, _ = _protos()
            self._writer.add_event(event_pb2.Event(
                step=epoch + 1, wall_time=time.time(),
                session_log=event_pb2.SessionLog(
                    status=event_pb2.SessionLog.START)))
            self._started = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        step = epoch + 1
        values = {}
        for name, value in (logs or {}).items():
            try:
                values[name] = float(keras.ops.convert_to_numpy(value))
            except (TypeError, ValueError):
                continue  # not a scalar
        for player in ("critic", "generator"):
            optimizer = getattr(self.model, f"{player}_optimizer", None)
            if optimizer is not None:
                values[f"learning_rate/{player}"] = float(
                    keras.ops.convert_to_numpy(optimizer.learning_rate))
        self._write_scalars(step, values)
        last = step == self.params.get("epochs")
        if step % self.every == 0 or last:
            png = self._grid_png(step)
            if png is not None:
                self._write_image(step, "samples", png)
        self._writer.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _grid_png(self, step):
        if self.grids is not None:
            wanted = f"epoch_{step:03d}.png"
            for path in reversed(self.grids.paths):
                if os.path.basename(path) == wanted:
                    with open(path, "rb") as f:
                        return f.read()
            return None  # that SampleGrid wrote no grid this epoch
        if getattr(self.model, "num_classes", None) is not None:
            images, columns = self.model.class_grid(self.num_samples,
                                                    seed=self.seed)
            return png_bytes(images, columns)
        return png_bytes(self.model.generate_from(self._noise))

    def _write_scalars(self, step, values):
        event_pb2, summary_pb2 = _protos()
        summary = summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(tag=name, simple_value=value)
            for name, value in values.items()])
        self._writer.add_event(event_pb2.Event(step=step, summary=summary,
                                               wall_time=time.time()))

    def _write_image(self, step, tag, png):
        event_pb2, summary_pb2 = _protos()
        width, height = _png_size(png)
        image = summary_pb2.Summary.Image(height=height, width=width,
                                          colorspace=4,
                                          encoded_image_string=png)
        summary = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, image=image)])
        self._writer.add_event(event_pb2.Event(step=step, summary=summary,
                                               wall_time=time.time()))

    def get_config(self) -> dict[str, Any]:
        return {"log_dir": self.log_dir, "num_samples": self.num_samples,
                "every": self.every, "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "TensorBoard":
        return cls(**config)
