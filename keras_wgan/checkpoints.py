"""Checkpoints that a crash cannot corrupt, the last few of them kept.

A checkpoint is a complete `.keras` file (both networks, both optimizers'
state and the noise generator's state). It is written under a temporary
name in the same folder, flushed to disk, then renamed over its final name:
a rename within a folder is atomic, so a run killed at any moment leaves
either the previous file or the new one, never half of one.

`Checkpoint` also records each file's SHA-256 in `manifest.json` beside the
checkpoints before the file takes its final name, so a later reader can tell
a checkpoint that is the one written from one that was damaged or replaced
since (`verify_checkpoint`).
"""

import hashlib
import json
import os
import re
import shutil
from typing import Any

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan._atomic import write_atomically
from keras_wgan.errors import NonFiniteError

CHECKPOINT_FORMAT = "epoch_{epoch:04d}.keras"
#: The file beside the checkpoints that records each one's SHA-256.
MANIFEST_NAME = "manifest.json"
_CHECKPOINT_RE = re.compile(r"^epoch_(\d{4,})\.keras$")


def save_atomically(model: keras.Model, path: str) -> str:
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


def copy_atomically(source: str, path: str) -> str:
    """Makes `path` a copy of the file `source`, replaced in one rename.

    A copy, not a hard link: a link would make `path` and `source` one
    file, so that copying another file over `path` (`cp other.keras
    model.keras`) or writing into it would change `source` too.

    Example:

    >>> with open("epoch_0002.keras", "wb") as f:
    ...     _ = f.write(b"weights")
    >>> copy_atomically("epoch_0002.keras", "model.keras")
    'model.keras'
    >>> os.path.samefile("epoch_0002.keras", "model.keras")
    False
    """
    return write_atomically(path, lambda temporary: shutil.copyfile(
        source, temporary))


def file_digest(path: str) -> str:
    """Returns the SHA-256 of the bytes of the file `path`, in hex.

    Example:

    >>> with open("empty.bin", "wb") as f:
    ...     pass
    >>> file_digest("empty.bin")[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: str) -> dict[str, str] | None:
    """Returns `{checkpoint name: SHA-256}` recorded in `directory`.

    Returns `None` where there is no readable `manifest.json` (checkpoints
    written before there was one, or a damaged manifest): their checkpoints
    cannot be verified, only loaded.
    """
    try:
        with open(os.path.join(os.fspath(directory), MANIFEST_NAME)) as f:
            manifest = json.load(f)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    digests = manifest.get("sha256") if isinstance(manifest, dict) else None
    if not isinstance(digests, dict):
        return None
    return {name: value for name, value in digests.items()
            if isinstance(value, str)}


def record_digest(path: str, digest: str) -> None:
    """Records `digest` as the SHA-256 of the checkpoint `path`.

    The manifest is rewritten atomically; entries of checkpoints that are
    gone are dropped from it.
    """
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    _write_manifest(directory, {name: digest})


def _write_manifest(directory, new=None):
    digests = read_manifest(directory) or {}
    kept = {name: value for name, value in digests.items()
            if os.path.exists(os.path.join(directory, name))}
    kept.update(new or {})

    def write(temporary):
        with open(temporary, "w") as f:
            json.dump({"format": 1, "sha256": dict(sorted(kept.items()))}, f,
                      indent=1)

    write_atomically(os.path.join(directory, MANIFEST_NAME), write)


def verify_checkpoint(path: str) -> str | None:
    """Says whether the checkpoint `path` is the file that was written.

    Returns:
        `None` if its SHA-256 is the one `Checkpoint` recorded, or if its
        folder has no manifest (it cannot be verified, only loaded);
        otherwise the reason, e.g. `"its SHA-256 differs from the one
        recorded when it was written"`.

    Example:

    >>> gan = keras_wgan.WGAN(architectures.mnist_critic(width=2),
    ...                       architectures.mnist_generator(4, width=2))
    >>> gan.compile()
    >>> saver = Checkpoint("ckpt")
    >>> saver.set_model(gan)
    >>> path = saver.save(1)
    >>> verify_checkpoint(path) is None
    True
    >>> with open(path, "ab") as f:
    ...     _ = f.write(b"garbage")
    >>> verify_checkpoint(path)
    'its SHA-256 differs from the one recorded when it was written'
    """
    directory, name = os.path.split(os.fspath(path))
    digests = read_manifest(directory or ".")
    if digests is None:
        return None
    if name not in digests:
        return f"{MANIFEST_NAME} has no record of it (not written by this run)"
    try:
        digest = file_digest(path)
    except OSError as error:  # e.g. its permissions: as good as damaged
        return f"not readable ({error.strerror or error})"
    if digest != digests[name]:
        return "its SHA-256 differs from the one recorded when it was written"
    return None


def list_checkpoints(directory: str) -> list[tuple[int, str]]:
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


def latest_checkpoint(directory: str) -> tuple[int, str] | None:
    """Returns `(epoch, path)` of the newest checkpoint, or `None`."""
    found = list_checkpoints(directory)
    return found[-1] if found else None


def check_finite_weights(model: keras.Model) -> None:
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
    epochs completed (so it is the `initial_epoch` to resume with), and its
    SHA-256 is recorded in `directory/manifest.json` before the file takes
    its name (`verify_checkpoint`). Only the newest `keep` are kept. A model whose weights are no longer finite is
    never saved: the callback raises `NonFiniteError` instead, so the last
    good checkpoint stays the newest.

    Args:
        directory: Folder of the checkpoints; created when needed.
        keep: Number of checkpoints to keep, an int >= 1 (default 3).
        latest: Optional path that always holds a copy of the newest
            checkpoint (e.g. `runs/a/model.keras`), replaced atomically. A
            copy, not a link, so that nothing done to it can change a
            checkpoint.
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

    def __init__(self, directory: str, keep: int = 3,
                 latest: str | None = None, every: int = 1) -> None:
        super().__init__()
        self.directory = os.fspath(directory)
        self.keep = argument_validation.check_int("keep", keep)
        self.latest = None if latest is None else os.fspath(latest)
        self.every = argument_validation.check_int("every", every)
        self.paths: list[str] = []

    def on_epoch_end(self, epoch: int,
                     logs: dict[str, Any] | None = None) -> None:
        completed = epoch + 1
        if completed % self.every and completed != self.params.get("epochs"):
            return
        self.save(completed)

    def save(self, completed_epochs: int) -> str:
        """Writes the checkpoint for `completed_epochs`; returns its path."""
        check_finite_weights(self.model)
        path = os.path.join(
            self.directory, CHECKPOINT_FORMAT.format(epoch=completed_epochs)
        )

        def write(temporary):
            self.model.save(temporary)
            # Recorded before the rename: a kill between the two leaves a
            # record of a file not yet there (ignored), never a checkpoint
            # without its record.
            record_digest(path, file_digest(temporary))

        write_atomically(path, write)
        if self.latest is not None:
            copy_atomically(path, self.latest)
        self.paths.append(path)
        pruned = list_checkpoints(self.directory)[: -self.keep]
        for _, old in pruned:
            _remove(old)
        if pruned:
            _write_manifest(self.directory)
        return path

    def get_config(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "keep": self.keep,
            "latest": self.latest,
            "every": self.every,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Checkpoint":
        # keras.callbacks.Callback has no from_config; without it the
        # registered class could be serialized but not deserialized.
        return cls(**config)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
