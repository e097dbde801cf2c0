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


class _RecordingWGAN(keras_wgan.WGAN):
    """Records the real batch of every critic update."""

    def _critic_update(self, real):
        self.seen.append(keras.ops.convert_to_numpy(real).copy())
        return super()._critic_update(real)


def test_every_critic_update_gets_a_fresh_real_batch():
    critic, generator = small_models()
    gan = _RecordingWGAN(critic, generator, n_critic=4, seed=0)
    gan.seen = []
    gan.compile(run_eagerly=True)  # to read the batches as NumPy
    x = real_digits(64)  # 64 = 2 steps of 4 critic batches of 8
    gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert len(gan.seen) == 8
    assert all(batch.shape == (8, 28, 28, 1) for batch in gan.seen)
    np.testing.assert_array_equal(np.concatenate(gan.seen), x)


def test_short_last_step_is_split_not_dropped():
    critic, generator = small_models()
    gan = _RecordingWGAN(critic, generator, n_critic=2, seed=0)
    gan.seen = []
    gan.compile(run_eagerly=True)  # to read the batches as NumPy
    x = real_digits(21)  # steps of 16, then 5 images: critic batches 3 + 2
    gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert [len(b) for b in gan.seen] == [8, 8, 3, 2]
    np.testing.assert_array_equal(np.concatenate(gan.seen), x)


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


def test_generate_shapes_range_and_seed():
    critic, generator = small_models()
    gan = keras_wgan.WGAN(critic, generator)
    images = gan.generate(10, seed=3, batch_size=4)
    assert images.shape == (10, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images,
                                  gan.generate(10, seed=3, batch_size=4))
    # Another batch size may round differently (the CPU's matmul and
    # convolution kernels depend on the batch), but only in the last bits.
    np.testing.assert_allclose(images, gan.generate(10, seed=3), atol=1e-6)
    assert not np.array_equal(images, gan.generate(10, seed=4))


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


def test_both_optimizers_metrics_and_seed_state_advance():
    # On JAX the trainer carries this state through jit functionally: each
    # part must come back from the step, not only the first optimizer's.
    gan = keras_wgan.WGANGP(*small_models(), n_critic=3, seed=0)
    gan.compile()
    seed_before = variable_values([gan.seed_generator.state])[0]
    gan.fit(real_digits(48), batch_size=8, epochs=1, verbose=0)  # 2 steps
    assert int(gan.critic_optimizer.iterations) == 6
    assert int(gan.generator_optimizer.iterations) == 2
    for optimizer in (gan.critic_optimizer, gan.generator_optimizer):
        slots = [v for v in optimizer.variables
                 if "momentum" in v.path or "velocity" in v.path]
        assert len(slots) == 2 * len(optimizer._trainable_variables)
        # The critic's output bias cancels in mean D(real) - mean D(fake)
        # and the penalty ignores it: its gradient, hence its slots, stay 0.
        moved = [np.any(value != 0) for value in variable_values(slots)]
        zero = [s.path.split("/", 1)[1] for s, m in zip(slots, moved) if not m]
        assert zero == ([] if optimizer is gan.generator_optimizer else
                        ["score_bias_momentum", "score_bias_velocity"])
    assert not np.array_equal(variable_values([gan.seed_generator.state])[0],
                              seed_before)
    assert int(keras.ops.convert_to_numpy(gan.wasserstein_tracker.count)) == 2


def test_split_batch_sizes_static_and_traced():
    from keras_wgan.data.batches import split_batch as _split_batch

    x = np.arange(8 * 2, dtype="float32").reshape(8, 2)
    parts = _split_batch(x, 3)
    assert [len(p) for p in parts] == [3, 3, 2]
    np.testing.assert_array_equal(np.concatenate(parts), x)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # A graph traced for any batch size: the sizes become tensors.
        traced = tf.function(
            lambda t: [tf.shape(p)[0] for p in _split_batch(t, 3)],
            input_signature=[tf.TensorSpec([None, 2])])
        assert [int(n) for n in traced(tf.constant(x))] == [3, 3, 2]
        assert [int(n) for n in traced(tf.constant(x[:4]))] == [2, 1, 1]


@pytest.mark.parametrize("requested", ["auto", False])
def test_compile_config_keeps_jit_compile_as_requested(requested, tmp_path):
    # Not the backend's resolution of "auto", which another backend may not
    # accept (True for a WGANGP on torch) or would run slowly (False on JAX).
    gan = keras_wgan.WGANGP(*small_models())
    gan.compile(jit_compile=requested)
    assert gan.get_compile_config()["jit_compile"] == requested
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    restored = keras.models.load_model(path)
    assert restored.get_compile_config()["jit_compile"] == requested
    assert restored.jit_compile == gan.jit_compile
