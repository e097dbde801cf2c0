"""keras_wgan.quality.classifiers: the shipped classifiers and records."""

import os

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan import quality
from tests.quality import shared

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def test_mnist_classifier_accuracy_on_held_out_digits():
    info = quality.classifier_info("mnist")
    images, labels = shared.held_out()
    assert len(images) == info["evaluated_on"]["count"] >= 1000
    predictions = np.argmax(shared.logits("held_out"), axis=1)
    accuracy = np.mean(predictions == labels)
    assert accuracy >= 0.985
    # The record tells the truth on every backend (round-off may move a
    # borderline digit).
    assert accuracy == pytest.approx(info["accuracy"], abs=0.0015)
    assert abs(int(np.sum(predictions != labels)) - info["errors"]) <= 3


def test_shipped_classifier_records():
    for dataset in quality.CLASSIFIER_DATASETS:
        info = quality.classifier_info(dataset)
        assert info["dataset"] == dataset
        assert info["command"].startswith(
            f"python scripts/train_classifier.py --dataset {dataset}")
        assert {"seed", "versions", "trained_on", "evaluated_on"} <= set(info)
        classifier = shared.classifier(dataset)
        assert classifier.output_shape == (None, 10)
        # The record describes the network that loads its weights.
        assert classifier.output_shape[-1] == info["num_classes"]
        start, stop = info["evaluated_on"]["indices"]
        assert stop - start == info["evaluated_on"]["count"]
        assert info["errors"] == round((1 - info["accuracy"])
                                       * info["evaluated_on"]["count"])


def test_load_classifier_returns_a_new_model_each_time():
    first, second = quality.load_classifier(), quality.load_classifier()
    assert first is not second
    images = shared.digits()[0][:4]
    np.testing.assert_array_equal(
        first.predict_on_batch(images), second.predict_on_batch(images))
    with pytest.raises(ValueError, match="dataset must be one of"):
        quality.load_classifier("cifar10")


@pytest.mark.skipif(not os.path.isdir(FASHION_DIR),
                    reason=f"needs {FASHION_DIR} (apt package "
                           "dataset-fashion-mnist)")
def test_fashion_classifier_accuracy_on_test_split():
    images, labels = data.load_fashion_mnist("test", return_labels=True)
    logits = quality.classifier_logits(images[:2000], shared.classifier(
        "fashion_mnist"))
    accuracy = np.mean(np.argmax(logits, axis=1) == labels[:2000])
    assert accuracy >= 0.85
