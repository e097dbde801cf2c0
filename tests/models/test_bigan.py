"""BiGAN and BiGANGP: a generator and an encoder against a critic of pairs."""

import json

import keras
import numpy as np
import pytest
from keras import layers

import keras_wgan
from tests.helpers import variable_values

SHAPE = (4, 4, 1)
LATENT = 2


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _nets(width=8):
    """Dense networks of 4x4 grey images and 2-d codes."""
    images = keras.Input(SHAPE, name="images")
    codes = keras.Input((LATENT,), name="codes")
    h = layers.Concatenate()([layers.Flatten()(images), codes])
    h = layers.Dense(width)(h)
    h = layers.LeakyReLU(0.2)(h)
    critic = keras.Model([images, codes], layers.Dense(1)(h), name="critic")
    generator = keras.Sequential([
        keras.Input((LATENT,)), layers.Dense(width, activation="relu"),
        layers.Dense(16, activation="tanh"), layers.Reshape(SHAPE)],
        name="generator")
    encoder = keras.Sequential([
        keras.Input(SHAPE), layers.Flatten(),
        layers.Dense(width, activation="relu"), layers.Dense(LATENT)],
        name="encoder")
    return critic, generator, encoder


def _images(count=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (count,) + SHAPE).astype("float32")


def _scores(gan, images, codes):
    return _numpy(gan.critic([images, codes]))[:, 0]


def _softplus(x):
    return np.log1p(np.exp(x))


@pytest.fixture(params=["bigan", "bigan_gp"])
def gan(request):
    if request.param == "bigan":
        model = keras_wgan.BiGAN(*_nets(), seed=0)
    else:
        model = keras_wgan.BiGANGP(*_nets(), n_critic=2, seed=0)
    model.compile()
    return model


def test_bce_objectives_are_the_papers_on_the_two_pairs():
    gan = keras_wgan.BiGAN(*_nets(), seed=0)
    gan.compile()
    x = _images(8)
    z = np.random.default_rng(1).normal(size=(8, LATENT)).astype("float32")
    fake = gan.generator_samples(z, training=False)
    real_logits = _scores(gan, x, _numpy(gan.encoder(x)))
    fake_logits = _scores(gan, _numpy(gan.generator(z)), z)
    # D: -[log sigmoid(D(x, E(x))) + log(1 - sigmoid(D(G(z), z)))].
    loss, logs = gan.critic_objective(x, fake)
    expected = np.mean(_softplus(-real_logits)) + np.mean(
        _softplus(fake_logits))
    np.testing.assert_allclose(_numpy(loss), expected, rtol=1e-5)
    np.testing.assert_allclose(_numpy(logs["real_probability"]),
                               np.mean(1 / (1 + np.exp(-real_logits))),
                               rtol=1e-5)
    # G and E: the labels swapped.
    loss, _ = gan.generator_objective((z, x))
    expected = np.mean(_softplus(fake_logits * -1)) + np.mean(
        _softplus(real_logits))
    np.testing.assert_allclose(_numpy(loss), expected, rtol=1e-5)


def test_wasserstein_objectives_and_the_joint_penalty():
    gan = keras_wgan.BiGANGP(*_nets(), gp_weight=0.0, seed=0)
    gan.compile()
    x = _images(8)
    z = np.random.default_rng(1).normal(size=(8, LATENT)).astype("float32")
    real = _scores(gan, x, _numpy(gan.encoder(x)))
    fake = _scores(gan, _numpy(gan.generator(z)), z)
    loss, logs = gan.critic_objective(x, gan.generator_samples(z, False))
    np.testing.assert_allclose(_numpy(loss), fake.mean() - real.mean(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(logs["wasserstein_estimate"]),
                               real.mean() - fake.mean(), rtol=1e-5,
                               atol=1e-6)
    loss, _ = gan.generator_objective((z, x))
    np.testing.assert_allclose(_numpy(loss), real.mean() - fake.mean(),
                               rtol=1e-5, atol=1e-6)


def test_penalty_of_a_linear_critic_is_closed_form():
    # D(x, z) = w . x + v . z: the joint gradient is (w, v) at every pair.
    images = keras.Input(SHAPE)
    codes = keras.Input((LATENT,))
    dense = layers.Dense(1, use_bias=False)
    critic = keras.Model(
        [images, codes],
        dense(layers.Concatenate()([layers.Flatten()(images), codes])))
    weights = np.linspace(-0.3, 0.3, 18).astype("float32")
    dense.set_weights([weights[:, None]])
    _, generator, encoder = _nets()
    gan = keras_wgan.BiGANGP(critic, generator, encoder, gp_weight=10.0,
                             seed=0)
    gan.compile()
    x = _images(8)
    penalty = gan.critic_penalty(gan.real_pair(x), gan.generator_samples(
        np.zeros((8, LATENT), "float32")))["gradient_penalty"]
    expected = 10.0 * (np.sqrt(np.sum(weights**2)) - 1.0) ** 2
    np.testing.assert_allclose(_numpy(penalty), expected, rtol=1e-5)


def test_a_step_trains_critic_generator_and_encoder(gan):
    networks = (gan.critic, gan.generator, gan.encoder)
    before = [variable_values(n.trainable_variables) for n in networks]
    history = gan.fit(_images(64), batch_size=16, epochs=1, verbose=0)
    for network, old in zip(networks, before):
        new = variable_values(network.trainable_variables)
        assert any(not np.array_equal(a, b) for a, b in zip(old, new)), (
            network.name)
    steps = 64 // (16 * gan.n_critic)
    assert int(gan.generator_optimizer.iterations) == steps
    assert int(gan.critic_optimizer.iterations) == steps * gan.n_critic
    assert sorted(history.history) == sorted(gan.metric_names)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    logs = gan.evaluate(_images(32, seed=1), batch_size=16, verbose=0,
                        return_dict=True)
    assert set(logs) <= set(gan.metric_names) and logs


def test_a_frozen_encoder_stays_and_the_generator_trains():
    gan = keras_wgan.BiGAN(*_nets(), seed=0)
    gan.encoder.trainable = False
    gan.compile()
    encoder = variable_values(gan.encoder.variables)
    generator = variable_values(gan.generator.variables)
    gan.fit(_images(32), batch_size=16, epochs=1, verbose=0)
    for a, b in zip(encoder, variable_values(gan.encoder.variables)):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in
               zip(generator, variable_values(gan.generator.variables)))


