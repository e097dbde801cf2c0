"""scripts/export_pretrained.py: the record's command, lineage and measurement."""

import json
import os

import pytest

from keras_wgan import zoo
from tests.cli.helpers import ROOT
from tests.helpers import load_script

export = load_script("export_pretrained")


@pytest.mark.backend_independent
def test_a_run_from_scratch_has_no_lineage(tmp_path):
    assert export.lineage({"epochs": 3}, str(tmp_path)) is None


@pytest.mark.backend_independent
def test_a_continued_run_keeps_its_parents_record(tmp_path):
    parent = zoo.pretrained_info("mnist-wgan-gp")
    (tmp_path / "mnist-wgan-gp.json").write_text(json.dumps(parent))
    found = export.lineage({"init_from": "mnist-wgan-gp"}, str(tmp_path))
    assert found["name"] == "mnist-wgan-gp"
    assert found["sha256"] == parent["sha256"]
    assert found["commands"] == parent.get("commands", [parent["command"]])
    assert found["generator_iterations"] == parent["budget"].get(
        "total_generator_iterations", parent["budget"]["generator_iterations"])
    assert found["quality"] == parent["quality"]["float16"]
    # A grandchild counts every generation's iterations.
    child = dict(parent, commands=found["commands"] + ["python -m x"],
                 budget=dict(parent["budget"], total_generator_iterations=9))
    (tmp_path / "mnist-wgan-gp.json").write_text(json.dumps(child))
    again = export.lineage({"init_from": "mnist-wgan-gp"}, str(tmp_path))
    assert again["generator_iterations"] == 9
    assert again["commands"][-1] == "python -m x"
    # ... and its curve continues its grandparent's, counted from the
    # first run.
    history = parent["quality_history"]
    first = parent["continued_from"]
    assert again["quality_history"]["classifier_fid"] == (
        first["quality_history"]["classifier_fid"] + history["classifier_fid"])
    assert again["quality_history"]["generator_iterations"] == (
        first["quality_history"]["generator_iterations"]
        + [first["generator_iterations"] + value
           for value in history["generator_iterations"]])


@pytest.mark.backend_independent
def test_a_run_from_a_file_cannot_be_exported(tmp_path):
    with pytest.raises(SystemExit, match="no record reproduces"):
        export.lineage({"init_from": "runs/a/model.keras"}, str(tmp_path))


@pytest.mark.backend_independent
def test_the_command_names_init_from():
    record = {"model": "wgan-gp", "out": "runs/b", "width": 32,
              "init_from": "mnist-wgan-gp", "epochs": 18, "num_images": 60000,
              "split": "train", "dataset": "mnist"}
    command = export.train_command(record, available=60000)
    assert "--init-from mnist-wgan-gp" in command
    assert "--width 32" in command and "--num-images" not in command


@pytest.mark.backend_independent
def test_a_stopped_run_asks_for_the_epochs_it_completed():
    epochs, note = export.stopped_note({"epochs": 30, "lr_decay": "none"}, 12)
    assert epochs == 12
    assert "stopped after epoch 12" in note and "--epochs 12" in note
    assert export.stopped_note({"epochs": 30}, 30) == (30, "")


@pytest.mark.backend_independent
def test_a_stopped_decaying_run_keeps_the_epochs_its_decay_spans():
    epochs, note = export.stopped_note({"epochs": 24, "lr_decay": "linear"},
                                       10)
    assert epochs == 24
    assert "--lr-decay linear" in note and "stopped after epoch 10" in note
    assert "nothing in training depends" not in note


@pytest.mark.backends("torch", reason="the script's measurement is "
                      "quality.evaluate_generator, tested on every backend")
def test_measure_gives_a_conditional_models_class_accuracy():
    """The record of a conditional model has its class accuracy; the numbers
    are `evaluate_generator`'s, rounded as the records keep them."""
    import keras_wgan
    from keras_wgan import quality
    from keras_wgan.nets import architectures

    gan = keras_wgan.ConditionalWGANGP(
        architectures.mnist_critic(width=2, num_classes=10),
        architectures.mnist_generator(4, width=2, num_classes=10),
        num_classes=10)
    reference = quality.Reference.of("mnist", num_samples=30)
    measured = export.measure(gan, reference, 30)
    values = quality.evaluate_generator(gan, reference, 30)["model"]
    assert measured == {
        "fid": round(values["classifier_fid"], 2),
        "score": round(values["classifier_score"], 3),
        "classes_covered": values["classes_covered"],
        "smallest_class_fraction": round(values["smallest_class_fraction"],
                                         4),
        "class_accuracy": round(values["class_accuracy"], 4)}
    unconditional = export.measure(keras_wgan.pretrained("mnist-wgan"),
                                   reference, 30)
    assert "class_accuracy" not in unconditional
