"""keras_wgan.models.sampling: the model's noise and generate."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import sampling


def _gan(**kwargs):
    return keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                             keras_wgan.toy.toy_generator(3, 2, width=8,
                                                          depth=1),
                             seed=0, **kwargs)


def test_in_batches_concatenates_float32_without_gradients():
    calls = []

    def samples(start, stop):
        calls.append((start, stop))
        return keras.ops.arange(start, stop, dtype="float16")

    values = sampling.in_batches(samples, 5, batch_size=2)
    assert calls == [(0, 2), (2, 4), (4, 5)]
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, np.arange(5))
    with pytest.raises(ValueError, match=r"^batch_size must be "):
        sampling.in_batches(samples, 5, batch_size=0)


def test_generate_draws_from_the_generator_per_seed():
    gan = _gan()
    noise = keras.random.normal((6, 3), seed=4)
    expected = keras.ops.convert_to_numpy(gan.generator(noise))
    np.testing.assert_allclose(gan.generate(6, seed=4, batch_size=4),
                               expected, atol=1e-6)
    np.testing.assert_allclose(gan.generate_from(noise), expected,
                               atol=1e-6)
    with pytest.raises(ValueError, match=r"^noise must have shape \(n, 3\)"):
        gan.generate_from(np.zeros((2, 2)))


def test_the_noise_stream_is_saved_and_continues(tmp_path):
    gan = _gan()
    first = keras.ops.convert_to_numpy(gan.sample_noise(4))
    assert first.shape == (4, 3)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.sample_noise(4)),
        keras.ops.convert_to_numpy(gan.sample_noise(4)))
    real = np.zeros((5, 2), "float32")
    assert keras.ops.shape(gan.noise_for(real)) == (5, 3)
    assert keras.ops.shape(gan.generator_input(real)) == (5, 3)
