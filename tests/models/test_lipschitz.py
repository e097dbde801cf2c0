"""The Lipschitz variants of `keras_wgan.models.lipschitz`: their losses
against the formulas, their configs, `.keras` round trips and `fit`."""

import json

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import penalty
from keras_wgan.models.registry import get_variant
from keras_wgan.nets import spectral
from tests.helpers import linear_critic
from tests.helpers import real_digits
from tests.helpers import small_models
from tests.helpers import variable_values

NAMES = ("wgan-lp", "dragan", "wgan-r1", "wgan-sn", "sngan-hinge")


def _flat_scores(w, x):
    return x.reshape(len(x), -1) @ w


@pytest.mark.parametrize("name", NAMES)
def test_variant_trains_saves_loads_and_continues(tmp_path, name):
    # Toy networks: MNIST ones train in the tests below and in the CLI's.
    model_class = get_variant(name).model_class
    gan = model_class(keras_wgan.toy.toy_critic(2, 8, 1),
                      keras_wgan.toy.toy_generator(2, 2, 8, 1), n_critic=2,
                      seed=3)
    gan.compile()
    x = keras_wgan.toy.eight_gaussians(32, seed=0)
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is model_class
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    for a, b in zip(variable_values(gan.variables),
                    variable_values(loaded.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    assert type(loaded.loss_fn) is type(gan.loss_fn)
    np.testing.assert_allclose(loaded.generate(4, seed=1),
                               gan.generate(4, seed=1), atol=1e-6)
    loaded.fit(x, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.generator_optimizer.iterations) == 4


def test_wgan_lp_loss_is_estimate_plus_one_sided_penalty():
    w = np.full(28 * 28, 0.05, "float32")  # ||w|| = 1.4: penalised
    _, generator = small_models()
    gan = keras_wgan.WGANLP(linear_critic(w), generator, gp_weight=3.0)
    gan.compile()
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    loss, logs = gan.critic_objective(real, fake)
    estimate = _flat_scores(w, real).mean() - _flat_scores(w, fake).mean()
    expected = 3.0 * (np.linalg.norm(w) - 1.0) ** 2
    assert float(logs["gradient_penalty"]) == pytest.approx(expected, rel=1e-4)
    assert float(loss) == pytest.approx(-estimate + expected, rel=1e-4)
    small = keras_wgan.WGANLP(linear_critic(w / 2), generator)
    small.compile()
    assert float(small.critic_objective(real, fake)[1]["gradient_penalty"]) == 0


def test_dragan_and_r1_penalise_the_real_batch_only():
    w = np.full(28 * 28, 0.02, "float32")  # ||w|| = 0.56
    _, generator = small_models()
    real = real_digits(8)
    fake = np.full((8, 28, 28, 1), np.nan, "float32")  # must not be used
    dragan = keras_wgan.DRAGAN(linear_critic(w), generator, gp_weight=2.0,
                               perturbation_scale=0.25)
    r1 = keras_wgan.WGANR1(linear_critic(w), generator, gp_weight=4.0)
    dragan_term = dragan.critic_penalty(real, fake)["gradient_penalty"]
    r1_term = r1.critic_penalty(real, fake)["gradient_penalty"]
    norm = np.linalg.norm(w)
    assert float(dragan_term) == pytest.approx(2.0 * (norm - 1) ** 2, rel=1e-4)
    assert float(r1_term) == pytest.approx(4.0 * 0.5 * norm**2, rel=1e-4)
    assert dragan.get_config()["perturbation_scale"] == 0.25


def test_bad_arguments_are_one_line_errors():
    critic, generator = small_models()
    with pytest.raises(ValueError, match="perturbation_scale"):
        keras_wgan.DRAGAN(critic, generator, perturbation_scale=0.0)
    with pytest.raises(ValueError, match="power_iterations"):
        keras_wgan.WGANSN(critic, generator, power_iterations=0)
    with pytest.raises(ValueError, match="gp_weight"):
        keras_wgan.WGANR1(critic, generator, gp_weight=-1.0)


def test_spectral_variants_normalise_the_critic_after_each_update():
    critic, generator = small_models()
    gan = keras_wgan.WGANSN(critic, generator, n_critic=2, seed=0)
    assert spectral.is_spectrally_normalized(gan.critic)
    assert gan.critic is not critic  # a normalised copy
    gan.compile(learning_rate=1e-2)
    gan.fit(real_digits(64), batch_size=8, epochs=2, verbose=0)
    wrappers = [layer for layer in gan.critic._flatten_layers()
                if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrappers) == 4  # three convolutions and the score
    for layer in wrappers:
        kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
        sigma = np.linalg.norm(kernel.reshape(-1, kernel.shape[-1]), 2)
        # One power iteration an update, from a random start: close to 1.
        assert 0.7 < sigma < 1.3


def test_sngan_hinge_critic_loss_and_generator_loss():
    w = np.full(28 * 28, 0.01, "float32")
    _, generator = small_models()
    gan = keras_wgan.SNGANHinge(linear_critic(w), generator, seed=0)
    gan.compile()
    assert isinstance(gan.loss_fn, keras_wgan.HingeLoss)
    real = real_digits(8)
    fake = -real * 3
    critic = gan.critic  # normalised copy with the same weights
    real_scores = keras.ops.convert_to_numpy(critic(real))
    fake_scores = keras.ops.convert_to_numpy(critic(fake))
    loss, logs = gan.critic_objective(real, fake)
    expected = (np.maximum(0, 1 - real_scores).mean()
                + np.maximum(0, 1 + fake_scores).mean())
    assert float(loss) == pytest.approx(expected, rel=1e-4)
    assert float(logs["wasserstein_estimate"]) == pytest.approx(
        real_scores.mean() - fake_scores.mean(), rel=1e-4, abs=1e-6)
    noise = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    generated = keras.ops.convert_to_numpy(generator(noise))
    scores = keras.ops.convert_to_numpy(critic(generated))
    g_loss, _ = gan.generator_objective(noise)
    assert float(g_loss) == pytest.approx(-scores.mean(), rel=1e-4, abs=1e-6)


def test_penalised_variants_reject_batch_norm():
    inputs = keras.Input((2,))
    x = keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs))
    critic = keras.Model(inputs, keras.layers.Dense(1)(x))
    generator = keras_wgan.toy.toy_generator(2, 2, width=4, depth=1)
    for model_class in (keras_wgan.WGANLP, keras_wgan.DRAGAN,
                        keras_wgan.WGANR1):
        with pytest.raises(ValueError, match="BatchNormalization"):
            model_class(critic, generator)
    assert penalty.NORM_EPSILON > 0
