"""keras_wgan.studies.toy: the toy distributions, their parameters, the MLPs."""

import hashlib
import math

import numpy as np
import pytest

import keras_wgan
from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy


def _nearest(points, centres):
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    return distances.argmin(axis=1), distances.min(axis=1)


def test_eight_gaussians_modes_weights_and_spread():
    points = toy.eight_gaussians(8000, seed=0)
    assert points.shape == (8000, 2) and points.dtype == np.float32
    centres = toy.eight_gaussians_centres()
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2 / 1.414,
                               rtol=1e-6)
    np.testing.assert_allclose(centres[2], [0.0, 2 / 1.414], atol=1e-6)
    mode, distance = _nearest(points, centres)
    counts = np.bincount(mode, minlength=8)
    # Binomial(8000, 1/8): standard deviation ~30, so +-150 is 5 sigma.
    assert np.all(np.abs(counts - 1000) < 150)
    # Each coordinate has standard deviation 0.02 / 1.414 around its mode.
    offsets = points - centres[mode]
    np.testing.assert_allclose(offsets.std(axis=0), 0.02 / 1.414, rtol=0.05)
    assert distance.max() < 6 * 0.02 / 1.414 * math.sqrt(2)
    np.testing.assert_array_equal(points, toy.eight_gaussians(8000, seed=0))
    assert not np.array_equal(points, toy.eight_gaussians(8000, seed=1))


def test_twenty_five_gaussians_grid():
    points = toy.twenty_five_gaussians(10000, seed=0)
    grid = np.array([(i, j) for i in range(-4, 5, 2) for j in range(-4, 5, 2)],
                    "float32") / 2.828
    mode, _ = _nearest(points, grid)
    counts = np.bincount(mode, minlength=25)
    assert np.all(np.abs(counts - 400) < 100)  # sd ~20
    offsets = points - grid[mode]
    np.testing.assert_allclose(offsets.std(axis=0), 0.05 / 2.828, rtol=0.05)


def test_swiss_roll_radius_and_turns():
    points = toy.swiss_roll(5000, seed=0, noise=0.0)
    # Without noise, |p| * 7.5 = t in [1.5 pi, 4.5 pi] and the angle is t.
    t = np.linalg.norm(points, axis=1) * 7.5
    assert t.min() >= 1.5 * math.pi - 1e-3 and t.max() <= 4.5 * math.pi + 1e-3
    np.testing.assert_allclose(points * 7.5,
                               np.stack([t * np.cos(t), t * np.sin(t)], 1),
                               atol=1e-3)
    noisy = toy.swiss_roll(5000, seed=0)
    assert np.abs(noisy).max() < 2.5


def test_gaussian_1d_and_bad_arguments():
    points = toy.gaussian_1d(20000, mean=3.0, std=0.5, seed=0)
    assert points.shape == (20000, 1)
    assert points.mean() == pytest.approx(3.0, abs=0.02)
    assert points.std() == pytest.approx(0.5, rel=0.02)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
        toy.eight_gaussians(0)
    with pytest.raises(ValueError, match="std must be a finite number >= 0"):
        toy.gaussian_1d(3, std=-1.0)
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        toy.swiss_roll(3, scale=0.0)
    with pytest.raises(ValueError, match="latent_dim must be an integer"):
        toy.toy_generator(latent_dim=0)


def test_toy_mlps_shapes_and_layers():
    critic = toy.toy_critic(2, width=16, depth=11)
    assert critic.output_shape == (None, 1)
    layers = diagnostics.dense_layers(critic)
    assert len(layers) == 12
    assert layers[-1].name == "score" and layers[-1].activation.__name__ == "linear"
    generator = toy.toy_generator(3, 2, width=16, depth=2)
    assert generator.input_shape == (None, 3)
    assert generator.output_shape == (None, 2)


def test_vector_data_checks_in_fit():
    # The checks live in the shared AdversarialModel.fit; WGAN rather than
    # WGANGP spares JAX and TF compiling the penalty's double backward.
    gan = keras_wgan.WGAN(toy.toy_critic(2, 8, 1), toy.toy_generator(2, 2, 8, 1))
    gan.compile()
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\)"):
        gan.fit(np.zeros((8, 3), "float32"), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="x must be floating point"):
        gan.fit(np.zeros((8, 2), "int32"), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="x contains NaN"):
        gan.fit(np.full((8, 2), np.nan, "float32"), batch_size=4, verbose=0)
    # Toy data is not confined to [-1, 1] (the generator is linear).
    gan.fit(toy.twenty_five_gaussians(40, seed=0) * 2, batch_size=4,
            verbose=0)


