"""Tests for keras_wgan.quality: the metrics, the shipped classifiers, the
callback. Real computations on real digits with the shipped classifier."""

import csv
import functools
import logging
import os

import keras
import numpy as np
import pytest

from keras_wgan import WGAN
from keras_wgan import data
from keras_wgan import quality
from keras_wgan._logging import get_logger
from tests import helpers

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


# Classifier outputs are computed once per image set and shared by the
# tests (a forward pass over 1,000 images takes seconds on a loaded CPU);
# each public function of images is still called on images somewhere.


@functools.lru_cache(maxsize=None)
def _classifier(dataset="mnist"):
    return quality.load_classifier(dataset)


@functools.lru_cache(maxsize=1)
def _digits():
    return data.load_mnist("test", return_labels=True)


def _held_out():
    """The MNIST digits the shipped classifier never saw, and labels."""
    start, stop = quality.classifier_info("mnist")["evaluated_on"]["indices"]
    images, labels = _digits()
    return images[start:stop], labels[start:stop]


def _noise(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


@functools.lru_cache(maxsize=None)
def _logits(name):
    sets = {
        "held_out": lambda: _held_out()[0],
        # Digits the classifier trained on: real, but not the held-out ones.
        "reference": lambda: _digits()[0][:1000],
        "noise": lambda: _noise(1000),
    }
    return quality.classifier_logits(sets[name](), _classifier())


# --- Frechet distance --------------------------------------------------------


def test_frechet_distance_diagonal_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    s1, s2 = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(
        s1 + s2 - 2 * np.sqrt(s1 * s2)
    )
    got = quality.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_full_covariances():
    # Non-commuting covariances, checked against the eigenvalues of the
    # (non-symmetric) product sigma1 sigma2, computed another way.
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 5, 5))
    sigma1, sigma2 = a @ a.T + 0.1 * np.eye(5), b @ b.T
    mu1, mu2 = rng.normal(size=(2, 5))
    product_eigenvalues = np.linalg.eigvals(sigma1 @ sigma2)
    assert np.abs(product_eigenvalues.imag).max() < 1e-8
    trace_root = np.sum(np.sqrt(product_eigenvalues.real))
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(sigma1)
                + np.trace(sigma2) - 2 * trace_root)
    got = quality.frechet_distance(mu1, sigma1, mu2, sigma2)
    assert got == pytest.approx(expected, rel=1e-9)
    # A distance: symmetric in its two Gaussians.
    assert quality.frechet_distance(mu2, sigma2, mu1, sigma1) == (
        pytest.approx(got, rel=1e-9))


def test_frechet_distance_singular_and_identical():
    # Rank-1 covariances (fewer samples than features) give no NaN.
    v = np.array([[1.0], [2.0], [0.0]])
    sigma = v @ v.T
    assert quality.frechet_distance(np.zeros(3), sigma, np.zeros(3),
                                    sigma) == pytest.approx(0, abs=1e-9)
    # Same direction, 4x the variance: (2 - 1)^2 * |v|^2 = 5.
    assert quality.frechet_distance(np.zeros(3), sigma, np.zeros(3),
                                    4 * sigma) == pytest.approx(5, rel=1e-9)
    mu, cov = quality.feature_statistics(np.random.default_rng(2).normal(
        size=(50, 4)))
    assert quality.frechet_distance(mu, cov, mu, cov) >= 0.0


def test_feature_statistics():
    features = np.random.default_rng(3).normal(size=(40, 3))
    mu, sigma = quality.feature_statistics(features)
    np.testing.assert_allclose(mu, features.mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(features.T))


# --- the shipped classifiers -------------------------------------------------


def test_mnist_classifier_accuracy_on_held_out_digits():
    info = quality.classifier_info("mnist")
    images, labels = _held_out()
    assert len(images) == info["evaluated_on"]["count"] >= 1000
    accuracy = np.mean(np.argmax(_logits("held_out"), axis=1) == labels)
    assert accuracy >= 0.985
    # The record tells the truth on every backend (round-off may move a
    # borderline digit).
    assert accuracy == pytest.approx(info["accuracy"], abs=0.0015)


