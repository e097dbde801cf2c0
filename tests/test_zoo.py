"""The pretrained models shipped as package data (keras_wgan.zoo)."""

import functools
import hashlib
import importlib.resources
import shlex

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import cli
from keras_wgan import data
from keras_wgan import quality
from keras_wgan import zoo
from tests import helpers

NAMES = keras_wgan.PRETRAINED_MODELS
CLASSES = {"mnist-wgan-gp": keras_wgan.WGANGP, "mnist-wgan": keras_wgan.WGAN,
           "fashion-mnist-wgan-gp": keras_wgan.WGANGP}
DATASETS = {"mnist-wgan-gp": "mnist", "mnist-wgan": "mnist",
            "fashion-mnist-wgan-gp": "fashion_mnist"}


def _dataset_is_here(dataset):
    try:
        data.IMAGE_DATASETS[dataset]("test")
    except FileNotFoundError:
        return False
    return True


def _needs_data(name):
    """Skips a test of a model whose test split is not installed here."""
    dataset = DATASETS[name]
    if not _dataset_is_here(dataset):
        pytest.skip(f"{dataset} is not installed here (Fashion-MNIST: "
                    "apt-get install dataset-fashion-mnist)")


def _check_noise(latent_dim):
    # The noise named by the records' "check" entry.
    return np.random.default_rng(0).standard_normal(
        (4, latent_dim)).astype("float32")


@pytest.mark.parametrize("name", NAMES)
def test_pretrained_generates_the_recorded_images(name):
    info = keras_wgan.pretrained_info(name)
    gan = keras_wgan.pretrained(name)
    assert type(gan) is CLASSES[name]
    assert info["model"] == type(gan).__name__
    # Compiled with the run's optimizer settings; their state starts anew.
    assert gan.compiled
    assert int(gan.critic_optimizer.iterations) == 0
    if info["run"]["learning_rate"] is not None:
        np.testing.assert_allclose(
            float(gan.generator_optimizer.learning_rate),
            info["run"]["learning_rate"], rtol=1e-6)
    images = gan.generate_from(_check_noise(gan.latent_dim))
    assert images.shape == (4, 28, 28, 1)
    assert images.min() >= -1 and images.max() <= 1
    # The record was written on torch; every backend must agree with it.
    np.testing.assert_allclose(images.mean(axis=(1, 2, 3)),
                               info["check"]["image_means"], atol=2e-4)


@pytest.mark.parametrize("name", NAMES)
def test_record_matches_its_weights_and_command(name):
    info = keras_wgan.pretrained_info(name)
    folder = importlib.resources.files("keras_wgan.resources.pretrained")
    raw = (folder / info["weights"]).read_bytes()
    assert len(raw) < 2_000_000, "package data must stay small"
    assert hashlib.sha256(raw).hexdigest() == info["sha256"]
    # The shipped bytes are the float16 weights of the loaded model.
    assert zoo.weights_bytes(keras_wgan.pretrained(name)) == raw
    with np.load(folder / info["weights"]) as arrays:
        assert all(arrays[key].dtype == np.float16 for key in arrays.files)
    # The recorded command, parsed by the CLI, gives the recorded run.
    words = shlex.split(info["command"])
    assert words[:4] == ["python", "-m", "keras_wgan", "train"]
    args = cli.TrainConfig.from_namespace(
        cli.build_parser().parse_args(words[3:]))
    # A run.json without "dataset" (written before the option) was MNIST.
    run = {"dataset": "mnist", **info["run"]}
    for key in ("model", "dataset", "batch_size", "n_critic", "width",
                "learning_rate", "latent_dim", "seed", "split"):
        assert getattr(args, key) == run[key], key
    assert len(info["history"]["wasserstein_estimate"]) == args.epochs
    assert info["budget"]["epochs"] == args.epochs
    # Trained on the whole train split, judged on the whole test split.
    assert info["data"]["dataset"] == args.dataset == DATASETS[name]
    assert info["data"]["training"]["count"] == 60000
    assert info["data"]["training"]["loader"].endswith("('train')")
    assert info["data"]["evaluation"]["count"] == 10000
    assert info["data"]["evaluation"]["loader"].endswith("('test')")
    assert info["quality"]["floor"]["fid"] > 0


