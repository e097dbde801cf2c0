"""keras_wgan.studies.measures: what the comparison measures, recomputed by
hand: energy distance, mixture modes, image quality, the critic probe."""

import math

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import quality
from keras_wgan.studies import diagnostics
from keras_wgan.studies import measures
from keras_wgan.studies import toy
from keras_wgan.studies import transport
from tests import helpers


def test_energy_distance_and_mixture_quality():
    assert measures.energy_distance(np.zeros((3, 2)), np.ones((3, 2))) == (
        pytest.approx(2 * math.sqrt(2)))
    points = toy.eight_gaussians(1000, seed=0)
    assert measures.energy_distance(points, points) == pytest.approx(
        0.0, abs=1e-9)
    centres = toy.eight_gaussians_centres()
    quality_ = measures.mixture_quality(points, centres, 0.02 / 1.414)
    assert quality_["modes_covered"] == 8
    assert quality_["high_quality"] > 0.98
    # All samples on one mode: one mode covered, still high quality.
    collapsed = np.repeat(centres[:1], 100, axis=0)
    quality_ = measures.mixture_quality(collapsed, centres, 0.02 / 1.414)
    assert quality_["modes_covered"] == 1
    assert quality_["mode_counts"][0] == 100
    assert quality_["high_quality"] == 1.0
    # Points between modes are not high quality.
    assert measures.mixture_quality(np.zeros((10, 2)), centres,
                                    0.014)["high_quality"] == 0.0


def test_energy_distance_closed_form_in_1d():
    # x = {0}, y = {0, 2}: E|X-Y| = 1, E|X-X'| = 0, E|Y-Y'| = 1 (pairs
    # 0, 2, 2, 0 over 4): 2 * 1 - 0 - 1 = 1.
    assert measures.energy_distance([[0.0]], [[0.0], [2.0]]) == 1.0
    # Symmetric.
    a = np.random.default_rng(0).normal(size=(20, 2))
    b = a + 0.5
    assert measures.energy_distance(a, b) == pytest.approx(
        measures.energy_distance(b, a), rel=1e-12)


def test_mixture_quality_fair_share_threshold():
    # 2 modes, 8 points: a mode is covered with at least 8 / (4 * 2) = 1
    # high-quality point; points beyond 3 std count for no mode.
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    points = np.array([[0.0, 0.0]] * 6 + [[10.0, 0.31], [10.0, 0.29]])
    result = measures.mixture_quality(points, centres, std=0.1)
    assert result == {"high_quality": 7 / 8, "modes_covered": 2,
                      "mode_counts": [6, 1]}
    result = measures.mixture_quality(points[:7], centres, std=0.05)
    assert result["mode_counts"] == [6, 0]
    assert result["modes_covered"] == 1


@pytest.mark.parametrize("name", ["8gaussians", "25gaussians"])
def test_toy_quality_reads_the_mixtures_table(name):
    reference = toy.DISTRIBUTIONS_2D[name](300, seed=1)
    samples = toy.DISTRIBUTIONS_2D[name](300, seed=2) * 1.05
    evaluator = measures.ToyQuality(name, reference)
    mixture = toy.MIXTURES[name]
    assert evaluator.num_modes == len(mixture.modes)
    assert evaluator(samples) == {
        "energy_distance": measures.energy_distance(samples, reference),
        "exact_w1": transport.exact_wasserstein(samples, reference),
        **measures.mixture_quality(samples, mixture.centres,
                                   mixture.mode_std)}


def test_toy_quality_without_modes():
    reference = toy.swiss_roll(100, seed=0)
    evaluator = measures.ToyQuality("swissroll", reference)
    assert evaluator.num_modes is None
    assert evaluator(reference) == {"energy_distance": 0.0, "exact_w1": 0.0}


