"""The training loop every model shares: batches, noise, optimizers, saving."""

import json
import math

import keras
import numpy as np
import pytest

import keras_wgan
from tests.helpers import GlobalPolicy
from tests.helpers import linear_critic
from tests.helpers import real_digits
from tests.helpers import small_models
from tests.helpers import variable_values


class _RecordingWGAN(keras_wgan.WGAN):
    """Records the real batch of every critic update, in the compiled step.

    A compiled step cannot hand its tensors out as NumPy, so each update
    writes into variables of fixed shape (JAX compiles fixed shapes only):
    its batch, flattened and padded with zeros to `rows`, into slot
    `count` of `recorded`, its size into `recorded_sizes[count]`, then
    counts itself. An update past the last slot is still counted.
    """

    def __init__(self, *args, slots, rows, **kwargs):
        super().__init__(*args, **kwargs)
        features = math.prod(self.image_shape)
        self.recorded = self.add_weight(
            shape=(slots, rows, features), initializer="zeros",
            trainable=False, name="recorded")
        self.recorded_sizes = self.add_weight(
            shape=(slots,), initializer="zeros", dtype="int32",
            trainable=False, name="recorded_sizes")
        self.count = self.add_weight(
            shape=(), initializer="zeros", dtype="int32", trainable=False,
            name="count")

    def after_critic_update(self, real):
        super().after_critic_update(real)
        ops = keras.ops
        slots, rows, features = self.recorded.shape
        flat = ops.reshape(real, (-1, features))
        size = ops.shape(flat)[0]  # a tensor on TensorFlow
        padded = ops.concatenate(
            [flat, ops.zeros((rows, features), flat.dtype)])[:rows]
        # Slot `count` alone, by a one-hot mask: no dynamic index needed.
        slot = ops.one_hot(self.count.value, slots, dtype="float32")
        mask = slot[:, None, None]
        self.recorded.assign(
            self.recorded.value * (1.0 - mask) + mask * padded[None])
        self.recorded_sizes.assign(
            self.recorded_sizes.value
            + ops.cast(slot, "int32") * ops.cast(size, "int32"))
        self.count.assign(self.count.value + 1)

    @property
    def seen(self):
        """The recorded batches, a list of `(size, *image_shape)` arrays."""
        count = int(keras.ops.convert_to_numpy(self.count))
        recorded, sizes = variable_values(
            [self.recorded, self.recorded_sizes])
        assert count <= len(sizes), f"{count} updates, {len(sizes)} slots"
        assert sizes.max() <= recorded.shape[1], f"batch sizes {sizes}"
        # Nothing written past a batch's size nor past the last update.
        for slot, size in enumerate(sizes):
            assert not recorded[slot, size:].any()
        assert not sizes[count:].any()
        return [recorded[slot, :size].reshape((size, *self.image_shape))
                for slot, size in enumerate(sizes[:count])]


def _dense_models():
    """A dense (critic, generator) pair for 28x28x1 images, latent_dim 8.

    These tests check which batches reach the critic, not the networks:
    dense layers compile much faster than the convolutions of
    `small_models` on JAX.
    """
    critic = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    generator = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(28 * 28, activation="tanh"),
        keras.layers.Reshape((28, 28, 1)),
    ])
    return critic, generator


def test_every_critic_update_gets_a_fresh_real_batch():
    critic, generator = _dense_models()
    # Slots for two updates more than expected: extra ones are recorded.
    gan = _RecordingWGAN(critic, generator, n_critic=4, seed=0,
                         slots=10, rows=8)
    gan.compile()  # the compiled step, as fit runs it by default
    x = real_digits(64)  # 64 = 2 steps of 4 critic batches of 8
    gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    seen = gan.seen
    assert len(seen) == 8
    assert all(batch.shape == (8, 28, 28, 1) for batch in seen)
    np.testing.assert_array_equal(np.concatenate(seen), x)


def test_short_last_step_is_split_not_dropped():
    critic, generator = _dense_models()
    gan = _RecordingWGAN(critic, generator, n_critic=2, seed=0,
                         slots=6, rows=8)
    gan.compile()  # the compiled step, as fit runs it by default
    x = real_digits(21)  # steps of 16, then 5 images: critic batches 3 + 2
    gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    seen = gan.seen
    assert [len(b) for b in seen] == [8, 8, 3, 2]
    np.testing.assert_array_equal(np.concatenate(seen), x)


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


# ------------------------------------------------------------ frozen networks


