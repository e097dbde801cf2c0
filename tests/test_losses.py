import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import WassersteinLoss
from keras_wgan import wasserstein_loss


def test_wasserstein_loss_is_mean_of_label_times_score():
    y_true = np.array([[-1.0], [-1.0], [1.0], [1.0]], "float32")
    y_pred = np.array([[2.0], [4.0], [1.0], [-1.0]], "float32")
    per_sample = keras.ops.convert_to_numpy(wasserstein_loss(y_true, y_pred))
    np.testing.assert_allclose(per_sample, [-2.0, -4.0, 1.0, -1.0])
    # mean(-2, -4, 1, -1) = -1.5
    assert float(WassersteinLoss()(y_true, y_pred)) == pytest.approx(-1.5)


def test_critic_loss_is_negative_wasserstein_estimate():
    real_scores = np.array([[0.5], [1.5], [1.0]], "float32")
    fake_scores = np.array([[-0.25], [0.25], [0.0]], "float32")
    loss = WassersteinLoss()
    critic_loss = float(loss(-np.ones_like(real_scores), real_scores)) + float(
        loss(np.ones_like(fake_scores), fake_scores)
    )
    estimate = real_scores.mean() - fake_scores.mean()  # 1.0 - 0.0
    assert estimate == pytest.approx(1.0)
    assert critic_loss == pytest.approx(-estimate)
    # The generator labels its fakes as real: it minimises -mean D(fake).
    assert float(loss(-np.ones_like(fake_scores), fake_scores)) == pytest.approx(
        -fake_scores.mean()
    )


def test_loss_averages_over_non_batch_axes():
    y_pred = np.arange(8, dtype="float32").reshape(2, 4)
    per_sample = keras.ops.convert_to_numpy(wasserstein_loss(1.0, y_pred))
    np.testing.assert_allclose(per_sample, [1.5, 5.5])


def test_sum_reduction_and_serialization_round_trip():
    loss = WassersteinLoss(reduction="sum", name="w")
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, WassersteinLoss)
    assert restored.get_config() == loss.get_config()
    value = restored(np.array([1.0, -1.0]), np.array([3.0, 5.0]))
    assert float(value) == pytest.approx(-2.0)


def test_function_is_registered_for_compile_by_name():
    fn = keras.saving.get_registered_object("keras_wgan>wasserstein_loss")
    assert fn is keras_wgan.wasserstein_loss


# ------------------------------------------------------------- hinge loss


def test_hinge_loss_is_the_sngan_critic_loss():
    rng = np.random.default_rng(0)
    real_scores = rng.normal(size=(6, 1)).astype("float32") * 2
    fake_scores = rng.normal(size=(6, 1)).astype("float32") * 2
    loss = keras_wgan.HingeLoss()
    value = float(loss(np.full((6, 1), -1.0), real_scores)) + float(
        loss(np.full((6, 1), 1.0), fake_scores))
    expected = (np.maximum(0, 1 - real_scores).mean()
                + np.maximum(0, 1 + fake_scores).mean())
    assert value == pytest.approx(expected, rel=1e-6)


def test_hinge_loss_averages_over_non_batch_axes_and_round_trips():
    per_sample = keras_wgan.losses.hinge_loss(
        np.array([[1.0], [-1.0]]), np.array([[0.0, -3.0], [0.5, 2.0]]))
    # relu(1 + [0, -3]) -> [1, 0]; relu(1 - [0.5, 2]) -> [0.5, 0].
    np.testing.assert_allclose(keras.ops.convert_to_numpy(per_sample),
                               [0.5, 0.25])
    loss = keras_wgan.HingeLoss(reduction="sum")
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, keras_wgan.HingeLoss)
    assert restored.reduction == "sum"
