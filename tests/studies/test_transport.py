"""keras_wgan.studies.transport: exact W1 and the settled critic's estimate."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.studies import transport


def _translated_gaussians(shift, seed=0):
    """Real N(0, 0.5^2 I) in 2D and a frozen generator of N(shift, 0.5^2 I):
    W1 between them is exactly |shift|."""
    real = (0.5 * np.random.default_rng(seed).normal(size=(8192, 2))
            ).astype("float32")
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    generator.set_weights([0.5 * np.eye(2, dtype="float32"),
                           np.asarray(shift, "float32")])
    return real, generator


def test_exact_wasserstein_of_a_translation_is_its_length():
    x = np.random.default_rng(1).normal(size=(300, 3))
    assert transport.exact_wasserstein(x, x + [0.0, 3.0, 4.0]) == \
        pytest.approx(5.0, rel=1e-9)


def test_exact_wasserstein_of_two_point_masses_by_hand():
    # Half the mass at 0 and half at 2 against all of it at 1: each half
    # moves by 1.
    x = np.array([[0.0], [2.0]])
    assert transport.exact_wasserstein(x, np.array([[1.0]])) == \
        pytest.approx(1.0)
    # Unequal sizes: 3 points at 0 against 2 points at 1.
    assert transport.exact_wasserstein(np.zeros((3, 1)), np.ones((2, 1))) \
        == pytest.approx(1.0)


@pytest.mark.parametrize("x, y, message", [
    (np.zeros((0, 2)), np.zeros((3, 2)), "x must be a non-empty"),
    (np.zeros(3), np.zeros((3, 1)), "x must be a non-empty"),
    (np.zeros((3, 2)), np.zeros((3, 3)), "points of one size"),
])
def test_exact_wasserstein_bad_points(x, y, message):
    with pytest.raises(ValueError, match=message):
        transport.exact_wasserstein(x, y)


def test_penalty_critic_settles_near_the_true_distance():
    keras.utils.set_random_seed(0)
    real, generator = _translated_gaussians([0.7, 0.0])
    gan = keras_wgan.WGANGP(keras_wgan.studies.toy.toy_critic(2, width=32), generator,
                            seed=0)
    before = [w.copy() for w in gan.critic.get_weights()]
    result = transport.estimate_wasserstein(
        gan, real, steps_per_round=100, max_steps=3000, num_eval=4096,
        learning_rate=1e-3, window=4, gp_weight=100.0)
    assert result.settled and result.steps < 3000
    # Seeds 0-3 on torch settled at 0.67-0.72 (the critic's optimum, not
    # the evaluation's noise: each run's last rounds agree to < 1%).
    assert result.estimate == pytest.approx(0.7, rel=0.06)
    assert result.spread <= 0.02 * result.estimate
    means = [np.mean([v for _, v in result.history[i - 4:i]])
             for i in (len(result.history) - 4, len(result.history))]
    assert abs(means[1] - means[0]) <= 0.02 * means[1]
    assert result.history[-1][0] == result.steps
    # The model itself is untouched, its penalty weight included.
    for ours, theirs in zip(gan.critic.get_weights(), before):
        np.testing.assert_array_equal(ours, theirs)
    assert gan.gp_weight == 10.0


@pytest.mark.slow
def test_estimate_grows_with_the_distance():
    estimates = []
    for shift in (0.3, 0.9):
        real, generator = _translated_gaussians([0.0, shift])
        gan = keras_wgan.WGANGP(keras_wgan.studies.toy.toy_critic(2, width=32),
                                generator, seed=1)
        estimates.append(transport.estimate_wasserstein(
            gan, real, steps_per_round=100, max_steps=1000,
            learning_rate=1e-3, gp_weight=100.0).estimate)
    assert estimates[1] == pytest.approx(3 * estimates[0], rel=0.15)


def test_estimate_stops_at_max_steps_unsettled():
    real, generator = _translated_gaussians([0.5, 0.0])
    gan = keras_wgan.WGANGP(keras_wgan.studies.toy.toy_critic(2, width=8), generator,
                            seed=0)
    result = transport.estimate_wasserstein(gan, real, steps_per_round=5,
                                            max_steps=15, num_eval=128)
    assert result.steps == 15 and not result.settled
    assert [steps for steps, _ in result.history] == [5, 10, 15]


def test_estimate_refuses_samples_of_another_shape():
    _, generator = _translated_gaussians([0.5, 0.0])
    gan = keras_wgan.WGANGP(keras_wgan.studies.toy.toy_critic(2, width=8), generator)
    with pytest.raises(ValueError, match=r"real must have samples of shape"):
        transport.estimate_wasserstein(gan, np.zeros((10, 3), "float32"))
