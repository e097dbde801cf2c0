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

`MIXTURES` holds the two mixtures' modes, standard deviation and scale:
the samplers take their defaults from it, and the comparison's mode
statistics (`keras_wgan.studies.measures`) read it. All samplers return
float32 NumPy arrays and are deterministic given `seed` (a
`numpy.random.Generator` is created from it).
"""

import dataclasses
import math
from collections.abc import Callable

import keras
import numpy as np

from keras_wgan import argument_validation


def _rng(seed):
    return np.random.default_rng(seed)


@dataclasses.dataclass(frozen=True)
class Mixture:
    """A Gaussian mixture of the toy experiments, with its sampler's defaults.

    A sample picks one of the modes with equal probability, adds isotropic
    Gaussian noise of standard deviation `std` and divides the point by
    `scale`.

    Attributes:
        modes: float64 array `(K, 2)` of the mode centres before scaling.
        std: Standard deviation of each mode before scaling.
        scale: Divisor applied to every point.
    """

    modes: np.ndarray
    std: float
    scale: float

    @property
    def centres(self) -> np.ndarray:
        """The mode centres of the samples, float32 `(K, 2)`."""
        return (self.modes / self.scale).astype("float32")

    @property
    def mode_std(self) -> float:
        """The standard deviation of each mode of the samples."""
        return self.std / self.scale


def _compass_points(radius):
    """The 8 points at `radius` in the compass directions, from east on."""
    angles = np.arange(8) * (math.pi / 4)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


#: Radius of the 8 Gaussians' modes before scaling.
EIGHT_GAUSSIANS_RADIUS = 2.0
# Each coordinate of a 25-Gaussians mode, before scaling.
_GRID_COORDINATES = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])

#: The mixtures by name (keys of `DISTRIBUTIONS_2D`), with the parameters of
#: the paper's released toy code; the samplers' defaults are read from here.
MIXTURES = {
    "8gaussians": Mixture(_compass_points(EIGHT_GAUSSIANS_RADIUS), 0.02,
                          1.414),
    "25gaussians": Mixture(
        np.array([(x, y) for x in _GRID_COORDINATES
                  for y in _GRID_COORDINATES]), 0.05, 2.828),
}
_EIGHT = MIXTURES["8gaussians"]
_TWENTY_FIVE = MIXTURES["25gaussians"]


def eight_gaussians(num_samples: int, seed: int | None = None,
                    radius: float = EIGHT_GAUSSIANS_RADIUS,
                    std: float = _EIGHT.std,
                    scale: float = _EIGHT.scale) -> np.ndarray:
    """Samples the 8-Gaussians mixture of the WGAN-GP toy experiments.

    Each sample picks one of 8 modes with equal probability; the modes sit
    at `radius * (cos(k pi / 4), sin(k pi / 4))`, `k = 0..7`. The sample is
    the mode plus isotropic Gaussian noise of standard deviation `std`, all
    divided by `scale` (the paper's parameters, `MIXTURES["8gaussians"]`,
    by default).

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
    >>> radii = np.linalg.norm(points, axis=1)
    >>> round(float(radii.mean()), 2)  # the modes' radius, 2 / 1.414
    1.41
    """
    num_samples = argument_validation.check_int("num_samples", num_samples)
    radius = argument_validation.check_float("radius", radius)
    std = argument_validation.check_float("std", std)
    scale = argument_validation.check_float("scale", scale, inclusive=False)
    rng = _rng(seed)
    modes = _compass_points(radius)[rng.integers(0, 8, size=num_samples)]
    points = modes + std * rng.standard_normal((num_samples, 2))
    return (points / scale).astype("float32")


def eight_gaussians_centres(radius: float = EIGHT_GAUSSIANS_RADIUS,
                            scale: float = _EIGHT.scale) -> np.ndarray:
    """Returns the 8 mode centres of `eight_gaussians`, shape `(8, 2)`.

    Example:

    >>> centres = eight_gaussians_centres()
    >>> centres.shape, round(float(np.linalg.norm(centres[2])), 4)  # 2 / 1.414
    ((8, 2), 1.4144)
    """
    return (_compass_points(radius) / scale).astype("float32")


def twenty_five_gaussians(num_samples: int, seed: int | None = None,
                          std: float = _TWENTY_FIVE.std,
                          scale: float = _TWENTY_FIVE.scale) -> np.ndarray:
    """Samples the 25-Gaussians grid of the WGAN-GP toy experiments.

    Modes at every point of `{-4, -2, 0, 2, 4}^2`, chosen with equal
    probability, plus Gaussian noise of standard deviation `std`, all
    divided by `scale` (by default the parameters of
    `MIXTURES["25gaussians"]`).

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
    # Each coordinate is drawn on its own, so the 25 modes are equally
    # likely.
    grid = _GRID_COORDINATES[rng.integers(0, len(_GRID_COORDINATES),
                                          size=(num_samples, 2))]
    points = grid + std * rng.standard_normal((num_samples, 2))
    return (points / scale).astype("float32")


def swiss_roll(num_samples: int, seed: int | None = None, noise: float = 0.25,
               scale: float = 7.5) -> np.ndarray:
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


def gaussian_1d(num_samples: int, mean: float = 0.0, std: float = 1.0,
                seed: int | None = None) -> np.ndarray:
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
DISTRIBUTIONS_2D: dict[str, Callable[..., np.ndarray]] = {
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


def toy_critic(input_dim: int = 2, width: int = 512, depth: int = 3,
               name: str = "toy_critic") -> keras.Model:
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
    latent_dim: int = 2, output_dim: int = 2, width: int = 512, depth: int = 3,
    name: str = "toy_generator",
) -> keras.Model:
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
