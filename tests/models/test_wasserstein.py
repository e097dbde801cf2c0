"""WassersteinGAN and its leaves WGAN (clipping) and WGANGP (penalty)."""

import json
import math

import keras
import numpy as np
import pytest

import keras_wgan
from tests.helpers import real_digits
from tests.helpers import small_models
from tests.helpers import variable_values


def _estimate(gan, real, noise):
    """mean D(real) - mean D(G(noise)) with the current weights."""
    fake = gan.generate_from(noise)
    scores = lambda x: keras.ops.convert_to_numpy(gan.critic(x))  # noqa: E731
    return float(scores(real).mean() - scores(fake).mean())


@pytest.mark.parametrize("n_critic", [1, 3])
def test_wgan_fit_clips_weights_and_counts_critic_steps(n_critic):
    critic, generator = small_models()
    gan = keras_wgan.WGAN(critic, generator, n_critic=n_critic, clip_value=0.02,
                          seed=0)
    gan.compile(critic_optimizer=keras.optimizers.RMSprop(1e-3),
                generator_optimizer=keras.optimizers.RMSprop(1e-3))
    x = real_digits(96)
    history = gan.fit(x, batch_size=16, epochs=2, verbose=0)
    steps_per_epoch = math.ceil(96 / (16 * n_critic))
    assert int(gan.generator_optimizer.iterations) == 2 * steps_per_epoch
    assert int(gan.critic_optimizer.iterations) == n_critic * 2 * steps_per_epoch
    for value in variable_values(gan.critic.trainable_variables):
        assert np.abs(value).max() <= 0.02 + 1e-7
    # Weights really moved into the clip range: most kernels sit at +-c.
    kernel = variable_values([gan.critic.trainable_variables[0]])[0]
    assert np.mean(np.isclose(np.abs(kernel), 0.02)) > 0.3
    logs = history.history
    assert set(logs) == {"critic_loss", "generator_loss", "wasserstein_estimate"}
    np.testing.assert_allclose(logs["critic_loss"],
                               -np.asarray(logs["wasserstein_estimate"]),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("model_class", [keras_wgan.WGAN, keras_wgan.WGANGP])
def test_training_increases_the_wasserstein_estimate(model_class):
    critic, generator = small_models()
    kwargs = {"clip_value": 0.05} if model_class is keras_wgan.WGAN else {}
    gan = model_class(critic, generator, n_critic=5, seed=0, **kwargs)
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-3),
                generator_optimizer=keras.optimizers.Adam(1e-5))
    held_out = real_digits(128, start=5000)
    noise = np.random.default_rng(0).normal(size=(128, 8)).astype("float32")
    before = _estimate(gan, held_out, noise)
    gan.fit(real_digits(320), batch_size=16, epochs=2, verbose=0)
    after = _estimate(gan, held_out, noise)
    # The critic learns to tell digits from the (slowly moving) generator's
    # noise: its estimate of W1 must clearly grow from near zero.
    assert after > before + 0.01 * (1 if model_class is keras_wgan.WGAN else 10)


def test_wgangp_logs_penalty_and_loss_identity():
    critic, generator = small_models()
    gan = keras_wgan.WGANGP(critic, generator, n_critic=2, seed=0)
    gan.compile()
    history = gan.fit(real_digits(64), batch_size=8, epochs=1, verbose=0)
    logs = {k: v[0] for k, v in history.history.items()}
    assert set(logs) == {"critic_loss", "generator_loss",
                         "wasserstein_estimate", "gradient_penalty"}
    assert logs["critic_loss"] == pytest.approx(
        -logs["wasserstein_estimate"] + logs["gradient_penalty"], rel=1e-4)
    assert logs["gradient_penalty"] > 0
    for value in variable_values(gan.critic.trainable_variables):
        assert np.all(np.isfinite(value))
    assert all(v.constraint is None for v in gan.critic.trainable_variables)


