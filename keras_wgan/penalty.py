"""The gradient penalties that keep a critic Lipschitz, one formula each.

- `gradient_penalty`: WGAN-GP's two-sided penalty at interpolates
  (Gulrajani et al., 2017);
- `one_sided_penalty`: WGAN-LP's `max(0, ||grad|| - 1)^2` at interpolates
  (Petzka et al., 2018);
- `dragan_penalty`: `(||grad|| - 1)^2` at perturbed real points (Kodali et
  al., 2017), drawn by `perturb`;
- `r1_penalty`: `1/2 E ||grad D(x_real)||^2` (Mescheder et al., 2018).

Each returns the penalty before its weight (lambda or gamma) multiplies it.
"""

from collections.abc import Callable
from collections.abc import Sequence

import keras
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan import distribute
from keras_wgan.tensor_types import Seed
from keras_wgan.tensor_types import Tensor

__all__ = [
    "NORM_EPSILON",
    "dragan_penalty",
    "gradient_norm",
    "gradient_penalty",
    "interpolate",
    "joint_gradient_penalty",
    "one_sided_penalty",
    "perturb",
    "r1_penalty",
    "squared_gradient_norm",
]

#: Added inside the square root of the squared gradient norm so its
#: derivative stays finite at a zero gradient (sqrt'(0) is infinite and
#: gave NaN penalties in other implementations).
NORM_EPSILON = 1e-12


def interpolate(real: Tensor, fake: Tensor, seed: Seed = None) -> Tensor:
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