def _moved(before, variables):
    """For each variable, whether its value differs from `before`."""
    return [not np.array_equal(a, b)
            for a, b in zip(before, variable_values(variables), strict=True)]


def _constant_generator(value):
    """A 2-D generator whose every sample is `(value, value)`."""
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(
            2, kernel_initializer="zeros",
            bias_initializer=keras.initializers.Constant(value)),
    ])


@pytest.mark.parametrize("model_class", [keras_wgan.WGAN, keras_wgan.WGANGP])
def test_a_frozen_generator_lets_the_critic_train_alone(model_class):
    critic = keras_wgan.toy.toy_critic(2, width=8, depth=1)
    generator = _constant_generator(0.5)
    generator.trainable = False
    gan = model_class(critic, generator, n_critic=3, seed=0)
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-2),
                generator_optimizer=keras.optimizers.Adam(1e-2))
    critic_before = variable_values(critic.weights)
    generator_before = variable_values(generator.weights)
    x = keras_wgan.toy.eight_gaussians(24, seed=0)  # one step of 3 x 8
    history = gan.fit(x, batch_size=8, verbose=0)
    # Every critic weight but the output bias (it cancels in the loss).
    assert _moved(critic_before, critic.weights) == [True, True, True, False]
    assert not any(_moved(generator_before, generator.weights))
    assert int(gan.critic_optimizer.iterations) == 3
    assert int(gan.generator_optimizer.iterations) == 0
    # Still logged: -D(G(z)) = -D(0.5, 0.5) after the step's critic updates.
    score = keras.ops.convert_to_numpy(critic(np.full((1, 2), 0.5)))[0, 0]
    assert history.history["generator_loss"][0] == pytest.approx(
        -score, rel=1e-5, abs=1e-6)


