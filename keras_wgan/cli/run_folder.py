"""The folder of a `train` run: its layout, and what a new run or a resume
does to it (its record is checked by `run_record`, its lock is `run_lock`).

A run folder holds `checkpoints/epoch_NNNN.keras` (the last few epochs,
each one's SHA-256 in `checkpoints/manifest.json`), `model.keras` (a copy
of the newest), `metrics.csv` (one row per epoch), `run.json` (the options
and the number of training images) and `samples/epoch_NNN.png`. While a
`train` runs, it holds `.lock`, locked, so that no second one writes there.
"""

import csv
import dataclasses
import glob
import json
import os
import shlex
from collections.abc import Callable
from typing import Any

import keras

from keras_wgan import checkpoints
from keras_wgan._atomic import remove_temporaries
from keras_wgan._atomic import write_atomically
from keras_wgan.cli import paths
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.model_loading import UnreadableModelError
from keras_wgan.cli.run_lock import RunLock
from keras_wgan.cli.run_lock import lock_folder
from keras_wgan.cli.run_record import check_record

#: The run's model: a copy of its newest checkpoint, so the final model once
#: the run has ended.
FINAL_MODEL_NAME = "model.keras"
CHECKPOINTS_DIR = "checkpoints"
METRICS_NAME = "metrics.csv"
RUN_NAME = "run.json"
SAMPLES_DIR = "samples"
TENSORBOARD_DIR = "tensorboard"


