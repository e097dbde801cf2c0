import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.nets import spectral
from keras_wgan.nets.layers import PaddedConv2DTranspose


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_mnist_critic_keeps_its_scores_and_gets_keras_layout_kernels():
    critic = keras_wgan.nets.architectures.mnist_critic(width=4)
    normalized = spectral.spectral_normalize(critic)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype(
        "float32")
    np.testing.assert_allclose(_numpy(normalized(x)), _numpy(critic(x)),
                               atol=1e-5)
    wrapped = [layer for layer in normalized._flatten_layers()
               if isinstance(layer, keras.layers.SpectralNormalization)]
    assert [type(layer.layer).__name__ for layer in wrapped] == [
        "Conv2D", "Conv2D", "Conv2D", "Dense"]
    # Output channels last, as the wrapper reshapes it.
    assert [tuple(layer.kernel.shape)[-1] for layer in wrapped] == [4, 8, 16, 1]
    assert spectral.spectral_normalize(normalized) is normalized


def test_normalize_weights_divides_by_the_largest_singular_value():
    critic = spectral.spectral_normalize(
        keras_wgan.studies.toy.toy_critic(2, width=6, depth=2))
    dense = [layer for layer in critic.layers
             if isinstance(layer, keras.layers.SpectralNormalization)][1]
    before = _numpy(dense.layer.kernel)
    _, singular_values, right = np.linalg.svd(before)
    # From the top right singular vector, one power-iteration step finds
    # sigma exactly (the iteration converges to it from any start).
    dense.vector_u.assign(right[:1])
    spectral.normalize_weights(critic)
    np.testing.assert_allclose(_numpy(dense.layer.kernel),
                               before / singular_values[0], rtol=1e-4)
    np.testing.assert_allclose(np.abs(_numpy(dense.vector_u)),
                               np.abs(right[:1]), atol=1e-5)


def test_a_kernel_of_zeros_stays_finite():
    critic = spectral.spectral_normalize(keras_wgan.studies.toy.toy_critic(2, 4, 1))
    for variable in critic.trainable_variables:
        variable.assign(np.zeros(variable.shape, "float32"))
    spectral.normalize_weights(critic)
    assert all(np.all(_numpy(v) == 0) for v in critic.trainable_variables)


def test_a_layer_it_cannot_wrap_is_a_one_line_error():
    inputs = keras.Input((4, 4, 2))
    x = PaddedConv2DTranspose(2, 3, strides=1, padding=1)(inputs)
    critic = keras.Model(inputs, keras.layers.Dense(1)(
        keras.layers.Flatten()(x)))
    with pytest.raises(ValueError, match="cannot wrap"):
        spectral.spectral_normalize(critic)
    with pytest.raises(ValueError, match="power_iterations"):
        spectral.spectral_normalize(keras_wgan.studies.toy.toy_critic(2, 4, 1), 0)


def test_a_partly_normalised_critic_keeps_its_wrapped_layers():
    inputs = keras.Input((3,))
    x = keras.layers.SpectralNormalization(keras.layers.Dense(4))(inputs)
    critic = keras.Model(inputs, keras.layers.Dense(1)(x))
    normalized = spectral.spectral_normalize(critic)
    assert spectral.is_spectrally_normalized(normalized)
    probe = np.ones((2, 3), "float32")
    np.testing.assert_allclose(_numpy(normalized(probe)),
                               _numpy(critic(probe)), atol=1e-6)