def test_shipped_classifier_records():
    for dataset in quality.CLASSIFIER_DATASETS:
        info = quality.classifier_info(dataset)
        assert info["dataset"] == dataset
        assert info["command"].startswith(
            f"python scripts/train_classifier.py --dataset {dataset}")
        assert {"seed", "versions", "trained_on", "evaluated_on"} <= set(info)
        classifier = _classifier(dataset)
        assert classifier.output_shape == (None, 10)


@pytest.mark.skipif(not os.path.isdir(FASHION_DIR),
                    reason=f"needs {FASHION_DIR} (apt package "
                           "dataset-fashion-mnist)")
def test_fashion_classifier_accuracy_on_test_split():
    images, labels = data.load_fashion_mnist("test", return_labels=True)
    logits = quality.classifier_logits(images[:2000], _classifier(
        "fashion_mnist"))
    accuracy = np.mean(np.argmax(logits, axis=1) == labels[:2000])
    assert accuracy >= 0.85


# --- metrics on real digits --------------------------------------------------


def _fid(a, b):
    return quality.frechet_distance(*quality.feature_statistics(_logits(a)),
                                    *quality.feature_statistics(_logits(b)))


def test_fid_real_versus_real_and_noise():
    real = _fid("reference", "held_out")
    noise = _fid("reference", "noise")
    assert real < 0.02 * noise
    # The same through the images API, on fewer images.
    images, _ = _digits()
    held_out, _ = _held_out()
    assert quality.classifier_fid(images[:300], held_out[:300],
                                  _classifier()) < 0.05 * noise
    # Identical sets: exactly the same Gaussians.
    assert quality.classifier_fid(held_out[:50], held_out[:50],
                                  _classifier()) == pytest.approx(0, abs=1e-6)


def test_fid_of_one_repeated_digit_is_large():
    held_out, _ = _held_out()
    repeated = np.repeat(held_out[:1], 2, axis=0)
    one = quality.classifier_logits(repeated, _classifier())
    one = np.repeat(one[:1], 1000, axis=0)  # 1,000 copies, one forward pass
    distance = quality.frechet_distance(
        *quality.feature_statistics(_logits("reference")),
        *quality.feature_statistics(one))
    assert distance > 50 * _fid("reference", "held_out")


def test_score_of_real_digits_and_of_one_digit():
    assert quality.score_from_logits(_logits("held_out")) > 9.5
    held_out, _ = _held_out()
    repeated = np.repeat(held_out[:1], 20, axis=0)
    assert quality.classifier_score(repeated, _classifier()) == (
        pytest.approx(1.0, abs=1e-6))
    # The images API agrees with the score of the cached logits.
    assert quality.classifier_score(held_out[:200], _classifier()) == (
        pytest.approx(quality.score_from_logits(_logits("held_out")[:200]),
                      rel=1e-4))
    # Noise goes to few classes: far below real digits.
    assert quality.score_from_logits(_logits("noise")) < 5


def test_score_from_logits_bounds():
    # Confident and balanced: the number of classes; uniform p(y|x): 1.
    confident = np.where(np.eye(4, dtype=bool), 50.0, -50.0)
    assert quality.score_from_logits(confident) == pytest.approx(4, rel=1e-9)
    assert quality.score_from_logits(np.zeros((6, 4))) == pytest.approx(1)


def test_mode_coverage():
    held_out, labels = _held_out()
    coverage = quality.coverage_from_logits(_logits("held_out"))
    assert coverage.covered == coverage.num_classes == 10
    assert coverage.counts.sum() == len(held_out)
    # Almost every digit lands in its own class.
    assert np.abs(coverage.counts - np.bincount(labels)).max() <= 10
    assert coverage.fractions.sum() == pytest.approx(1)
    one = quality.mode_coverage(np.repeat(held_out[:1], 30, axis=0),
                                _classifier())
    assert one.covered == 1
    assert one.counts[labels[0]] == 30
    assert "1/10 classes covered" in str(one)


# --- the callback ------------------------------------------------------------


def _small_gan():
    critic, generator = helpers.small_models()
    gan = WGAN(critic, generator, n_critic=1)  # the cheapest step
    gan.compile()
    return gan


class _DigitModel(keras.Model):
    """A tiny trainable model whose `generate` returns real digits.

    Fits in milliseconds on every backend, so the callback's place in a
    real `fit` (History, CSVLogger) is tested without a GAN's compile time.
    """

    def __init__(self):
        # An explicit name: TensorFlow rejects the default "_digit_model".
        super().__init__(name="digit_model")
        self.dense = keras.layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def generate(self, num_samples, seed=None, batch_size=256):
        return helpers.real_digits(num_samples, start=seed)


