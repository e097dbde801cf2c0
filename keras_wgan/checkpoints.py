"""Checkpoints that a crash cannot corrupt, the last few of them kept.

A checkpoint is a complete `.keras` file (both networks, both optimizers'
state and the noise generator's state). It is written under a temporary
name in the same folder, flushed to disk, then renamed over its final name:
a rename within a folder is atomic, so a run killed at any moment leaves
either the previous file or the new one, never half of one.
"""

import os
import re
import shutil

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan._atomic import write_atomically
from keras_wgan.errors import NonFiniteError

CHECKPOINT_FORMAT = "epoch_{epoch:04d}.keras"
_CHECKPOINT_RE = re.compile(r"^epoch_(\d{4,})\.keras$")


def save_atomically(model, path):
    """Saves `model` to the `.keras` file `path` with an atomic rename.

    Args:
        model: The model to save.
        path: Destination file name, ending in `.keras`.

    Returns:
        `path`.
    """
    # The temporary name starts with a dot and ends in ".tmp.keras", so it
    # never matches a checkpoint name.
    return write_atomically(path, model.save)


def link_atomically(source, path):
    """Makes `path` name the same file as `source`, atomically.

    A hard link costs no copy; where the file system has none, the file is
    copied under the temporary name instead. Either way `path` is replaced
    in one rename.
    """

    def write(temporary):
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)

    return write_atomically(path, write)


def list_checkpoints(directory):
    """Returns `[(epoch, path), ...]` of the checkpoints in `directory`.

    Sorted by epoch. Temporary files of an interrupted save are not listed.
    A missing folder has no checkpoints.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return []
    found = []
    for name in os.listdir(directory):
        match = _CHECKPOINT_RE.match(name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(found)


def latest_checkpoint(directory):
    """Returns `(epoch, path)` of the newest checkpoint, or `None`."""
    found = list_checkpoints(directory)
    return found[-1] if found else None


def check_finite_weights(model):
    """Raises `NonFiniteError` naming the first weight with a NaN or Inf.

    Example:

    >>> critic = architectures.mnist_critic(width=4)
    >>> check_finite_weights(critic)  # all finite: no error
    >>> _ = critic.get_layer("score").bias.assign(np.full(1, np.nan))
    >>> check_finite_weights(critic)
    Traceback (most recent call last):
    ...
    keras_wgan.errors.NonFiniteError: weight 'score/bias' holds NaN or Inf values.
    """
    for variable in model.weights:
        values = keras.ops.convert_to_numpy(variable)
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            raise NonFiniteError(
                f"weight '{variable.path}' holds NaN or Inf values."
            )


@keras.saving.register_keras_serializable(package="keras_wgan")
class Checkpoint(keras.callbacks.Callback):
    """Saves the whole model atomically at the end of every epoch.

    Each checkpoint is `directory/epoch_NNNN.keras`, where NNNN counts the
    epochs completed (so it is the `initial_epoch` to resume with). Only the
    newest `keep` are kept. A model whose weights are no longer finite is
    never saved: the callback raises `NonFiniteError` instead, so the last
    good checkpoint stays the newest.

    Args:
        directory: Folder of the checkpoints; created when needed.
        keep: Number of checkpoints to keep, an int >= 1 (default 3).
        latest: Optional path that always names the newest checkpoint
            (e.g. `runs/a/model.keras`); updated atomically, as a hard link
            where possible, so it costs no second write.
        every: Save after every `every`-th epoch (default 1); the last epoch
            of `fit` is always saved.

    Example:

    Train 3 epochs keeping the newest 2 checkpoints, then resume from the
    newest for a 4th epoch (a GAN of 4x4 images, small to keep the example
    fast):

    >>> critic = keras.Sequential([
    ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
    ...     keras.layers.Dense(1, name="score")])
    >>> generator = keras.Sequential([
    ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
    ...     keras.layers.Reshape((4, 4, 1))])
    >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
    >>> gan.compile()
    >>> images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    >>> history = gan.fit(images, batch_size=8, epochs=3, verbose=0,
    ...                   callbacks=[Checkpoint("checkpoints", keep=2)])
    >>> list_checkpoints("checkpoints")
    [(2, 'checkpoints/epoch_0002.keras'), (3, 'checkpoints/epoch_0003.keras')]
    >>> epoch, path = latest_checkpoint("checkpoints")
    >>> gan = keras.models.load_model(path)
    >>> history = gan.fit(images, batch_size=8, initial_epoch=epoch,
    ...                   epochs=4, verbose=0)
    >>> int(gan.generator_optimizer.iterations)  # 2 steps an epoch, 4 epochs
    8
    """

    def __init__(self, directory, keep=3, latest=None, every=1):
        super().__init__()
        self.directory = os.fspath(directory)
        self.keep = argument_validation.check_int("keep", keep)
        self.latest = None if latest is None else os.fspath(latest)
        self.every = argument_validation.check_int("every", every)
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        completed = epoch + 1
        if completed % self.every and completed != self.params.get("epochs"):
            return
        self.save(completed)

    def save(self, completed_epochs):
        """Writes the checkpoint for `completed_epochs`; returns its path."""
        check_finite_weights(self.model)
        path = os.path.join(
            self.directory, CHECKPOINT_FORMAT.format(epoch=completed_epochs)
        )
        save_atomically(self.model, path)
        if self.latest is not None:
            link_atomically(path, self.latest)
        self.paths.append(path)
        for _, old in list_checkpoints(self.directory)[: -self.keep]:
            _remove(old)
        return path

    def get_config(self):
        return {
            "directory": self.directory,
            "keep": self.keep,
            "latest": self.latest,
            "every": self.every,
        }

    @classmethod
    def from_config(cls, config):
        # keras.callbacks.Callback has no from_config; without it the
        # registered class could be serialized but not deserialized.
        return cls(**config)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