@dataclasses.dataclass(frozen=True)
class RunFolder:
    """The files of the run in the folder `out`.

    Args:
        out: The folder, e.g. `"runs/mnist"`; it need not exist.

    Example:

    >>> folder = RunFolder("runs/mnist")
    >>> folder.metrics
    'runs/mnist/metrics.csv'
    >>> folder.holds_run()
    False
    """

    out: str

    @property
    def model(self) -> str:
        """`model.keras`, a copy of the newest checkpoint."""
        return os.path.join(self.out, FINAL_MODEL_NAME)

    @property
    def checkpoints(self) -> str:
        """The folder of the epoch checkpoints."""
        return os.path.join(self.out, CHECKPOINTS_DIR)

    @property
    def metrics(self) -> str:
        """The CSV file of the logged metrics, one row per epoch."""
        return os.path.join(self.out, METRICS_NAME)

    @property
    def record_path(self) -> str:
        """The run record, `run.json`."""
        return os.path.join(self.out, RUN_NAME)

    @property
    def samples(self) -> str:
        """The folder of the sample grids."""
        return os.path.join(self.out, SAMPLES_DIR)

    @property
    def tensorboard(self) -> str:
        """The folder of the TensorBoard event files (`train --tensorboard`)."""
        return os.path.join(self.out, TENSORBOARD_DIR)

    def holds_run(self) -> bool:
        """Returns whether a run wrote here (a checkpoint or a record)."""
        return (
            os.path.exists(self.model)
            or os.path.exists(self.record_path)
            or bool(checkpoints.list_checkpoints(self.checkpoints))
        )

    def latest_checkpoint(self) -> tuple[int, str] | None:
        """Returns `(epoch, path)` of the newest epoch checkpoint, or `None`."""
        return checkpoints.latest_checkpoint(self.checkpoints)

    def read_record(self) -> dict[str, Any]:
        """Returns the run record of the run to resume, checked.

        Raises:
            UsageError: if there is no run.json, or it is not one written by
                `train`: not JSON, without a field `train` always records,
                with a field it never records, or a field of the wrong type
                or out of range (named).

        Example:

        >>> folder = RunFolder("run")
        >>> from keras_wgan.cli.train_config import TrainConfig
        >>> record = TrainConfig(out="run").record(num_images=100)
        >>> folder.write_record(record)
        >>> folder.read_record() == record
        True
        >>> folder.write_record(dict(record, batch_size="64"))
        >>> folder.read_record()
        Traceback (most recent call last):
        ...
        keras_wgan.cli.errors.UsageError: --resume: run/run.json: batch_size must be an integer >= 1, got '64' of type str.
        """
        try:
            with open(self.record_path) as f:
                record = json.load(f)
        except FileNotFoundError:
            raise UsageError(
                f"--resume: {self.out} holds no {RUN_NAME}, so no run to "
                "continue."
            ) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise UsageError(
                f"--resume: {self.record_path} is not a run record written by "
                f"'train' ({type(error).__name__})."
            ) from None
        except OSError as error:
            raise UsageError(
                f"--resume: cannot read {self.record_path} "
                f"({error.strerror or error}); make it readable."
            ) from None
        if not isinstance(record, dict) or record.get("command") != "train":
            raise UsageError(
                f"--resume: {self.record_path} is not a run record written "
                "by 'train'."
            )
        check_record(record, self.record_path, self.out)
        return record

    def write_record(self, record: dict[str, Any]) -> None:
        """Writes `record` to run.json atomically (never half a file)."""

        def write(temporary):
            with open(temporary, "w") as f:
                json.dump(record, f, indent=2)

        write_atomically(self.record_path, write)

    def previous_run_files(self) -> list[str]:
        """The files of an earlier run that a new one deletes (`--overwrite`).

        That is its epoch checkpoints and their manifest, `model.keras`,
        sample grids and TensorBoard event files; its run.json and
        metrics.csv are rewritten by the new run.
        """
        stale = [path for _, path in checkpoints.list_checkpoints(
            self.checkpoints)]
        stale += glob.glob(os.path.join(self.samples, "epoch_*.png"))
        stale += glob.glob(os.path.join(self.tensorboard, "events.out.*"))
        stale += [self.model, os.path.join(self.checkpoints,
                                           checkpoints.MANIFEST_NAME)]
        return [path for path in stale if os.path.lexists(path)]

    def clear_previous_run(self) -> None:
        """Deletes `previous_run_files`, once each is known deletable.

        Raises:
            UsageError: naming a file that cannot be deleted; then none is.
        """
        stale = self.previous_run_files()
        paths.check_removable(stale, "--overwrite")
        for path in stale:
            os.remove(path)

    def metrics_logger(self, append: bool = False
                       ) -> keras.callbacks.CSVLogger:
        """Returns the callback that writes `metrics.csv`, one row an epoch.

        Keras's `CSVLogger`, but without the `val_*` columns of `NA` it adds
        when there is no validation data, and, when appending, with the
        columns of the file's header.
        """
        return _MetricsLogger(self.metrics, append=append)

    def truncate_metrics(self, initial_epoch: int) -> None:
        """Keeps the header and the rows of the epochs before `initial_epoch`.

        Rows of epochs after the checkpoint were written by the interrupted
        run and will be written again. Keras's CSVLogger numbers epochs from
        0, so epoch `e` is the row of the checkpoint `epoch_{e+1}`.

        Example:

        >>> folder = RunFolder("resumed")
        >>> os.makedirs("resumed")
        >>> with open(folder.metrics, "w") as f:
        ...     _ = f.write("epoch,loss\\n0,1.5\\n1,1.2\\n2,0.9\\n")
        >>> folder.truncate_metrics(2)
        >>> print(open(folder.metrics).read().replace("\\r", ""), end="")
        epoch,loss
        0,1.5
        1,1.2
        """
        if not os.path.exists(self.metrics):
            return
        with open(self.metrics, newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            return
        column = rows[0].index("epoch") if "epoch" in rows[0] else 0
        kept = [rows[0]] + [
            row for row in rows[1:] if row and int(row[column]) < initial_epoch
        ]

        def write(temporary):
            with open(temporary, "w", newline="") as f:
                csv.writer(f).writerows(kept)

        write_atomically(self.metrics, write)

    def last_good(self) -> str:
        """Says which checkpoint a run stopped by a NaN can continue from.

        Example:

        >>> RunFolder("stopped").last_good()
        'No checkpoint was written before it.'
        """
        latest = self.latest_checkpoint()
        if latest is None:
            return "No checkpoint was written before it."
        epoch, path = latest
        return (f"The last good checkpoint is {path} (epoch {epoch}): --resume "
                "with a lower --learning-rate continues from it.")

    def resume_hint(self) -> str:
        """Says how to continue this run after it was stopped.

        Example:

        >>> os.makedirs("runs/a/checkpoints")
        >>> open("runs/a/checkpoints/epoch_0002.keras", "wb").close()
        >>> print(RunFolder("runs/a").resume_hint())
        the last checkpoint is runs/a/checkpoints/epoch_0002.keras (epoch 2); continue with: python -m keras_wgan train --out runs/a --resume
        """
        latest = self.latest_checkpoint()
        if latest is None:
            return ("no checkpoint was written yet: start it again with "
                    "--overwrite.")
        epoch, path = latest
        command = shlex.join(["python", "-m",
                              "keras_wgan", "train", "--out", self.out,
                              "--resume"])
        return (f"the last checkpoint is {path} (epoch {epoch}); continue "
                f"with: {command}")

    def remove_temporaries(self) -> list[str]:
        """Deletes the temporary files of writes that a kill interrupted.

        Call it only while holding the lock (`lock`): then no write is in
        progress. Returns the paths deleted.
        """
        return [path for folder in (self.out, self.checkpoints, self.samples)
                for path in remove_temporaries(folder)]

    def resumable_checkpoint(
            self, load: Callable[[str], keras.Model]
    ) -> tuple[int, str, keras.Model, list[tuple[str, str]]]:
        """Finds the newest checkpoint that is intact, and loads it.

        A checkpoint whose SHA-256 differs from the one recorded when it
        was written, or that does not load, is passed over for the one
        before it.

        Args:
            load: A function from a path to the loaded model, raising
                `UnreadableModelError` for a file that does not load.

        Returns:
            `(epoch, path, model, skipped)`, where `skipped` lists
            `(path, reason)` of the newer checkpoints passed over.

        Raises:
            UsageError: if there is no checkpoint, or none is intact.
        """
        found = checkpoints.list_checkpoints(self.checkpoints)
        if not found:
            raise UsageError(
                f"--resume: {self.out} has no checkpoint in {CHECKPOINTS_DIR}/ "
                "(the run stopped before its first epoch ended); start it "
                "again with --overwrite."
            )
        skipped: list[tuple[str, str]] = []
        for epoch, path in reversed(found):
            reason = checkpoints.verify_checkpoint(path)
            if reason is None:
                try:
                    return epoch, path, load(path), skipped
                except UnreadableModelError as error:
                    reason = error.reason
            skipped.append((path, reason))
        raise UsageError(
            f"--resume: no checkpoint in {self.checkpoints} is intact ("
            + "; ".join(f"{os.path.basename(path)}: {reason}"
                        for path, reason in skipped)
            + "); start again with --overwrite."
        )

    def lock(self) -> RunLock:
        """Takes the lock that keeps a second `train` out of this folder
        (`run_lock.lock_folder`); creates the folder if need be.

        Raises:
            UsageError: if another process holds the lock.

        Example:

        >>> lock = RunFolder("locked").lock()
        >>> RunFolder("locked").lock()
        Traceback (most recent call last):
        ...
        keras_wgan.cli.errors.UsageError: --out: locked is in use by another 'train' (process ...); wait for it to end, or choose another folder.
        >>> lock.release()
        >>> RunFolder("locked").lock().release()
        """
        return lock_folder(self.out)


class _MetricsLogger(keras.callbacks.CSVLogger):
    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f), None)
            if header:
                self.keys = [key for key in header if key != "epoch"]

    def on_epoch_end(self, epoch, logs=None):
        if self.keys is None:
            self.keys = sorted(logs or {})
        super().on_epoch_end(epoch, logs)
