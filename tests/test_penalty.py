import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import penalty
from tests.helpers import GlobalPolicy
from tests.helpers import linear_critic
from tests.helpers import small_models


def _to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_linear_critic_penalty_is_closed_form():
    # f(x) = w . x has gradient w everywhere, so the penalty is (||w|| - 1)^2
    # whatever the interpolation draws.
    rng = np.random.default_rng(0)
    w = rng.normal(size=28 * 28).astype("float32") * 0.1
    critic = linear_critic(w, bias=0.3)
    real = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    expected = (np.linalg.norm(w) - 1.0) ** 2
    value = float(penalty.gradient_penalty(critic, real, fake, seed=3))
    assert value == pytest.approx(expected, rel=1e-5)


def test_norm_is_per_sample_over_all_pixels():
    # f(x) = 0.5 * sum(x^2) has gradient x: the norm of sample i is ||x_i||.
    images = keras.Input((4, 4, 2))
    critic = keras.Model(
        images,
        keras.layers.Lambda(
            lambda t: 0.5 * keras.ops.sum(t * t, axis=(1, 2, 3))[:, None]
        )(images),
    )
    x = np.random.default_rng(1).normal(size=(5, 4, 4, 2)).astype("float32")
    norms = _to_numpy(penalty.gradient_norm(critic, x))
    np.testing.assert_allclose(
        norms, np.linalg.norm(x.reshape(5, -1), axis=1), rtol=1e-5
    )


def test_interpolation_draws_one_uniform_weight_per_sample():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(64, 3, 3, 1)).astype("float32")
    fake = rng.normal(size=(64, 3, 3, 1)).astype("float32")
    x_hat = _to_numpy(penalty.interpolate(real, fake, seed=5))
    alpha = (x_hat - fake) / (real - fake)
    per_sample = alpha.reshape(64, -1)
    # One weight for all pixels of a sample ...
    np.testing.assert_allclose(
        per_sample, per_sample[:, :1].repeat(9, axis=1), atol=1e-4
    )
    # ... in [0, 1], different across samples, spread like U[0, 1].
    a = per_sample[:, 0]
    assert a.min() >= -1e-4 and a.max() <= 1 + 1e-4
    assert len(np.unique(np.round(a, 4))) >= 60
    assert 0.3 < a.mean() < 0.7 and a.std() > 0.2


def test_zero_gradient_gives_finite_penalty_and_weight_gradients():
    critic = linear_critic(np.zeros(28 * 28, "float32"))
    real = np.ones((4, 28, 28, 1), "float32")
    fake = -np.ones((4, 28, 28, 1), "float32")
    variables = critic.trainable_variables
    value, _, grads = keras_wgan.backend.value_and_grad(
        lambda: (penalty.gradient_penalty(critic, real, fake, seed=0), {}),
        variables,
    )
    # ||0|| is 1e-6 with the epsilon, so the penalty is (1e-6 - 1)^2 ~ 1.
    assert float(value) == pytest.approx(1.0, abs=1e-5)
    for grad in grads:
        assert np.all(np.isfinite(_to_numpy(grad)))
    # d/dw (sqrt(||w||^2 + eps) - 1)^2 = 2 (norm - 1) w / norm, which is 0
    # at w = 0; the bias does not enter the penalty.
    for grad in grads:
        np.testing.assert_array_equal(_to_numpy(grad), 0.0)


def test_wgangp_critic_loss_adds_weighted_penalty():
    w = np.full(28 * 28, 0.02, "float32")  # ||w|| = 0.56
    critic = linear_critic(w)
    _, generator = small_models()
    gan = keras_wgan.WGANGP(critic, generator, gp_weight=7.0, seed=0)
    gan.compile()
    rng = np.random.default_rng(3)
    real = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    loss, logs = gan.critic_objective(real, fake)
    flat_w = w.reshape(-1)
    estimate = (real.reshape(8, -1) @ flat_w).mean() - (
        fake.reshape(8, -1) @ flat_w
    ).mean()
    expected_penalty = 7.0 * (np.linalg.norm(w) - 1.0) ** 2
    assert float(logs["gradient_penalty"]) == pytest.approx(
        expected_penalty, rel=1e-5
    )
    assert float(logs["wasserstein_estimate"]) == pytest.approx(
        estimate, rel=1e-4, abs=1e-5
    )
    assert float(loss) == pytest.approx(-estimate + expected_penalty, rel=1e-4)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_norm_is_float32_under_mixed_precision(policy):
    rng = np.random.default_rng(4)
    w = rng.normal(size=28 * 28).astype("float32") * 0.1
    with GlobalPolicy(policy):
        critic = linear_critic(w)
    assert critic.layers[-1].compute_dtype == policy.split("_")[1]
    x = rng.uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    norms = penalty.gradient_norm(critic, x)
    assert keras.backend.standardize_dtype(norms.dtype) == "float32"
    # The gradient of w . x is w (rounded to the policy's dtype), and the
    # norm of its 784 entries is summed in float32.
    np.testing.assert_allclose(
        _to_numpy(norms), np.full(3, np.linalg.norm(w)), rtol=1e-2
    )


