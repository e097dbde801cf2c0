"""keras_wgan.quality.scores: the classifier score and mode coverage."""

import numpy as np
import pytest

from keras_wgan import quality
from tests import helpers
from tests.quality import shared


def test_score_of_real_digits_and_of_one_digit():
    assert quality.score_from_logits(shared.logits("held_out")) > 9.5
    held_out, _ = shared.held_out()
    repeated = np.repeat(held_out[:1], 20, axis=0)
    assert quality.classifier_score(repeated, shared.classifier()) == (
        pytest.approx(1.0, abs=1e-6))
    # The images API agrees with the score of the cached logits.
    assert quality.classifier_score(held_out[:200], shared.classifier()) == (
        pytest.approx(quality.score_from_logits(
            shared.logits("held_out")[:200]), rel=1e-4))
    # Noise goes to few classes: far below real digits.
    assert quality.score_from_logits(shared.logits("noise")) < 5


def test_score_from_logits_bounds():
    # Confident and balanced: the number of classes; uniform p(y|x): 1.
    confident = np.where(np.eye(4, dtype=bool), 50.0, -50.0)
    assert quality.score_from_logits(confident) == pytest.approx(4, rel=1e-9)
    assert quality.score_from_logits(np.zeros((6, 4))) == pytest.approx(1)


def test_score_from_logits_closed_form():
    # Two images, p(y|x) = (p, 1 - p) and (1 - p, p): p(y) is uniform and
    # each KL is log 2 + p log p + (1 - p) log(1 - p).
    p = 0.8
    logits = np.log([[p, 1 - p], [1 - p, p]])
    kl = np.log(2) + p * np.log(p) + (1 - p) * np.log(1 - p)
    assert quality.score_from_logits(logits) == pytest.approx(np.exp(kl),
                                                              rel=1e-12)
    # Huge logits: no overflow, the certain answer.
    assert quality.score_from_logits([[1e4, -1e4], [-1e4, 1e4]]) == (
        pytest.approx(2, rel=1e-12))


def test_mode_coverage():
    held_out, labels = shared.held_out()
    coverage = quality.coverage_from_logits(shared.logits("held_out"))
    assert coverage.covered == coverage.num_classes == 10
    assert coverage.counts.sum() == len(held_out)
    # Almost every digit lands in its own class: a class's count is off by
    # at most the classifier's errors (0.7% of the test split).
    assert np.abs(coverage.counts - np.bincount(labels)).max() <= (
        0.01 * len(labels))
    assert coverage.fractions.sum() == pytest.approx(1)
    one = quality.mode_coverage(np.repeat(held_out[:1], 30, axis=0),
                                shared.classifier())
    assert one.covered == 1
    assert one.counts[labels[0]] == 30
    assert "1/10 classes covered" in str(one)


def test_coverage_from_logits_counts_the_argmax():
    coverage = quality.coverage_from_logits(
        [[0.0, 1.0, 0.5], [2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
    assert coverage.counts.tolist() == [1, 2, 0]
    assert coverage.covered == 2 and coverage.num_classes == 3
    np.testing.assert_allclose(coverage.fractions, [1 / 3, 2 / 3, 0])


def test_score_and_coverage_bad_inputs():
    classifier = shared.classifier()
    with pytest.raises(ValueError, match=r"images must have images of shape "
                                         r"\(28, 28, 1\)"):
        quality.classifier_score(np.zeros((3, 32, 32, 1), "float32"),
                                 classifier)
    with pytest.raises(ValueError, match="images must have shape"):
        quality.mode_coverage(helpers.real_digits(4)[..., 0], classifier)
