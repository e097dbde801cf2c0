"""keras_wgan.quality.summary: logit_quality, the one FID + score +
coverage assembly."""

import numpy as np
import pytest

import keras_wgan
from keras_wgan import quality
from tests.helpers import real_digits
from tests.helpers import small_models
from tests.quality import shared


def test_logit_quality_is_the_three_metrics():
    real, fake = shared.logits("reference"), shared.logits("held_out")
    values = quality.logit_quality(real, fake)
    assert list(values) == [*quality.METRIC_NAMES, "class_counts"]
    assert values["classifier_fid"] == quality.frechet_distance(
        *quality.feature_statistics(real), *quality.feature_statistics(fake))
    assert values["classifier_score"] == quality.score_from_logits(fake)
    coverage = quality.coverage_from_logits(fake)
    assert values["classes_covered"] == coverage.covered == 10
    assert values["class_counts"] == coverage.counts.tolist()
    assert sum(values["class_counts"]) == len(fake)


def test_logit_quality_closed_form():
    # Three classes, two certain images each, against the same logits
    # shifted by 1 in every class: FID = 3 * 1^2, score 3, all covered.
    confident = np.repeat(np.eye(3) * 30.0, 2, axis=0)
    values = quality.logit_quality(confident + 1.0, confident)
    assert values["classifier_fid"] == pytest.approx(3.0, rel=1e-9)
    assert values["classifier_score"] == pytest.approx(3.0, rel=1e-9)
    assert values["classes_covered"] == 3
    assert values["class_counts"] == [2, 2, 2]
    # One class only: score 1, one class covered.
    collapsed = quality.logit_quality(confident, confident[:2])
    assert collapsed["classifier_score"] == pytest.approx(1.0, rel=1e-9)
    assert collapsed["class_counts"] == [2, 0, 0]


def test_logit_quality_needs_two_samples():
    logits = np.eye(3)
    with pytest.raises(ValueError, match="fake_logits must hold at least 2"):
        quality.logit_quality(logits, logits[:1])


def test_generator_quality_scores_fixed_seed_samples():
    gan = keras_wgan.WGANGP(*small_models(), seed=0)
    classifier = quality.load_classifier("mnist")
    real = quality.classifier_logits(real_digits(64), classifier)
    values, images, logits = quality.generator_quality(
        gan, real, classifier, num_samples=32)
    np.testing.assert_array_equal(images, gan.generate(32, seed=0))
    np.testing.assert_allclose(
        logits, quality.classifier_logits(images, classifier), rtol=1e-6)
    assert values == quality.logit_quality(real, logits)
    again, _, _ = quality.generator_quality(gan, real, classifier, 32)
    assert again == values  # the same noise: the same numbers
    other, _, _ = quality.generator_quality(gan, real, classifier, 32, seed=1)
    assert other["classifier_fid"] != values["classifier_fid"]
