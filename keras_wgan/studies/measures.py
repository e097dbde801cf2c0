"""What the model comparison measures: sample quality and the critic.

What is measured depends on the data:

- MNIST and Fashion-MNIST (`ImageQuality`): the classifier FID against
  held-out real images (lower is better), the classifier score and the
  classes covered, all with the classifier shipped for the dataset
  (`keras_wgan.quality.logit_quality`).
- The 2D toy mixtures (`ToyQuality` on `toy-8gaussians`,
  `toy-25gaussians`): FID does not apply. A sample is *high quality* when
  it lies within 3 standard deviations of its nearest mode centre; a mode
  is *covered* when it gets at least a quarter of its fair share
  (`n / (4 K)` of `n` samples, `K` modes) of high-quality samples
  (`mixture_quality`). Both follow the toy benchmarks of Srivastava et al.
  (2017, VEEGAN) and Metz et al. (2017, unrolled GANs). The modes come
  from `keras_wgan.studies.toy.MIXTURES`.
- Every toy set, the swiss roll included: the energy distance
  `2 E|X - Y| - E|X - X'| - E|Y - Y'|` between the samples and held-out
  real points (Szekely and Rizzo, 2013), 0 only when the distributions
  coincide (`energy_distance`), and the exact Wasserstein-1 distance
  between them (`exact_w1`, `keras_wgan.studies.transport`), the quantity
  a WGAN critic's gap estimates.

`CriticProbe` inspects the critic on fixed held-out real samples and
fixed noise: its gap `mean D(real) - mean D(fake)` (the Wasserstein
estimate for WGAN and WGAN-GP; the logit gap of a GAN's discriminator) and
the per-layer gradient norms of the critic loss
(`keras_wgan.studies.diagnostics.layer_gradient_norms`). `real_baseline`
scores real samples as a generator's would be, and `summarize` picks the
final and the best evaluation of a training run.
"""

import math
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Union

import keras
import numpy as np

from keras_wgan.losses import wasserstein_estimate
from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy
from keras_wgan.studies import transport
from keras_wgan.tensor_types import ArrayLike

#: Real points the critic is inspected on (gap, gradient norms).
CRITIC_PROBE_SIZE = 256
#: The most points of each side of the exact W1: its transport problem
#: grows with the product of the two sizes.
EXACT_W1_POINTS = 2000


