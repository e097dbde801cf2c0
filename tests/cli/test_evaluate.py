"""`python -m keras_wgan evaluate` (keras_wgan.cli.evaluate): the pretrained
records reproduced, a run's checkpoints scored, bad input refused."""

import csv
import functools
import json
import os
import shutil
import urllib.error

import keras
import pytest

import keras_wgan
from keras_wgan import cli
from keras_wgan import quality
from keras_wgan.cli import evaluate
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import error_lines
from tests.quality.test_inception import TINY
from tests.quality.test_inception import fidelity  # noqa: F401 (fixture)

pytestmark = pytest.mark.above_the_models


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny 2-epoch run: both epochs' checkpoints kept."""
    out = tmp_path_factory.mktemp("evaluate") / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "2",
                     "--num-images", "16", *CLI_RUN]) == 0
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", keras_wgan.zoo.PRETRAINED_MODELS)
def test_pretrained_records_are_reproduced_to_their_digits(
        name, tmp_path, capsys):
    out = tmp_path / "e.json"
    assert cli.main(["evaluate", "--pretrained", name, "--out",
                     str(out)]) == 0
    record = keras_wgan.pretrained_info(name)["quality"]
    result = json.loads(out.read_text())
    shipped, floor = record["float16"], record["floor"]
    model = result["model"]
    assert round(model["classifier_fid"], 2) == shipped["fid"]
    assert round(model["classifier_score"], 3) == shipped["score"]
    assert model["classes_covered"] == shipped["classes_covered"]
    assert (round(model["smallest_class_fraction"], 4)
            == shipped["smallest_class_fraction"])
    assert round(result["floor"]["classifier_fid"], 2) == floor["fid"]
    assert round(result["floor"]["classifier_score"], 3) == floor["score"]
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"pretrained {name}: classifier FID "
                           f"{shipped['fid']:.2f} (real-data floor "
                           f"{floor['fid']:.2f}), score {shipped['score']:.3f}")


@pytest.mark.every_backend
def test_run_is_measured_as_evaluate_generator_measures_it(run, capsys):
    out = run / "evaluation.json"
    assert cli.main(["evaluate", "--run", str(run), "--samples", "40",
                     "--seed", "2"]) == 0
    result = json.loads(out.read_text())
    model = keras.models.load_model(run / "model.keras")
    reference = quality.Reference.of("mnist", 40, split="test")
    expected = quality.evaluate_generator(model, reference, seed=2)
    for part in ("model", "floor"):
        for name, value in expected[part].items():
            assert result[part][name] == pytest.approx(value, rel=1e-6), name
    assert result["source"] == f"run {run}"
    assert (result["num_samples"], result["seed"]) == (40, 2)
    line = capsys.readouterr().out.strip()
    assert line == (evaluate.summary_line(f"run {run}", expected)
                    + f"; wrote {out}")


