"""keras_wgan.explorer.session: what the page shows equals the model's own
outputs, and bad input is one line naming what is wrong."""

import csv

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import latent
from keras_wgan.explorer import Explorer
from keras_wgan.explorer.session import pixels
from keras_wgan.nets import architectures

pytestmark = pytest.mark.above_the_models


@pytest.fixture(scope="module")
def gan():
    return keras_wgan.pretrained("mnist-wgan")


@pytest.fixture(scope="module")
def conditional():
    keras.utils.set_random_seed(0)
    return keras_wgan.ConditionalWGANGP(
        architectures.mnist_critic(width=2, num_classes=3),
        architectures.mnist_generator(4, width=2, num_classes=3),
        num_classes=3)


@pytest.mark.every_backend
def test_samples_are_generate_of_the_seed_with_critic_scores(gan):
    explorer = Explorer(gan)
    images, scores = explorer.samples(seed=7, count=5)
    np.testing.assert_array_equal(images, gan.generate(5, seed=7))
    np.testing.assert_allclose(
        scores, gan.critic.predict(images, verbose=0).reshape(-1),
        rtol=1e-5, atol=1e-5)


def test_walk_ends_are_the_seeds_images(gan):
    explorer = Explorer(gan)
    for method in ("linear", "spherical"):
        images, scores = explorer.walk(3, 4, steps=5, method=method)
        assert images.shape == (5, 28, 28, 1) and scores.shape == (5,)
        np.testing.assert_allclose(images[0], gan.generate(1, seed=3)[0],
                                   atol=1e-5)
        np.testing.assert_allclose(images[-1], gan.generate(1, seed=4)[0],
                                   atol=1e-5)
        path = latent.interpolate(explorer.noise(3)[0], explorer.noise(4)[0],
                                  5, method)
        np.testing.assert_array_equal(images, gan.generate_from(path))


def test_conditional_samples_share_the_noise_across_classes(conditional):
    explorer = Explorer(conditional)
    first, _ = explorer.samples(seed=2, count=4, label=1)
    np.testing.assert_array_equal(
        first, conditional.generate(4, labels=1, seed=2))
    other, _ = explorer.samples(seed=2, count=4, label=2)
    np.testing.assert_array_equal(
        other, conditional.generate_from(explorer.noise(2, 4), [2] * 4))
    images, columns = explorer.class_grid(seed=2, columns=4)
    assert columns == 4 and images.shape == (12, 28, 28, 1)
    np.testing.assert_array_equal(images[4:8], conditional.generate_from(
        explorer.noise(2, 4), [1] * 4))
    # One column: the three classes wrap into one row, as class_grid lays
    # them out.
    images, columns = explorer.class_grid(seed=2, columns=1)
    assert columns == 3 and images.shape == (3, 28, 28, 1)


@pytest.mark.parametrize("call, message", [
    (lambda e: e.samples(seed=-1), "seed must be a whole number >= 0, got -1."),
    (lambda e: e.samples(seed=1.5), "seed must be a whole number >= 0, got 1.5."),
    (lambda e: e.samples(seed=0, label=3),
     "class must be a whole number in [0, 2], got 3."),
    (lambda e: e.walk(0, 1, steps=1), "steps must be a whole number in [2, 64]"),
    (lambda e: e.walk(0, 1, method="cubic"), "method must be 'linear' or"),
    (lambda e: e.parse_latent("1, 2, 3"),
     "the latent vector must have 4 numbers (the model's latent size), got 3."),
    (lambda e: e.parse_latent("1, x"), "the latent vector must be numbers"),
    (lambda e: e.nearest(np.zeros((28, 28, 1))),
     "no training images are loaded"),
])
def test_bad_input_is_one_line(conditional, call, message):
    with pytest.raises(ValueError) as error:
        call(Explorer(conditional))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_class_of_an_unconditional_model_is_refused(gan):
    with pytest.raises(ValueError, match="class applies to conditional"):
        Explorer(gan).samples(0, count=2, label=1)


def test_latent_vector_of_the_right_size_is_read(conditional):
    vector = Explorer(conditional).parse_latent("0.5 -1, 2 3e-1")
    np.testing.assert_array_equal(vector, np.float32([0.5, -1, 2, 0.3]))


def test_nearest_finds_the_closest_training_images():
    rng = np.random.default_rng(0)
    training = rng.uniform(-1, 1, (50, 4, 4, 1)).astype("float32")
    explorer = Explorer(keras_wgan.pretrained("mnist-wgan"), training)
    query = training[17] + 0.01
    indices, distances, images = explorer.nearest(query, count=3)
    brute = np.linalg.norm((training - query).reshape(50, -1), axis=1)
    np.testing.assert_array_equal(indices, np.argsort(brute)[:3])
    np.testing.assert_allclose(distances, np.sort(brute)[:3], rtol=1e-4)
    assert indices[0] == 17
    np.testing.assert_array_equal(images, training[indices])


def test_run_curves_and_grids(tmp_path, gan):
    (tmp_path / "samples").mkdir()
    for epoch in (1, 3):
        (tmp_path / "samples" / f"epoch_{epoch:03d}.png").write_bytes(b"")
    with open(tmp_path / "metrics.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerows([["epoch", "critic_loss"], [0, -1.5], [1, -0.5]])
    explorer = Explorer(gan, run=str(tmp_path))
    assert explorer.curves() == {"epoch": [0.0, 1.0],
                                 "critic_loss": [-1.5, -0.5]}
    assert sorted(explorer.grid_epochs()) == [1, 3]


def test_pixels_are_the_uint8_rgb_of_the_images():
    images = np.array([[[[-1.0], [1.0]]]], "float32")
    np.testing.assert_array_equal(pixels(images),
                                  [[[[0, 0, 0], [255, 255, 255]]]])
