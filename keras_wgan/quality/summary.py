"""The three quality numbers of one set of generated images, from logits."""

from typing import Any

import keras
import numpy as np

from keras_wgan.quality.features import classifier_logits
from keras_wgan.quality.frechet import fid_from_logits
from keras_wgan.quality.scores import coverage_from_logits
from keras_wgan.quality.scores import score_from_logits
from keras_wgan.tensor_types import ArrayLike

#: The numbers `QualityMetrics` writes into the epoch logs, by name.
METRIC_NAMES = ("classifier_fid", "classifier_score", "classes_covered")


def logit_quality(real_logits: ArrayLike, fake_logits: ArrayLike
                  ) -> dict[str, Any]:
    """Returns the classifier FID, score and coverage of generated images.

    The one assembly of the three metrics, for everything that reports
    them (`QualityMetrics`, the model comparison, the pretrained models'
    records): `fid_from_logits` against the real images, and
    `score_from_logits` and `coverage_from_logits` of the generated ones.
    Pass logits from `classifier_logits`, computed once per image set.

    Args:
        real_logits: Array `(N, num_classes)`, the real images' logits,
            N >= 2.
        fake_logits: Array `(M, num_classes)`, the generated images'
            logits, M >= 2.

    Returns:
        A dict with the float `"classifier_fid"`, the float
        `"classifier_score"`, the int `"classes_covered"` (the keys of
        `METRIC_NAMES`) and `"class_counts"`, the list of images per class.

    Example:

    Confident logits, two images per class of 3, against real logits with
    the same classes:

    >>> confident = np.repeat(np.eye(3) * 20.0, 2, axis=0)
    >>> values = logit_quality(confident, confident)
    >>> round(values["classifier_fid"], 6), round(values["classifier_score"], 3)
    (0.0, 3.0)
    >>> values["classes_covered"], values["class_counts"]
    (3, [2, 2, 2])
    """
    coverage = coverage_from_logits(fake_logits)
    return {
        "classifier_fid": fid_from_logits(real_logits, fake_logits),
        "classifier_score": score_from_logits(fake_logits),
        "classes_covered": coverage.covered,
        "class_counts": coverage.counts.tolist(),
    }


def generator_quality(model: keras.Model, real_logits: ArrayLike,
                      classifier: keras.Model, num_samples: int,
                      seed: int = 0
                      ) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Scores `num_samples` images that `model` generates from a fixed seed.

    The one way the scripts judge a saved generator (`judge_runs.py`,
    `export_pretrained.py`; `evaluate_generator` for the `evaluate`
    command): the same noise for
    every checkpoint of a run, so that their numbers differ only by the
    weights.

    Args:
        model: A trained model with `generate(num_samples, seed=...)`.
        real_logits: The real images' logits, `(N, num_classes)`, N >= 2.
        classifier: The classifier that gave `real_logits`.
        num_samples: Images to generate, an int >= 2.
        seed: Int seed of the noise.

    Returns:
        `(values, images, logits)`: the dict of `logit_quality`, the
        generated images and their logits.

    Example:

    >>> class Constant:  # a "generator" of blank images
    ...     def generate(self, n, seed):
    ...         return np.zeros((n, 28, 28, 1), "float32")
    >>> classifier = keras.Sequential([keras.Input((28, 28, 1)),
    ...     keras.layers.Flatten(), keras.layers.Dense(3)])
    >>> values, images, logits = generator_quality(
    ...     Constant(), np.eye(3) * 5.0, classifier, num_samples=4)
    >>> images.shape, logits.shape, values["classes_covered"]
    ((4, 28, 28, 1), (4, 3), 1)
    """
    images = model.generate(num_samples, seed=seed)
    logits = classifier_logits(images, classifier, min_images=2)
    return logit_quality(real_logits, logits), images, logits
