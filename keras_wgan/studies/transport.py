"""The Wasserstein-1 distance: exact between samples, and a critic's estimate.

- `exact_wasserstein`: the exact W1 between two sets of points (uniform
  weights, Euclidean cost), by the network simplex of POT, Python Optimal
  Transport (Flamary et al., 2021). For low-dimensional data only: it
  solves a transport problem over all pairs of points.
- `estimate_wasserstein`: what a WGAN's critic says of the distance
  between the data and a *frozen* generator, once a copy of the critic has
  trained against it until its estimate settles.

Why a settled copy: the `wasserstein_estimate` a model logs while it
trains is `mean D(real) - mean D(fake)` for a critic that is itself still
chasing a moving generator, read before the step's generator update (the
`val_wasserstein_estimate` of validation data is read after it), so early
in training the two can differ by more than the value itself. Neither is a
bound on W1: by Kantorovich-Rubinstein duality a 1-Lipschitz critic's gap
is at most W1, but a gradient penalty only asks for norms *near* 1 and the
trained critic's norms along the transport exceed 1 by a few per cent at
weight 10, so its gap overshoots W1 by as much; a higher weight brings it
closer. Weight clipping bounds the critic by some unknown constant `K`, so
its gap estimates `K * W1`, comparable only within one run.
"""

import dataclasses
import os
import sys
from typing import Any

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.studies import diagnostics
from keras_wgan.tensor_types import ArrayLike


# POT imports every array library it can find at its own import, for its
# backends: TensorFlow alone takes longer than the transport problems solved
# here. These get NumPy arrays only.
_POT_OTHER_BACKENDS = ("POT_BACKEND_DISABLE_PYTORCH", "POT_BACKEND_DISABLE_JAX",
                       "POT_BACKEND_DISABLE_TENSORFLOW",
                       "POT_BACKEND_DISABLE_CUPY")


def _python_optimal_transport():
    """Imports POT (`ot`) with its NumPy backend alone, unless already imported."""
    if "ot" in sys.modules:
        return sys.modules["ot"]
    saved = {key: os.environ.get(key) for key in _POT_OTHER_BACKENDS}
    os.environ.update({key: "1" for key in _POT_OTHER_BACKENDS})
    try:
        import ot
    finally:
        for key, value in saved.items():
            if value is None:
                del os.environ[key]
            else:
                os.environ[key] = value
    return ot


def exact_wasserstein(x: ArrayLike, y: ArrayLike) -> float:
    """Returns the exact W1 between two samples, each point of weight 1/n.

    The optimal transport cost with Euclidean distances between points,
    solved exactly (`ot.emd2`). Its memory and time grow with `n * m`: use
    it on a few thousand points, e.g. the 2D toy sets. Between two samples
    of one distribution it is not 0 but shrinks as they grow: compare it
    with the value of two real samples of the same sizes.

    Args:
        x: Array `(n, d)`.
        y: Array `(m, d)`.

    Returns:
        Python float.

    Raises:
        ValueError: if `x` or `y` is not a non-empty 2D array of the same
            width.

    Example:

    A translation by `d` moves every point by `|d|`, and nothing moves
    the mass for less:

    >>> x = np.random.default_rng(0).normal(size=(200, 2))
    >>> round(exact_wasserstein(x, x + [0.3, 0.4]), 6)
    0.5
    """
    ot = _python_optimal_transport()
    x, y = (np.asarray(points, dtype="float64") for points in (x, y))
    for name, points in (("x", x), ("y", y)):
        if points.ndim != 2 or len(points) == 0:
            raise ValueError(f"{name} must be a non-empty (n, d) array of "
                             f"points, got shape {points.shape}.")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have points of one size, got "
                         f"{x.shape[1]} and {y.shape[1]}.")
    cost = ot.dist(x, y, metric="euclidean")
    return float(ot.emd2(ot.unif(len(x)), ot.unif(len(y)), cost,
                         numItermax=10_000_000))


@dataclasses.dataclass(frozen=True)
class WassersteinEstimate:
    """What `estimate_wasserstein` found.

    Attributes:
        estimate: The mean of the last `window` evaluations of
            `mean D(real) - mean D(fake)`.
        spread: Their standard deviation.
        settled: Whether that mean came within the tolerance of the mean
            of the `window` evaluations before, before `max_steps`.
        steps: The critic updates taken.
        history: `(steps, estimate)` after each round, in order.
    """

    estimate: float
    spread: float
    settled: bool
    steps: int
    history: tuple