def test_a_frozen_critic_lets_the_generator_train_alone():
    # WGAN's weights 0.05 are beyond clip_value: a frozen critic is not
    # updated, so nothing is clipped either.
    critic = linear_critic([0.05, -0.05], image_shape=(2,))
    critic.trainable = False
    generator = _constant_generator(0.5)
    gan = keras_wgan.WGAN(critic, generator, n_critic=3, seed=0)
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-2),
                generator_optimizer=keras.optimizers.Adam(1e-2))
    generator_before = variable_values(generator.weights)
    x = keras_wgan.toy.eight_gaussians(24, seed=0)
    history = gan.fit(x, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_array_equal(critic.get_weights()[0],
                                  np.float32([[0.05], [-0.05]]))
    assert all(_moved(generator_before, generator.weights))
    assert int(gan.critic_optimizer.iterations) == 0
    assert int(gan.generator_optimizer.iterations) == 1
    # The critic's logs, on the step's last critic batch and the samples
    # of the generator before its update: f = 0.05 (x1 - x2), f(G(z)) = 0.
    logs = {k: v[0] for k, v in history.history.items()}
    expected = 0.05 * float(np.mean(x[16:, 0] - x[16:, 1]))
    assert logs["wasserstein_estimate"] == pytest.approx(expected, abs=1e-6)
    assert logs["critic_loss"] == pytest.approx(-expected, abs=1e-6)


class _RecordTraining(keras.layers.Layer):
    """Records the `training` flag of every call (at trace time, if any)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = set()

    def call(self, inputs, training=None):
        self.seen.add(training)
        return inputs


def _generator_with_batch_norm():
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(8, name="first"),
        keras.layers.BatchNormalization(name="norm"),
        _RecordTraining(name="record"),
        keras.layers.Dense(2, name="sample"),
    ])


@pytest.mark.parametrize("frozen", ["all", "first"])
def test_a_frozen_generator_runs_in_inference_mode(frozen):
    # JAX carries the moving statistics through its functional state: they
    # must come back updated when the normalisation trains, and unchanged
    # when the generator is frozen.
    generator = _generator_with_batch_norm()
    if frozen == "all":
        generator.trainable = False
    else:  # partly frozen: the other layers train as before
        generator.get_layer("first").trainable = False
    gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                            generator, n_critic=2, seed=0)
    gan.compile()
    norm = generator.get_layer("norm")
    statistics_before = variable_values(norm.non_trainable_weights)
    first_before = variable_values(generator.get_layer("first").weights)
    sample_before = variable_values(generator.get_layer("sample").weights)
    record = generator.get_layer("record")
    record.seen.clear()
    gan.fit(keras_wgan.toy.eight_gaussians(32, seed=0), batch_size=8,
            verbose=0)
    assert not any(_moved(first_before, generator.get_layer("first").weights))
    sample_moved = _moved(sample_before, generator.get_layer("sample").weights)
    if frozen == "all":
        assert record.seen == {False}
        assert not any(_moved(statistics_before, norm.non_trainable_weights))
        assert not any(sample_moved)
    else:
        assert True in record.seen
        assert all(_moved(statistics_before, norm.non_trainable_weights))
        assert all(sample_moved)


def test_both_frozen_fails_at_fit_and_evaluate_still_runs():
    critic = keras_wgan.toy.toy_critic(2, width=8, depth=1)
    generator = keras_wgan.toy.toy_generator(2, 2, width=8, depth=1)
    gan = keras_wgan.WGANGP(critic, generator, n_critic=1, seed=0)
    gan.trainable = False  # both networks
    gan.compile()
    x = keras_wgan.toy.eight_gaussians(16, seed=0)
    with pytest.raises(ValueError) as error:
        gan.fit(x, batch_size=8, verbose=0)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("critic and generator are both frozen")
    logs = gan.evaluate(x, batch_size=8, verbose=0, return_dict=True)
    assert np.isfinite(logs["wasserstein_estimate"])


def test_trainable_changed_after_compile_needs_a_new_compile():
    critic = keras_wgan.toy.toy_critic(2, width=8, depth=1)
    generator = keras_wgan.toy.toy_generator(2, 2, width=8, depth=1)
    gan = keras_wgan.WGANGP(critic, generator, n_critic=1, seed=0)
    gan.compile()
    x = keras_wgan.toy.eight_gaussians(16, seed=0)
    gan.fit(x, batch_size=8, verbose=0)
    generator.trainable = False
    with pytest.raises(ValueError, match=(
            r"^the generator's trainable weights changed since compile "
            r"\(4 then, 0 now\); call compile\(\) again")):
        gan.fit(x, batch_size=8, verbose=0)
    # Recompiled (the critic's optimizer kept), only the critic trains.
    gan.compile(critic_optimizer=gan.critic_optimizer)
    generator_before = variable_values(generator.weights)
    critic_before = variable_values(critic.weights)
    gan.fit(x, batch_size=8, verbose=0)
    assert not any(_moved(generator_before, generator.weights))
    assert any(_moved(critic_before, critic.weights))
    assert int(gan.critic_optimizer.iterations) == 4
    assert int(gan.generator_optimizer.iterations) == 0


def test_wgan_clips_a_critic_unfrozen_after_construction():
    critic = keras_wgan.toy.toy_critic(2, width=8, depth=1)
    critic.trainable = False
    gan = keras_wgan.WGAN(critic, keras_wgan.toy.toy_generator(2, 2, width=8),
                          n_critic=2, clip_value=0.01, seed=0)
    critic.trainable = True
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-1))
    gan.fit(keras_wgan.toy.eight_gaussians(32, seed=0), batch_size=8,
            verbose=0)
    for value in variable_values(critic.trainable_variables):
        assert np.abs(value).max() <= 0.01 + 1e-7


def test_critic_estimates_the_distance_to_a_frozen_generator():
    # The use a frozen generator is for, on data whose answer is known: a
    # generator fixed at the origin, so W1 = E||x|| (all the mass moves to
    # 0). Among the critics -a ||x||, which have gradient norm a
    # everywhere, the penalised loss -a E||x|| + lambda (a - 1)^2 is least
    # at a = 1 + E||x|| / (2 lambda): an estimate a E||x|| = 1.514 for the
    # eight Gaussians (E||x|| = 1.414) and lambda = 10. Measured after 60
    # iterations: 1.49-1.52 on torch and JAX for seeds 0-2, from -0.5-0.0.
    keras.utils.set_random_seed(0)
    generator = _constant_generator(0.0)
    generator.trainable = False
    gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=32, depth=2),
                            generator, n_critic=5, seed=0)
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-2, 0.5, 0.9))
    held_out = keras_wgan.toy.eight_gaussians(4096, seed=100)
    gan.fit(keras_wgan.toy.eight_gaussians(64 * 5 * 60, seed=0),
            batch_size=64, verbose=0)
    estimate = gan.evaluate(held_out, batch_size=4096, verbose=0,
                            return_dict=True)["wasserstein_estimate"]
    distance = float(np.linalg.norm(held_out, axis=1).mean())
    assert estimate == pytest.approx((1 + distance / 20) * distance,
                                     abs=0.08)


@pytest.mark.parametrize(
    "policy, model_class",
    [
        ("mixed_bfloat16", keras_wgan.WGAN),
        ("mixed_bfloat16", keras_wgan.WGANGP),
        # mixed_float16: test_mixed_float16_scales_both_losses_..., below.
    ],
)
def test_mixed_precision_trains_finite_with_float32_weights(policy, model_class):
    with GlobalPolicy(policy):
        gan = model_class(*small_models(), seed=0)
        gan.compile()
        history = gan.fit(real_digits(80), batch_size=8, epochs=1, verbose=0)
    compute_dtype = policy.split("_")[1]
    assert gan.critic.layers[1].compute_dtype == compute_dtype
    logs = {name: values[-1] for name, values in history.history.items()}
    assert all(math.isfinite(value) for value in logs.values()), logs
    weights = gan.critic.get_weights() + gan.generator.get_weights()
    assert {w.dtype for w in weights} == {np.dtype("float32")}
    if model_class is keras_wgan.WGAN:
        assert max(abs(w).max() for w in gan.critic.get_weights()) <= 0.01
    else:
        # The logs hold the losses themselves, not the loss-scaled ones.
        assert logs["critic_loss"] == pytest.approx(
            logs["gradient_penalty"] - logs["wasserstein_estimate"],
            abs=1e-2,
        )
    images = gan.generate(4, seed=1)
    assert images.dtype == np.float32
    assert np.all(np.abs(images) <= 1.0)


def test_mixed_float16_scales_both_losses_and_saves_the_scale(tmp_path):
    with GlobalPolicy("mixed_float16"):
        gan = keras_wgan.WGANGP(*small_models(), seed=0)
        gan.compile()
        initial = [keras.ops.convert_to_numpy(w) for w in
                   gan.critic.trainable_weights]
        history = gan.fit(real_digits(80), batch_size=8, epochs=1,
                          verbose=0)
        path = tmp_path / "gan.keras"
        gan.save(path)
        loaded = keras.saving.load_model(path)
    assert gan.critic.layers[1].compute_dtype == "float16"
    logs = {name: values[-1] for name, values in history.history.items()}
    assert all(math.isfinite(value) for value in logs.values()), logs
    # Logged unscaled: a scaled loss would be 2^15 times larger.
    assert logs["critic_loss"] == pytest.approx(
        logs["gradient_penalty"] - logs["wasserstein_estimate"], abs=1e-2)
    assert 1.0 < logs["gradient_penalty"] < 100.0
    for optimizer in (gan.critic_optimizer, gan.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        # The first steps had finite gradients: the scale stayed at its
        # initial 2^15, and the inner optimizer updated the weights.
        assert float(keras.ops.convert_to_numpy(optimizer.scale_loss(1.0))) \
            == 2.0**15
    assert int(gan.critic_optimizer.iterations) == 5 * 2
    # Every kernel moved (the last bias cancels out of the Wasserstein loss,
    # so its gradient is zero).
    moved = [not np.array_equal(a, keras.ops.convert_to_numpy(b))
             for a, b in zip(initial, gan.critic.trainable_weights)
             if a.ndim > 1]
    assert moved and all(moved)
    for name in ("critic_optimizer", "generator_optimizer"):
        optimizer = getattr(loaded, name)
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        for saved, restored in zip(getattr(gan, name).variables,
                                   optimizer.variables):
            np.testing.assert_array_equal(
                keras.ops.convert_to_numpy(saved),
                keras.ops.convert_to_numpy(restored))


def test_ttur_gives_each_player_its_own_learning_rate(tmp_path):
    critic, generator = small_models()
    gan = keras_wgan.WGANGP(critic, generator, seed=0)
    gan.compile(learning_rate=3e-4, generator_learning_rate=1e-4)
    assert float(gan.critic_optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(gan.generator_optimizer.learning_rate) == pytest.approx(1e-4)
    # The paper's other settings are kept.
    assert float(gan.critic_optimizer.beta_2) == pytest.approx(0.9)
    gan.compile(critic_learning_rate=4e-4, generator_learning_rate=1e-4)
    path = str(tmp_path / "ttur.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert float(loaded.critic_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(loaded.generator_optimizer.learning_rate) == pytest.approx(
        1e-4)
    with pytest.raises(ValueError, match="^critic_learning_rate must be a "):
        gan.compile(critic_learning_rate=0.0)
    with pytest.raises(ValueError, match="^generator_learning_rate sets the "):
        gan.compile(generator_optimizer="adam", generator_learning_rate=1e-3)
