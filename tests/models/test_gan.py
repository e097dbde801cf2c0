import json

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.studies import toy
from tests.helpers import variable_values

GAN_CLASSES = [keras_wgan.MinimaxGAN, keras_wgan.NonSaturatingGAN]


def _softplus(x):
    return np.log1p(np.exp(x))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _affine_1d(weight, bias, name):
    """A 1D model x -> weight * x + bias with one Dense(1)."""
    inputs = keras.Input((1,))
    dense = keras.layers.Dense(1, name=f"{name}_dense")
    model = keras.Model(inputs, dense(inputs), name=name)
    dense.set_weights([np.full((1, 1), weight, "float32"),
                       np.full((1,), bias, "float32")])
    return model


@pytest.mark.parametrize("model_class", GAN_CLASSES)
def test_logged_losses_match_hand_computed_cross_entropy(model_class):
    # D(x) = 1.5 x - 0.5 (logits); G(z) = 0 z + 2, so every fake is 2.
    # A zero learning rate keeps the weights: the step logs the losses of
    # these exact players.
    gan = model_class(_affine_1d(1.5, -0.5, "d"), _affine_1d(0.0, 2.0, "g"),
                      seed=0)
    gan.compile(critic_optimizer=keras.optimizers.SGD(0.0),
                generator_optimizer=keras.optimizers.SGD(0.0))
    real = np.array([[-1.0], [0.0], [1.0], [2.5]], "float32")
    logs = gan.fit(real, batch_size=4, epochs=1, verbose=0).history
    real_logits, fake_logit = 1.5 * real.ravel() - 0.5, 1.5 * 2.0 - 0.5
    # -[mean log sigmoid(l_real) + log(1 - sigmoid(l_fake))]
    expected_d = np.mean(_softplus(-real_logits)) + _softplus(fake_logit)
    expected_g = {
        keras_wgan.MinimaxGAN: -_softplus(fake_logit),  # log(1 - D(G(z)))
        keras_wgan.NonSaturatingGAN: _softplus(-fake_logit),  # -log D(G(z))
    }[model_class]
    assert logs["discriminator_loss"][0] == pytest.approx(expected_d, rel=1e-5)
    assert logs["generator_loss"][0] == pytest.approx(expected_g, rel=1e-5)
    assert logs["real_probability"][0] == pytest.approx(
        np.mean(_sigmoid(real_logits)), rel=1e-5)
    assert logs["fake_probability"][0] == pytest.approx(
        _sigmoid(fake_logit), rel=1e-5)


@pytest.mark.parametrize("model_class", GAN_CLASSES)
def test_generator_gradient_saturates_only_for_minimax(model_class):
    # A discriminator that rejects the fakes confidently (logit -8 at G = 2):
    # the minimax generator's gradient is ~sigmoid(-8) times the slope,
    # the non-saturating one's ~1 times the slope (Goodfellow et al., 3).
    gan = model_class(_affine_1d(4.0, -16.0, "d"), _affine_1d(0.0, 2.0, "g"),
                      seed=0)
    gan.compile(critic_optimizer=keras.optimizers.SGD(0.0),
                generator_optimizer=keras.optimizers.SGD(1.0))
    gan.fit(np.full((4, 1), 4.0, "float32"), batch_size=4, epochs=1,
            verbose=0)
    bias = float(variable_values([gan.generator.layers[-1].bias])[0][0])
    # d loss / d bias = -(1 - sigmoid(-8)) * 4 (non-saturating) or
    # -sigmoid(-8) * 4 (minimax); SGD(1) moves the bias by minus that.
    step = 4.0 * (_sigmoid(-8.0) if model_class is keras_wgan.MinimaxGAN
                  else 1.0 - _sigmoid(-8.0))
    assert bias - 2.0 == pytest.approx(step, rel=1e-4)


