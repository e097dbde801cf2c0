"""Toy distributions and small MLPs, for the experiments of WGAN-GP's Fig. 1.

The 2D samplers follow the toy data sets of Gulrajani et al. (2017),
"Improved Training of Wasserstein GANs", Section 4 and Figure 1, with the
parameters of the paper's released toy experiment:

- 8 Gaussians: modes at radius 2 in the 8 compass directions, standard
  deviation 0.02, then the whole set divided by 1.414, so the modes lie at
  radius ~1.414 with standard deviation ~0.014.
- 25 Gaussians: modes on the grid `{-4, -2, 0, 2, 4}^2`, standard deviation
  0.05, divided by 2.828 (modes at multiples of ~0.707).
- Swiss roll: the 2D swiss roll `t (cos t, sin t)` with
  `t ~ U[1.5 pi, 4.5 pi]` and Gaussian noise of standard deviation 0.25,
  divided by 7.5.

All samplers return float32 NumPy arrays and are deterministic given
`seed` (a `numpy.random.Generator` is created from it).
"""

import math

import keras
import numpy as np

from keras_wgan import argument_validation


def _rng(seed):
    return np.random.default_rng(seed)


def eight_gaussians(num_samples, seed=None, radius=2.0, std=0.02, scale=1.414):
    """Samples the 8-Gaussians mixture of the WGAN-GP toy experiments.

    Each sample picks one of 8 modes with equal probability; the modes sit
    at `radius * (cos(k pi / 4), sin(k pi / 4))`, `k = 0..7`. The sample is
    the mode plus isotropic Gaussian noise of standard deviation `std`, all
    divided by `scale` (the paper's parameters by default).

    Args:
        num_samples: Number of points, an int >= 1.
        seed: Int seed or `None`.
        radius: Distance of the modes from the origin before scaling.
        std: Standard deviation of each mode before scaling, >= 0.
        scale: Divisor applied to the points, > 0.

    Returns:
        float32 array of shape `(num_samples, 2)`.

    Example:

    >>> points = eight_gaussians(1000, seed=0)
    >>> points.shape
    (1000, 2)
    """
    num_samples = argument_validation.check_int("num_samples", num_samples)
    radius = argument_validation.check_float("radius", radius)
    std = argument_validation.check_float("std", std)
    scale = argument_validation.check_float("scale", scale, inclusive=False)
    rng = _rng(seed)
    angles = rng.integers(0, 8, size=num_samples) * (math.pi / 4)
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points = centres + std * rng.standard_normal((num_samples, 2))
    return (points / scale).astype("float32")


def eight_gaussians_centres(radius=2.0, scale=1.414):
    """Returns the 8 mode centres of `eight_gaussians`, shape `(8, 2)`."""
    angles = np.arange(8) * (math.pi / 4)
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres / scale).astype("float32")


def twenty_five_gaussians(num_samples, seed=None, std=0.05, scale=2.828):
    """Samples the 25-Gaussians grid of the WGAN-GP toy experiments.

    Modes at every point of `{-4, -2, 0, 2, 4}^2`, chosen with equal
    probability, plus Gaussian noise of standard deviation `std`, all
    divided by `scale`.

    Args:
        num_samples: Number of points, an int >= 1.
        seed: Int seed or `None`.
        std: Standard deviation of each mode before scaling, >= 0.
        scale: Divisor applied to the points, > 0.

    Returns:
        float32 array of shape `(num_samples, 2)`.

    Example:

    >>> twenty_five_gaussians(500, seed=1).shape
    (500, 2)
    """
    num_samples = argument_validation.check_int("num_samples", num_samples)
    std = argument_validation.check_float("std", std)
    scale = argument_validation.check_float("scale", scale, inclusive=False)
    rng = _rng(seed)
    grid = 2.0 * rng.integers(-2, 3, size=(num_samples, 2))
    points = grid + std * rng.standard_normal((num_samples, 2))
    return (points / scale).astype("float32")


