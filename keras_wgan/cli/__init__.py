"""The command line, `python -m keras_wgan train|sample|compare|evaluate|explore`.

- `parser`: the argument parser (every default `None`); `train_parser`
  holds the options of `train`, `arguments` the pieces the commands share
  (number types, `--dry-run`, the model a command reads).
- `errors`: the one-line `UsageError` and the exit statuses.
- `options`, `train_config`, `sample_config`: `TrainConfig` and
  `SampleConfig`, the options with their defaults, checked; which options
  were given; what a resumed run may change.
- `recipes`: `--recipe`, a paper's settings or a measured one.
- `run_folder`: `RunFolder`, the files of a `train` run; `run_record` checks
  its `run.json`, `run_lock` keeps a second `train` out; `data_record` the
  fingerprint of its data.
- `training_data`, `model_setup`, `trainer`: the images of a run, its model
  built and compiled, and its training (new or resumed).
- `resume`: `train --resume`, from the newest intact checkpoint.
- `paths`: whether an output path can be written, checked before any work.
- `signals`: Ctrl-C and SIGTERM stop a run at a safe point.
- `model_loading`: loading a `.keras` file named by an option.
- `train`, `sample`, `compare`, `evaluate`, `explore`: the commands, each
  a `prepare` that checks and loads without writing, and the `Job` it
  returns (`job`; `explore` serves a web page until Ctrl-C).
- `output`: the package's log lines on stderr.

`--dry-run` runs the checks and the loading of `prepare`, prints what would
run, and exits with status 0 without running it.

Every bad argument ends in one line on stderr that names the argument and
the expected value, exit status 2, and nothing written. Ctrl-C and SIGTERM
end in one line that says how to continue, exit status 130 and 143, also
while the command starts. A process of a `torchrun` run whose peer was
lost ends in one line that says how to continue, exit status 1.
"""

import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from keras_wgan import _startup_signals
from keras_wgan.cli import signals
from keras_wgan.cli.errors import NON_FINITE_STATUS
from keras_wgan.cli.errors import REPLICA_LOST_STATUS
from keras_wgan.cli.errors import USAGE_STATUS
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.output import show_package_logs
from keras_wgan.cli.parser import build_parser
from keras_wgan.cli.parser import cli_words
from keras_wgan.cli.sample_config import SampleConfig
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.distribute import ReplicaLost
from keras_wgan.errors import NonFiniteError

__all__ = ["SampleConfig", "TrainConfig", "UsageError", "build_parser",
           "console_main", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status.

    Args:
        argv: The arguments after the program name; `None` reads
            `sys.argv`.

    Returns:
        0, `USAGE_STATUS` (2) after a bad argument (one line on stderr,
        nothing written), `NON_FINITE_STATUS` (3) when a NaN or an
        infinity stopped the training, or 128 + the signal's number (130
        for Ctrl-C, 143 for SIGTERM) when a signal stopped the command,
        `REPLICA_LOST_STATUS` (1) when another process of a `torchrun` run
        was lost.

    Example:

    >>> main(["train", "--out", "runs/a", "--epochs", "0"])
    2
    """
    show_package_logs()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with signals.handled():
            try:
                return _run(argv)
            except KeyboardInterrupt as stop:
                if not isinstance(stop, signals.Interrupted):
                    stop = signals.Interrupted(signals.signal.SIGINT)
                print(f"interrupted: {stop}", file=sys.stderr)
                return stop.status
    finally:
        # Its line is said: a signal from now on (torchrun stopping the
        # other processes) ends the process without a second one.
        _startup_signals.ended()


def _run(argv):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        # Not an option of the commands' configs: it decides only whether
        # the prepared job runs.
        dry_run = vars(args).pop("dry_run", None)
        command = importlib.import_module(f"keras_wgan.cli.{args.command}")
        job = command.prepare(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_STATUS
    except (ValueError, FileNotFoundError) as error:
        # Only the checks before any work is done end in one line: an error
        # during training is a bug or a data fault and keeps its traceback.
        # The library's checks name its keywords; the user gave flags.
        message = cli_words(str(error), parser.command_parsers[args.command])
        print(f"error: {message}", file=sys.stderr)
        return USAGE_STATUS
    if dry_run:
        # `prepare` has checked every option and loaded the data and the
        # model; what it holds (the run folder's lock) is let go unused.
        print(f"dry run: would {job.summary}; "
              "nothing written.")
        job.cancel()
        return 0
    try:
        job()
    except NonFiniteError as error:
        print(f"error: {error}", file=sys.stderr)
        return NON_FINITE_STATUS
    except ReplicaLost as error:
        print(f"error: {error}", file=sys.stderr)
        return REPLICA_LOST_STATUS
    return 0


def console_main() -> NoReturn:
    """Entry point of the `keras-wgan` console script."""
    sys.exit(main())
