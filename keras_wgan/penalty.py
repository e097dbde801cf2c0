"""The gradient penalty of WGAN-GP (Gulrajani et al., 2017)."""

import keras
from keras import ops

from keras_wgan import backend
from keras_wgan import distribute

#: Added inside the square root of the squared gradient norm so its
#: derivative stays finite at a zero gradient (sqrt'(0) is infinite and
#: gave NaN penalties in other implementations).
NORM_EPSILON = 1e-12


def interpolate(real, fake, seed=None):
    """Returns `x_hat = a * real + (1 - a) * fake`, one `a ~ U[0, 1]` a sample.

    Args:
        real: Real images, shape `(batch, ...)`.
        fake: Generated images, same shape as `real`.
        seed: A `keras.random.SeedGenerator` or int for the draw of `a`.

    Returns:
        Tensor shaped like `real`.
    """
    real = ops.convert_to_tensor(real)
    fake = ops.convert_to_tensor(fake, dtype=real.dtype)
    rank = len(real.shape)
    # Under data parallelism, this replica's rows of the global draw.
    alpha = distribute.replica_rows(
        lambda rows: keras.random.uniform(
            (rows,) + (1,) * (rank - 1), dtype=real.dtype, seed=seed
        ),
        ops.shape(real)[0],
    )
    return alpha * real + (1.0 - alpha) * fake


def gradient_norm(critic, x):
    """Returns the per-sample L2 norm of the critic's input gradient at `x`.

    The norm runs over all pixels and channels of each sample. It is
    differentiable with respect to the critic's weights.

    Args:
        critic: Callable mapping images to scores of shape `(batch, 1)`.
        x: Images, shape `(batch, ...)`.

    Returns:
        Tensor of shape `(batch,)`.
    """
    grads = backend.input_gradient(
        lambda t: critic(t, training=True), ops.convert_to_tensor(x)
    )
    axes = tuple(range(1, len(grads.shape)))
    return ops.sqrt(ops.sum(ops.square(grads), axis=axes) + NORM_EPSILON)


def gradient_penalty(critic, real, fake, seed=None):
    """Computes `mean((||grad D(x_hat)||_2 - 1)^2)` for a batch.

    This is the penalty of Gulrajani et al. (2017), Algorithm 1, before it
    is multiplied by the weight lambda: `x_hat` lies on the line between a
    real and a generated sample, with a uniform random position drawn for
    each sample, and the norm is taken per sample over all pixels.

    Args:
        critic: The critic, a callable `critic(x, training=...)`.
        real: Real images, shape `(batch, ...)`.
        fake: Generated images, same shape, without gradient to the
            generator.
        seed: A `keras.random.SeedGenerator` or int for the interpolation.

    Returns:
        Scalar tensor.

    Example:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> real, fake = np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")
    >>> penalty = gradient_penalty(critic, real, fake)  # (||w|| - 1)^2
    """
    x_hat = interpolate(real, fake, seed=seed)
    return ops.mean(ops.square(gradient_norm(critic, x_hat) - 1.0))