def test_callback_writes_metrics_into_history_and_csv(tmp_path):
    images, _ = _digits()
    metrics = quality.QualityMetrics(images[:100], dataset="mnist", every=3,
                                     num_samples=50, seed=200, verbose=0)
    path = tmp_path / "log.csv"
    model = _DigitModel()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(
        np.zeros((8, 2), "float32"), np.zeros((8, 1), "float32"),
        batch_size=4, epochs=3, verbose=0,
        callbacks=[metrics, keras.callbacks.CSVLogger(str(path))],
    )
    # The first epoch (so that the CSV has the columns) and every 3rd.
    assert [result["epoch"] for result in metrics.results] == [1, 3]
    for name in quality.METRIC_NAMES:
        values = history.history[name]
        assert values == [result[name] for result in metrics.results]
    assert len(history.history["loss"]) == 3
    # Real digits against real digits: the numbers of real data.
    for result in metrics.results:
        assert 0 < result["classifier_fid"] < 100
        assert result["classifier_score"] > 7
        assert result["classes_covered"] == 10
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["classifier_fid"] == "NA" for row in rows] == [
        False, True, False]
    assert float(rows[2]["classifier_fid"]) == pytest.approx(
        metrics.results[1]["classifier_fid"])


@pytest.mark.slow
def test_callback_in_gan_fit_sees_the_trained_generator():
    images, _ = _digits()
    metrics = quality.QualityMetrics(images[:200], dataset="mnist", every=2,
                                     num_samples=100, verbose=0)
    gan = _small_gan()
    history = gan.fit(images[:64], batch_size=16, epochs=3, verbose=0,
                      callbacks=[metrics])
    assert [result["epoch"] for result in metrics.results] == [1, 2, 3]
    assert len(history.history["classifier_fid"]) == 3
    # The last evaluation used the final weights (on JAX, fit keeps them
    # outside the variables until it syncs them).
    assert metrics.evaluate() == {
        key: metrics.results[-1][key] for key in quality.METRIC_NAMES}


class _FakeGenerator:
    """Stands in for a GAN: `generate` returns real digits, and counts."""

    def __init__(self):
        self.calls = []

    def generate(self, num_samples, seed=None, batch_size=256):
        self.calls.append(seed)
        return helpers.real_digits(num_samples, start=seed)


@pytest.mark.parametrize("every, epochs, initial, evaluated", [
    (2, 5, 0, [1, 2, 4, 5]),  # the first, every 2nd and the last epoch
    (10, 4, 0, [1, 4]),
    (2, 6, 3, [4, 6]),  # resumed: its first epoch, then due ones
])
def test_callback_schedule(every, epochs, initial, evaluated):
    images, _ = _digits()
    model = _FakeGenerator()
    metrics = quality.QualityMetrics(images[:100], dataset="mnist",
                                     every=every, num_samples=20, seed=5,
                                     verbose=0)
    metrics.set_model(model)
    metrics.set_params({"epochs": epochs})
    metrics.on_train_begin()
    logs = {}
    for epoch in range(initial, epochs):
        logs[epoch] = {"loss": 0.0}
        metrics.on_epoch_end(epoch, logs[epoch])
    assert [result["epoch"] for result in metrics.results] == evaluated
    for epoch, epoch_logs in logs.items():
        written = set(epoch_logs) - {"loss"}
        evaluated_here = epoch + 1 in evaluated
        assert written == (set(quality.METRIC_NAMES) if evaluated_here
                           else set())
    # The same fixed seed for every evaluation.
    assert model.calls == [5] * len(evaluated)
    # Real digits generated: a small distance, all classes, a high score.
    assert metrics.results[0]["classes_covered"] >= 8


def test_callback_logs_one_line():
    images, _ = _digits()
    metrics = quality.QualityMetrics(images[:100], dataset="mnist",
                                     num_samples=30)
    metrics.set_model(_small_gan())  # an untrained generator will do
    metrics.set_params({"epochs": 1})
    messages = []

    class _Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger = get_logger()
    handler = _Collect()
    logger.addHandler(handler)
    try:
        metrics.on_train_begin()
        metrics.on_epoch_end(0, {})
    finally:
        logger.removeHandler(handler)
    assert len(messages) == 1
    assert messages[0].startswith("epoch 1: classifier_fid ")
    assert "classes_covered " in messages[0]
    assert "(30 samples," in messages[0]
    # The same noise each time: the same generator gives the same numbers.
    assert metrics.evaluate() == {
        key: metrics.results[0][key] for key in quality.METRIC_NAMES}