def squared_gradient_norm(critic: Callable[..., Tensor], x: Tensor) -> Tensor:
    """Returns the per-sample squared L2 norm of the critic's input gradient.

    The sum runs over all pixels and channels of each sample. It is
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
    return ops.sum(ops.square(grads), axis=axes)


def gradient_norm(critic: Callable[..., Tensor], x: Tensor) -> Tensor:
    """Returns the per-sample L2 norm of the critic's input gradient at `x`.

    The norm runs over all pixels and channels of each sample, with
    `NORM_EPSILON` inside the square root. It is differentiable with respect
    to the critic's weights.

    Args:
        critic: Callable mapping images to scores of shape `(batch, 1)`.
        x: Images, shape `(batch, ...)`.

    Returns:
        float32 tensor of shape `(batch,)`.
    """
    return ops.sqrt(squared_gradient_norm(critic, x) + NORM_EPSILON)


def gradient_penalty(critic: Callable[..., Tensor], real: Tensor, fake: Tensor,
                     seed: Seed = None, target: float = 1.0,
                     one_sided: bool = False) -> Tensor:
    """Computes `mean((||grad D(x_hat)||_2 / target - 1)^2)` for a batch.

    This is the penalty of Gulrajani et al. (2017), Algorithm 1, before it
    is multiplied by the weight lambda: `x_hat` lies on the line between a
    real and a generated sample, with a uniform random position drawn for
    each sample, and the norm is taken per sample over all pixels.
    `target` and `one_sided` follow TF-GAN's `wasserstein_gradient_penalty`:
    a `target` other than 1 asks for gradient norms of `target` (a
    `target`-Lipschitz critic, whose estimate is `target` times the
    distance), and `one_sided=True` penalises only norms above it, the
    penalty of WGAN-LP (Petzka et al., 2018), since a Lipschitz critic may
    have smaller ones.

    Args:
        critic: The critic, a callable `critic(x, training=...)`.
        real: Real images, shape `(batch, ...)`.
        fake: Generated images, same shape, without gradient to the
            generator.
        seed: A `keras.random.SeedGenerator` or int for the interpolation.
        target: The gradient norm asked for, a float > 0.
        one_sided: Whether norms below `target` go unpenalised.

    Returns:
        Scalar tensor.

    Example:

    A linear critic has the gradient `w` everywhere, here `||w|| = 0.5`:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[0.3], [0.4]]), np.zeros(1)])
    >>> real, fake = np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")
    >>> round(float(gradient_penalty(critic, real, fake)), 4)  # (0.5 - 1)^2
    0.25
    >>> round(float(gradient_penalty(critic, real, fake, target=0.25)), 4)
    1.0
    >>> float(gradient_penalty(critic, real, fake, one_sided=True))
    0.0
    """
    target = argument_validation.check_float("target", target, 0.0,
                                             inclusive=False)
    x_hat = interpolate(real, fake, seed=seed)
    excess = gradient_norm(critic, x_hat) / target - 1.0
    if one_sided:
        excess = ops.relu(excess)
    return ops.mean(ops.square(excess))


def one_sided_penalty(critic: Callable[..., Tensor], real: Tensor, fake: Tensor,
                      seed: Seed = None) -> Tensor:
    """Computes `mean(max(0, ||grad D(x_hat)||_2 - 1)^2)` for a batch.

    The Lipschitz penalty of WGAN-LP (Petzka et al., 2018),
    `gradient_penalty(..., one_sided=True)`: at the same interpolates, only
    gradient norms above 1 are penalised.

    Args:
        critic: The critic, a callable `critic(x, training=...)`.
        real: Real images, shape `(batch, ...)`.
        fake: Generated images, same shape.
        seed: A `keras.random.SeedGenerator` or int for the interpolation.

    Returns:
        Scalar tensor.

    Example:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[0.6], [0.8]]), np.zeros(1)])
    >>> real, fake = np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")
    >>> round(float(one_sided_penalty(critic, real, fake)), 6)  # ||w|| = 1
    0.0
    """
    return gradient_penalty(critic, real, fake, seed=seed, one_sided=True)


def perturb(real: Tensor, scale: float = 0.5, seed: Seed = None) -> Tensor:
    """Returns DRAGAN's points near the data, `x + a * scale * std(x) * u`.

    Kodali et al. (2017) penalise the critic's gradient at points near the
    real data. This follows the authors' reference code
    (github.com/kodalinaveen3/DRAGAN): `u ~ U[0, 1)` for each pixel,
    `std(x)` the standard deviation of the whole batch, `scale` 0.5, and
    the point drawn on the segment from `x` to the perturbed `x + scale *
    std(x) * u` with one `a ~ U[0, 1]` per sample (`interpolate`). (The
    paper's text writes the perturbation as Gaussian noise `N(0, cI)`.)

    Args:
        real: Real images, shape `(batch, ...)`.
        scale: The factor `c` of `std(x)`, a float > 0.
        seed: A `keras.random.SeedGenerator` or int for `u` and `a`.

    Returns:
        Tensor shaped like `real`.

    Example:

    >>> real = np.array([[-1.0], [1.0]], "float32")  # std 1
    >>> points = ops.convert_to_numpy(perturb(real, scale=0.5, seed=0))
    >>> bool(np.all((points >= real) & (points <= real + 0.5)))
    True
    """
    real = ops.convert_to_tensor(real)
    noise = keras.random.uniform(ops.shape(real), dtype=real.dtype, seed=seed)
    perturbed = real + scale * ops.std(real) * noise
    return interpolate(perturbed, real, seed=seed)


def dragan_penalty(critic: Callable[..., Tensor], real: Tensor, scale: float = 0.5,
                   seed: Seed = None) -> Tensor:
    """Computes `mean((||grad D(x_p)||_2 - 1)^2)` at points `x_p` near `real`.

    DRAGAN's penalty (Kodali et al., 2017): the two-sided penalty of
    WGAN-GP, taken at the perturbed real points of `perturb` instead of
    between real and generated samples.

    Args:
        critic: The critic, a callable `critic(x, training=...)`.
        real: Real images, shape `(batch, ...)`.
        scale: The perturbation's factor of `std(real)` (see `perturb`).
        seed: A `keras.random.SeedGenerator` or int for the perturbation.

    Returns:
        Scalar tensor.

    Example:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[0.0], [2.0]]), np.zeros(1)])
    >>> real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    >>> round(float(dragan_penalty(critic, real, seed=0)), 4)  # (2 - 1)^2
    1.0
    """
    x_p = perturb(real, scale=scale, seed=seed)
    return ops.mean(ops.square(gradient_norm(critic, x_p) - 1.0))


def r1_penalty(critic: Callable[..., Tensor], real: Tensor) -> Tensor:
    """Computes `1/2 mean(||grad D(x)||_2^2)` over a batch of real images.

    The R1 regulariser of Mescheder et al. (2018) before the weight
    gamma: the critic's gradient is pushed to zero on the real data.

    Args:
        critic: The critic, a callable `critic(x, training=...)`.
        real: Real images, shape `(batch, ...)`.

    Returns:
        Scalar tensor.

    Example:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[3.0], [4.0]]), np.zeros(1)])
    >>> float(r1_penalty(critic, np.ones((4, 2), "float32")))  # 25 / 2
    12.5
    """
    return 0.5 * ops.mean(squared_gradient_norm(critic, real))


def joint_gradient_penalty(critic: Callable[..., Tensor], real: Sequence[Tensor],
                           fake: Sequence[Tensor],
                           seed: Seed = None) -> Tensor:
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