@pytest.mark.parametrize("model_class", [keras_wgan.WGAN, keras_wgan.WGANGP])
def test_save_and_load_round_trip_continues_training(tmp_path, model_class):
    critic, generator = small_models()
    gan = model_class(critic, generator, n_critic=2, seed=7)
    gan.compile()
    x = real_digits(64)
    gan.fit(x, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "run.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is model_class
    # JSON, because Keras stores shapes as tuples and reads back lists.
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    for original, restored in [
        (gan.critic, loaded.critic), (gan.generator, loaded.generator),
        (gan.critic_optimizer, loaded.critic_optimizer),
        (gan.generator_optimizer, loaded.generator_optimizer),
    ]:
        for a, b in zip(variable_values(original.variables),
                        variable_values(restored.variables), strict=True):
            np.testing.assert_array_equal(a, b)
    assert int(loaded.critic_optimizer.iterations) == 8
    assert type(loaded.critic_optimizer) is type(gan.critic_optimizer)
    np.testing.assert_allclose(
        loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-6)
    # The noise stream continues where the saved model was, not from seed.
    np.testing.assert_array_equal(variable_values([loaded.seed_generator.state]),
                                  variable_values([gan.seed_generator.state]))
    np.testing.assert_allclose(loaded.generate(4), gan.generate(4), atol=1e-6)
    if model_class is keras_wgan.WGAN:
        assert all(isinstance(v.constraint, keras_wgan.ClipConstraint)
                   for v in loaded.critic.trainable_variables)
    history = loaded.fit(x, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.critic_optimizer.iterations) == 16
    assert int(loaded.generator_optimizer.iterations) == 8
    assert np.isfinite(history.history["wasserstein_estimate"][0])


def test_validation_data_reports_wasserstein_estimate():
    critic, generator = small_models()
    gan = keras_wgan.WGANGP(critic, generator, n_critic=2, seed=0)
    gan.compile()
    history = gan.fit(real_digits(32), batch_size=8, epochs=1, verbose=0,
                      validation_data=real_digits(16, start=100))
    assert "val_wasserstein_estimate" in history.history
    critic_scores = keras.ops.convert_to_numpy(gan(real_digits(4)))
    assert critic_scores.shape == (4, 1)


def test_latent_dim_is_inferred_and_model_is_serializable_by_name():
    critic, generator = small_models(latent_dim=12)
    gan = keras_wgan.WGANGP(critic, generator)
    assert gan.latent_dim == 12
    config = keras.saving.serialize_keras_object(gan)
    assert config["registered_name"] == "keras_wgan>WGANGP"


def test_wgan_and_wgangp_are_siblings():
    assert issubclass(keras_wgan.WGAN, keras_wgan.WassersteinGAN)
    assert issubclass(keras_wgan.WGANGP, keras_wgan.WassersteinGAN)
    assert not issubclass(keras_wgan.WGANGP, keras_wgan.WGAN)
    gp = keras_wgan.WGANGP(*small_models())
    assert "clip_value" not in gp.get_config()
    assert all(v.constraint is None for v in gp.critic.trainable_variables)
    with pytest.raises(ValueError, match="clip_value"):
        keras_wgan.WGANGP(*small_models(), clip_value=0.01)


@keras.saving.register_keras_serializable(package="tests")
class _ConstantPenalty(keras_wgan.WassersteinGAN):
    """A variant whose penalty is a known constant and the mean real score."""

    metric_names = keras_wgan.WassersteinGAN.metric_names + (
        "constant", "real_mean")

    def critic_penalty(self, real, fake):
        return {"constant": keras.ops.convert_to_tensor(2.5),
                "real_mean": keras.ops.mean(self.critic_scores(real))}


def test_critic_penalty_terms_are_added_and_logged(tmp_path):
    critic, generator = small_models()
    gan = _ConstantPenalty(critic, generator, n_critic=1, seed=0)
    gan.compile()
    real = real_digits(8)
    fake = gan.generate_from(np.zeros((8, gan.latent_dim), "float32"))
    loss, logs = gan.critic_objective(real, fake)
    numpy = keras.ops.convert_to_numpy
    scores_real = numpy(gan.critic(real)).mean()
    scores_fake = numpy(gan.critic(fake)).mean()
    expected = scores_fake - scores_real + 2.5 + scores_real
    np.testing.assert_allclose(numpy(loss), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy(logs["critic_loss"]), expected,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy(logs["wasserstein_estimate"]),
                               scores_real - scores_fake, rtol=1e-5, atol=1e-6)
    history = gan.fit(real_digits(16), batch_size=8, epochs=1, verbose=0)
    assert history.history["constant"] == [2.5]
    # The base's default optimizer is the WGAN-GP paper's Adam.
    assert type(gan.critic_optimizer).__name__ == "Adam"
    path = str(tmp_path / "variant.keras")
    gan.save(path)
    assert type(keras.models.load_model(path)) is _ConstantPenalty


def test_generator_objective_is_minus_the_mean_fake_score():
    gan = keras_wgan.WGAN(*small_models(), seed=0)
    gan.compile()
    noise = np.random.default_rng(0).standard_normal(
        (6, gan.latent_dim)).astype("float32")
    loss, logs = gan.generator_objective(noise)
    scores = keras.ops.convert_to_numpy(gan.critic(gan.generate_from(noise)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loss),
                               -scores.mean(), rtol=1e-5, atol=1e-6)
    assert logs == {}