def test_joint_penalty_shares_a_and_takes_one_norm_over_both_parts():
    # D(x, z) = (|x|^2 + |z|^2) / 2 has the joint gradient (x, z): against
    # a fake pair of zeros the interpolate is a * (x, z), so each sample's
    # norm is a * sqrt(|x|^2 + |z|^2) with its one a for both parts.
    def critic(pair, training=True):
        x, z = pair
        return 0.5 * (keras.ops.sum(keras.ops.square(x), axis=(1, 2, 3))
                      + keras.ops.sum(keras.ops.square(z), axis=1))[:, None]

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (6, 3, 3, 1)).astype("float32")
    z = rng.normal(size=(6, 5)).astype("float32")
    zeros = (np.zeros_like(x), np.zeros_like(z))
    value = penalty.joint_gradient_penalty(critic, (x, z), zeros, seed=11)
    a = _to_numpy(keras.random.uniform((6, 1), seed=11))[:, 0]
    lengths = np.sqrt((x**2).sum(axis=(1, 2, 3)) + (z**2).sum(axis=1))
    expected = np.mean((a * lengths - 1.0) ** 2)
    assert float(_to_numpy(value)) == pytest.approx(expected, rel=1e-5)


# ------------------------------------------- WGAN-LP, DRAGAN and R1 penalties


def _two_layer_critic(w1, w2):
    """f(x) = w2 . relu(W1 x), no biases: its gradient is known in closed form."""
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(w1.shape[1], activation="relu",
                                use_bias=False)(inputs)
    score = keras.layers.Dense(1, use_bias=False)(hidden)
    critic = keras.Model(inputs, score)
    critic.set_weights([w1, w2.reshape(-1, 1)])
    return critic


def _hand_gradients(x, w1, w2):
    # grad_x f = W1 diag(relu'(W1^T x)) w2, one row per sample.
    active = (x @ w1 > 0).astype("float32")
    return (active * w2[None, :]) @ w1.T


@pytest.mark.parametrize("scale", [0.3, 3.0])
def test_one_sided_penalty_counts_only_norms_above_one(scale):
    # A linear critic has one gradient norm everywhere: 0 below 1, else
    # (||w|| - 1)^2.
    w = np.array([0.6, 0.8], "float32") * scale  # ||w|| = scale
    critic = linear_critic(w, image_shape=(2,))
    real = np.ones((5, 2), "float32")
    fake = -np.ones((5, 2), "float32")
    value = float(penalty.one_sided_penalty(critic, real, fake, seed=0))
    assert value == pytest.approx(max(0.0, scale - 1.0) ** 2, abs=1e-6)


def test_one_sided_penalty_on_a_relu_critic_matches_the_hand_value():
    rng = np.random.default_rng(4)
    w1 = rng.normal(size=(2, 3)).astype("float32")
    w2 = rng.normal(size=3).astype("float32") * 2
    critic = _two_layer_critic(w1, w2)
    real = rng.normal(size=(16, 2)).astype("float32")
    fake = rng.normal(size=(16, 2)).astype("float32")
    # The same seed draws the same interpolates.
    x_hat = _to_numpy(penalty.interpolate(real, fake, seed=7))
    norms = np.linalg.norm(_hand_gradients(x_hat, w1, w2), axis=1)
    expected = np.mean(np.maximum(norms - 1.0, 0.0) ** 2)
    value = float(penalty.one_sided_penalty(critic, real, fake, seed=7))
    assert value == pytest.approx(expected, rel=1e-4)
    assert np.any(norms < 1.0) and np.any(norms > 1.0)  # both cases seen


@pytest.mark.parametrize("target, one_sided", [(1.0, False), (0.5, False),
                                               (3.0, False), (0.3, True),
                                               (0.7, True)])