def test_encode_generate_and_reconstruct():
    gan = keras_wgan.BiGAN(*_nets(), seed=0)
    x = _images(10)
    codes = gan.encode(x, batch_size=4)
    assert codes.shape == (10, LATENT)
    np.testing.assert_allclose(codes, _numpy(gan.encoder(x)), atol=1e-6)
    np.testing.assert_allclose(gan.reconstruct(x, batch_size=3),
                               gan.generate_from(codes), atol=1e-6)
    np.testing.assert_allclose(gan.generate_from(codes),
                               _numpy(gan.generator(codes)), atol=1e-6)
    assert gan.generate(5, seed=3).shape == (5,) + SHAPE


def test_save_and_load_round_trip_continues_training(tmp_path):
    # BiGANGP: the subclass with the most configuration (gp_weight too).
    gan = keras_wgan.BiGANGP(*_nets(), n_critic=2, seed=0)
    gan.compile()
    x = _images(64)
    gan.fit(x, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "bigan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(gan)
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    for a, b in zip(variable_values(gan.variables),
                    variable_values(loaded.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.encode(x[:5]), gan.encode(x[:5]),
                               atol=1e-6)
    np.testing.assert_allclose(loaded.generate(4), gan.generate(4), atol=1e-6)
    loaded.fit(x, batch_size=16, epochs=1, verbose=0)
    steps = 64 // (16 * gan.n_critic)
    assert int(loaded.generator_optimizer.iterations) == 2 * steps


def test_networks_that_do_not_fit_are_one_line():
    critic, generator, encoder = _nets()
    with pytest.raises(ValueError, match=r"critic must be a keras.Model "
                       r"taking \[images, codes\]"):
        keras_wgan.BiGAN(generator, generator, encoder)
    wrong = keras.Sequential([keras.Input(SHAPE), layers.Flatten(),
                              layers.Dense(3)])
    with pytest.raises(ValueError, match=r"encoder output shape \(3,\) must "
                       r"be \(2,\)"):
        keras_wgan.BiGAN(critic, generator, wrong)
    with pytest.raises(ValueError, match="encoder must be a keras.Model"):
        keras_wgan.BiGAN(critic, generator, "encoder")
    with pytest.raises(ValueError, match="latent_dim=3 differs"):
        keras_wgan.BiGAN(critic, generator, encoder, latent_dim=3)
    with pytest.raises(ValueError, match=r"images must have shape"):
        keras_wgan.BiGAN(critic, generator, encoder).encode(np.zeros((2, 5)))


def test_a_critic_with_batch_norm_is_refused_by_the_penalised_model():
    _, generator, encoder = _nets()
    images = keras.Input(SHAPE)
    codes = keras.Input((LATENT,))
    h = layers.Concatenate()([layers.Flatten()(images), codes])
    h = layers.BatchNormalization()(h)
    critic = keras.Model([images, codes], layers.Dense(1)(h))
    keras_wgan.BiGAN(critic, generator, encoder)  # no penalty: allowed
    with pytest.raises(ValueError, match="BatchNormalization"):
        keras_wgan.BiGANGP(critic, generator, encoder)
