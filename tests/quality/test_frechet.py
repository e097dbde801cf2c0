"""keras_wgan.quality.frechet: the Frechet distance, of Gaussians and of
logits, checked against closed forms and on real digits."""

import numpy as np
import pytest

from keras_wgan import quality
from tests import helpers
from tests.quality import shared


def test_frechet_distance_diagonal_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    s1, s2 = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(
        s1 + s2 - 2 * np.sqrt(s1 * s2)
    )
    got = quality.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_full_covariances():
    # Non-commuting covariances, checked against the eigenvalues of the
    # (non-symmetric) product sigma1 sigma2, computed another way.
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 5, 5))
    sigma1, sigma2 = a @ a.T + 0.1 * np.eye(5), b @ b.T
    mu1, mu2 = rng.normal(size=(2, 5))
    product_eigenvalues = np.linalg.eigvals(sigma1 @ sigma2)
    assert np.abs(product_eigenvalues.imag).max() < 1e-8
    trace_root = np.sum(np.sqrt(product_eigenvalues.real))
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(sigma1)
                + np.trace(sigma2) - 2 * trace_root)
    got = quality.frechet_distance(mu1, sigma1, mu2, sigma2)
    assert got == pytest.approx(expected, rel=1e-9)
    # A distance: symmetric in its two Gaussians.
    assert quality.frechet_distance(mu2, sigma2, mu1, sigma1) == (
        pytest.approx(got, rel=1e-9))


def test_frechet_distance_singular_and_identical():
    # Rank-1 covariances (fewer samples than features) give no NaN.
    v = np.array([[1.0], [2.0], [0.0]])
    sigma = v @ v.T
    assert quality.frechet_distance(np.zeros(3), sigma, np.zeros(3),
                                    sigma) == pytest.approx(0, abs=1e-9)
    # Same direction, 4x the variance: (2 - 1)^2 * |v|^2 = 5.
    assert quality.frechet_distance(np.zeros(3), sigma, np.zeros(3),
                                    4 * sigma) == pytest.approx(5, rel=1e-9)
    # Identical full-rank Gaussians: 0 up to round-off, not merely >= 0.
    mu, cov = quality.feature_statistics(np.random.default_rng(2).normal(
        size=(50, 4)))
    assert quality.frechet_distance(mu, cov, mu, cov) == pytest.approx(
        0, abs=1e-9)


def test_feature_statistics():
    features = np.random.default_rng(3).normal(size=(40, 3))
    mu, sigma = quality.feature_statistics(features)
    np.testing.assert_allclose(mu, features.mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(features.T))


def test_fid_from_logits_closed_form_and_pairing():
    # A shift by c in each of d coordinates with the spread unchanged:
    # |mu1 - mu2|^2 = d c^2, the covariance terms cancel.
    logits = np.random.default_rng(4).normal(size=(300, 5))
    assert quality.fid_from_logits(logits, logits + 2.0) == pytest.approx(
        5 * 4.0, rel=1e-9)
    # Scaled by 3: the means are 0 in expectation, the covariance terms
    # give tr(S) + 9 tr(S) - 2 * 3 tr(S) = 4 tr(S) exactly (same basis).
    centred = logits - logits.mean(axis=0)
    trace = np.trace(np.cov(centred.T))
    assert quality.fid_from_logits(centred, 3 * centred) == pytest.approx(
        4 * trace, rel=1e-9)
    # The images API is this function on the classifier's logits.
    held_out, _ = shared.held_out()
    images = shared.digits()[0][:300]
    assert quality.classifier_fid(images, held_out[:300],
                                  shared.classifier()) == pytest.approx(
        quality.fid_from_logits(
            quality.classifier_logits(images, shared.classifier()),
            shared.logits("held_out")[:300]), rel=1e-9)
    with pytest.raises(ValueError, match="fake_logits must hold at least 2"):
        quality.fid_from_logits(logits, logits[:1])


def test_fid_real_versus_real_and_noise():
    real = shared.fid("reference", "held_out")
    noise = shared.fid("reference", "noise")
    assert real < 0.02 * noise
    # The same through the images API, on fewer images.
    images, _ = shared.digits()
    held_out, _ = shared.held_out()
    assert quality.classifier_fid(images[:300], held_out[:300],
                                  shared.classifier()) < 0.05 * noise
    # Identical sets: exactly the same Gaussians.
    assert quality.classifier_fid(held_out[:50], held_out[:50],
                                  shared.classifier()) == pytest.approx(
        0, abs=1e-6)


def test_fid_of_one_repeated_digit_is_large():
    held_out, _ = shared.held_out()
    repeated = np.repeat(held_out[:1], 2, axis=0)
    one = quality.classifier_logits(repeated, shared.classifier())
    one = np.repeat(one[:1], 1000, axis=0)  # 1,000 copies, one forward pass
    distance = quality.frechet_distance(
        *quality.feature_statistics(shared.logits("reference")),
        *quality.feature_statistics(one))
    assert distance > 50 * shared.fid("reference", "held_out")


@pytest.mark.parametrize("args, message", [
    ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)),
     r"mu2 must have the shape of mu1, \(2,\)"),
    ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)),
     r"sigma1 must have shape \(2, 2\)"),
    ((np.zeros(2), np.eye(2), np.zeros(2), [[1, 0.5], [0, 1]]),
     "sigma2 must be a symmetric covariance matrix"),
    ((np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2)),
     "sigma1 must be positive semi-definite"),
    ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)),
     r"mu1 must be a non-empty vector of shape \(d,\)"),
    ((np.array([0, np.nan]), np.eye(2), np.zeros(2), np.eye(2)),
     "mu1 contains NaN"),
])
def test_frechet_distance_bad_inputs(args, message):
    with pytest.raises(ValueError, match=message):
        quality.frechet_distance(*args)


def test_fid_bad_inputs():
    images = helpers.real_digits(4)
    # Checked before any forward pass, so these cost nothing.
    classifier = shared.classifier()
    with pytest.raises(ValueError, match=r"fake_images values must lie in "
                                         r"\[-1, 1\]"):
        quality.classifier_fid(images, images * 2, classifier)
    with pytest.raises(ValueError, match=r"real_images must hold at least 2 "
                                         "images to estimate a covariance"):
        quality.classifier_fid(images[:1], images, classifier)
    with pytest.raises(ValueError, match="features must hold at least 2"):
        quality.feature_statistics(np.zeros((1, 3)))
