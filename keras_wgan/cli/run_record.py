"""`run.json`, the record of a `train` run: the fields it must have, and
the check that names the first one that is wrong.

A hand-edited or truncated record ends in one line naming the field, not
in a traceback or a wrong blame when the run is resumed.
"""

import dataclasses
from typing import Any

from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.train_config import TrainConfig

#: The fields every run.json written by `train` has; the others have
#: defaults (older records lack some, e.g. `keep_checkpoints`).
REQUIRED_FIELDS = ("model", "epochs", "batch_size", "n_critic", "latent_dim",
                   "width", "split", "seed", "num_images")
#: Fields of run.json that are not options.
RECORD_ONLY = ("command", "num_images", "image_shape", "num_classes",
               "resumed", "recreated_from", "data")


def check_record(record: dict[str, Any], path: str, out: str) -> None:
    """Raises `UsageError` unless `record` is a run record `train` writes.

    Every field is checked: a missing one, one `train` never records, and a
    value of the wrong type or out of range are named.

    Args:
        record: The record read from `path`.
        path: The run.json file, named in the error.
        out: The run folder.

    Raises:
        UsageError: naming `--resume`, the file and the field.

    Example:

    >>> record = TrainConfig(out="run").record(num_images=100)
    >>> check_record(record, "run/run.json", "run")
    >>> check_record(dict(record, colour="red"), "run/run.json", "run")
    Traceback (most recent call last):
    ...
    keras_wgan.cli.errors.UsageError: --resume: run/run.json has the field(s) colour, which 'train' does not record.
    """
    # Every field, so that a hand-edited or truncated record ends in one
    # line naming the field, not in a traceback or a wrong blame.
    where = f"--resume: {path}"
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        raise UsageError(
            f"{where} lacks the field(s) {', '.join(missing)} that "
            "'train' records; restore them, or see the guide 'Resuming and "
            "failures' to continue without a run.json."
        )
    known = {field.name for field in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(record) - known - set(RECORD_ONLY))
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
        TrainConfig.resumed(record, {"out": out})
    except (ValueError, TypeError) as error:
        raise UsageError(f"{where}: {error}") from None
