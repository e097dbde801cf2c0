"""scripts/plot_pretrained.py: a lineage's curve and where each command began."""

import pytest

from keras_wgan import zoo
from tests.helpers import load_script

plot = load_script("plot_pretrained")

pytestmark = pytest.mark.backend_independent


def _history(epochs, iterations, fids):
    return {"epoch": epochs, "generator_iterations": iterations,
            "classifier_fid": fids}


def test_a_run_from_scratch_has_no_continuation():
    info = {"quality_history": _history([1, 2], [10, 20], [9.0, 8.0])}
    assert plot.full_curve(info) == ([10, 20], [9.0, 8.0], [])


def test_each_continuation_of_a_lineage_is_marked():
    """The parent's curve holds two commands (its epochs start again at 1
    after iteration 20); the record's own command began at the parent's
    30 iterations."""
    info = {
        "continued_from": {
            "generator_iterations": 30,
            "quality_history": _history([1, 2, 1], [10, 20, 30],
                                        [9.0, 8.0, 7.0])},
        "quality_history": _history([1, 2], [5, 10], [6.0, 5.0]),
    }
    iterations, fids, starts = plot.full_curve(info)
    assert iterations == [10, 20, 30, 35, 40]
    assert fids == [9.0, 8.0, 7.0, 6.0, 5.0]
    assert starts == [20, 30]


def test_the_shipped_curves_plot(tmp_path):
    assert plot.main(["--out", str(tmp_path / "curves.png")]) == 0
    assert (tmp_path / "curves.png").stat().st_size > 10_000
    _, _, starts = plot.full_curve(zoo.pretrained_info("mnist-wgan-gp"))
    assert len(starts) == len(
        zoo.pretrained_info("mnist-wgan-gp")["commands"]) - 1