def test_checkpoint_in_a_run_folder_finds_its_dataset(run, tmp_path):
    out = tmp_path / "c.json"
    checkpoint = run / "checkpoints" / "epoch_0001.keras"
    assert cli.main(["evaluate", "--checkpoint", str(checkpoint),
                     "--samples", "20", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["dataset"] == "mnist"


def test_every_checkpoint_writes_the_curve_once(run, tmp_path, capsys):
    out = tmp_path / "curve.json"
    args = ["evaluate", "--run", str(run), "--every-checkpoint",
            "--samples", "30", "--out", str(out)]
    assert cli.main(args) == 0
    with open(run / "quality.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(row["epoch"]) for row in rows] == [1, 2]
    # 16 images, batches of 8, 2 critic updates: 1 generator step an epoch.
    assert [int(row["generator_iterations"]) for row in rows] == [1, 2]
    reference = quality.Reference.of("mnist", 30, split="test")
    for row in rows:
        model = keras.models.load_model(
            run / "checkpoints" / f"epoch_{int(row['epoch']):04d}.keras")
        values = quality.evaluate_generator(model, reference)["model"]
        assert float(row["classifier_fid"]) == round(
            values["classifier_fid"], 3)
        assert int(row["classes_covered"]) == values["classes_covered"]
    content = json.loads(out.read_text())
    assert [c["epoch"] for c in content["checkpoints"]] == [1, 2]
    assert content["floor"]["classifier_fid"] == pytest.approx(
        reference.floor["classifier_fid"])
    printed = capsys.readouterr().out
    assert "2 checkpoint(s) scored" in printed
    # Scored epochs are not scored again.
    assert cli.main(args) == 0
    with open(run / "quality.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 2
    assert json.loads(out.read_text())["checkpoints"] == []
    os.remove(run / "quality.csv")


def test_conditional_run_curve_has_its_class_accuracy(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["train", "--out", str(run), "--conditional", "--epochs",
                     "1", "--num-images", "16", *CLI_RUN]) == 0
    assert cli.main(["evaluate", "--run", str(run), "--every-checkpoint",
                     "--samples", "30", "--out", str(tmp_path / "c.json")]) == 0
    with open(run / "quality.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(evaluate.CONDITIONAL_QUALITY_FIELDS)
    model = keras.models.load_model(run / "checkpoints" / "epoch_0001.keras")
    reference = quality.Reference.of("mnist", 30, split="test")
    values = quality.evaluate_generator(model, reference)["model"]
    assert float(rows[0]["class_accuracy"]) == round(
        values["class_accuracy"], 4)
    assert f"class accuracy {values['class_accuracy']:.4f}" in \
        capsys.readouterr().out
    # A curve of other columns is refused before anything is scored.
    (run / "quality.csv").write_text(
        ",".join(evaluate.QUALITY_FIELDS) + "\n")
    os.remove(run / "checkpoints" / "epoch_0001.keras")
    assert cli.main(["evaluate", "--run", str(run), "--every-checkpoint",
                     "--samples", "30"]) == 2
    err = error_lines(capsys)
    assert "move it away to score the run's checkpoints again." in err
    assert len(err.splitlines()) == 1


def test_watch_waits_for_the_last_epoch(run, tmp_path, monkeypatch):
    # A copy of the run that says it trains 3 epochs: the third checkpoint
    # appears while the command waits.
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    record = json.loads((copy / "run.json").read_text())
    (copy / "run.json").write_text(json.dumps(dict(record, epochs=3)))
    naps = []

    def nap(seconds):
        naps.append(seconds)
        checkpoints = copy / "checkpoints"
        shutil.copy(checkpoints / "epoch_0002.keras",
                    checkpoints / "epoch_0003.keras")

    monkeypatch.setattr(evaluate.time, "sleep", nap)
    assert cli.main(["evaluate", "--run", str(copy), "--every-checkpoint",
                     "--watch", "--every", "2", "--samples", "20"]) == 0
    assert naps == [evaluate.POLL_SECONDS]
    with open(copy / "quality.csv", newline="") as f:
        # --every 2: epoch 2, then the last epoch is seen but not scored.
        assert [int(row["epoch"]) for row in csv.DictReader(f)] == [2]


@pytest.mark.parametrize("args, message", [
    (["--pretrained", "mnist-wgan", "--every-checkpoint"],
     "--every-checkpoint applies to --run DIR only."),
    (["--pretrained", "mnist-wgan", "--watch"],
     "--watch applies with --every-checkpoint only."),
    (["--pretrained", "mnist-wgan", "--dataset", "mnist"],
     "--dataset applies to --checkpoint only"),
    (["--pretrained", "mnist-wgan", "--samples", "70000"],
     "--samples: num_samples must be <= 60000 (the train images of mnist, "
     "for the floor), got 70000."),
    (["--pretrained", "mnist-wgan", "--samples", "1"],
     "argument --samples: must be an integer >= 2, got 1."),
    (["--run", "no/such/run"], "--run: no/such/run is not a folder."),
    (["--checkpoint", "nothing.keras"],
     "--checkpoint: no such file nothing.keras."),
])
def test_bad_arguments_are_one_line(args, message, tmp_path, capsys,
                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["evaluate", *args]) == 2
    err = error_lines(capsys).strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert os.listdir(tmp_path) == []


def test_checkpoint_outside_a_run_needs_the_dataset(run, tmp_path, capsys):
    lone = tmp_path / "lone.keras"
    lone.write_bytes((run / "model.keras").read_bytes())
    assert cli.main(["evaluate", "--checkpoint", str(lone)]) == 2
    assert "pass --dataset." in error_lines(capsys)
    out = tmp_path / "e.json"
    assert cli.main(["evaluate", "--checkpoint", str(lone), "--dataset",
                     "mnist", "--samples", "20", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["dataset"] == "mnist"


def test_dataset_without_a_classifier_is_refused(tmp_path, capsys):
    folder = tmp_path / "cifar_run"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"dataset": "cifar10"}))
    (folder / "model.keras").write_bytes(b"")
    assert cli.main(["evaluate", "--run", str(folder)]) == 2
    assert ("trained on cifar10, which has no shipped classifier"
            in error_lines(capsys))
    assert sorted(os.listdir(folder)) == ["model.keras", "run.json"]


def test_inception_without_weights_is_one_line(fidelity, monkeypatch,  # noqa: F811
                                               tmp_path, capsys):
    import torch

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None, raising=False)

    def offline(url, path, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["evaluate", "--pretrained", "mnist-wgan",
                     "--inception"]) == 2
    (line,) = error_lines(capsys).strip().splitlines()
    assert line.startswith("error: --inception: The Inception weights ")
    assert "are not in " + str(tmp_path / "torch" / "hub" / "checkpoints") \
        in line
    assert not os.path.exists(tmp_path / "evaluation.json")


def test_inception_metrics_reach_the_json(fidelity, monkeypatch,  # noqa: F811
                                          tmp_path, capsys):
    # The real computation through torch-fidelity, with a small feature
    # extractor in place of Inception, whose weights are not at hand.
    monkeypatch.setattr(quality, "ensure_inception_weights", lambda: "w")
    monkeypatch.setattr(quality, "inception_metrics", functools.partial(
        quality.inception_metrics, feature_extractor=TINY))
    out = tmp_path / "e.json"
    assert cli.main(["evaluate", "--pretrained", "mnist-wgan", "--samples",
                     "40", "--inception", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    images = keras_wgan.pretrained("mnist-wgan").generate(40, seed=0)
    real = keras_wgan.data.load_mnist("test")
    expected = quality.inception_metrics(images, real, kid_subset_size=40,
                                         feature_extractor=TINY)
    assert result["inception"]["fid"] == pytest.approx(expected["fid"])
    assert result["inception"]["kid"] == pytest.approx(list(expected["kid"]))
    assert "Inception FID" in capsys.readouterr().out
