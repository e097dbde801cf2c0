"""keras_wgan.quality.classifiers: the shipped classifiers and records."""

import os

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan import quality
from keras_wgan.data import coloured_mnist
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
    assert quality.CLASSIFIER_DATASETS == ("mnist", "fashion_mnist",
                                           "coloured_mnist",
                                           "coloured_mnist_joint")
    # The joint dataset's classes are the coloured MNIST classifier's own.
    joint = quality.load_classifier("coloured_mnist_joint")
    assert joint.name == "coloured_mnist_classifier"
    np.testing.assert_array_equal(
        joint.get_weights()[0],
        shared.classifier("coloured_mnist").get_weights()[0])
    for dataset in quality.CLASSIFIER_DATASETS[:3]:
        info = quality.classifier_info(dataset)
        assert info["dataset"] == dataset
        assert info["command"].startswith(
            f"python scripts/train_classifier.py --dataset {dataset}")
        assert {"seed", "versions", "trained_on", "evaluated_on"} <= set(info)
        classifier = shared.classifier(dataset)
        # The record describes the network that loads its weights.
        assert classifier.input_shape == (None, *info["image_shape"])
        assert classifier.output_shape == (None, info["num_classes"])
        start, stop = info["evaluated_on"]["indices"]
        assert stop - start == info["evaluated_on"]["count"]
        assert info["errors"] == round((1 - info["accuracy"])
                                       * info["evaluated_on"]["count"])


def test_coloured_mnist_classifier_and_record():
    info = quality.classifier_info("coloured_mnist")
    assert info["image_shape"] == [32, 32, 3]
    assert info["num_classes"] == coloured_mnist.NUM_JOINT_CLASSES == 200
    assert info["trained_on"]["loader"] == (
        "keras_wgan.data.load_coloured_mnist('train')")
    assert info["trained_on"]["count"] == 60000
    assert info["evaluated_on"]["count"] == 10000
    # The joint label is right at most as often as each of its parts.
    assert info["accuracy"] <= info["digit_accuracy"] >= 0.98
    assert min(info["stroke_accuracy"], info["background_accuracy"]) >= 0.998
    floor = {size["train_images"]: size for size in info["floor"]["sizes"]}
    assert sorted(floor) == [2000, 10000]
    # The FID estimate is biased upwards for fewer images.
    assert 0 < floor[10000]["fid"] < floor[2000]["fid"]
    assert floor[10000]["classes_covered"] == 200
    # The record tells the truth on every backend (round-off may move a
    # borderline image): all 10,000 test images.
    images, digits, colours = shared.coloured()
    logits = shared.logits("coloured")
    joint = coloured_mnist.joint_labels(digits, colours)
    assert quality.accuracy_from_logits(logits, joint) == pytest.approx(
        info["accuracy"], abs=0.0015)
    found_digits, found_colours = quality.coloured_mnist_predictions(logits)
    assert np.mean(found_digits == digits) == pytest.approx(
        info["digit_accuracy"], abs=0.0015)
    assert np.mean(found_colours == colours) >= 0.999
    # The first 1,000 (the classifier's digit errors there are 2.0%): as
    # accurate as the record says, within three standard deviations of
    # 1,000 draws.
    spread = 3 * np.sqrt(info["digit_accuracy"]
                         * (1 - info["digit_accuracy"]) / 1000)
    assert np.mean(found_digits[:1000] == digits[:1000]) >= (
        info["digit_accuracy"] - spread)
    # Classifier FID, score and coverage work unchanged: 200 modes.
    coverage = quality.coverage_from_logits(logits[:1000])
    assert coverage.num_classes == 200 and coverage.covered > 190
    assert quality.score_from_logits(logits) > 150


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
