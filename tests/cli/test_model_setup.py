"""keras_wgan.cli.model_setup: the model of a run, built from the registry,
compiled with its learning rates, and started from `--init-from`."""

import json

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import cli
from keras_wgan.cli import model_setup
from keras_wgan.cli import training_data
from keras_wgan.cli.train_config import TrainConfig
from tests.cli.helpers import CLI_RUN

pytestmark = pytest.mark.above_the_models


@pytest.mark.parametrize("model, argument, value", [
    ("wgan", "clip_value", 0.02), ("wgan-gp", "gp_weight", 3.0),
    ("wgan", "clip_value", None), ("wgan-gp", "gp_weight", None),
    ("wgan-lp", "gp_weight", 2.0), ("dragan", "gp_weight", None),
    ("wgan-r1", "gp_weight", 1.0), ("wgan-sn", "power_iterations", None),
    ("sngan-hinge", "power_iterations", None),
])
def test_build_model_uses_the_registry_variant(model, argument, value):
    from keras_wgan.models.registry import get_variant

    config = TrainConfig(out="o", model=model, width=2, latent_dim=4,
                         n_critic=3, learning_rate=2e-3,
                         **({argument: value} if value else {}))
    images = np.zeros((10, 28, 28, 1), "float32")
    built = model_setup.build_model(config, training_data.TrainingData(images))
    variant = get_variant(model)
    assert type(built) is variant.model_class
    assert built.n_critic == 3 and built.latent_dim == 4
    expected = variant.default(argument) if value is None else value
    assert getattr(built, argument) == pytest.approx(expected)
    assert float(built.generator_optimizer.learning_rate) == pytest.approx(2e-3)


def test_init_from_a_checkpoint_starts_from_its_weights(tmp_path):
    def run(name, *extra):
        out = tmp_path / name
        assert cli.main(["train", "--epochs", "1", "--out", str(out),
                         "--num-images", "32", *CLI_RUN, *extra]) == 0
        return out

    def distance(a, b):
        return sum(float(np.abs(keras.ops.convert_to_numpy(x)
                                - keras.ops.convert_to_numpy(y)).sum())
                   for x, y in zip(a.weights, b.weights, strict=True))

    donor_run = run("donor", "--seed", "1")
    donor = str(donor_run / "model.keras")
    warm = keras.models.load_model(run("warm", "--init-from", donor,
                                       "--generator-ema", "0.9")
                                   / "model.keras")
    scratch = keras.models.load_model(run("scratch") / "model.keras")
    record = json.loads((tmp_path / "warm" / "run.json").read_text())
    assert record["init_from"] == donor
    donor = keras.models.load_model(donor)
    # The same seed and steps from the donor's weights, not from the
    # seed's own initialisation: near the donor, far from the fresh run.
    for player in ("critic", "generator"):
        near = distance(getattr(warm, player), getattr(donor, player))
        far = distance(getattr(scratch, player), getattr(donor, player))
        assert near < 0.5 * far, (player, near, far)


def test_init_from_copies_every_weight_and_the_average(tmp_path):
    config = TrainConfig(out=str(tmp_path / "run"), width=2, latent_dim=8,
                         generator_ema=0.99)
    images = np.zeros((32, 28, 28, 1), "float32")
    donor = model_setup.build_model(TrainConfig(out="x", width=2, latent_dim=8,
                                          seed=3), training_data.TrainingData(images))
    donor.save(tmp_path / "donor.keras")
    model = model_setup.build_model(config, training_data.TrainingData(images))
    model_setup.init_from(model, str(tmp_path / "donor.keras"))
    for player in ("critic", "generator", "ema_generator"):
        source = donor.generator if player == "ema_generator" else \
            getattr(donor, player)
        for ours, theirs in zip(getattr(model, player).weights,
                                source.weights, strict=True):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours),
                                          keras.ops.convert_to_numpy(theirs))


def test_learning_rates_follow_the_options():
    images = np.zeros((640, 28, 28, 1), "float32")
    data = training_data.TrainingData(images)
    constant = TrainConfig(out="run", width=2, latent_dim=4,
                           learning_rate=3e-4)
    model = model_setup.build_model(constant, data)
    assert model_setup.learning_rate(constant, model, 20) == 3e-4
    assert model_setup.learning_rate(constant, model, 20, "critic") is None
    ttur = TrainConfig(out="run", width=2, latent_dim=4, lr_decay="linear",
                       critic_learning_rate=4e-4)
    critic = model_setup.learning_rate(ttur, model, 20, "critic")
    assert [round(float(critic(t)), 8) for t in (0, 10, 20)] == [
        4e-4, 2e-4, 0.0]
    # Without a rate given, the decay starts from the model's default.
    decay = model_setup.learning_rate(ttur, model, 20)
    assert round(float(decay(0)), 8) == 1e-4


def test_model_class_is_the_registry_s_or_the_conditional_one():
    assert model_setup.model_class(TrainConfig(out="r", model="wgan")) \
        is keras_wgan.WGAN
    assert model_setup.model_class(TrainConfig(
        out="r", conditional=True)) is keras_wgan.ConditionalWGANGP
