"""Pixels and the [-1, 1] range: `to_unit_range` and `from_unit_range`.

Every loader of this package returns images in [-1, 1], the range of a
`tanh` generator; the sample grids and the Inception metrics turn them back
into 8-bit pixels. These two functions are the one place that does either.
"""

import numpy as np
from numpy.typing import ArrayLike

# The largest value of each pixel type these functions read or write.
_PIXEL_MAX = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}


def to_unit_range(pixels: ArrayLike) -> np.ndarray:
    """Scales 8- or 16-bit pixels to float32 values in [-1, 1].

    A pixel `x` of type uint8 (0..255) becomes `x / 127.5 - 1`, one of
    type uint16 (0..65535) `x / 32767.5 - 1`: black (0) is -1 and white
    (255 or 65535) is 1. The arithmetic is float32, in place in the result,
    so a large split needs no float64 copy.

    Args:
        pixels: A uint8 or uint16 array, any shape.

    Returns:
        A float32 NumPy array of the same shape, in [-1, 1].

    Raises:
        ValueError: `pixels` is not a uint8 or uint16 array.

    Example:

    >>> to_unit_range(np.array([0, 51, 255], np.uint8))
    array([-1. , -0.6,  1. ], dtype=float32)
    >>> to_unit_range(np.array([0, 65535], np.uint16))
    array([-1.,  1.], dtype=float32)
    """
    pixels = np.asarray(pixels)
    if pixels.dtype not in _PIXEL_MAX:
        raise ValueError(
            "pixels must be uint8 (0..255) or uint16 (0..65535), got dtype "
            f"{pixels.dtype}."
        )
    scaled = pixels.astype(np.float32)
    scaled /= _PIXEL_MAX[pixels.dtype] / 2
    scaled -= 1.0
    return scaled


def from_unit_range(images: ArrayLike, dtype: str | type = "uint8"
                    ) -> np.ndarray:
    """Turns values in [-1, 1] into 8- or 16-bit pixels; inverts
    `to_unit_range`.

    A value `x` becomes `(x + 1) * 127.5` (uint8) or `(x + 1) * 32767.5`
    (uint16), rounded to the nearest integer, halves to even
    (`numpy.round`). So pixels scaled by `to_unit_range` come back exactly.

    Args:
        images: Array of floats in [-1, 1], any shape.
        dtype: The pixel type to return, `"uint8"` or `"uint16"`.

    Returns:
        A NumPy array of `dtype` and the shape of `images`.

    Raises:
        ValueError: `dtype` is not uint8 or uint16, or `images` has a value
            outside [-1, 1] (NaN included).

    Example:

    >>> from_unit_range(np.array([-1.0, -0.5, 0.0, 1.0]))
    array([  0,  64, 128, 255], dtype=uint8)
    >>> pixels = np.arange(256, dtype=np.uint8)
    >>> bool(np.all(from_unit_range(to_unit_range(pixels)) == pixels))
    True
    """
    try:
        pixel_type = np.dtype(dtype)
    except TypeError:
        pixel_type = None
    if pixel_type not in _PIXEL_MAX:
        raise ValueError(
            f"dtype must be 'uint8' or 'uint16', got {dtype!r}."
        )
    images = np.asarray(images)
    if images.size and not (images.min() >= -1.0 and images.max() <= 1.0):
        raise ValueError(
            "images must have values in [-1, 1], got "
            f"[{images.min():g}, {images.max():g}]."
        )
    # float64 for uint16: 65536 levels need more than float32's precision
    # near 1 to round back to the pixel they came from.
    values = images.astype(np.float64) if pixel_type == np.uint16 else images
    half = _PIXEL_MAX[pixel_type] / 2
    return np.round((values + 1.0) * half).astype(pixel_type)
