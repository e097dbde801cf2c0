"""keras_wgan.cli.job: the prepared work of a command, run by calling it,
summarised and cancelled by `--dry-run`."""

import dataclasses

import pytest

from keras_wgan import cli
from keras_wgan.cli.job import Job

pytestmark = pytest.mark.above_the_models


def test_a_job_runs_when_called_and_cancels_what_it_holds():
    held = ["lock"]
    job = Job(lambda: len(held), "count what is held", held.clear)
    assert job() == 1 and job.summary == "count what is held"
    job.cancel()
    assert held == [] and job() == 0
    assert Job(lambda: None, "nothing").cancel() is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.summary = "another"


def test_a_dry_run_prints_the_summary_and_cancels(tmp_path, capsys):
    out = tmp_path / "grid.png"
    assert cli.main(["sample", "--pretrained", "mnist-wgan", "--out",
                     str(out), "--n", "4", "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        f"dry run: would write 4 samples of the pretrained mnist-wgan to "
        f"{out}; nothing written.\n")
    assert not out.exists()
