"""keras_wgan.studies.compare through `python -m keras_wgan compare`: tiny
real runs, the report, the real-data row recomputed, bad input."""

import json
import math
import os
import shutil

import numpy as np
import pytest

from keras_wgan import cli
from keras_wgan import quality
from keras_wgan.models import registry
from keras_wgan.studies import compare
from keras_wgan.studies import measures
from keras_wgan.studies import toy
from keras_wgan.studies import transport

pytestmark = pytest.mark.above_the_models

REPORT_FILES = ["arrays.npz", "curves.png", "gradient_norms.png", "report.md",
                "results.json", "samples.png", "state", "weights.png"]


def _table(report):
    """Returns the summary table of report.md as a list of cell lists."""
    lines = report.split("\n\n")[1].splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")]
            for line in lines]


def _run_compare(tmp_path, *args):
    out = tmp_path / "report"
    status = cli.main(["compare", "--out", str(out), *args])
    assert status == 0
    assert sorted(os.listdir(out)) == REPORT_FILES
    results = json.loads((out / "results.json").read_text())
    return out, results, _table((out / "report.md").read_text())


def _check_table_matches(results, table, primary):
    header, rows = table[0], table[2:]
    labels = [r["label"] for r in results["variants"]]
    assert [row[0] for row in rows] == labels + ["real data (held-out check)"]
    final_column = header.index(next(h for h in header
                                     if h.startswith("final")))
    for row, result in zip(rows, results["variants"]):
        value = result["final"][primary]
        assert math.isfinite(value)
        assert float(row[final_column]) == pytest.approx(value, rel=5e-3)
        assert float(row[header.index("wall time (s)")]) == pytest.approx(
            result["train_seconds"], abs=0.06)
        assert int(row[header.index("generator iter.")]) == result[
            "iterations"]


def test_toy_compare_writes_report_for_every_variant(tmp_path):
    out, results, table = _run_compare(
        tmp_path, "--dataset", "toy-8gaussians", "--iterations", "6",
        "--eval-every", "3", "--eval-samples", "200", "--width", "16")
    assert [r["name"] for r in results["variants"]] == list(
        registry.VARIANTS)
    assert [r["label"] for r in results["variants"]] == [
        v.label for v in registry.VARIANTS.values()]
    for result in results["variants"]:
        assert result["iterations"] == 6
        assert result["status"] == "completed"
        assert [h["iteration"] for h in result["history"]] == [0, 3, 6]
        assert result["final"]["modes_covered"] in range(9)
        assert result["train_seconds"] > 0
        # The same seed gives every variant the same initial critic.
        assert result["history"][0]["critic_gap"] == pytest.approx(
            results["variants"][0]["history"][0]["critic_gap"], rel=1e-4)
    assert results["variants"][2]["clip_value"] == pytest.approx(0.01)
    assert results["variants"][3]["gp_weight"] == 10.0
    # Real points cover every mode and are nearly all high quality.
    assert results["real_data"]["modes_covered"] == 8
    assert results["real_data"]["high_quality"] > 0.95
    _check_table_matches(results, table, "energy_distance")
    assert "--iterations 6" in (out / "report.md").read_text()
    # The real-data row, recomputed from the sampler: 200 of the 100,000
    # training points (seed 0) against the 200 reference points (seed 1).
    train = toy.eight_gaussians(compare.TOY_TRAIN_SIZE, seed=0)
    real = train[np.random.default_rng(0).choice(len(train), 200, False)]
    mixture = toy.MIXTURES["8gaussians"]
    assert results["real_data"] == {
        "energy_distance": measures.energy_distance(
            real, toy.eight_gaussians(200, seed=1)),
        "exact_w1": transport.exact_wasserstein(
            real, toy.eight_gaussians(200, seed=1)),
        **measures.mixture_quality(real, mixture.centres, mixture.mode_std)}


@pytest.mark.every_backend
def test_mnist_compare_reports_fid_score_and_classes(tmp_path):
    out, results, table = _run_compare(
        tmp_path, "--dataset", "mnist", "--variants", "wgan-gp",
        "--iterations", "2", "--eval-every", "2", "--eval-samples", "100",
        "--width", "4", "--latent-dim", "8", "--batch-size", "16")
    assert [r["name"] for r in results["variants"]] == ["wgan-gp"]
    real = results["real_data"]
    for result in results["variants"]:
        final = result["final"]
        assert final["classes_covered"] in range(1, 11)
        # An untrained generator's blobs are far less varied and sure than
        # real digits.
        assert final["classifier_score"] < real["classifier_score"] - 2
        assert result["best"]["classifier_fid"] <= final["classifier_fid"]
        # Three convolutions and the score layer.
        assert len(final["gradient_norms"]) == 4
        assert list(final["gradient_norms"])[-1] == "score"
    # Untrained generators are far from real digits; real ones are close.
    assert real["classifier_fid"] < min(
        r["final"]["classifier_fid"] for r in results["variants"])
    assert real["classes_covered"] == 10
    # The real-data row's score and classes, recomputed from the images:
    # the 100 training digits drawn with seed 0.
    config = compare.CompareConfig("mnist", str(out), iterations=2,
                                   eval_samples=100)
    train = compare.load_data(config).train
    digits = train[np.random.default_rng(0).choice(len(train), 100, False)]
    logits = quality.classifier_logits(digits,
                                       quality.load_classifier("mnist"))
    assert real["classifier_score"] == pytest.approx(
        quality.score_from_logits(logits), rel=1e-6)
    assert real["class_counts"] == quality.coverage_from_logits(
        logits).counts.tolist()
    _check_table_matches(results, table, "classifier_fid")
    report = (out / "report.md").read_text()
    assert ("Training data: the MNIST train split (60,000 digits); FID "
            "reference: the test split (10,000 digits), never trained "
            "on.") in report
    assert "Keras backend" in report