def test_penalty_target_and_one_sided_on_a_relu_critic(target, one_sided):
    # TF-GAN's form: (||grad|| / target - 1)^2, the negative part dropped
    # when one-sided; checked against the hand gradients of a ReLU critic.
    rng = np.random.default_rng(6)
    w1 = rng.normal(size=(2, 3)).astype("float32")
    w2 = rng.normal(size=3).astype("float32") * 2
    critic = _two_layer_critic(w1, w2)
    real = rng.normal(size=(16, 2)).astype("float32")
    fake = rng.normal(size=(16, 2)).astype("float32")
    x_hat = _to_numpy(penalty.interpolate(real, fake, seed=9))
    norms = np.linalg.norm(_hand_gradients(x_hat, w1, w2), axis=1)
    if one_sided:
        # Between this draw's smallest and largest norm (a ReLU critic
        # has a few distinct ones): some below it, to be dropped.
        target = float(norms.min() + target * (norms.max() - norms.min()))
    excess = norms / target - 1.0
    if one_sided:
        assert np.any(excess < 0) and np.any(excess > 0)
        excess = np.maximum(excess, 0.0)
    value = float(penalty.gradient_penalty(critic, real, fake, seed=9,
                                           target=target, one_sided=one_sided))
    assert value == pytest.approx(np.mean(excess**2), rel=1e-4)


def test_one_sided_penalty_is_the_one_sided_gradient_penalty():
    rng = np.random.default_rng(8)
    critic = _two_layer_critic(rng.normal(size=(2, 3)).astype("float32"),
                               rng.normal(size=3).astype("float32"))
    real = rng.normal(size=(8, 2)).astype("float32")
    fake = rng.normal(size=(8, 2)).astype("float32")
    assert float(penalty.one_sided_penalty(critic, real, fake, seed=1)) == \
        pytest.approx(float(penalty.gradient_penalty(
            critic, real, fake, seed=1, one_sided=True)), rel=1e-6)


@pytest.mark.parametrize("target", [0.0, -1.0, float("nan")])
def test_penalty_target_must_be_positive(target):
    critic = linear_critic(np.ones(2, "float32"), image_shape=(2,))
    x = np.ones((2, 2), "float32")
    with pytest.raises(ValueError, match="target must be"):
        penalty.gradient_penalty(critic, x, x, target=target)


def test_dragan_points_lie_between_the_data_and_its_perturbation():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(256, 3)).astype("float32") * 2.0
    points = _to_numpy(penalty.perturb(real, scale=0.5, seed=1))
    # x + a * 0.5 * std(x) * u with a, u in [0, 1]: moved up, by at most
    # 0.5 std(x), and the moves spread over that range.
    step = points - real
    bound = 0.5 * real.std()
    assert step.min() >= -1e-6 and step.max() <= bound + 1e-5
    assert step.max() > 0.8 * bound and step.mean() < 0.4 * bound


def test_dragan_penalty_on_a_relu_critic_matches_the_hand_value():
    rng = np.random.default_rng(6)
    w1 = rng.normal(size=(2, 4)).astype("float32")
    w2 = rng.normal(size=4).astype("float32")
    critic = _two_layer_critic(w1, w2)
    real = rng.normal(size=(16, 2)).astype("float32")
    points = _to_numpy(penalty.perturb(real, scale=0.5, seed=9))
    norms = np.linalg.norm(_hand_gradients(points, w1, w2), axis=1)
    expected = np.mean((norms - 1.0) ** 2)
    value = float(penalty.dragan_penalty(critic, real, scale=0.5, seed=9))
    assert value == pytest.approx(expected, rel=1e-4)


def test_r1_penalty_is_half_the_mean_squared_gradient_at_the_real_data():
    rng = np.random.default_rng(8)
    w1 = rng.normal(size=(2, 3)).astype("float32")
    w2 = rng.normal(size=3).astype("float32")
    critic = _two_layer_critic(w1, w2)
    real = rng.normal(size=(12, 2)).astype("float32")
    grads = _hand_gradients(real, w1, w2)
    expected = 0.5 * np.mean(np.sum(grads**2, axis=1))
    assert float(penalty.r1_penalty(critic, real)) == pytest.approx(
        expected, rel=1e-5)


def test_r1_penalty_of_a_flat_critic_is_zero_with_finite_gradients():
    critic = linear_critic(np.zeros(28 * 28, "float32"))
    real = np.ones((4, 28, 28, 1), "float32")
    value, _, grads = keras_wgan.backend.value_and_grad(
        lambda: (penalty.r1_penalty(critic, real), {}),
        critic.trainable_variables,
    )
    assert float(value) == 0.0
    for grad in grads:
        np.testing.assert_array_equal(_to_numpy(grad), 0.0)
