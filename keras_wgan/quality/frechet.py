"""The Frechet distance between Gaussians, and on a classifier's logits."""

import keras
import numpy as np

from keras_wgan.quality.features import classifier_logits
from keras_wgan.tensor_types import ArrayLike


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike,
                     sigma2: ArrayLike) -> float:
    """Returns the Frechet distance between two Gaussians.

    For N(mu1, sigma1) and N(mu2, sigma2) it is the squared 2-Wasserstein
    distance

        |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr sqrt(sigma1 sigma2)

    (Dowson and Landau, 1982), the formula of the Frechet Inception
    Distance (Heusel et al., 2017, arXiv:1706.08500). It is computed in
    NumPy with symmetric eigen-decompositions only, without SciPy's general
    `sqrtm`: `sigma1 sigma2` is not symmetric, but it is similar to the
    symmetric positive semi-definite `s sigma2 s` with `s = sqrt(sigma1)`
    (`s (s sigma2) = s sigma2 s` and `(s sigma2) s` share their
    eigenvalues), so `tr sqrt(sigma1 sigma2)` is the sum of the square
    roots of that matrix's eigenvalues. Those are >= 0 in exact arithmetic;
    round-off can make the zero ones (a singular covariance, e.g. from
    fewer samples than features) come out as tiny negatives like -1e-15,
    whose square root would be NaN, so they are clamped to 0. For the same
    reason a result that round-off pushes just below 0 (identical inputs)
    is returned as 0.

    Args:
        mu1: Mean of the first Gaussian, shape `(d,)`.
        sigma1: Its covariance, a symmetric positive semi-definite `(d, d)`
            matrix.
        mu2: Mean of the second Gaussian, shape `(d,)`.
        sigma2: Its covariance, `(d, d)`.

    Returns:
        The distance, a Python float >= 0.

    Example:

    >>> frechet_distance(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))
    4.0
    """
    mu1 = _vector("mu1", mu1)
    mu2 = _vector("mu2", mu2)
    if mu1.shape != mu2.shape:
        raise ValueError(
            f"mu2 must have the shape of mu1, {mu1.shape}, got {mu2.shape}."
        )
    dim = mu1.shape[0]
    values1, vectors1 = _covariance("sigma1", sigma1, dim)
    values2, _ = _covariance("sigma2", sigma2, dim)
    sigma1 = np.asarray(sigma1, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)

    root1 = (vectors1 * np.sqrt(np.clip(values1, 0.0, None))) @ vectors1.T
    middle = root1 @ sigma2 @ root1
    middle = (middle + middle.T) / 2  # symmetric again despite round-off
    middle_values = np.clip(np.linalg.eigvalsh(middle), 0.0, None)
    trace_root = np.sum(np.sqrt(middle_values))
    distance = (
        np.sum((mu1 - mu2) ** 2)
        + np.sum(values1) + np.sum(values2)  # the traces
        - 2.0 * trace_root
    )
    return max(float(distance), 0.0)


