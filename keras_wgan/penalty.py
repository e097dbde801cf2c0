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
        float32 tensor of shape `(batch,)`, also under a mixed-precision
        policy.
    """
    grads = backend.input_gradient(
        lambda t: critic(t, training=True), ops.convert_to_tensor(x)
    )
    # In float32 under a mixed-precision policy too: squares summed over
    # every pixel overflow float16 and lose most digits in bfloat16.
    grads = ops.cast(grads, "float32")
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


def joint_gradient_penalty(critic, real, fake, seed=None):
    """The gradient penalty of a critic of several inputs, on their joint input.

    As `gradient_penalty`, with a sample being a tuple of tensors (BiGAN's
    pair `(x, z)`): each part is interpolated with one `a ~ U[0, 1]` per
    sample shared by all parts, and the norm runs per sample over every
    entry of every part together, epsilon inside the square root.

    Args:
        critic: Callable `critic(parts, training=...)` taking a tuple of
            tensors, each `(batch, ...)`, to scores `(batch, 1)`.
        real: Tuple of real parts, e.g. `(images, encoder_codes)`.
        fake: Tuple of generated parts of the same shapes.
        seed: A `keras.random.SeedGenerator` or int for the interpolation.

    Returns:
        Scalar tensor, `mean((||grad D(x_hat, z_hat)||_2 - 1)^2)`.

    Example:

    A critic `D(x, z) = w . x + v . z` has the joint gradient `(w, v)`
    everywhere, so the penalty is `(sqrt(|w|^2 + |v|^2) - 1)^2`:

    >>> x, z = keras.Input((2,)), keras.Input((1,))
    >>> dense = keras.layers.Dense(1, use_bias=False)
    >>> critic = keras.Model([x, z], dense(keras.layers.Concatenate()([x, z])))
    >>> dense.set_weights([np.array([[0.6], [0.0], [0.0]], "float32")])
    >>> real = (np.ones((4, 2), "float32"), np.ones((4, 1), "float32"))
    >>> fake = (np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32"))
    >>> value = joint_gradient_penalty(critic, real, fake)
    >>> round(float(ops.convert_to_numpy(value)), 4)  # (0.6 - 1)^2
    0.16
    """
    real = tuple(ops.convert_to_tensor(part) for part in real)
    shapes = [tuple(part.shape[1:]) for part in real]
    sizes = []
    for shape in shapes:
        sizes.append(1)
        for length in shape:
            sizes[-1] *= length

    def flat(parts):
        return ops.concatenate(
            [ops.reshape(ops.cast(part, "float32"), (-1, size))
             for part, size in zip(parts, sizes)], axis=1)

    def joint_critic(joint, training=True):
        # The flat joint vector back into the critic's parts: one input
        # tensor, so `gradient_norm` takes the norm over all of them.
        parts, start = [], 0
        for size, shape in zip(sizes, shapes):
            parts.append(ops.reshape(joint[:, start:start + size], (-1,) + shape))
            start += size
        return critic(tuple(parts), training=training)

    return gradient_penalty(joint_critic, flat(real), flat(fake), seed=seed)
