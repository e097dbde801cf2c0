"""The training of a `train` run, new or resumed: the callbacks that write
its run folder (metrics, sample grids, checkpoints, TensorBoard), the fit,
and the one line a NaN, a signal or a lost process ends it in.

`train.prepare` (a new run) and `resume.prepare` (`--resume`) check the
options and load what the run needs; both hand it to `train` here.
"""

import os
import re
import signal
from typing import Any

import keras

from keras_wgan import checkpoints as epoch_files
from keras_wgan import distribute
from keras_wgan.callbacks import Checkpoint
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TensorBoard
from keras_wgan.callbacks import TerminateOnNonFinite
from keras_wgan.cli import data_record
from keras_wgan.cli import signals
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.cli.train_config import RESUME_MAY_CHANGE
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.training_data import TrainingData
from keras_wgan.cli.training_data import steps_per_epoch
from keras_wgan.errors import NonFiniteError
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.nets.registry import default_architecture


def check_tensorboard(config: TrainConfig) -> None:
    """Raises `UsageError` if `--tensorboard` is given without the
    tensorboard package."""
    if not config.tensorboard:
        return
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise UsageError("--tensorboard needs the tensorboard package: pip "
                         "install keras-wgan[tensorboard] (TensorFlow is "
                         "not needed).") from None



def describe(config: TrainConfig, model: AdversarialModel,
             training_data: TrainingData, initial_epoch: int = 0) -> str:
    """One line on what `train` would do: the `--dry-run` output.

    Example:

    >>> from keras_wgan.cli.model_setup import build_model
    >>> config = TrainConfig(out="runs/a", model="wgan", width=2,
    ...                      latent_dim=4, epochs=2)
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> describe(config, model, TrainingData(images))
    'train WGAN on 640 images of shape 28x28x1 for epochs 1 to 2 (2 steps of 5 critic batches of 64 an epoch, 4 generator iterations) into runs/a'
    """
    steps = steps_per_epoch(config, len(training_data))
    epochs = config.epochs - initial_epoch
    shape = "x".join(map(str, training_data.image_shape))
    return (f"train {type(model).__name__} on {len(training_data)} images of "
            f"shape {shape} for epochs {initial_epoch + 1} to {config.epochs}"
            f" ({steps} steps of {config.n_critic} critic batches of "
            f"{config.batch_size} an epoch, {steps * max(epochs, 0)} "
            f"generator iterations) into {config.out}")



def train(config: TrainConfig, model: AdversarialModel,
          training_data: TrainingData, initial_epoch: int = 0,
          record: dict[str, Any] | None = None,
          resumed_from: str | None = None,
          note: str = "") -> keras.callbacks.History:
    """Trains `model` and writes the run folder `config.out`.

    Args:
        config: A `TrainConfig`.
        model: The compiled (or loaded) model.
        training_data: The `TrainingData`.
        initial_epoch: The epochs already done (a resume).
        record: The run record of a resumed run, updated and rewritten.
        resumed_from: The checkpoint a resumed run continues, or `None` for
            a new run (which first deletes what an earlier run left).
        note: Added to the line that says where a resumed run continues
            from (e.g. which newer checkpoints were damaged).

    Returns:
        The fit history.

    Raises:
        NonFiniteError: if a NaN or an infinity stopped the training; its
            message names the last good checkpoint.
        signals.Interrupted: if Ctrl-C or SIGTERM stopped it (at a safe
            point); its message says how to continue.
    """
    with signals.deferred():
        try:
            return _train(config, model, training_data, initial_epoch,
                          record, resumed_from, note)
        except KeyboardInterrupt as stop:
            signum = getattr(stop, "signum", signal.SIGINT)
            raise signals.Interrupted(
                signum, f"{signal.Signals(signum).name}: training stopped; "
                f"{RunFolder(config.out).resume_hint()}") from None
        except Exception as error:
            if not distribute.lost_replica(error):
                raise
            hint = RunFolder(config.out).resume_hint()
            signum = signals.asked()
            if signum is not None:
                # The run was asked to stop, and another process stopped
                # first: this one stops too, for the same reason.
                raise signals.Interrupted(
                    signum, f"{signal.Signals(signum).name}: training "
                    f"stopped; {hint}") from None
            found = re.search(r"Connection (reset|closed) by peer",
                              str(error))
            reason = (found.group(0).lower() if found
                      else str(error).strip().splitlines()[0][:200])
            raise distribute.ReplicaLost(
                "another process of the data-parallel run stopped, so this "
                f"one cannot go on ({reason}); {hint}") from None