def test_seconds_budget_stops_by_the_clock(tmp_path):
    _, results, _ = _run_compare(
        tmp_path, "--dataset", "toy-swissroll", "--variants", "nsgan",
        "--seconds", "1", "--eval-every", "100000", "--eval-samples", "50",
        "--width", "8")
    result = results["variants"][0]
    assert result["train_seconds"] >= 1
    assert 1 <= result["iterations"] < 100000
    # Evaluated before training and where the clock stopped it.
    assert [h["iteration"] for h in result["history"]] == [
        0, result["iterations"]]
    assert "modes_covered" not in result["final"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "mnist", "--iterations", "2", "--variants", "gan,dcgan"],
         "--variants must be distinct names from gan,nsgan,wgan,wgan-gp"),
        (["--dataset", "mnist", "--iterations", "2", "--variants", "gan,gan"],
         "--variants must be distinct"),
        (["--dataset", "mnist"], "give --iterations N or --seconds S"),
        (["--dataset", "mnist", "--iterations", "0"],
         "argument --iterations: must be an integer >= 1"),
        (["--dataset", "mnist", "--seconds", "-1"], "--seconds: must be"),
        (["--dataset", "cifar10", "--iterations", "2"],
         "argument --dataset: invalid choice"),
        (["--dataset", "toy-8gaussians", "--iterations", "2",
          "--batch-size", "30000"], "--batch-size 30000 needs at least"),
    ],
)
def test_bad_arguments_give_one_line_and_write_nothing(tmp_path, capsys,
                                                        args, message):
    out = tmp_path / "report"
    assert cli.main(["compare", "--out", str(out), *args]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("keras_wgan: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert message in lines[0]
    assert not out.exists()


def test_non_empty_out_is_refused_without_overwrite(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    status = cli.main(["compare", "--out", str(tmp_path), "--dataset",
                       "toy-8gaussians", "--iterations", "2"])
    assert status == 2
    assert "is not empty; pass --resume to continue it, --overwrite" in (
        capsys.readouterr().err)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_config_names_the_bad_argument():
    with pytest.raises(ValueError, match="dataset must be one of"):
        compare.CompareConfig("svhn", "out", iterations=1)
    with pytest.raises(ValueError, match="give iterations"):
        compare.CompareConfig("mnist", "out")
    with pytest.raises(ValueError, match="eval_every"):
        compare.CompareConfig("mnist", "out", iterations=1, eval_every=0)
    config = compare.CompareConfig("toy-swissroll", "out", seconds=2.0)
    assert (config.width, config.latent_dim) == (128, 2)


def test_config_repr_and_variants_come_from_the_registry():
    config = compare.CompareConfig("mnist", "out", iterations=3)
    assert config.variants == tuple(registry.VARIANTS)
    assert (config.width, config.latent_dim) == (32, 128)
    assert not config.is_toy
    assert repr(config).startswith(
        "CompareConfig(dataset='mnist', out='out', variants=('gan', ")
    with pytest.raises(ValueError, match="variants must be distinct names "
                                         "from gan, nsgan, wgan, wgan-gp"):
        compare.CompareConfig("mnist", "out", iterations=1,
                              variants=("wgan", "lsgan"))


def test_toy_data_and_evaluator():
    config = compare.CompareConfig("toy-25gaussians", "out", iterations=1,
                                   eval_samples=50, seed=4)
    data = compare.load_data(config)
    np.testing.assert_array_equal(
        data.train, toy.twenty_five_gaussians(compare.TOY_TRAIN_SIZE, seed=4))
    np.testing.assert_array_equal(data.reference,
                                  toy.twenty_five_gaussians(50, seed=5))
    assert "seed 4" in data.notes[0]
    evaluator = compare.make_evaluator(config, data)
    assert isinstance(evaluator, measures.ToyQuality)
    assert evaluator.num_modes == 25
    swiss = compare.make_evaluator(
        compare.CompareConfig("toy-swissroll", "out", iterations=1), data)
    assert swiss.num_modes is None


def test_machine_description_names_the_backend_version():
    import keras

    machine = compare.machine_description()
    backend = keras.backend.backend()
    assert machine["backend"] == backend
    module = __import__(backend)
    assert machine["versions"][backend] == module.__version__
    assert machine["versions"]["keras"] == keras.__version__
    assert machine["torch_threads"] is None or machine["torch_threads"] >= 1


# Two variants on the toy data, small enough to run three times.
_RESUMABLE = ["--dataset", "toy-8gaussians", "--variants", "wgan-gp,wgan",
              "--eval-every", "3", "--eval-samples", "200", "--width", "8",
              "--batch-size", "32"]


def _without_times(results):
    """The results' numbers that must not depend on stops and restarts."""
    keep = []
    for variant in results["variants"]:
        keep.append((variant["name"], variant["iterations"], variant["status"],
                     [{k: v for k, v in record.items() if k != "train_seconds"}
                      for record in variant["history"]]))
    return keep


class _Stop(Exception):
    pass


def _stop_at(text):
    def log(line):
        if text in line:
            raise _Stop(line)
    return log


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory):
    """The results of an uninterrupted 9-iteration comparison."""
    whole = tmp_path_factory.mktemp("whole")
    assert cli.main(["compare", "--out", str(whole), "--overwrite",
                     "--iterations", "9", *_RESUMABLE]) == 0
    return _without_times(json.loads((whole / "results.json").read_text()))


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """A finished 6-iteration comparison, copied by each test that uses it."""
    short = tmp_path_factory.mktemp("short")
    assert cli.main(["compare", "--out", str(short), "--overwrite",
                     "--iterations", "6", *_RESUMABLE]) == 0
    return short


def test_a_stopped_comparison_resumes_to_the_same_numbers(tmp_path, capsys,
                                                          whole_run):
    # Stopped twice: in the first variant's third epoch (its state holds
    # epoch 2), then in the second variant's second (its state holds
    # epoch 1; the first variant is finished).
    stopped = tmp_path / "stopped"
    config = compare.CompareConfig(
        "toy-8gaussians", str(stopped), ("wgan-gp", "wgan"), iterations=9,
        eval_every=3, eval_samples=200, width=8, batch_size=32)
    with pytest.raises(_Stop):
        compare.run_comparison(config, log=_stop_at("iteration 9/9"))
    progress = json.loads(
        (stopped / "state" / "wgan-gp" / "progress.json").read_text())
    assert (progress["epoch"], progress["iterations"]) == (2, 6)
    assert [h["iteration"] for h in progress["history"]] == [0, 3, 6]
    with pytest.raises(_Stop):
        compare.run_comparison(config, resume=True,
                               log=_stop_at("WGAN (clipping): iteration 6/"))
    capsys.readouterr()
    assert cli.main(["compare", "--out", str(stopped), "--iterations", "9",
                     "--resume", *_RESUMABLE]) == 0
    printed = capsys.readouterr().out
    assert "WGAN-GP: kept from" in printed
    assert "WGAN (clipping): continued at iteration 3" in printed
    results = json.loads((stopped / "results.json").read_text())
    assert results["continued"] is True
    assert _without_times(results) == whole_run
    assert "continued from saved state" in (stopped / "report.md").read_text()


def test_resume_extends_the_budget_exactly(tmp_path, short_run, whole_run):
    extended = tmp_path / "extended"
    shutil.copytree(short_run, extended)
    short = json.loads((extended / "results.json").read_text())
    assert [v["iterations"] for v in short["variants"]] == [6, 6]
    assert cli.main(["compare", "--out", str(extended), "--iterations", "9",
                     "--resume", *_RESUMABLE]) == 0
    assert _without_times(json.loads(
        (extended / "results.json").read_text())) == whole_run


@pytest.mark.parametrize(
    "args, message",
    [
        (["--iterations", "9", "--batch-size", "16"],
         "was run with other settings (batch_size: 32 -> 16)"),
        (["--iterations", "3"], "--iterations must be at least the 6"),
        (["--iterations", "9", "--overwrite"],
         "--resume and --overwrite exclude each other"),
    ],
)
def test_resume_refuses_what_it_cannot_continue(tmp_path, capsys, short_run,
                                               args, message):
    out = tmp_path / "report"
    shutil.copytree(short_run, out)
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*")}
    # The later --batch-size overrides the one in _RESUMABLE.
    assert cli.main(["compare", "--out", str(out), "--resume", *_RESUMABLE,
                     *args]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*")} == before


def test_resume_needs_a_saved_comparison(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert cli.main(["compare", "--out", str(tmp_path), "--resume",
                     "--iterations", "3", *_RESUMABLE]) == 2
    assert "holds no saved comparison" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["notes.txt"]