def feature_statistics(features: ArrayLike, name: str = "features"
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Returns the mean and covariance of feature vectors.

    Args:
        features: Array `(N, d)` with N >= 2, one feature vector per row.
        name: Argument name used in error messages.

    Returns:
        `(mu, sigma)`: float64 arrays of shapes `(d,)` and `(d, d)`; the
        covariance divides by `N - 1` (the unbiased estimate).

    Example:

    >>> mu, sigma = feature_statistics(np.random.normal(size=(1000, 3)))
    >>> mu.shape, sigma.shape
    ((3,), (3, 3))
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(
            f"{name} must have shape (N, d), got shape {features.shape}."
        )
    if features.shape[0] < 2:
        raise ValueError(
            f"{name} must hold at least 2 vectors to estimate a covariance, "
            f"got {features.shape[0]}."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} contains NaN or Inf values.")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def classifier_fid(real_images: ArrayLike, fake_images: ArrayLike,
                   classifier: keras.Model, batch_size: int = 500) -> float:
    """Returns the Frechet distance between images in a classifier's logits.

    The Frechet Inception Distance (Heusel et al., 2017) with a small
    domain classifier in place of Inception: both image sets go through
    `classifier`, a Gaussian is fitted to each set of logits, and their
    `frechet_distance` is returned. Using the logits follows TF-GAN's
    `mnist_frechet_distance` (tensorflow_gan/examples/mnist/util.py), which
    feeds the output tensor `logits:0` of its pretrained MNIST classifier
    to `tfgan.eval.frechet_classifier_distance`. Lower is better; 0 means
    the two fitted Gaussians coincide.

    The estimate is biased upwards for small sets and its value depends on
    the classifier, so compare only numbers taken with the same classifier
    and the same numbers of images (one thousand or more of each).

    Args:
        real_images: Array `(N, H, W, C)` (the classifier's input shape)
            of floats in [-1, 1], N >= 2.
        fake_images: Generated images, same form, at least 2.
        classifier: A `keras.Model` to logits, e.g. `load_classifier()`.
        batch_size: Images per forward pass.

    Returns:
        The distance, a Python float >= 0.

    Example:

    Two halves of the real test digits are close, noise is far:

    >>> from keras_wgan.quality import load_classifier
    >>> digits = keras_wgan.data.load_mnist("test")
    >>> classifier = load_classifier("mnist")
    >>> classifier_fid(digits[:500], digits[500:1000], classifier) < 5
    True
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (500, 28, 28, 1))
    >>> classifier_fid(digits[:500], noise, classifier) > 100
    True
    """
    real = classifier_logits(real_images, classifier, "real_images",
                             batch_size, min_images=2)
    fake = classifier_logits(fake_images, classifier, "fake_images",
                             batch_size, min_images=2)
    return fid_from_logits(real, fake)


def fid_from_logits(real_logits: ArrayLike, fake_logits: ArrayLike) -> float:
    """Returns the classifier FID of precomputed logits.

    `classifier_fid` on the classifier's outputs rather than on images: a
    Gaussian is fitted to each set of logits (`feature_statistics`) and
    their `frechet_distance` is returned. Compute the real images' logits
    once (`classifier_logits`) to score many generated sets against them.

    Args:
        real_logits: Array `(N, num_classes)` of real images' logits,
            N >= 2.
        fake_logits: Array `(M, num_classes)` of generated images' logits,
            M >= 2.

    Returns:
        The distance, a Python float >= 0.

    Example:

    Logits shifted by 3 in every one of 4 classes, same spread: the
    distance is the squared shift of the means, 4 * 3^2.

    >>> logits = np.random.default_rng(0).normal(size=(500, 4))
    >>> round(fid_from_logits(logits, logits + 3.0), 6)
    36.0
    """
    return frechet_distance(
        *feature_statistics(real_logits, "real_logits"),
        *feature_statistics(fake_logits, "fake_logits"),
    )


def _vector(name, value):
    value = np.asarray(value, dtype=np.float64)
    if value.ndim != 1 or value.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty vector of shape (d,), got shape "
            f"{value.shape}."
        )
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or Inf values.")
    return value


def _covariance(name, value, dim):
    """Checks a covariance matrix; returns its eigenvalues and vectors."""
    value = np.asarray(value, dtype=np.float64)
    if value.shape != (dim, dim):
        raise ValueError(
            f"{name} must have shape ({dim}, {dim}) to match the means, got "
            f"{value.shape}."
        )
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or Inf values.")
    scale = max(float(np.abs(value).max()), np.finfo(np.float64).tiny)
    asymmetry = float(np.abs(value - value.T).max())
    if asymmetry > 1e-6 * scale:
        raise ValueError(
            f"{name} must be a symmetric covariance matrix, got entries "
            f"that differ from their transpose by up to {asymmetry:g}."
        )
    values, vectors = np.linalg.eigh(value)
    # Round-off leaves eigenvalues of a true covariance at about -1e-16
    # times its scale; anything far below that is a real error.
    if values.min() < -1e-6 * scale:
        raise ValueError(
            f"{name} must be positive semi-definite, got the eigenvalue "
            f"{values.min():g}."
        )
    return values, vectors