@functools.lru_cache(maxsize=None)
def _real_logits(dataset, count, split="test"):
    """Logits of the first `count` images of a split (the record's
    reference is the whole test split; its floor the first train images)."""
    images = data.IMAGE_DATASETS[dataset](split)[:count]
    return quality.classifier_logits(images, quality.load_classifier(dataset))


def _measure(name, num_samples, real_logits):
    """The record's quality measurement (scripts/export_pretrained.py)."""
    fake = keras_wgan.pretrained(name).generate(num_samples, seed=0)
    values = quality.logit_quality(real_logits, quality.classifier_logits(
        fake, quality.load_classifier(DATASETS[name])))
    counts = np.asarray(values["class_counts"])
    return {"fid": values["classifier_fid"],
            "score": values["classifier_score"],
            "classes_covered": values["classes_covered"],
            "smallest_class_fraction": float((counts / counts.sum()).min())}


@pytest.mark.parametrize("name", NAMES)
def test_float16_storage_costs_no_measurable_quality(name):
    _needs_data(name)
    measured = keras_wgan.pretrained_info(name)["quality"]
    assert measured["float16"]["classes_covered"] == (
        measured["float32"]["classes_covered"])
    assert abs(measured["float16"]["fid"] - measured["float32"]["fid"]) <= (
        0.02 * measured["float32"]["fid"] + 0.5)
    # The float16 numbers, measured again from the shipped weights on a
    # tenth of the samples and a fifth of the real digits: the estimates
    # are noisier and the FID estimate moves, within these margins.
    again = _measure(name, 1000, _real_logits(DATASETS[name], 2000))
    recorded = measured["float16"]
    assert again["classes_covered"] == recorded["classes_covered"]
    assert again["score"] == pytest.approx(recorded["score"], abs=0.3)
    # The smallest of ten class shares of 1,000 samples: each share has a
    # standard deviation near 0.009, and the minimum is biased low.
    assert again["smallest_class_fraction"] == pytest.approx(
        recorded["smallest_class_fraction"], abs=0.035)
    assert again["fid"] == pytest.approx(recorded["fid"], rel=0.15, abs=3.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_recorded_quality_is_reproduced_exactly(name):
    # The record's own measurement: 10,000 samples against the 10,000
    # test digits, rounded as recorded.
    _needs_data(name)
    info = keras_wgan.pretrained_info(name)
    real = _real_logits(DATASETS[name], 10000)
    again = _measure(name, 10000, real)
    recorded = info["quality"]["float16"]
    assert round(again["fid"], 2) == pytest.approx(recorded["fid"], abs=0.02)
    assert round(again["score"], 3) == pytest.approx(recorded["score"],
                                                     abs=0.005)
    assert again["classes_covered"] == recorded["classes_covered"]
    train = _real_logits(DATASETS[name], 10000, "train")
    assert round(quality.fid_from_logits(real, train), 2) == (
        pytest.approx(info["quality"]["floor"]["fid"], abs=0.02))


def test_gradient_penalty_model_makes_recognisable_digits():
    # The shipped record's claim, then a fresh measurement on this backend.
    info = keras_wgan.pretrained_info("mnist-wgan-gp")
    assert info["quality"]["float16"]["fid"] < 12.0
    assert info["quality"]["float16"]["score"] > 7.5
    assert info["quality"]["float16"]["classes_covered"] == 10
    gan = keras_wgan.pretrained("mnist-wgan-gp")
    classifier = quality.load_classifier("mnist")
    fake = gan.generate(500, seed=0)
    assert quality.classifier_score(fake, classifier) > 7.0
    assert quality.mode_coverage(fake, classifier).covered == 10


def test_pretrained_saves_reloads_and_trains_on(tmp_path):
    gan = keras_wgan.pretrained("mnist-wgan-gp")
    noise = _check_noise(gan.latent_dim)
    before = gan.generate_from(noise)
    path = str(tmp_path / "pretrained.keras")
    gan.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.generate_from(noise), before,
                               atol=1e-6)
    history = restored.fit(helpers.real_digits(5 * 8), batch_size=8,
                           epochs=1, verbose=0)
    assert np.isfinite(history.history["wasserstein_estimate"][0])
    assert np.abs(restored.generate_from(noise) - before).max() > 0


