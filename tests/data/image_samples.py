"""Small images for the data tests, and the scaling they expect."""

import numpy as np
from PIL import Image


def scaled(pixels):
    """The float32 values the loaders give uint8 `pixels`, x / 127.5 - 1,
    computed here on their own."""
    return np.asarray(pixels, np.float32) / 127.5 - 1


def save(path, pixels, mode=None):
    """Writes uint8 `pixels` (H, W) or (H, W, 3) as an image file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8), mode).save(path)
    return path


def grey(value, height=5, width=4):
    return np.full((height, width), value, np.uint8)


def ramp(height, width, channels=None, start=0):
    """uint8 pixels with many different values."""
    shape = (height, width) + ((channels,) if channels else ())
    return ((np.arange(np.prod(shape)) * 7 + start) % 256).astype(
        np.uint8).reshape(shape)


def cache_files(keras_home):
    """The folder caches in the default cache folder."""
    return sorted((keras_home / "keras_wgan" / "images").glob("*.npz"))
