"""`Job`: the work a command's `prepare` returns, checked and loaded but not
run yet.

`keras_wgan.cli.main` runs it, or, with `--dry-run`, prints its summary and
cancels it (which lets go of what `prepare` holds, e.g. a run folder's
lock).
"""

import dataclasses
from collections.abc import Callable
from typing import Any


def _nothing() -> None:
    return None


@dataclasses.dataclass(frozen=True)
class Job:
    """The prepared work of a command.

    Attributes:
        run: Does the work; returns what the command's work returns (a fit
            history, the path of a grid, ...).
        summary: One line on what `run` would do, e.g. `"train WGAN on 640
            images ..."`; `--dry-run` prints it.
        cancel: Lets go of what `prepare` holds, for a job that is not run.

    Example:

    >>> job = Job(lambda: 2 + 2, "add two and two")
    >>> job(), job.summary
    (4, 'add two and two')
    >>> job.cancel()
    """

    run: Callable[[], Any]
    summary: str
    cancel: Callable[[], None] = _nothing

    def __call__(self) -> Any:
        """Runs the job; returns what `run` returns."""
        return self.run()
