"""keras_wgan.models.moving_average: the moving average of the generator."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import moving_average
from tests.helpers import small_models
from tests.helpers import variable_values


def _ema_gan(decay=0.9):
    keras.utils.set_random_seed(1)
    gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, 8, 1),
                            keras_wgan.toy.toy_generator(2, 2, 8, 1),
                            n_critic=2, seed=5, generator_ema=decay)
    gan.compile()
    return gan


@pytest.mark.parametrize("step, expected", [
    (0, 0.1), (1, 2 / 11), (8, 0.5), (1_000, 0.9)])
def test_the_decay_warms_up_to_its_value(step, expected):
    decay = moving_average.warmed_up_decay(0.9, step)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(decay), expected,
                               rtol=1e-6)


def test_update_average_mixes_trainable_weights_and_copies_the_others():
    network = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2),
                                keras.layers.BatchNormalization()])
    average = keras.models.clone_model(network)
    old = [np.full(w.shape, 2.0, "float32") for w in average.weights]
    average.set_weights(old)
    new = [np.random.default_rng(i).normal(size=w.shape).astype("float32")
           for i, w in enumerate(network.weights)]
    network.set_weights(new)
    moving_average.update_average(average, network, 0.25)
    for weight, before, after, value in zip(
            network.weights, old, new, variable_values(average.weights),
            strict=True):
        expected = 0.25 * before + 0.75 * after if weight.trainable else after
        np.testing.assert_allclose(value, expected, rtol=1e-6)
    # The moving mean and variance of the normalisation are copied.
    assert sum(not w.trainable for w in network.weights) == 2


def test_generator_ema_follows_the_formula_and_generate_uses_it():
    gan = _ema_gan(decay=0.9)
    assert isinstance(gan, moving_average.MovingAverageModel)
    initial = variable_values(gan.generator.weights)
    points = keras_wgan.toy.eight_gaussians(64, seed=0)
    gan.fit(points, batch_size=16, epochs=1, steps_per_epoch=1, verbose=0)
    trained = variable_values(gan.generator.weights)
    decay = min(0.9, 2 / 11)  # after generator update t = 1
    for average, w0, w1 in zip(variable_values(gan.ema_generator.weights),
                               initial, trained, strict=True):
        np.testing.assert_allclose(average, decay * w0 + (1 - decay) * w1,
                                   rtol=1e-5, atol=1e-7)
    noise = np.random.default_rng(0).normal(size=(4, 2)).astype("float32")
    np.testing.assert_allclose(
        gan.generate_from(noise),
        keras.ops.convert_to_numpy(gan.ema_generator(noise)), atol=1e-6)
    np.testing.assert_allclose(
        gan.generate_from(noise, raw=True),
        keras.ops.convert_to_numpy(gan.generator(noise)), atol=1e-6)
    assert gan.ema_generator.trainable_variables == []
    assert [name for name, _ in gan.networks()] == [
        "critic", "generator", "ema_generator"]


def test_sampler_samples_the_moving_average_unless_raw():
    gan = _ema_gan()
    for weight in gan.ema_generator.weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    noise = np.ones((2, 2), "float32")
    np.testing.assert_array_equal(gan.generate_from(noise), 0.0)
    np.testing.assert_allclose(
        gan.generate_from(noise, raw=True),
        keras.ops.convert_to_numpy(gan.generator(noise)), atol=1e-6)


def test_a_frozen_generator_leaves_its_average_alone():
    gan = _ema_gan()
    gan.generator.trainable = False
    gan.compile()
    before = variable_values(gan.ema_generator.weights)
    gan.fit(keras_wgan.toy.eight_gaussians(64, seed=0), batch_size=16,
            epochs=1, verbose=0)
    assert int(gan.critic_optimizer.iterations) > 0
    for a, b in zip(before, variable_values(gan.ema_generator.weights),
                    strict=True):
        np.testing.assert_array_equal(a, b)


def test_generator_ema_saved_mid_training_continues_exactly(tmp_path):
    points = keras_wgan.toy.eight_gaussians(256, seed=0)
    straight = _ema_gan()
    straight.fit(points, batch_size=16, epochs=2, verbose=0)
    first = _ema_gan()
    first.fit(points, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "ema.keras")
    first.save(path)
    resumed = keras.models.load_model(path)
    assert resumed.get_config()["generator_ema"] == 0.9
    resumed.fit(points, batch_size=16, epochs=2, initial_epoch=1, verbose=0)
    for a, b in zip(variable_values(straight.ema_generator.weights),
                    variable_values(resumed.ema_generator.weights),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(straight.generate(8, seed=2),
                                  resumed.generate(8, seed=2))


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5, float("nan")])
def test_generator_ema_must_be_a_decay(decay):
    critic, generator = small_models()
    with pytest.raises(ValueError, match="generator_ema must be"):
        keras_wgan.WGAN(critic, generator, generator_ema=decay)


def test_without_generator_ema_the_config_and_samples_are_unchanged():
    critic, generator = small_models()
    gan = keras_wgan.WGANGP(critic, generator, seed=0)
    assert gan.ema_generator is None and "generator_ema" not in (
        gan.get_config())
    assert [name for name, _ in gan.networks()] == ["critic", "generator"]
    np.testing.assert_array_equal(gan.generate(3, seed=1),
                                  gan.generate(3, seed=1, raw=True))
