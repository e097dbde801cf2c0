"""Tests for keras_wgan.data.pixels: 8- and 16-bit pixels to [-1, 1] and
back."""

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data.pixels import from_unit_range
from keras_wgan.data.pixels import to_unit_range

pytestmark = pytest.mark.backend_independent


def test_uint8_pixels_map_linearly_onto_minus_one_to_one():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    values = to_unit_range(pixels)
    assert values.dtype == np.float32 and values.shape == (16, 16)
    # The end points are exact, so a tanh generator's range matches.
    assert values[0, 0] == -1.0 and values[-1, -1] == 1.0
    np.testing.assert_allclose(values.ravel(),
                               np.arange(256) / 127.5 - 1, atol=1e-7)
    assert np.all(np.diff(values.ravel()) > 0)


def test_uint16_pixels_use_their_own_scale():
    pixels = np.array([0, 257, 32768, 65535], np.uint16)
    np.testing.assert_allclose(
        to_unit_range(pixels), [-1, 257 / 32767.5 - 1, 32768 / 32767.5 - 1, 1],
        atol=1e-7)


@pytest.mark.parametrize("pixels", [
    np.zeros(3, np.float32), np.zeros(3, np.int16), np.zeros(3, np.uint32),
    [0, 255],
])
def test_other_pixel_types_are_refused(pixels):
    with pytest.raises(ValueError, match=(
            r"^pixels must be uint8 \(0\.\.255\) or uint16 \(0\.\.65535\), "
            r"got dtype \w+\.$")):
        to_unit_range(pixels)


@pytest.mark.parametrize("dtype, count", [("uint8", 256), ("uint16", 65536)])
def test_from_unit_range_inverts_to_unit_range(dtype, count):
    pixels = np.arange(count).astype(dtype)
    back = from_unit_range(to_unit_range(pixels), dtype)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, pixels)


def test_from_unit_range_rounds_half_to_even():
    # 0 is 127.5 on the 8-bit scale, -0.5 is 63.75.
    np.testing.assert_array_equal(
        from_unit_range(np.array([-1.0, -0.5, 0.0, 0.999, 1.0])),
        [0, 64, 128, 255, 255])


@pytest.mark.parametrize("images, message", [
    (np.array([0.0, 1.5]), r"^images must have values in \[-1, 1\], got "
                           r"\[0, 1\.5\]\.$"),
    (np.array([np.nan]), r"^images must have values in \[-1, 1\]"),
])
def test_from_unit_range_refuses_values_outside(images, message):
    with pytest.raises(ValueError, match=message):
        from_unit_range(images)


@pytest.mark.parametrize("dtype", ["float32", "int8", "not a type"])
def test_from_unit_range_refuses_other_types(dtype):
    with pytest.raises(ValueError, match=(
            rf"^dtype must be 'uint8' or 'uint16', got '{dtype}'\.$")):
        from_unit_range(np.zeros(2), dtype)


def test_exported_by_the_data_package():
    assert data.to_unit_range is to_unit_range
    assert data.from_unit_range is from_unit_range
