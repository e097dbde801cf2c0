"""The three quality numbers of one set of generated images, from logits."""

from keras_wgan.quality.frechet import fid_from_logits
from keras_wgan.quality.scores import coverage_from_logits
from keras_wgan.quality.scores import score_from_logits

#: The numbers `QualityMetrics` writes into the epoch logs, by name.
METRIC_NAMES = ("classifier_fid", "classifier_score", "classes_covered")


def logit_quality(real_logits, fake_logits):
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
