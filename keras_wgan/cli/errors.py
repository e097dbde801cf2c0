"""The command line's one-line error and its exit statuses.

Every module of the command line raises `UsageError` for a bad argument;
`keras_wgan.cli.main` prints it as one line and returns `USAGE_STATUS`.
"""

__all__ = ["NON_FINITE_STATUS", "REPLICA_LOST_STATUS", "USAGE_STATUS",
           "UsageError"]

#: Exit status of a bad argument (argparse's own).
USAGE_STATUS = 2
#: Exit status of a run stopped by a NaN or an infinity.
NON_FINITE_STATUS = 3
#: Exit status of a process of a `torchrun` run that lost another one.
REPLICA_LOST_STATUS = 1


class UsageError(Exception):
    """A bad argument, reported as one line without a traceback.

    Example:

    >>> str(UsageError("--epochs must be an integer >= 1, got 0."))
    '--epochs must be an integer >= 1, got 0.'
    """