# SHA-256 of the float32 bytes of 1,000 points and the first two points,
# recorded before the mixtures' parameters moved into toy.MIXTURES: the
# samplers must keep drawing exactly these for a seed.
RECORDED = {
    ("8gaussians", 0): ('0e19474b05a5b845cc506b0ab4efb61e21816fa22dfe7a5e1a9376997ba76a0c',
                        [[0.019171683117747307, -1.4143959283828735], [-1.0113327503204346, -0.998144268989563]]),
    ("8gaussians", 7): ('f34e7a41f1cbdfbbc93767fc20a5fd8594d4c2304f52c8ec512783c39cba57d2',
                        [[1.0107163190841675, -0.9885473847389221], [-1.0137481689453125, -1.0198177099227905]]),
    ("25gaussians", 0): ('fabd607aa25798ecb77dd74083e1f39005451cee6d263ac1e38507d5eb7a1f5e',
                         [[1.415906310081482, 0.7230653166770935], [0.03896435722708702, -0.6942754983901978]]),
    ("25gaussians", 7): ('5c44609becfc1ace2df40d6f666dc93011c952291c8d20188b73d37062bdeeb6',
                         [[1.3867168426513672, 0.7067413926124573], [0.715997576713562, 1.4325145483016968]]),
    ("swissroll", 0): ('cc8ea1de216ffc82debca4195189d68e28d1db28004991b7beb9762294c3ba41',
                       [[-0.39200299978256226, -1.3432350158691406], [0.6187951564788818, 0.8233682513237]]),
}


def _sha256(points):
    return hashlib.sha256(np.ascontiguousarray(points).tobytes()).hexdigest()


@pytest.mark.parametrize("name, seed", list(RECORDED))
def test_samplers_draw_the_recorded_points(name, seed):
    digest, first = RECORDED[(name, seed)]
    points = toy.DISTRIBUTIONS_2D[name](1000, seed=seed)
    assert points[:2].tolist() == first
    assert _sha256(points) == digest


def test_samplers_with_other_parameters_draw_the_recorded_points():
    assert _sha256(toy.eight_gaussians(500, seed=3, radius=3.0, std=0.1,
                                       scale=2.0)) == (
        '26918183362d72bf9b6f7dac776dcb18333ff6ad767ad318fac1ce41cd0c699c')
    assert _sha256(toy.twenty_five_gaussians(500, seed=3, std=0.1,
                                             scale=2.0)) == (
        '50bf4798b11d034ddb7bd198a6f30cce5c72dc6ddf509ee6a1c14a2f28e0b6aa')


def test_mixtures_table_is_what_the_samplers_draw():
    eight, grid = toy.MIXTURES["8gaussians"], toy.MIXTURES["25gaussians"]
    assert (eight.std, eight.scale, grid.std, grid.scale) == (
        0.02, 1.414, 0.05, 2.828)
    assert eight.mode_std == pytest.approx(0.02 / 1.414, rel=1e-12)
    np.testing.assert_array_equal(eight.centres,
                                  toy.eight_gaussians_centres())
    assert toy.eight_gaussians_centres().tolist() == [[1.4144271612167358, 0.0], [1.0001510381698608, 1.0001510381698608], [8.660868210538878e-17, 1.4144271612167358], [-1.0001510381698608, 1.0001510381698608], [-1.4144271612167358, 1.7321736421077756e-16], [-1.0001510381698608, -1.0001510381698608], [-2.5982605955105615e-16, -1.4144271612167358], [1.0001510381698608, -1.0001510381698608]]
    # The grid in row order x, then y, as the mode counts are reported.
    expected = np.array([(x, y) for x in range(-4, 5, 2)
                         for y in range(-4, 5, 2)], "float64")
    np.testing.assert_array_equal(grid.modes, expected)
    np.testing.assert_array_equal(grid.centres,
                                  (expected / 2.828).astype("float32"))
    # Every sample lies near a centre of its mixture's table.
    for name, mixture in toy.MIXTURES.items():
        points = toy.DISTRIBUTIONS_2D[name](2000, seed=0)
        _, distance = _nearest(points, mixture.centres)
        # 5 standard deviations in 2D: a chi(2) tail of exp(-12.5).
        assert distance.max() < 5 * mixture.mode_std
    # The samplers' defaults are the table's values, not copies.
    assert toy.eight_gaussians.__defaults__ == (
        None, toy.EIGHT_GAUSSIANS_RADIUS, eight.std, eight.scale)
    assert toy.twenty_five_gaussians.__defaults__ == (None, grid.std,
                                                      grid.scale)
