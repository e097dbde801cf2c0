"""scripts/judge_runs.py: each run's numbers are evaluate_generator's."""

import json

import keras
import pytest

from keras_wgan import cli
from keras_wgan import quality
from tests.cli.helpers import CLI_RUN
from tests.helpers import load_script

judge_runs = load_script("judge_runs")

pytestmark = pytest.mark.backends(
    "torch", reason="the script drives the CLI and quality.evaluate_generator,"
    " tested on every backend")


def _train(out, *extra):
    assert cli.main(["train", "--out", str(out), "--epochs", "1",
                     "--num-images", "32", *CLI_RUN, *extra]) == 0


def test_a_conditional_run_gets_its_class_accuracy(tmp_path, capsys):
    _train(tmp_path / "plain")
    _train(tmp_path / "cond", "--conditional", "--generator-ema", "0.9")
    results = tmp_path / "results.json"
    assert judge_runs.main(["--runs", str(tmp_path / "plain"),
                            str(tmp_path / "cond"), "--samples", "40",
                            "--out", str(results)]) == 0
    table = capsys.readouterr().out
    written = json.loads(results.read_text())
    reference = quality.Reference.of("mnist", 40)
    assert written["floor"]["class_accuracy"] == \
        reference.floor["class_accuracy"]
    plain, cond = written["runs"]
    assert "class_accuracy" not in plain
    model = keras.models.load_model(tmp_path / "cond" / "model.keras")
    values = quality.evaluate_generator(model, reference, 40)["model"]
    assert cond["class_accuracy"] == values["class_accuracy"]
    assert cond["classifier_fid"] == round(values["classifier_fid"], 3)
    assert cond["settings"] == ("--model wgan-gp --generator-ema 0.9 "
                               "--lr-decay none")
    assert "| plain | mnist (unconditional) |" in table
    assert f"{values['class_accuracy']:.3f} |" in table.splitlines()[-1]


def test_runs_of_two_datasets_are_refused(tmp_path):
    _train(tmp_path / "mnist")
    record = json.loads((tmp_path / "mnist" / "run.json").read_text())
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "run.json").write_text(
        json.dumps(dict(record, dataset="fashion_mnist")))
    with pytest.raises(SystemExit, match="trained on fashion_mnist, not "
                       "mnist: judge one dataset per call"):
        judge_runs.main(["--runs", str(tmp_path / "mnist"),
                         str(tmp_path / "other"), "--samples", "40"])
