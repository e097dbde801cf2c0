"""scripts/toy_gp_settings.py: the WGAN-GP settings study on 8 Gaussians."""

import json
import os
import shutil

import pytest

from tests.cli.helpers import ROOT
from tests.helpers import load_script

# A study script over WGANGP, which trains on every backend in tests/models.
pytestmark = pytest.mark.above_the_models

SHIPPED = os.path.join(ROOT, "docs", "toy")


study = load_script("toy_gp_settings")


@pytest.mark.backend_independent
@pytest.mark.parametrize("folder", ["gp_settings", "gp_seeds"])
def test_shipped_report_is_rendered_from_its_results(tmp_path, folder):
    for name in ("results.json", "samples.npz"):
        shutil.copy(os.path.join(SHIPPED, folder, name), tmp_path / name)
    study.render(str(tmp_path))
    with open(os.path.join(SHIPPED, folder, "report.md")) as f:
        assert (tmp_path / "report.md").read_text() == f.read()


def test_a_tiny_study_of_two_seeds(tmp_path):
    out = tmp_path / "study"
    assert study.main(["--out", str(out), "--iterations", "2",
                       "--eval-every", "1", "--settings", "weight-0.1",
                       "--seeds", "3,4"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert [(r["name"], r["seed"]) for r in results["runs"]] == [
        ("weight-0.1", 3), ("weight-0.1", 4)]
    for run in results["runs"]:
        assert run["gp_weight"] == 0.1 and run["beta_1"] == 0.0
        assert [h["iteration"] for h in run["history"]] == [0, 1, 2]
        assert all(h["exact_w1"] > 0 for h in run["history"])
    report = (out / "report.md").read_text()
    assert "| package, penalty weight 0.1 | " in report  # the seeds table
    assert (out / "curves.png").stat().st_size > 0
    assert (out / "samples.png").stat().st_size > 0


@pytest.mark.backend_independent
@pytest.mark.parametrize("argv, message", [
    (["--settings", "nope"], "--settings must be names of"),
    (["--iterations", "5", "--eval-every", "2"], "a positive multiple"),
    (["--seeds", "a,b"], "--seeds must be comma-separated integers"),
])
def test_bad_arguments(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit):
        study.main(["--out", str(tmp_path / "o"), *argv])
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
