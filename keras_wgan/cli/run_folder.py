"""The folder of a `train` run: its layout, its record, and what a resume
does to it.

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

import keras

from keras_wgan import checkpoints
from keras_wgan import distribute
from keras_wgan._atomic import remove_temporaries
from keras_wgan._atomic import write_atomically
from keras_wgan.cli import paths
from keras_wgan.cli.checkpoint import UnreadableModelError
from keras_wgan.cli.config import TrainConfig
from keras_wgan.cli.parser import UsageError

try:
    import fcntl
except ImportError:  # Windows: no flock, so no lock (docs: Resuming and failures).
    fcntl = None

CHECKPOINT_NAME = "model.keras"
CHECKPOINTS_DIR = "checkpoints"
LOCK_NAME = ".lock"
METRICS_NAME = "metrics.csv"
RUN_NAME = "run.json"
SAMPLES_DIR = "samples"
TENSORBOARD_DIR = "tensorboard"
#: The fields every run.json written by `train` has; the others have
#: defaults (older records lack some, e.g. `keep_checkpoints`).
REQUIRED_FIELDS = ("model", "epochs", "batch_size", "n_critic", "latent_dim",
                   "width", "split", "seed", "num_images")
# Fields of run.json that are not options.
_RECORD_ONLY = ("command", "num_images", "image_shape", "num_classes",
                "resumed", "recreated_from", "data")


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
    def model(self):
        """`model.keras`, a copy of the newest checkpoint."""
        return os.path.join(self.out, CHECKPOINT_NAME)

    @property
    def checkpoints(self):
        """The folder of the epoch checkpoints."""
        return os.path.join(self.out, CHECKPOINTS_DIR)

    @property
    def metrics(self):
        """The CSV file of the logged metrics, one row per epoch."""
        return os.path.join(self.out, METRICS_NAME)

    @property
    def record_path(self):
        """The run record, `run.json`."""
        return os.path.join(self.out, RUN_NAME)

    @property
    def samples(self):
        """The folder of the sample grids."""
        return os.path.join(self.out, SAMPLES_DIR)

    @property
    def tensorboard(self):
        """The folder of the TensorBoard event files (`train --tensorboard`)."""
        return os.path.join(self.out, TENSORBOARD_DIR)

    def holds_run(self):
        """Returns whether a run wrote here (a checkpoint or a record)."""
        return (
            os.path.exists(self.model)
            or os.path.exists(self.record_path)
            or bool(checkpoints.list_checkpoints(self.checkpoints))
        )

    def latest_checkpoint(self):
        """Returns `(epoch, path)` of the newest epoch checkpoint, or `None`."""
        return checkpoints.latest_checkpoint(self.checkpoints)

    def read_record(self):
        """Returns the run record of the run to resume, checked.

        Raises:
            UsageError: if there is no run.json, or it is not one written by
                `train`: not JSON, without a field `train` always records,
                with a field it never records, or a field of the wrong type
                or out of range (named).

        Example:

        >>> folder = RunFolder("run")
        >>> record = TrainConfig(out="run").record(num_images=100)
        >>> folder.write_record(record)
        >>> folder.read_record() == record
        True
        >>> folder.write_record(dict(record, batch_size="64"))
        >>> folder.read_record()
        Traceback (most recent call last):
        ...
        keras_wgan.cli.parser.UsageError: --resume: run/run.json: batch_size must be an integer >= 1, got '64' of type str.
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
        self._check_record(record)
        return record

    def _check_record(self, record):
        # Every field, so that a hand-edited or truncated record ends in one
        # line naming the field, not in a traceback or a wrong blame.
        where = f"--resume: {self.record_path}"
        missing = [name for name in REQUIRED_FIELDS if name not in record]
        if missing:
            raise UsageError(
                f"{where} lacks the field(s) {', '.join(missing)} that "
                "'train' records; restore them, or see the guide 'Resuming and "
                "failures' to continue without a run.json."
            )
        known = {field.name for field in dataclasses.fields(TrainConfig)}
        unknown = sorted(set(record) - known - set(_RECORD_ONLY))
        if unknown:
            raise UsageError(f"{where} has the field(s) {', '.join(unknown)}, "
                             "which 'train' does not record.")
        resumed = record.get("resumed", [])
        if not isinstance(resumed, list) or not all(
                isinstance(entry, dict) for entry in resumed):
            raise UsageError(f"{where}: resumed must be a list of "
                             f"{{checkpoint, initial_epoch}}, got {resumed!r}.")
        data = record.get("data", {})
        if not isinstance(data, dict) or not isinstance(
                data.get("source", ""), str):
            raise UsageError(f"{where}: data must be the record of the "
                             f"training data 'train' writes, got {data!r}.")
        if not isinstance(record.get("out", ""), str):
            raise UsageError(f"{where}: out must be a path, got "
                             f"{record['out']!r}.")
        try:
            if record["num_images"] is None:
                raise ValueError("num_images must be an integer >= 1, got "
                                 "None.")
            # The record alone, as the resume will use it: any value of a
            # wrong type or out of range is named here.
            TrainConfig.resumed(record, {"out": self.out})
        except (ValueError, TypeError) as error:
            raise UsageError(f"{where}: {error}") from None

    def write_record(self, record):
        """Writes `record` to run.json atomically (never half a file)."""

        def write(temporary):
            with open(temporary, "w") as f:
                json.dump(record, f, indent=2)

        write_atomically(self.record_path, write)

    def previous_run_files(self):
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

    def clear_previous_run(self):
        """Deletes `previous_run_files`, once each is known deletable.

        Raises:
            UsageError: naming a file that cannot be deleted; then none is.
        """
        stale = self.previous_run_files()
        paths.check_removable(stale, "--overwrite")
        for path in stale:
            os.remove(path)

    def metrics_logger(self, append=False):
        """Returns the callback that writes `metrics.csv`, one row an epoch.

        Keras's `CSVLogger`, but without the `val_*` columns of `NA` it adds
        when there is no validation data, and, when appending, with the
        columns of the file's header.
        """
        return _MetricsLogger(self.metrics, append=append)

    def truncate_metrics(self, initial_epoch):
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

    def last_good(self):
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

    def resume_hint(self):
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

    def remove_temporaries(self):
        """Deletes the temporary files of writes that a kill interrupted.

        Call it only while holding the lock (`lock`): then no write is in
        progress. Returns the paths deleted.
        """
        return [path for folder in (self.out, self.checkpoints, self.samples)
                for path in remove_temporaries(folder)]

    def resumable_checkpoint(self, load):
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
        skipped = []
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

    def lock(self):
        """Takes the lock that keeps a second `train` out of this folder.

        The lock is `flock` on `.lock`, so the system drops it when the
        process ends, however it ends: a killed run leaves no stale lock.
        Creates the folder if need be (`RunLock.release` can remove it
        again).

        Returns:
            A `RunLock`.

        Raises:
            UsageError: if another process holds the lock.

        Example:

        >>> lock = RunFolder("locked").lock()
        >>> RunFolder("locked").lock()
        Traceback (most recent call last):
        ...
        keras_wgan.cli.parser.UsageError: --out: locked is in use by another 'train' (process ...); wait for it to end, or choose another folder.
        >>> lock.release()
        >>> RunFolder("locked").lock().release()
        """
        if not distribute.is_chief():
            # A data-parallel run's other processes write nothing; the
            # chief holds the lock for them all.
            return RunLock(None, None, [])
        created = _make_folders(self.out)
        path = os.path.join(self.out, LOCK_NAME)
        if fcntl is None:
            return RunLock(path, None, created)
        while True:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner = os.read(handle, 32).decode(errors="replace").strip()
                os.close(handle)
                raise UsageError(
                    f"--out: {self.out} is in use by another 'train' "
                    f"(process {owner or 'unknown'}); wait for it to end, or "
                    "choose another folder."
                ) from None
            # The holder before us deletes the file as it lets go: if that
            # happened after our open, our lock is on a file nobody else
            # sees, so take it again on the file that is there now.
            try:
                same = os.fstat(handle).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(handle)
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        return RunLock(path, handle, created)


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


class RunLock:
    """The lock of a run folder, held by this process until `release`."""

    def __init__(self, path, handle, created):
        self.path = path
        self._handle = handle
        self._created = created

    def release(self, remove_created=False):
        """Lets go of the lock and deletes `.lock`.

        Args:
            remove_created: Also remove the folders `lock` created, if they
                are empty (a run refused before it wrote anything).
        """
        try:
            if self.path is not None:
                os.remove(self.path)
        except FileNotFoundError:
            pass
        if self._handle is not None:
            os.close(self._handle)  # closing lets go of the flock
            self._handle = None
        if remove_created:
            for folder in reversed(self._created):
                try:
                    os.rmdir(folder)
                except OSError:
                    break


def _make_folders(path):
    """Creates `path` and the folders above it; returns those it created."""
    missing = []
    while path and not os.path.exists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    missing.reverse()
    for folder in missing:
        os.makedirs(folder, exist_ok=True)
    return missing
