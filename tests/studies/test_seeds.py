import json

import numpy as np
import pytest

from keras_wgan import cli
from keras_wgan.studies import compare
from keras_wgan.studies import seeds

pytestmark = pytest.mark.above_the_models


def test_spread_is_mean_and_sample_std_of_the_finite_values():
    stats = seeds.spread([2.0, 4.0, float("nan"), 9.0, None])
    assert stats["mean"] == pytest.approx(5.0)
    assert stats["std"] == pytest.approx(np.std([2.0, 4.0, 9.0], ddof=1))
    assert (stats["min"], stats["max"], stats["n"]) == (2.0, 9.0, 3)
    assert seeds.spread([1.0])["std"] is None
    assert seeds.spread([None])["mean"] is None


@pytest.mark.parametrize("text", ["", "0,0", "1,-2", "a", "0,,1"])
def test_bad_seed_lists_are_one_line_errors(text):
    with pytest.raises(ValueError, match="seeds must be distinct ints >= 0"):
        seeds.parse_seeds(text)


def test_compare_with_seeds_writes_one_report_each_and_the_summary(
        tmp_path, capsys):
    out = tmp_path / "study"
    status = cli.main(["compare", "--dataset", "toy-8gaussians", "--out",
                       str(out), "--variants", "sngan-hinge",
                       "--iterations", "2", "--eval-every", "1",
                       "--eval-samples", "50", "--width", "8",
                       "--batch-size", "16", "--generator-ema", "0.9",
                       "--seeds", "3,5"])
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "seed_3", "seed_5", "summary.json", "summary.md"]
    per_seed = [json.loads((out / f"seed_{s}" / "results.json").read_text())
                for s in (3, 5)]
    assert [r["config"]["seed"] for r in per_seed] == [3, 5]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seeds"] == [3, 5]
    assert "--seeds 3,5" in summary["command"]
    assert "--seed " not in summary["command"]
    for index, entry in enumerate(summary["variants"]):
        finals = [r["variants"][index]["final"]["energy_distance"]
                  for r in per_seed]
        assert entry["final"]["mean"] == pytest.approx(np.mean(finals))
        assert entry["final"]["std"] == pytest.approx(np.std(finals, ddof=1))
        assert entry["statuses"] == ["completed", "completed"]
        assert entry["iterations"]["mean"] == 2
    table = (out / "summary.md").read_text()
    assert "| SNGAN (hinge) (`sngan-hinge`) |" in table
    assert "| real data (floor) |" in table
    # The generator's moving average is scored beside the raw generator:
    # the same at iteration 0, apart after training.
    history = per_seed[0]["variants"][0]["history"]
    assert history[0]["ema_energy_distance"] == pytest.approx(
        history[0]["energy_distance"])
    assert history[-1]["ema_energy_distance"] != pytest.approx(
        history[-1]["energy_distance"])
    assert "final EMA energy dist." in (out / "seed_3" / "report.md"
                                        ).read_text()
    assert summary["variants"][0]["final_ema"]["n"] == 2
    assert "final EMA energy_distance" in table


def test_generator_ema_is_for_wasserstein_variants_only():
    with pytest.raises(ValueError, match="Wasserstein variants only"):
        compare.CompareConfig("mnist", "o", iterations=1, generator_ema=0.9,
                              variants=("gan", "wgan"))


def test_seed_and_seeds_together_are_refused(tmp_path, capsys):
    assert cli.main(["compare", "--dataset", "toy-8gaussians", "--out",
                     str(tmp_path / "o"), "--iterations", "1", "--seed", "1",
                     "--seeds", "0,1"]) == 2
    assert "give --seed or --seeds, not both" in capsys.readouterr().err