@pytest.mark.parametrize("model_class", GAN_CLASSES)
def test_training_separates_then_moves_the_generator(model_class):
    data = toy.gaussian_1d(1024, mean=3.0, std=0.5, seed=0)
    gan = model_class(toy.toy_critic(1, width=16, depth=1),
                      toy.toy_generator(1, 1, width=16, depth=1), seed=0)
    gan.compile(critic_optimizer=keras.optimizers.Adam(5e-3),
                generator_optimizer=keras.optimizers.Adam(5e-3))
    noise = np.random.default_rng(1).normal(size=(512, 1)).astype("float32")
    mean_before = float(gan.generate_from(noise).mean())
    logs = gan.fit(data, batch_size=64, epochs=2, verbose=0).history
    # The discriminator tells the data (at 3) from the fakes (near 0) ...
    assert logs["real_probability"][-1] > logs["fake_probability"][-1] + 0.05
    assert int(gan.critic_optimizer.iterations) == 32
    assert int(gan.generator_optimizer.iterations) == 32
    # ... and the generator follows it towards the data: slowly for the
    # minimax loss, whose gradient saturates once D rejects the fakes.
    mean_after = float(gan.generate_from(noise).mean())
    progress = 0.01 if model_class is keras_wgan.MinimaxGAN else 0.1
    assert abs(mean_after - 3.0) < abs(mean_before - 3.0) - progress


@pytest.mark.parametrize("model_class", GAN_CLASSES)
def test_registered_for_serialization(model_class):
    gan = model_class(toy.toy_critic(2, width=8, depth=1),
                      toy.toy_generator(3, 2, width=8, depth=1), n_critic=2,
                      seed=5)
    config = keras.saving.serialize_keras_object(gan)
    assert config["registered_name"] == f"keras_wgan>{model_class.__name__}"
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is model_class
    assert restored.n_critic == 2 and restored.seed == 5


def test_save_and_load_round_trip(tmp_path):
    # The two classes share their saving code (AdversarialModel); the
    # class-specific part, the registered name, is tested above for both.
    model_class = keras_wgan.NonSaturatingGAN
    gan = model_class(toy.toy_critic(2, width=8, depth=2),
                      toy.toy_generator(3, 2, width=8, depth=2), n_critic=2,
                      seed=5)
    gan.compile()
    data = toy.eight_gaussians(64, seed=0)
    gan.fit(data, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is model_class
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    assert loaded.n_critic == 2 and loaded.latent_dim == 3
    assert isinstance(loaded.critic_optimizer, keras.optimizers.Adam)
    assert loaded.critic_optimizer.beta_1 == pytest.approx(0.5)
    for a, b in zip(variable_values(gan.critic_optimizer.variables),
                    variable_values(loaded.critic_optimizer.variables),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.generate(8), gan.generate(8), atol=1e-6)
    history = loaded.fit(data, batch_size=16, epochs=1, verbose=0)
    assert int(loaded.generator_optimizer.iterations) == 4
    assert np.isfinite(history.history["discriminator_loss"][0])


def test_defaults_and_evaluate():
    gan = keras_wgan.NonSaturatingGAN(toy.toy_critic(2, width=8, depth=1),
                                      toy.toy_generator(2, 2, width=8,
                                                        depth=1))
    assert gan.n_critic == 1
    gan.compile()
    assert isinstance(gan.loss_fn, keras.losses.BinaryCrossentropy)
    assert gan.loss_fn.get_config()["from_logits"] is True
    assert float(gan.generator_optimizer.learning_rate) == pytest.approx(2e-4)
    results = gan.evaluate(toy.swiss_roll(32, seed=0), batch_size=16,
                           verbose=0, return_dict=True)
    assert set(results) == {"discriminator_loss", "real_probability",
                            "fake_probability"}
    assert 0.0 < results["real_probability"] < 1.0


def test_discriminator_must_output_logits():
    inputs = keras.Input((2,))
    sigmoid_critic = keras.Model(
        inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    with pytest.raises(ValueError, match="critic must end in a linear output"):
        keras_wgan.MinimaxGAN(sigmoid_critic, toy.toy_generator(2, 2, 8, 1))