def swiss_roll(num_samples, seed=None, noise=0.25, scale=7.5):
    """Samples the 2D swiss roll of the WGAN-GP toy experiments.

    Draws `t ~ U[1.5 pi, 4.5 pi]` and returns `t (cos t, sin t)` plus
    Gaussian noise of standard deviation `noise`, divided by `scale`: one
    and a half turns of a spiral, inside about `[-1.9, 1.9]^2` by default.

    Args:
        num_samples: Number of points, an int >= 1.
        seed: Int seed or `None`.
        noise: Standard deviation of the added noise before scaling, >= 0.
        scale: Divisor applied to the points, > 0.

    Returns:
        float32 array of shape `(num_samples, 2)`.

    Example:

    >>> swiss_roll(100, seed=0).shape
    (100, 2)
    """
    num_samples = argument_validation.check_int("num_samples", num_samples)
    noise = argument_validation.check_float("noise", noise)
    scale = argument_validation.check_float("scale", scale, inclusive=False)
    rng = _rng(seed)
    t = 1.5 * math.pi * (1.0 + 2.0 * rng.random(num_samples))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    points += noise * rng.standard_normal((num_samples, 2))
    return (points / scale).astype("float32")


def gaussian_1d(num_samples, mean=0.0, std=1.0, seed=None):
    """Samples a 1D Gaussian `N(mean, std^2)` as a column of points.

    Args:
        num_samples: Number of points, an int >= 1.
        mean: Mean of the Gaussian.
        std: Standard deviation, >= 0.
        seed: Int seed or `None`.

    Returns:
        float32 array of shape `(num_samples, 1)`.

    Example:

    >>> gaussian_1d(4, mean=3.0, std=0.0).ravel().tolist()
    [3.0, 3.0, 3.0, 3.0]
    """
    num_samples = argument_validation.check_int("num_samples", num_samples)
    mean = argument_validation.check_float("mean", mean, minimum=-math.inf)
    std = argument_validation.check_float("std", std)
    points = mean + std * _rng(seed).standard_normal((num_samples, 1))
    return points.astype("float32")


#: The 2D samplers by name, as the figure script and tests use them.
DISTRIBUTIONS_2D = {
    "8gaussians": eight_gaussians,
    "25gaussians": twenty_five_gaussians,
    "swissroll": swiss_roll,
}


def _mlp(inputs, outputs, width, depth, prefix, name):
    """An MLP; `inputs`/`outputs` are `(argument name, size)` pairs."""
    input_dim = argument_validation.check_int(*inputs)
    output_dim = argument_validation.check_int(*outputs)
    width = argument_validation.check_int("width", width)
    depth = argument_validation.check_int("depth", depth, minimum=0)
    inputs = keras.Input((input_dim,))
    x = inputs
    for i in range(depth):
        x = keras.layers.Dense(width, activation="relu", name=f"hidden_{i}")(x)
    outputs = keras.layers.Dense(output_dim, name=prefix)(x)
    return keras.Model(inputs, outputs, name=name)


def toy_critic(input_dim=2, width=512, depth=3, name="toy_critic"):
    """Builds a ReLU MLP critic (or discriminator) for toy data.

    `depth` hidden `Dense(width, relu)` layers, then a linear `Dense(1)`
    named `score`: `depth + 1` Dense layers in all. The WGAN-GP paper's toy
    critic has 3 hidden layers of 512 (the default); its Fig. 1b uses a
    12-layer critic (`depth=11`).

    Args:
        input_dim: Dimension of a sample, an int >= 1.
        width: Units of each hidden layer.
        depth: Number of hidden layers, an int >= 0.
        name: Model name.

    Returns:
        A built `keras.Model` mapping `(batch, input_dim)` to `(batch, 1)`.

    Example:

    >>> critic = toy_critic(2, width=64, depth=2)
    >>> critic.output_shape
    (None, 1)
    """
    return _mlp(("input_dim", input_dim), ("output_dim", 1), width, depth,
                "score", name)


def toy_generator(
    latent_dim=2, output_dim=2, width=512, depth=3, name="toy_generator"
):
    """Builds a ReLU MLP generator for toy data, with a linear output.

    `depth` hidden `Dense(width, relu)` layers, then a linear
    `Dense(output_dim)` named `sample` (toy data is not confined to
    `[-1, 1]`, so there is no tanh).

    Args:
        latent_dim: Size of the noise vector, an int >= 1.
        output_dim: Dimension of a sample, an int >= 1.
        width: Units of each hidden layer.
        depth: Number of hidden layers, an int >= 0.
        name: Model name.

    Returns:
        A built `keras.Model` mapping `(batch, latent_dim)` to
        `(batch, output_dim)`.

    Example:

    >>> toy_generator(2, 2, width=64).output_shape
    (None, 2)
    """
    return _mlp(("latent_dim", latent_dim), ("output_dim", output_dim),
                width, depth, "sample", name)
