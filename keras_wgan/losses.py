"""The critic losses: Wasserstein `mean(y_true * y_pred)` and the hinge loss.

Both take the same labels, `-1` for real and `+1` for generated samples.
"""

from typing import Any

import keras
from keras import ops

from keras_wgan.tensor_types import Tensor

__all__ = [
    "HingeLoss",
    "WASSERSTEIN_FAKE_LABEL",
    "WASSERSTEIN_REAL_LABEL",
    "WassersteinLoss",
    "hinge_loss",
    "wasserstein_estimate",
    "wasserstein_loss",
]

#: Label of real images for the critic (see `WassersteinLoss`).
WASSERSTEIN_REAL_LABEL = -1.0
#: Label of generated images for the critic (see `WassersteinLoss`).
WASSERSTEIN_FAKE_LABEL = 1.0


@keras.saving.register_keras_serializable(package="keras_wgan")
def wasserstein_loss(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Computes the Wasserstein loss `mean(y_true * y_pred)` per sample.

    With labels `-1` for real and `+1` for generated images, the critic
    loss over a real batch `x` and a fake batch `g` is

        L_critic = mean_i(-D(x_i)) + mean_j(D(g_j))
                 = -(mean D(x) - mean D(g)),

    so minimising it maximises the Kantorovich-Rubinstein estimate of the
    Wasserstein-1 distance `mean D(x) - mean D(g)` (Arjovsky et al., 2017).
    The generator labels its own samples `-1`, so it minimises
    `-mean D(g)`.

    Args:
        y_true: Tensor of labels, `-1` (real) or `+1` (fake), broadcastable
            to `y_pred`.
        y_pred: Tensor of critic scores, shape `(batch, ...)`. The critic's
            output must be linear (no sigmoid): it is a score, not a
            probability.

    Returns:
        Tensor of shape `(batch,)`: `y_true * y_pred` averaged over all
        axes but the first. Reduce it with `mean` (as `WassersteinLoss`
        does) for the scalar loss.

    Example:

    >>> per_sample = wasserstein_loss(np.array([[-1.0], [1.0]]),
    ...                               np.array([[3.0], [1.0]]))
    >>> ops.convert_to_numpy(per_sample).tolist()
    [-3.0, 1.0]
    """
    return _per_sample_mean(_signed_scores(y_true, y_pred))


@keras.saving.register_keras_serializable(package="keras_wgan")
class WassersteinLoss(keras.losses.Loss):
    """Wasserstein loss `mean(y_true * y_pred)` as a `keras.losses.Loss`.

    Sign convention: the critic labels real images `-1` and generated
    images `+1`; the generator labels its samples `-1`. Minimising the
    critic loss then maximises `mean D(real) - mean D(fake)`, the critic's
    estimate of the Wasserstein-1 distance; minimising the generator loss
    maximises `mean D(fake)`.

    Args:
        reduction: Keras reduction type, default `"sum_over_batch_size"`,
            which gives the mean over the batch.
        name: Name of the loss instance.
        dtype: Dtype of the loss computation.

    Example:

    >>> loss = WassersteinLoss()
    >>> float(loss([-1.0, -1.0, 1.0, 1.0], [2.0, 4.0, 1.0, -1.0]))
    -1.5
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "wasserstein_loss",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return wasserstein_loss(y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}


@keras.saving.register_keras_serializable(package="keras_wgan")
def hinge_loss(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Computes the hinge loss of the critic, `relu(1 + y_true * y_pred)`.

    With the labels of `wasserstein_loss` (`-1` real, `+1` fake), the loss
    of a real batch `x` and a fake batch `g` is

        L_critic = mean_i relu(1 - D(x_i)) + mean_j relu(1 + D(g_j)),

    the critic loss of SNGAN (Miyato et al., 2018; Lim and Ye,
    2017): scores beyond the margins `D(x) >= 1`, `D(g) <= -1` add nothing.
    The generator of SNGAN minimises `-mean D(g)`, `wasserstein_loss` with
    the label `-1`, not this loss.

    Args:
        y_true: Tensor of labels, `-1` (real) or `+1` (fake), broadcastable
            to `y_pred`.
        y_pred: Tensor of critic scores, shape `(batch, ...)`.

    Returns:
        Tensor of shape `(batch,)`, averaged over all axes but the first.

    Example:

    >>> per_sample = hinge_loss(np.array([[-1.0], [-1.0], [1.0]]),
    ...                         np.array([[3.0], [0.5], [-0.5]]))
    >>> ops.convert_to_numpy(per_sample).tolist()
    [0.0, 0.5, 0.5]
    """
    return _per_sample_mean(ops.relu(1.0 + _signed_scores(y_true, y_pred)))


def _signed_scores(y_true, y_pred):
    """`y_true * y_pred`, the labels cast and broadcast to the scores."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.broadcast_to(y_true, ops.shape(y_pred)) * y_pred


def _per_sample_mean(values):
    """Averages over every axis but the first."""
    if len(values.shape) <= 1:
        return values
    return ops.mean(values, axis=tuple(range(1, len(values.shape))))


@keras.saving.register_keras_serializable(package="keras_wgan")
class HingeLoss(keras.losses.Loss):
    """The critic's hinge loss `relu(1 + y_true * y_pred)` as a Keras loss.

    Labels as for `WassersteinLoss`: `-1` for real, `+1` for generated
    samples (see `hinge_loss`).

    Args:
        reduction: Keras reduction type, default `"sum_over_batch_size"`,
            which gives the mean over the batch.
        name: Name of the loss instance.
        dtype: Dtype of the loss computation.

    Example:

    >>> loss = HingeLoss()
    >>> float(loss([-1.0, -1.0, 1.0, 1.0], [2.0, 0.0, 1.0, -3.0]))
    0.75
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "hinge_loss",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return hinge_loss(y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}


def wasserstein_estimate(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """Returns the critic's estimate `mean D(real) - mean D(fake)` of W1.

    By the Kantorovich-Rubinstein duality, for a critic `D` that is exactly
    1-Lipschitz this is at most the Wasserstein-1 distance between the two
    distributions, and equal to it for the best such critic (Arjovsky et
    al., 2017, Theorem 3). A trained critic is not exactly 1-Lipschitz, so
    the value is an estimate, not a bound: a gradient penalty leaves
    gradient norms a little above 1 along the transport and the estimate a
    little above W1 (more so at a low penalty weight); weight clipping
    bounds the critic by an unknown constant `K` and estimates `K * W1`.
    `keras_wgan.studies.transport.estimate_wasserstein` measures it with a
    critic trained to settle. It is minus the Wasserstein critic loss.

    Args:
        real_scores: Critic scores of real samples, any shape.
        fake_scores: Critic scores of generated samples, any shape.

    Returns:
        Scalar tensor.

    Example:

    >>> float(wasserstein_estimate(np.array([3.0, 1.0]), np.array([0.5])))
    1.5
    """
    return ops.mean(real_scores) - ops.mean(fake_scores)
