"""The training loop every model shares: batches, noise, optimizers, saving."""

import json
import math

import keras
import numpy as np
import pytest

import keras_wgan
from tests.helpers import real_digits
from tests.helpers import small_models
from tests.helpers import variable_values


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
