"""keras_wgan.quality.callback: QualityMetrics in fit, its schedule, logs
and config."""

import csv

import keras
import numpy as np
import pytest

from keras_wgan import WGAN
from keras_wgan import quality
from tests import helpers
from tests.helpers import LogRecords
from tests.quality import shared


def _small_gan():
    critic, generator = helpers.small_models()
    gan = WGAN(critic, generator, n_critic=1)  # the cheapest step
    gan.compile()
    return gan


class _DigitModel(keras.Model):
    """A tiny trainable model whose `generate` returns real digits.

    One Dense layer: the callback's place in a real `fit` (History,
    CSVLogger) is tested without compiling a GAN's training step.
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
    images, _ = shared.digits()
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
    images, _ = shared.digits()
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
    images, _ = shared.digits()
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
    images, _ = shared.digits()
    metrics = quality.QualityMetrics(images[:100], dataset="mnist",
                                     num_samples=30)
    metrics.set_model(_small_gan())  # an untrained generator will do
    metrics.set_params({"epochs": 1})
    with LogRecords() as log:
        metrics.on_train_begin()
        metrics.on_epoch_end(0, {})
    messages = log.messages
    assert len(messages) == 1
    assert messages[0].startswith("epoch 1: classifier_fid ")
    assert "classes_covered " in messages[0]
    assert "(30 samples," in messages[0]
    # The same noise each time: the same generator gives the same numbers.
    assert metrics.evaluate() == {
        key: metrics.results[0][key] for key in quality.METRIC_NAMES}


def test_callback_config_round_trip():
    images, _ = shared.digits()
    metrics = quality.QualityMetrics(images[:5], dataset="mnist", every=3,
                                     num_samples=20, seed=7)
    config = keras.saving.serialize_keras_object(metrics)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is quality.QualityMetrics
    assert restored.get_config()["every"] == 3
    assert restored.seed == 7 and restored.dataset == "mnist"
    np.testing.assert_array_equal(restored.real_images, images[:5])

    custom = quality.QualityMetrics(images[:5], classifier=shared.classifier(),
                                    verbose=0)
    restored = quality.QualityMetrics.from_config(custom.get_config())
    assert restored.classifier.output_shape == (None, 10)
    assert restored.dataset is None


def test_callback_bad_arguments():
    images = helpers.real_digits(4)
    with pytest.raises(ValueError, match="give exactly one of dataset"):
        quality.QualityMetrics(images)
    with pytest.raises(ValueError, match="give exactly one of dataset"):
        quality.QualityMetrics(images, dataset="mnist",
                               classifier=shared.classifier())
    with pytest.raises(ValueError, match="dataset must be one of"):
        quality.QualityMetrics(images, dataset="svhn")
    with pytest.raises(ValueError, match="num_samples must be an integer "
                                         ">= 2, got 1"):
        quality.QualityMetrics(images, dataset="mnist", num_samples=1)
    with pytest.raises(ValueError, match=r"real_images values must lie in"):
        quality.QualityMetrics(images * 255, dataset="mnist")
    metrics = quality.QualityMetrics(images, dataset="mnist")
    metrics.set_model(shared.classifier())
    with pytest.raises(ValueError, match="needs a model with a generate"):
        metrics.on_train_begin()


def test_callback_numbers_are_those_of_logit_quality():
    images, _ = shared.digits()
    model = _FakeGenerator()
    metrics = quality.QualityMetrics(images[:100], dataset="mnist",
                                     num_samples=40, seed=300, verbose=0)
    metrics.set_model(model)
    values = metrics.evaluate()
    real = quality.classifier_logits(images[:100], shared.classifier())
    fake = quality.classifier_logits(helpers.real_digits(40, start=300),
                                     shared.classifier())
    expected = quality.logit_quality(real, fake)
    assert list(values) == list(quality.METRIC_NAMES)
    for name in quality.METRIC_NAMES:
        assert values[name] == pytest.approx(expected[name], rel=1e-6)