def _train(config, model, training_data, initial_epoch, record, resumed_from,
           note):
    if not distribute.is_chief():
        # The other processes of a data-parallel run train alongside the
        # chief and write nothing; the chief writes the run folder.
        return model.fit(training_data.images, training_data.labels,
                         batch_size=config.batch_size, epochs=config.epochs,
                         initial_epoch=initial_epoch, verbose=0,
                         callbacks=[TerminateOnNonFinite(),
                                    signals.StopAtSafePoint()])
    folder = RunFolder(config.out)
    os.makedirs(config.out, exist_ok=True)
    # Left by writes that a kill interrupted; the lock says none is running.
    folder.remove_temporaries()
    if resumed_from is None:
        folder.clear_previous_run()
        record = config.record(num_images=len(training_data))
        record["architecture"] = (
            config.architecture
            or default_architecture(training_data.image_shape))
        record["image_shape"] = list(training_data.image_shape)
        record["num_classes"] = training_data.num_classes
        record["data"] = data_record.describe(config, training_data)
    else:
        record = dict(record, **{name: getattr(config, name)
                                 for name in RESUME_MAY_CHANGE})
        # A run recorded before fingerprints were kept gets one now.
        record.setdefault("data", data_record.describe(config,
                                                       training_data))
        record.setdefault("resumed", []).append(
            {"checkpoint": os.path.relpath(resumed_from, config.out),
             "initial_epoch": initial_epoch}
        )
        folder.truncate_metrics(initial_epoch)
        adopt(folder, resumed_from)
        print(f"resuming from {resumed_from} ({initial_epoch} epochs "
              f"done){note}")
    folder.write_record(record)
    samples = SampleGrid(folder.samples, num_samples=config.samples,
                         every=config.sample_every, seed=config.seed)
    # Order matters. The NaN check comes first so that nothing after it
    # runs on a broken step. The metrics row of an epoch is written before
    # its checkpoint: a kill between the two leaves a row that the resume
    # rewrites, never a checkpoint without its row.
    callbacks = [
        TerminateOnNonFinite(),
        folder.metrics_logger(append=initial_epoch > 0),
        samples,
        Checkpoint(folder.checkpoints, keep=config.keep_checkpoints,
                   latest=folder.model),
        signals.StopAtSafePoint(),  # last: after the epoch's checkpoint
    ]
    if config.tensorboard:
        # After the sample grid, whose file it logs, and before the
        # checkpoint: what TensorBoard shows of an epoch is never missing
        # from a run that resumes after it.
        callbacks.insert(3, TensorBoard(folder.tensorboard, grids=samples))
    try:
        history = model.fit(training_data.images, training_data.labels,
                            batch_size=config.batch_size,
                            epochs=config.epochs, initial_epoch=initial_epoch,
                            callbacks=callbacks, verbose=config.verbose)
    except NonFiniteError as error:
        raise NonFiniteError(f"{error} {folder.last_good()}") from None
    print(f"wrote {folder.model}, {folder.metrics} and {len(samples.paths)} "
          f"sample grid(s) in {folder.samples}")
    return history


def adopt(folder: RunFolder, path: str) -> None:
    """Records the checksum of a checkpoint that loaded but was written
    before checkpoints had a manifest, so that it can be verified later.

    Example:

    >>> os.makedirs("old/checkpoints")
    >>> with open("old/checkpoints/epoch_0001.keras", "wb") as f:
    ...     _ = f.write(b"weights")
    >>> adopt(RunFolder("old"), "old/checkpoints/epoch_0001.keras")
    >>> epoch_files.verify_checkpoint("old/checkpoints/epoch_0001.keras") is None
    True
    """
    digests = epoch_files.read_manifest(folder.checkpoints)
    if digests is None or os.path.basename(path) not in digests:
        epoch_files.record_digest(path, epoch_files.file_digest(path))