def test_toy_quality_exact_w1_uses_at_most_its_points():
    reference = toy.swiss_roll(measures.EXACT_W1_POINTS + 500, seed=0)
    samples = toy.swiss_roll(measures.EXACT_W1_POINTS + 500, seed=1) + 0.1
    values = measures.ToyQuality("swissroll", reference)(samples)
    cut = measures.EXACT_W1_POINTS
    assert values["exact_w1"] == transport.exact_wasserstein(
        samples[:cut], reference[:cut])


def test_image_quality_is_logit_quality_of_the_shipped_classifier():
    digits = helpers.real_digits(300)
    evaluator = measures.ImageQuality("mnist", digits[:200])
    values = evaluator(digits[200:])
    classifier = quality.load_classifier("mnist")
    expected = quality.logit_quality(
        quality.classifier_logits(digits[:200], classifier),
        quality.classifier_logits(digits[200:], classifier))
    assert list(values) == list(expected)
    for key in ("classifier_fid", "classifier_score"):
        assert values[key] == pytest.approx(expected[key], rel=1e-6)
    assert values["class_counts"] == expected["class_counts"]
    assert (evaluator.primary, evaluator.num_modes) == ("classifier_fid", 10)


def test_critic_probe_gap_and_norms_by_hand():
    critic = keras.Sequential([keras.Input((2,)),
                               keras.layers.Dense(1, name="score")])
    critic.set_weights([np.array([[1.0], [-2.0]], "float32"),
                        np.array([0.5], "float32")])
    generator = keras.Sequential([keras.Input((2,)),
                                  keras.layers.Dense(2, name="sample")])
    gan = keras_wgan.WGAN(critic, generator, seed=0)
    reference = toy.swiss_roll(300, seed=0)
    probe = measures.CriticProbe(reference, latent_dim=2, seed=5)
    # The draw: 256 of the 300 points, then the noise, from one seed.
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(
        probe.real, reference[rng.choice(300, measures.CRITIC_PROBE_SIZE,
                                         False)])
    np.testing.assert_array_equal(
        probe.noise, rng.standard_normal((256, 2)).astype("float32"))
    gap, norms = probe.measure(gan)
    fake = gan.generate_from(probe.noise)
    w = np.array([1.0, -2.0])
    # D(x) = w . x + b: the gap is w . (mean real - mean fake), the
    # gradient norm |mean fake - mean real| (the bias cancels).
    difference = probe.real.mean(axis=0) - fake.mean(axis=0)
    assert gap == pytest.approx(float(w @ difference), rel=1e-4, abs=1e-6)
    assert norms == {"score": pytest.approx(
        float(np.linalg.norm(difference)), rel=1e-4)}
    assert gap == pytest.approx(float(
        diagnostics.critic_values(critic, probe.real).mean()
        - diagnostics.critic_values(critic, fake).mean()), rel=1e-5)


def test_real_baseline_scores_a_seeded_draw():
    train = toy.eight_gaussians(500, seed=0)
    evaluator = measures.ToyQuality("8gaussians", train)
    drawn = train[np.random.default_rng(3).choice(500, 50, False)]
    assert measures.real_baseline(evaluator, train, 50, seed=3) == (
        evaluator(drawn))
    # Asking for more than there are scores all of them.
    everything = measures.real_baseline(evaluator, train, 10**6, seed=3)
    assert everything["energy_distance"] == pytest.approx(0.0, abs=1e-9)


def test_summarize_skips_missing_and_non_finite_values():
    history = [{"iteration": 0, "fid": 5.0}, {"iteration": 10},
               {"iteration": 20, "fid": float("nan")},
               {"iteration": 30, "fid": 0.0}, {"iteration": 40, "fid": 1.0}]
    summary = measures.summarize(history, "fid")
    assert summary["final"] is history[-1]
    assert summary["best"] == {"iteration": 30, "fid": 0.0}
    assert measures.summarize([], "fid") == {"final": None, "best": None}
    assert measures.summarize([{"iteration": 0}], "fid")["best"] is None