def test_callback_config_round_trip():
    images, _ = _digits()
    metrics = quality.QualityMetrics(images[:5], dataset="mnist", every=3,
                                     num_samples=20, seed=7)
    config = keras.saving.serialize_keras_object(metrics)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is quality.QualityMetrics
    assert restored.get_config()["every"] == 3
    assert restored.seed == 7 and restored.dataset == "mnist"
    np.testing.assert_array_equal(restored.real_images, images[:5])

    custom = quality.QualityMetrics(images[:5], classifier=_classifier(),
                                    verbose=0)
    restored = quality.QualityMetrics.from_config(custom.get_config())
    assert restored.classifier.output_shape == (None, 10)
    assert restored.dataset is None


# --- bad inputs --------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)),
     r"mu2 must have the shape of mu1, \(2,\)"),
    ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)),
     r"sigma1 must have shape \(2, 2\)"),
    ((np.zeros(2), np.eye(2), np.zeros(2), [[1, 0.5], [0, 1]]),
     "sigma2 must be a symmetric covariance matrix"),
    ((np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2)),
     "sigma1 must be positive semi-definite"),
    ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)),
     r"mu1 must be a non-empty vector of shape \(d,\)"),
    ((np.array([0, np.nan]), np.eye(2), np.zeros(2), np.eye(2)),
     "mu1 contains NaN"),
])
def test_frechet_distance_bad_inputs(args, message):
    with pytest.raises(ValueError, match=message):
        quality.frechet_distance(*args)


def test_metric_bad_inputs():
    images = helpers.real_digits(4)
    # Checked before any forward pass, so these cost nothing.
    classifier = _classifier()
    with pytest.raises(ValueError, match=r"fake_images values must lie in "
                                         r"\[-1, 1\]"):
        quality.classifier_fid(images, images * 2, classifier)
    with pytest.raises(ValueError, match=r"images must have images of shape "
                                         r"\(28, 28, 1\)"):
        quality.classifier_score(np.zeros((3, 32, 32, 1), "float32"),
                                 classifier)
    with pytest.raises(ValueError, match=r"real_images must hold at least 2 "
                                         "images to estimate a covariance"):
        quality.classifier_fid(images[:1], images, classifier)
    with pytest.raises(ValueError, match="images must have shape"):
        quality.mode_coverage(images[..., 0], classifier)
    with pytest.raises(ValueError, match="features must hold at least 2"):
        quality.feature_statistics(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="dataset must be one of"):
        quality.load_classifier("cifar10")


def test_probabilities_are_not_logits():
    inputs = keras.Input((28, 28, 1))
    probabilities = keras.layers.Dense(10, activation="softmax")(
        keras.layers.Flatten()(inputs))
    softmax_model = keras.Model(inputs, probabilities)
    with pytest.raises(ValueError, match="classifier must output logits"):
        quality.classifier_score(helpers.real_digits(5), softmax_model)


def test_callback_bad_arguments():
    images = helpers.real_digits(4)
    with pytest.raises(ValueError, match="give exactly one of dataset"):
        quality.QualityMetrics(images)
    with pytest.raises(ValueError, match="give exactly one of dataset"):
        quality.QualityMetrics(images, dataset="mnist",
                               classifier=_classifier())
    with pytest.raises(ValueError, match="dataset must be one of"):
        quality.QualityMetrics(images, dataset="svhn")
    with pytest.raises(ValueError, match="num_samples must be an integer "
                                         ">= 2, got 1"):
        quality.QualityMetrics(images, dataset="mnist", num_samples=1)
    with pytest.raises(ValueError, match=r"real_images values must lie in"):
        quality.QualityMetrics(images * 255, dataset="mnist")
    metrics = quality.QualityMetrics(images, dataset="mnist")
    metrics.set_model(_classifier())
    with pytest.raises(ValueError, match="needs a model with a generate"):
        metrics.on_train_begin()