def energy_distance(x: ArrayLike, y: ArrayLike) -> float:
    """Returns the energy distance between two samples of points.

    `2 E|X - Y| - E|X - X'| - E|Y - Y'|` with Euclidean distances, each
    expectation the mean over all pairs (the V-statistic, so the distance
    of a sample to itself is 0). It is >= 0 and 0 only for identical
    distributions (Szekely and Rizzo, 2013).

    Args:
        x: Array `(n, d)`.
        y: Array `(m, d)`.

    Returns:
        Python float.

    Example:

    >>> energy_distance(np.zeros((3, 2)), np.ones((3, 2)))  # 2 * sqrt(2)
    2.8284271247461903
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")

    def mean_distance(a, b):
        return float(np.mean(np.linalg.norm(a[:, None] - b[None], axis=-1)))

    value = 2 * mean_distance(x, y) - mean_distance(x, x) - mean_distance(y, y)
    return max(value, 0.0)


def mixture_quality(points: ArrayLike, centres: ArrayLike,
                    std: float) -> dict[str, Any]:
    """Returns high-quality fraction and covered modes of a Gaussian mixture.

    Args:
        points: Array `(n, 2)` of samples.
        centres: Array `(K, 2)` of mode centres.
        std: Standard deviation of each mode.

    Returns:
        A dict with `high_quality` (the fraction of samples within `3 std`
        of their nearest centre), `modes_covered` (modes with at least
        `n / (4 K)` of those samples) and `mode_counts` (high-quality
        samples per mode, a list).

    Example:

    Two samples on the first mode, one near the second, one between modes:

    >>> centres = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> points = [[0.0, 0.0], [0.01, 0.0], [1.0, 0.02], [0.5, 0.0]]
    >>> mixture_quality(points, centres, std=0.01)
    {'high_quality': 0.75, 'modes_covered': 2, 'mode_counts': [2, 1]}
    """
    points = np.asarray(points, dtype="float64")
    distances = np.linalg.norm(points[:, None] - centres[None], axis=-1)
    nearest = np.argmin(distances, axis=1)
    good = distances[np.arange(len(points)), nearest] <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centres))
    return {
        "high_quality": float(np.mean(good)),
        "modes_covered": int(np.sum(counts >= len(points) / (4 * len(centres)))),
        "mode_counts": counts.tolist(),
    }


class ToyQuality:
    """Scores 2D samples: energy distance, and for mixtures modes and quality.

    Args:
        name: Key of `toy.DISTRIBUTIONS_2D`; a key of `toy.MIXTURES` adds
            the mode statistics of `mixture_quality`.
        reference: Held-out real points `(n, 2)`.

    Example:

    >>> reference = toy.eight_gaussians(500, seed=1)
    >>> scores = ToyQuality("8gaussians", reference)(
    ...     toy.eight_gaussians(500, seed=2))
    >>> scores["modes_covered"], scores["energy_distance"] < 0.01
    (8, True)
    >>> round(scores["exact_w1"], 3)  # not 0: mass moves between modes
    0.11
    """

    #: The metric the "final" and "best" columns use; lower is better.
    primary = "energy_distance"

    def __init__(self, name: str, reference: ArrayLike) -> None:
        self.reference = np.asarray(reference, dtype="float32")
        self.mixture = toy.MIXTURES.get(name)
        self.num_modes = None if self.mixture is None else len(
            self.mixture.modes)

    def __call__(self, samples: np.ndarray) -> dict[str, Any]:
        values = {"energy_distance": energy_distance(samples, self.reference),
                  "exact_w1": transport.exact_wasserstein(
                      samples[:EXACT_W1_POINTS],
                      self.reference[:EXACT_W1_POINTS])}
        if self.mixture is not None:
            values.update(mixture_quality(samples, self.mixture.centres,
                                          self.mixture.mode_std))
        return values


class ImageQuality:
    """Scores images with the shipped classifier: FID, score, coverage.

    The reference images' logits are computed once, here.

    Args:
        dataset: `"mnist"` or `"fashion_mnist"`.
        reference: Held-out real images, the FID reference.

    Example:

    >>> digits = keras_wgan.data.load_mnist("test")
    >>> scores = ImageQuality("mnist", digits[:1000])(digits[8000:8500])
    >>> scores["classes_covered"], round(scores["classifier_score"])
    (10, 10)
    """

    primary = "classifier_fid"
    num_modes = 10

    def __init__(self, dataset: str, reference: ArrayLike) -> None:
        from keras_wgan import quality

        self._quality = quality
        self.classifier = quality.load_classifier(dataset)
        self._reference_logits = self._logits(reference)

    def _logits(self, images):
        return self._quality.classifier_logits(
            images, self.classifier, "images", 500, min_images=2)

    def __call__(self, samples: np.ndarray) -> dict[str, Any]:
        return self._quality.logit_quality(self._reference_logits,
                                           self._logits(samples))


class CriticProbe:
    """Fixed real samples and noise on which the critic is inspected.

    Args:
        reference: Held-out real samples; up to `CRITIC_PROBE_SIZE` of
            them are drawn.
        latent_dim: Size of the generator's noise.
        seed: Seed of the draw of the samples and the noise.

    Example:

    >>> gan = keras_wgan.WGAN(toy.toy_critic(2, 8, 1),
    ...                       toy.toy_generator(2, 2, 8, 1), seed=0)
    >>> probe = CriticProbe(toy.swiss_roll(100, seed=0), latent_dim=2, seed=0)
    >>> gap, norms = probe.measure(gan)
    >>> list(norms)
    ['hidden_0', 'score']
    """

    def __init__(self, reference: np.ndarray, latent_dim: int,
                 seed: int) -> None:
        rng = np.random.default_rng(seed)
        count = min(CRITIC_PROBE_SIZE, len(reference))
        self.real = reference[rng.choice(len(reference), count, False)]
        self.noise = rng.standard_normal((count, latent_dim)).astype("float32")

    def measure(self, model: keras.Model) -> tuple[float, dict[str, float]]:
        """Returns the critic's gap (a float) and its gradient norms.

        Args:
            model: A `keras_wgan.AdversarialModel`.

        Returns:
            `(gap, norms)`: `mean D(real) - mean D(fake)` and the dict of
            `diagnostics.layer_gradient_norms`.
        """
        fake = model.generate_from(self.noise)
        gap = float(wasserstein_estimate(
            diagnostics.critic_values(model.critic, self.real),
            diagnostics.critic_values(model.critic, fake)))
        norms = diagnostics.layer_gradient_norms(model.critic, self.real, fake)
        return gap, norms


#: What `make_evaluator` returns: the quality measure of a comparison.
Evaluator = Union[ToyQuality, ImageQuality]


def real_baseline(evaluator: Evaluator,
                  train: np.ndarray, num_samples: int,
                  seed: int) -> dict[str, Any]:
    """Scores real training samples as if a generator drew them.

    This is the best a generator can reach with this many samples: the
    estimates (FID above all) are biased upwards for finite samples.

    Args:
        evaluator: An `ImageQuality` or `ToyQuality`.
        train: The training samples.
        num_samples: How many to score (at most all of them).
        seed: Seed of their draw, without replacement.

    Returns:
        The evaluator's dict of numbers.

    Example:

    >>> points = toy.eight_gaussians(1000, seed=0)
    >>> real_baseline(ToyQuality("8gaussians", points), points, 200,
    ...               seed=0)["modes_covered"]
    8
    """
    rng = np.random.default_rng(seed)
    count = min(num_samples, len(train))
    return evaluator(train[rng.choice(len(train), count, False)])


def summarize(history: Sequence[dict[str, Any]], primary: str
              ) -> dict[str, Any]:
    """Returns the `final` evaluation and the `best` one by `primary`.

    Evaluations without a finite `primary` value (samples that were not
    finite) are never the best.

    Args:
        history: List of evaluation dicts, each with an `"iteration"`.
        primary: The key to minimise.

    Returns:
        `{"final": last evaluation or None, "best": {"iteration": ...,
        primary: ...} or None}`.

    Example:

    >>> summarize([{"iteration": 0, "fid": 9.0}, {"iteration": 5, "fid": 2.0},
    ...            {"iteration": 10}], "fid")["best"]
    {'iteration': 5, 'fid': 2.0}
    """
    scored = [r for r in history if r.get(primary) is not None
              and math.isfinite(r[primary])]
    best = min(scored, key=lambda r: r[primary]) if scored else None
    return {"final": history[-1] if history else None,
            "best": None if best is None else {
                "iteration": best["iteration"], primary: best[primary]}}
