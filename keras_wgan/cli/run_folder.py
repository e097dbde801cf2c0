"""The folder of a `train` run: its layout, its record, and what a resume
does to it.

A run folder holds `checkpoints/epoch_NNNN.keras` (the last few epochs),
`model.keras` (the newest of them), `metrics.csv` (one row per epoch),
`run.json` (the options and the number of training images) and
`samples/epoch_NNN.png`.
"""

import csv
import dataclasses
import glob
import json
import os

from keras_wgan import checkpoints
from keras_wgan._atomic import write_atomically
from keras_wgan.cli.parser import UsageError

CHECKPOINT_NAME = "model.keras"
CHECKPOINTS_DIR = "checkpoints"
METRICS_NAME = "metrics.csv"
RUN_NAME = "run.json"
SAMPLES_DIR = "samples"


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
        """The newest checkpoint's second name, `model.keras`."""
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
        """Returns the run record of the run to resume.

        Raises:
            UsageError: if there is no run.json, or it is not one written by
                `train`.

        Example:

        >>> folder = RunFolder("run")
        >>> folder.write_record({"command": "train", "epochs": 2})
        >>> folder.read_record()
        {'command': 'train', 'epochs': 2}
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
        if not isinstance(record, dict) or record.get("command") != "train":
            raise UsageError(
                f"--resume: {self.record_path} is not a run record written "
                "by 'train'."
            )
        return record

    def write_record(self, record):
        """Writes `record` to run.json atomically (never half a file)."""

        def write(temporary):
            with open(temporary, "w") as f:
                json.dump(record, f, indent=2)

        write_atomically(self.record_path, write)

    def clear_previous_run(self):
        """Deletes what an earlier run wrote here that a new one would not.

        That is its epoch checkpoints, `model.keras` and sample grids; its
        run.json and metrics.csv are rewritten by the new run.
        """
        stale = [path for _, path in checkpoints.list_checkpoints(
            self.checkpoints)]
        stale += glob.glob(os.path.join(self.samples, "epoch_*.png"))
        stale.append(self.model)
        for path in stale:
            if os.path.exists(path):
                os.remove(path)

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