def estimate_wasserstein(model: keras.Model, real: ArrayLike, *,
                         steps_per_round: int = 200, max_steps: int = 5000,
                         window: int = 5, tolerance: float = 0.02,
                         batch_size: int = 256, num_eval: int = 2048,
                         learning_rate: float | None = None, seed: int = 0,
                         verbose: bool = False,
                         **lipschitz: Any) -> "WassersteinEstimate":
    """Estimates W1(data, generator) with a copy of the critic trained to settle.

    A copy of `model` (its class, config and weights; the moving average
    of the generator, where the model keeps one, as the generator) is
    trained with its generator frozen: each step is one critic update with
    the model's own loss and Lipschitz method on a fresh batch of `real`.
    After every `steps_per_round` updates, the copy's gap `mean D(real) -
    mean D(G(z))` is measured on `num_eval` fixed real points and `num_eval`
    fixed generated ones. It stops once it has settled, the mean of the
    last `window` measurements within `tolerance` (relative) of the mean of
    the `window` before them, or after `max_steps` updates. The model
    itself is not changed.

    What the estimate means depends on the Lipschitz method (see the
    module's docstring): close to W1 for a gradient penalty, nearer with a
    higher weight (`gp_weight=100`); a multiple of it for weight clipping.

    Args:
        model: An unconditional `keras_wgan.WassersteinGAN` (e.g. `WGANGP`,
            `WGAN`).
        real: Real samples, array `(n, *shape)` as the model trained on.
        steps_per_round: Critic updates between two measurements.
        max_steps: The most critic updates.
        window: The measurements of each of the two means compared.
        tolerance: The largest relative change between the two means that
            counts as settled.
        batch_size: Real samples per critic update.
        num_eval: Real and generated samples of each measurement.
        learning_rate: The copy's learning rate; `None` keeps the model's
            default optimizer's.
        seed: Int seed for the batches, the fixed noise and the copy.
        verbose: Whether to print a line per measurement.
        **lipschitz: Constructor arguments that replace the model's for the
            copy, e.g. `gp_weight=100.0`.

    Returns:
        A `WassersteinEstimate`.

    Example:

    >>> critic = keras_wgan.studies.toy.toy_critic(2, width=16)
    >>> generator = keras_wgan.studies.toy.toy_generator(2, 2, width=16)
    >>> gan = keras_wgan.WGANGP(critic, generator, seed=0)
    >>> real = keras_wgan.studies.toy.eight_gaussians(1024, seed=0)
    >>> result = estimate_wasserstein(gan, real, steps_per_round=20,
    ...                               max_steps=40, num_eval=256)
    >>> result.steps, len(result.history)
    (40, 2)
    """
    for name, value in (("steps_per_round", steps_per_round),
                        ("max_steps", max_steps), ("window", window),
                        ("batch_size", batch_size), ("num_eval", num_eval)):
        argument_validation.check_int(name, value)
    tolerance = argument_validation.check_float("tolerance", tolerance)
    if getattr(model, "num_classes", None) is not None:
        raise ValueError("model must be unconditional: estimate_wasserstein "
                         "draws fakes from noise alone.")
    real = np.asarray(real, dtype="float32")
    if real.ndim < 2 or tuple(real.shape[1:]) != tuple(model.image_shape):
        raise ValueError(f"real must have samples of shape "
                         f"{tuple(model.image_shape)}, got {real.shape}.")
    copy = _frozen_generator_copy(model, seed, lipschitz)
    copy.compile(learning_rate=learning_rate)
    rng = np.random.default_rng(seed)
    real_eval = real[rng.choice(len(real), num_eval, replace=len(real) < num_eval)]
    noise = keras.random.normal((num_eval, copy.latent_dim), seed=seed)
    fake_eval = copy.generate_from(noise)
    history, steps, settled = [], 0, False
    while steps < max_steps and not settled:
        count = min(steps_per_round, max_steps - steps)
        # Drawn with replacement, a fresh batch for every update.
        batches = real[rng.integers(0, len(real), count * batch_size)]
        copy.fit(batches, batch_size=batch_size, epochs=1, shuffle=False,
                 verbose=0)
        steps += count
        gap = float(np.mean(diagnostics.critic_values(copy.critic, real_eval))
                    - np.mean(diagnostics.critic_values(copy.critic,
                                                        fake_eval)))
        history.append((steps, gap))
        if verbose:
            print(f"estimate_wasserstein: {steps} critic updates, "
                  f"estimate {gap:.4f}")
        settled = _settled(history, window, tolerance)
    recent = [value for _, value in history[-window:]]
    return WassersteinEstimate(
        estimate=float(np.mean(recent)), spread=float(np.std(recent)),
        settled=settled, steps=steps, history=tuple(history))


def _settled(history, window, tolerance):
    """Whether the mean of the last `window` values is within `tolerance`
    (relative) of the mean of the `window` before them: a drift that a
    spread alone would miss stops it too."""
    if len(history) < 2 * window:
        return False
    values = [value for _, value in history[-2 * window:]]
    last, before = np.mean(values[window:]), np.mean(values[:window])
    return bool(abs(last - before) <= tolerance * abs(last))


def _frozen_generator_copy(model, seed, lipschitz):
    """A copy of `model` with the weights of its critic and sampler, whose
    generator is frozen and whose step is one critic update."""
    config = dict(model.get_config(), n_critic=1, seed=seed, **lipschitz)
    config.pop("generator_ema", None)
    copy = type(model).from_config(config)
    copy.critic.set_weights(model.critic.get_weights())
    sampler = getattr(model, "ema_generator", None) or model.generator
    copy.generator.set_weights(sampler.get_weights())
    copy.generator.trainable = False
    return copy
