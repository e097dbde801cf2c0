"""keras_wgan.studies.report: the markdown recomputed from the shipped
results, the real-data row, re-rendering a folder from its data."""

import json
import os
import pathlib

import numpy as np
import pytest

from keras_wgan.studies import figures
from keras_wgan.studies import report

pytestmark = pytest.mark.backend_independent

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "compare"
SHIPPED = ["mnist", "fashion_mnist", "toy-8gaussians"]


def _results(name):
    return json.loads((DOCS / name / "results.json").read_text())


def _table(markdown):
    """The summary table (the first block of `|` lines) as cell lists."""
    block = next(b for b in markdown.split("\n\n") if b.startswith("|"))
    lines = block.splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")]
            for line in lines]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_reports_are_rendered_from_their_results(name):
    assert report.markdown_report(_results(name)) == (
        DOCS / name / "report.md").read_text()


def test_real_data_row_has_quality_but_no_training_columns():
    results = _results("toy-8gaussians")
    header, _, *rows = _table(report.markdown_report(results))
    real = dict(zip(header, rows[-1]))
    assert real == {
        "variant": "real data (held-out check)",
        "final energy dist.": "0.00234",
        "best energy dist. (iter.)": "–",
        "high-quality samples": "98.9%",
        "modes covered": "8/8",
        "wall time (s)": "–",
        "s / iter.": "–",
        "generator iter.": "–",
    }
    # The rows of the variants have every column.
    assert all("–" not in row for row in rows[:-1])
    # Which columns the real row fills is data, not a header's prefix.
    flags = {header: real for header, _, real in
             report.table_columns(results)}
    assert [h for h, real in flags.items() if real] == [
        "final energy dist.", "high-quality samples", "modes covered"]


def test_toy_table_has_the_exact_w1_beside_the_critic_gap():
    results = _results("toy-8gaussians")
    results["real_data"] = dict(results["real_data"], exact_w1=0.05)
    for variant in results["variants"]:
        variant["final"] = dict(variant["final"], exact_w1=0.25)
    header, _, *rows = _table(report.markdown_report(results))
    w1, gap = header.index("final W1 (exact)"), header.index("final critic gap")
    assert gap == w1 + 1
    assert rows[-1][w1] == "0.05" and rows[-1][gap] == "–"
    for row, variant in zip(rows[:-1], results["variants"]):
        assert row[w1] == "0.25"
        assert row[gap] == format(variant["final"]["critic_gap"], ".3g")


def test_image_table_columns():
    results = _results("mnist")
    header, _, *rows = _table(report.markdown_table(results))
    assert header[1:5] == ["final FID", "best FID (iter.)",
                           "classifier score", "classes covered"]
    real = rows[-1]
    assert real[1] == format(results["real_data"]["classifier_fid"], ".3g")
    assert real[3] == f"{results['real_data']['classifier_score']:.2f}"
    assert real[4] == f"{results['real_data']['classes_covered']}/10"


def test_zero_values_are_shown():
    results = _results("toy-8gaussians")
    results["real_data"]["energy_distance"] = 0.0
    results["variants"][0]["final"]["energy_distance"] = 0.0
    header, _, *rows = _table(report.markdown_table(results))
    column = header.index("final energy dist.")
    assert rows[0][column] == "0" and rows[-1][column] == "0"


def _arrays(results, is_toy, seed=0):
    rng = np.random.default_rng(seed)
    shape = (300, 2) if is_toy else (64, 28, 28, 1)
    return {row["name"]: {
        "samples": np.clip(rng.normal(size=shape), -1, 1).astype("float32"),
        "weights": rng.normal(size=100).astype("float32")}
        for row in results["variants"]}


@pytest.mark.parametrize("name, is_toy", [("toy-8gaussians", True),
                                          ("mnist", False)])
def test_rerender_draws_the_folder_again(tmp_path, name, is_toy):
    results = _results(name)
    arrays = _arrays(results, is_toy)
    reference = (np.zeros((100, 2), "float32") if is_toy
                 else np.zeros((10, 28, 28, 1), "float32"))
    paths = report.write_report(str(tmp_path), results, arrays, reference,
                                is_toy)
    assert sorted(os.listdir(tmp_path)) == sorted(
        [report.ARRAYS_NAME, report.RESULTS_NAME, report.REPORT_NAME,
         *figures.FIGURES.values()])
    written = {key: pathlib.Path(path).read_bytes()
               for key, path in paths.items()}
    for key in ("report", *figures.FIGURES):
        os.remove(paths[key])
    redrawn = report.rerender(str(tmp_path))
    assert sorted(redrawn) == sorted(["report", *figures.FIGURES])
    assert pathlib.Path(redrawn["report"]).read_bytes() == written["report"]
    for key in figures.FIGURES:
        assert pathlib.Path(redrawn[key]).read_bytes()[:8] == (
            b"\x89PNG\r\n\x1a\n")
    # The data files were read, not written again.
    assert pathlib.Path(paths["results"]).read_bytes() == written["results"]
    assert report.markdown_report(json.loads(written["results"])) == (
        written["report"].decode())


def test_arrays_round_trip(tmp_path):
    arrays = {"wgan": {"samples": np.arange(6.0).reshape(3, 2),
                       "weights": np.ones(4, "float32")},
              "wgan-gp": {"samples": np.zeros((1, 2)),
                          "weights": np.zeros(2, "float32")}}
    path = str(tmp_path / report.ARRAYS_NAME)
    report.save_arrays(path, arrays, np.full((2, 2), 7.0))
    loaded, reference = report.load_arrays(path)
    assert sorted(loaded) == ["wgan", "wgan-gp"]
    for name, values in arrays.items():
        for key, value in values.items():
            np.testing.assert_array_equal(loaded[name][key], value)
    np.testing.assert_array_equal(reference, np.full((2, 2), 7.0))
