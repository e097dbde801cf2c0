"""Tests for keras_wgan.data.resize: sizes and channels as Pillow gives
them, and the memory check."""

import numpy as np
import pytest
from PIL import Image
from PIL import ImageOps

from keras_wgan import data
from keras_wgan.data import resize
from tests.data.image_samples import ramp
from tests.data.image_samples import scaled

pytestmark = pytest.mark.backend_independent


def test_arrays_resized_and_converted_as_pillow(tmp_path):
    pixels = ramp(10, 6, channels=3)[np.newaxis]
    np.save(tmp_path / "rgb.npy", pixels)
    images = data.load_images(tmp_path / "rgb.npy", image_size=4, channels=1)
    expected = ImageOps.fit(Image.fromarray(pixels[0]).convert("L"), (4, 4),
                            method=Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(images[0, ..., 0],
                                  scaled(np.asarray(expected)))


def test_fit_images_keeps_images_of_the_size_asked():
    images = ramp(4 * 4, 3).reshape(1, 4, 4, 3)
    assert resize.fit_images(images, 4, None) is images
    assert resize.fit_images(images, None, None) is images


def test_float_images_are_resized_and_clipped_to_the_range():
    # A sharp edge: the Lanczos filter overshoots it, and the result is
    # clipped back to [-1, 1].
    images = np.full((1, 8, 8, 1), -1.0, np.float32)
    images[:, :, 4:] = 1.0
    resized = resize.fit_images(images, 6, None)
    assert resized.dtype == np.float32 and resized.shape == (1, 6, 6, 1)
    assert resized.min() == -1.0 and resized.max() == 1.0
    plane = Image.fromarray(images[0, :, :, 0])
    unclipped = np.asarray(resize.fit_square(plane, 6))
    assert unclipped.max() > 1.0  # what the clipping is for
    np.testing.assert_allclose(resized[0, :, :, 0],
                               np.clip(unclipped, -1, 1))


def test_convert_channels_as_pillow():
    colour = ramp(5, 6, channels=3)
    grey = resize.convert_channels(colour[np.newaxis], 1)
    np.testing.assert_array_equal(
        grey[0, :, :, 0], np.asarray(Image.fromarray(colour).convert("L")))
    rgb = resize.convert_channels(grey, 3)
    np.testing.assert_array_equal(rgb, np.repeat(grey, 3, axis=-1))
    floats = resize.convert_channels(scaled(colour)[np.newaxis], 1)
    np.testing.assert_allclose(floats[0, :, :, 0],
                               scaled(colour) @ [0.299, 0.587, 0.114],
                               rtol=1e-5)


def test_check_memory_refuses_what_does_not_fit(monkeypatch):
    monkeypatch.setattr(resize, "available_memory", lambda: 2**30)
    resize.check_memory(1000, 64, 3, 5)  # 61 MB
    with pytest.raises(ValueError, match=(
            r"^image_size 1000 needs 14\.0 GiB for 1000 images of "
            r"1000x1000x3, more than the 1\.0 GiB of memory available")):
        resize.check_memory(1000, 1000, 3, 5)
    monkeypatch.setattr(resize, "available_memory", lambda: None)
    resize.check_memory(10**6, 1000, 3, 5)  # unknown: not checked


def test_available_memory_reads_meminfo():
    available = resize.available_memory()
    assert available is None or available > 0
