"""scripts/gpu_run.sh --smoke: every run and evaluation of the GPU script on
a tiny budget, on the CPU."""

import os
import subprocess
import sys

import pytest

from tests.cli.helpers import ROOT


@pytest.mark.slow
@pytest.mark.backends("torch", reason="the script trains with the torch backend")
def test_smoke_run_trains_and_evaluates_every_model(tmp_path):
    out = tmp_path / "gpu"
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=ROOT)
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "gpu_run.sh"),
                             "--smoke", str(out)], capture_output=True,
                            text=True, env=env, timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = (out / "summary.txt").read_text().splitlines()
    names = ["mnist-wgan-gp", "mnist-wgan", "coloured-mnist-dcgan",
             "coloured-mnist-conditional", "cifar10-resnet"]
    timing = [line for line in summary if "generator iterations in" in line]
    assert [line.split(":")[0] for line in timing] == [
        str(out / name) for name in names]
    # The four with a shipped classifier are scored, each beside its floor.
    scored = [line for line in summary if line.startswith("run ")]
    assert len(scored) == 4
    assert all("classifier FID" in line and "floor" in line for line in scored)
    for name in names:
        assert (out / name / "model.keras").is_file()
