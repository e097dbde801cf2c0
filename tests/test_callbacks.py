"""Tests for keras_wgan.callbacks: SampleGrid and TerminateOnNonFinite.

(Checkpoint has its tests in test_checkpoints.py; the callbacks working
together in a training run, in cli/test_reliability.py.)
"""

import math

import keras
import numpy as np
import pytest
from matplotlib import image as mpl_image

import keras_wgan
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TerminateOnNonFinite
from keras_wgan.image_grids import image_grid
from tests.helpers import real_digits
from tests.helpers import small_models


def test_sample_grid_callback_writes_every_n_epochs(tmp_path):
    gan = keras_wgan.WGANGP(*small_models(), n_critic=1, seed=0)
    gan.compile()
    grid = keras_wgan.callbacks.SampleGrid(tmp_path / "samples", num_samples=9,
                                           every=2, seed=5)
    gan.fit(real_digits(16), batch_size=8, epochs=3, callbacks=[grid], verbose=0)
    assert [p.rsplit("/", 1)[1] for p in grid.paths] == ["epoch_002.png",
                                                         "epoch_003.png"]
    first = mpl_image.imread(grid.paths[0])
    assert first.shape[:2] == (3 * 30 + 2, 3 * 30 + 2)
    # Same fixed noise, different weights: the grids differ.
    assert not np.array_equal(first, mpl_image.imread(grid.paths[1]))
    # The last grid shows the final generator on the noise drawn from
    # `seed`, in 3 columns.
    noise = keras.random.normal((9, gan.latent_dim), seed=5)
    expected = image_grid(gan.generate_from(noise))[..., 0] / 255.0
    np.testing.assert_allclose(mpl_image.imread(grid.paths[1])[..., 0],
                               expected, atol=1 / 255)


def test_sample_grid_of_a_conditional_model_has_a_row_per_class(tmp_path):
    critic = keras_wgan.nets.dcgan.dcgan_critic((8, 8, 1), width=2,
                                                num_classes=3)
    generator = keras_wgan.nets.dcgan.dcgan_generator(4, (8, 8, 1), width=2,
                                                      num_classes=3)
    gan = keras_wgan.ConditionalWGANGP(critic, generator, 3, n_critic=1,
                                       seed=0)
    gan.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    # 5 samples for 3 classes: rounded up to 2 columns, 3 rows.
    grid = SampleGrid(tmp_path, num_samples=5, seed=4)
    gan.fit(images, rng.integers(0, 3, 16), batch_size=8, epochs=2,
            callbacks=[grid], verbose=0)
    first, last = (mpl_image.imread(path) for path in grid.paths)
    assert last.shape[:2] == (3 * 10 + 2, 2 * 10 + 2)
    assert not np.array_equal(first, last)  # same noise, new weights
    expected, columns = gan.class_grid(5, seed=4)
    assert columns == 2
    np.testing.assert_allclose(
        last[..., 0], image_grid(expected, columns=2)[..., 0] / 255.0,
        atol=1 / 255)


def test_sample_grid_config_and_arguments(tmp_path):
    grid = SampleGrid(tmp_path, num_samples=4, every=3, seed=7)
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(grid))
    assert isinstance(clone, SampleGrid)
    assert clone.get_config() == {"directory": str(tmp_path),
                                  "num_samples": 4, "every": 3, "seed": 7}
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
        SampleGrid(tmp_path, num_samples=0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        SampleGrid(tmp_path, seed=-1)


def test_terminate_round_trips_through_keras_serialization():
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(TerminateOnNonFinite()))
    assert isinstance(clone, TerminateOnNonFinite)


def _watching(epoch, steps=10):
    callback = TerminateOnNonFinite()
    callback.set_params({"epochs": 5, "steps": steps})
    callback.on_epoch_begin(epoch)
    return callback


@pytest.mark.parametrize("value, shown", [
    (math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_terminate_names_the_quantity_epoch_and_step(value, shown):
    callback = _watching(epoch=2)
    logs = {"critic_loss": 0.5, "gradient_penalty": np.float32(value),
            "generator_loss": math.nan}
    with pytest.raises(keras_wgan.NonFiniteError,
                       match=f"^gradient_penalty became {shown} at epoch 3, "
                       "step 5 of 10; training stopped"):
        callback.on_train_batch_end(4, logs)


def test_terminate_lets_finite_logs_pass():
    callback = _watching(epoch=0, steps=None)
    callback.on_train_batch_end(0, {"critic_loss": -1e30, "x": np.float32(3)})
    callback.on_train_batch_end(1, None)
    with pytest.raises(keras_wgan.NonFiniteError,
                       match=r"^x became nan at epoch 1, step 3;"):
        callback.on_train_batch_end(2, {"x": keras.ops.convert_to_tensor(
            np.nan)})
