"""keras_wgan.latent: interpolations, walks and per-class latents."""

import numpy as np
import pytest

import keras_wgan
from keras_wgan import latent
from tests import helpers


def test_linear_interpolation_is_the_straight_line():
    path = latent.interpolate([0.0, 2.0], [4.0, -2.0], steps=5,
                              method="linear")
    np.testing.assert_allclose(
        path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]], atol=1e-6)
    assert path.dtype == np.float32


def test_spherical_midpoint_of_orthogonal_vectors_by_hand():
    # Unit vectors at 90 degrees: the midpoint of the arc is (1, 1) / sqrt 2,
    # where the straight line's midpoint (0.5, 0.5) has norm 0.71.
    path = latent.interpolate([1.0, 0.0], [0.0, 1.0], steps=3)
    np.testing.assert_allclose(path[1], [2 ** -0.5, 2 ** -0.5], atol=1e-6)
    np.testing.assert_allclose(path[[0, 2]], [[1, 0], [0, 1]], atol=1e-6)


def test_spherical_path_keeps_gaussian_norms_and_equal_angles():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 128))
    path = latent.interpolate(a, b, steps=9)
    norms = np.linalg.norm(path, axis=1)
    # The norm moves linearly from |a| to |b|.
    np.testing.assert_allclose(
        norms, np.linspace(np.linalg.norm(a), np.linalg.norm(b), 9),
        rtol=1e-5)
    units = path / norms[:, None]
    angles = np.arccos(np.clip(np.sum(units[1:] * units[:-1], axis=1), -1, 1))
    np.testing.assert_allclose(angles, angles[0], rtol=1e-3)
    straight = latent.interpolate(a, b, steps=9, method="linear")
    assert np.linalg.norm(straight[4]) < 0.8 * norms[4]


def test_spherical_interpolation_of_parallel_vectors_is_linear():
    path = latent.interpolate([1.0, 1.0], [2.0, 2.0], steps=3)
    np.testing.assert_allclose(path[1], [1.5, 1.5], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": [[1.0]], "end": [1.0]}, "start must be a vector"),
        ({"start": [1.0, 2.0], "end": [1.0]}, "end must have the shape"),
        ({"start": [1.0], "end": [2.0], "steps": 1}, "steps must be"),
        ({"start": [1.0], "end": [2.0], "method": "cubic"},
         "method must be one of"),
    ],
)
def test_interpolate_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        latent.interpolate(**kwargs)


def test_walk_sets_one_coordinate():
    path = latent.walk([0.5, 1.0, -1.0], dimension=1, values=[-2, 0, 2])
    np.testing.assert_array_equal(
        path, [[0.5, -2, -1], [0.5, 0, -1], [0.5, 2, -1]])
    with pytest.raises(ValueError, match="dimension must be < latent_dim = 3"):
        latent.walk([0.5, 1.0, -1.0], dimension=3, values=[0])
    with pytest.raises(ValueError, match="values must be a non-empty 1D"):
        latent.walk([0.5, 1.0, -1.0], dimension=0, values=[])


def test_latents_by_class_picks_the_surest_latent_per_class():
    critic, generator = helpers.small_models(width=4, latent_dim=8)
    gan = keras_wgan.WGANGP(critic, generator)
    classifier = keras_wgan.quality.load_classifier("mnist")
    found = latent.latents_by_class(gan, classifier, num_candidates=64)
    assert found
    for label, (vector, probability) in found.items():
        assert vector.shape == (8,)
        logits = keras_wgan.quality.classifier_logits(
            gan.generate_from(vector[None]), classifier)[0]
        assert int(logits.argmax()) == label
        softmax = np.exp(logits - logits.max())
        softmax /= softmax.sum()
        np.testing.assert_allclose(softmax[label], probability, rtol=1e-4)
    # No other candidate is surer of that class.
    noise = np.random.default_rng(0).standard_normal((64, 8)).astype("float32")
    logits = keras_wgan.quality.classifier_logits(gan.generate_from(noise),
                                                  classifier)
    for label, (_, probability) in found.items():
        chosen = logits.argmax(axis=1) == label
        member = logits[chosen] - logits[chosen].max(axis=1, keepdims=True)
        best = (np.exp(member[:, label]) / np.exp(member).sum(axis=1)).max()
        np.testing.assert_allclose(best, probability, rtol=1e-4)
