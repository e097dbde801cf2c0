"""keras_wgan.studies.figures: colours from the registry, zero values and
missing gradient norms drawn without errors."""

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402

from keras_wgan.models import registry  # noqa: E402
from keras_wgan.studies import figures  # noqa: E402

pytestmark = pytest.mark.backend_independent


def _results(values, real=None, norms=True):
    history = [{"iteration": 10 * i, "train_seconds": float(i),
                "energy_distance": value, "critic_gap": 0.1,
                **({"gradient_norms": {"hidden_3": 1.0, "score": 2.0}}
                   if norms else {})}
               for i, value in enumerate(values)]
    return {"primary_metric": "energy_distance", "num_modes": None,
            "real_data": {"energy_distance": real},
            "variants": [{"name": "wgan", "label": "WGAN (clipping)",
                          "history": history, "clip_value": 0.01}]}


def test_colours_come_from_the_registry():
    for name, variant in registry.VARIANTS.items():
        assert figures.colour({"name": name}) == variant.colour
    assert figures.colour({"name": "not-registered"}) is None


def test_zero_is_a_value_and_keeps_the_scale_linear():
    results = _results([0.0, 5.0, 300.0], real=0.001)
    assert figures.primary_values(results) == [0.0, 5.0, 300.0]
    figure, axis = plt.subplots()
    figures._real_line(axis, 0.001, results)
    # 300 against 5 spans decades, but a log scale cannot show the 0.
    assert axis.get_yscale() == "linear"
    assert len(axis.get_lines()) == 1  # the real-data line
    plt.close(figure)
    figure, axis = plt.subplots()
    figures._real_line(axis, 0.001, _results([1.0, 5.0, 300.0]))
    assert axis.get_yscale() == "log"
    # 0.001 is far below the curves: the title gives it instead of a line.
    assert len(axis.get_lines()) == 0
    plt.close(figure)


def test_figures_of_runs_without_gradient_norms(tmp_path):
    results = _results([0.5, 0.0], norms=False)
    path = tmp_path / "norms.png"
    figures.plot_gradient_norms(results, str(path))
    assert path.read_bytes()[:4] == b"\x89PNG"
    curves = tmp_path / "curves.png"
    figures.plot_curves(_results([0.5, 0.0], real=0.0), str(curves))
    assert curves.read_bytes()[:4] == b"\x89PNG"
