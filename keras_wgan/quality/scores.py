"""The classifier score and mode coverage: how a classifier sees samples."""

import dataclasses

import keras
import numpy as np

from keras_wgan.quality.features import classifier_logits
from keras_wgan.tensor_types import ArrayLike


def classifier_score(images: ArrayLike, classifier: keras.Model,
                     batch_size: int = 500) -> float:
    """Returns the classifier score: the Inception score, domain classifier.

    `exp(E_x KL(p(y|x) || p(y)))`, where `p(y|x)` is the classifier's
    softmax for image `x` and `p(y)` its average over all the images
    (Salimans et al., 2016, with a domain classifier in place of Inception,
    as TF-GAN's `mnist_score`). It is high when each image is classified
    confidently (sharp `p(y|x)`) and the classes are used evenly (flat
    `p(y)`): it lies between 1 and the number of classes. The 10,000 real
    MNIST test digits score 9.72 with the shipped classifier (9.72 on the
    2,000 it never saw; a sharper classifier gets nearer 10), the
    Fashion-MNIST test images 7.63 with theirs (clothes are classified
    less confidently), and copies of one image score 1. Compare generated
    samples with the real data's score, not with 10. It does not compare
    with real images: a generator that draws one perfect digit per class
    scores as high as the real data.

    Args:
        images: Array `(N, H, W, C)` (the classifier's input shape) of
            floats in [-1, 1].
        classifier: A `keras.Model` to logits, e.g. `load_classifier()`.
        batch_size: Images per forward pass.

    Returns:
        The score, a Python float in `[1, num_classes]`.

    Example:

    The 10,000 test digits, which the shipped classifier never saw:

    >>> from keras_wgan.quality import load_classifier
    >>> digits = keras_wgan.data.load_mnist("test")
    >>> round(classifier_score(digits, load_classifier("mnist")), 2)
    9.76
    """
    return score_from_logits(
        classifier_logits(images, classifier, "images", batch_size)
    )


def score_from_logits(logits: ArrayLike) -> float:
    """Returns the classifier score of precomputed logits.

    `classifier_score` on the classifier's outputs rather than on images.

    Args:
        logits: Array `(N, num_classes)`.

    Returns:
        The score, a Python float in `[1, num_classes]`.

    Example:

    Each of 4 classes predicted with certainty once: the score is 4; the
    same prediction for every image: 1.

    >>> confident = np.where(np.eye(4, dtype=bool), 50.0, -50.0)
    >>> round(score_from_logits(confident), 6)
    4.0
    >>> round(score_from_logits(np.tile(confident[:1], (4, 1))), 6)
    1.0
    """
    logits = np.asarray(logits, dtype=np.float64)
    # log-softmax without overflow; p log p is then finite even where p
    # underflows to 0.
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    marginal = p.mean(axis=0)
    log_marginal = np.log(np.where(marginal > 0, marginal, 1.0))
    kl = np.sum(np.where(p > 0, p * (log_p - log_marginal), 0.0), axis=1)
    return float(np.exp(kl.mean()))


@dataclasses.dataclass(frozen=True)
class ModeCoverage:
    """How a classifier labels a set of images, class by class.

    Attributes:
        counts: int64 array `(num_classes,)`, the images assigned to each
            class (the argmax of the logits).
        covered: The number of classes with at least one image.
        num_classes: The classifier's number of classes.
    """

    counts: np.ndarray
    covered: int
    num_classes: int

    @property
    def fractions(self) -> np.ndarray:
        """The share of images per class, summing to 1."""
        return self.counts / self.counts.sum()

    def __str__(self) -> str:
        return (
            f"{self.covered}/{self.num_classes} classes covered, counts "
            f"{self.counts.tolist()}"
        )


def mode_coverage(images: ArrayLike, classifier: keras.Model,
                  batch_size: int = 500) -> "ModeCoverage":
    """Returns the histogram of the classes a classifier assigns to images.

    Mode collapse shows here first: a generator stuck on a few digits
    leaves classes with no samples, or a very uneven histogram, while its
    samples may still look good one by one.

    Args:
        images: Array `(N, H, W, C)` (the classifier's input shape) of
            floats in [-1, 1].
        classifier: A `keras.Model` to logits, e.g. `load_classifier()`.
        batch_size: Images per forward pass.

    Returns:
        A `ModeCoverage` with the counts per class and the number of
        classes covered.

    Example:

    Five copies of the first test digit, a 7, cover one class:

    >>> from keras_wgan.quality import load_classifier
    >>> digits = keras_wgan.data.load_mnist("test")
    >>> coverage = mode_coverage(np.repeat(digits[:1], 5, axis=0),
    ...                          load_classifier("mnist"))
    >>> print(coverage)
    1/10 classes covered, counts [0, 0, 0, 0, 0, 0, 0, 5, 0, 0]
    """
    return coverage_from_logits(
        classifier_logits(images, classifier, "images", batch_size)
    )


def coverage_from_logits(logits: ArrayLike) -> ModeCoverage:
    """Returns the `ModeCoverage` of precomputed logits.

    `mode_coverage` on the classifier's outputs rather than on images.

    Args:
        logits: Array `(N, num_classes)`.

    Returns:
        A `ModeCoverage`.

    Example:

    >>> coverage = coverage_from_logits([[2.0, 0.0, 1.0], [0.0, 3.0, 1.0],
    ...                                  [5.0, 1.0, 0.0]])
    >>> coverage.covered, coverage.counts.tolist()
    (2, [2, 1, 0])
    """
    logits = np.asarray(logits)
    num_classes = logits.shape[1]
    counts = np.bincount(np.argmax(logits, axis=1), minlength=num_classes)
    counts = counts.astype(np.int64)
    return ModeCoverage(counts, int(np.count_nonzero(counts)), num_classes)