def test_unknown_name_lists_the_shipped_models():
    with pytest.raises(ValueError, match=r"name must be one of \('mnist-wgan-gp'"):
        keras_wgan.pretrained("cifar-wgan")
    with pytest.raises(ValueError, match="name must be one of"):
        keras_wgan.pretrained_info("mnist")


def test_damaged_weights_are_refused(monkeypatch):
    info = dict(keras_wgan.pretrained_info("mnist-wgan-gp"), sha256="0" * 64)
    monkeypatch.setattr(zoo, "pretrained_info", lambda name: info)
    with pytest.raises(ValueError, match="package data is damaged"):
        keras_wgan.pretrained("mnist-wgan-gp")


def test_a_record_whose_class_is_not_its_variant_is_refused(monkeypatch):
    # The WGAN-GP's config under a record that says the CLI trained --model
    # wgan: the registry's class for "wgan" is WGAN.
    info = keras_wgan.pretrained_info("mnist-wgan-gp")
    info = dict(info, run=dict(info["run"], model="wgan"))
    monkeypatch.setattr(zoo, "pretrained_info", lambda name: info)
    with pytest.raises(ValueError, match=r"holds a WGANGP config, but its "
                       r"run trained --model wgan \(WGAN\)"):
        keras_wgan.pretrained("mnist-wgan-gp")


def test_a_model_with_a_moving_average_ships_the_average():
    def model():
        return keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=4),
                                 keras_wgan.toy.toy_generator(2, 2, width=4),
                                 generator_ema=0.9)

    keras.utils.set_random_seed(0)
    gan = model()
    gan.compile(learning_rate=1e-2)
    gan.fit(keras_wgan.toy.eight_gaussians(6400, seed=0), batch_size=64,
            epochs=1, verbose=0)
    average = gan.ema_generator.get_weights()
    trained = gan.generator.get_weights()
    # The average lags the trained generator by more than float16's error.
    assert max(np.abs(a - t).max() for a, t in zip(average, trained)) > 1e-2
    raw = zoo.weights_bytes(gan)
    copy = zoo.load_weights_bytes(model(), raw, "test")
    for weights in (copy.generator.get_weights(),
                    copy.ema_generator.get_weights()):
        for got, expected in zip(weights, average):
            np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3)
    assert zoo.weights_bytes(copy) == raw


@pytest.mark.backend_independent
def test_quality_history_joins_the_lineage_from_the_first_run():
    own = {"epoch": [1, 2], "generator_iterations": [5, 10],
           "classifier_fid": [6.0, 5.0]}
    parent = {"generator_iterations": 30, "quality_history": {
        "epoch": [1, 2], "generator_iterations": [15, 30],
        "classifier_fid": [9.0, 8.0]}}
    assert zoo.quality_history({"quality_history": own}) == own
    assert zoo.quality_history(
        {"quality_history": own, "continued_from": parent}) == {
        "epoch": [1, 2, 1, 2], "generator_iterations": [15, 30, 35, 40],
        "classifier_fid": [9.0, 8.0, 6.0, 5.0]}
    # A parent without a curve: the record's own, still counted from the
    # first run.
    assert zoo.quality_history({"quality_history": own, "continued_from": {
        "generator_iterations": 30}})["generator_iterations"] == [35, 40]
    assert zoo.quality_history({}) is None
