"""Images in [-1, 1] tiled into a grid of 8-bit pixels, written as PNG.

The pixels are `keras_wgan.data.from_unit_range` of the images: images read
from 8-bit pixels by the loaders get those pixels back exactly.
"""

import math
import os

import numpy as np
from numpy.typing import ArrayLike

from keras_wgan._atomic import write_atomically
from keras_wgan.data.pixels import from_unit_range


def image_grid(images: ArrayLike, columns: int | None = None,
               padding: int = 2) -> np.ndarray:
    """Tiles images into one array, in row-major order.

    Args:
        images: Array `(N, H, W, C)` with values in `[-1, 1]`, C = 1 or 3.
        columns: Images per row; `None` gives a near-square grid.
        padding: Pixels of white between and around images.

    Returns:
        `uint8` array `(rows * (H + padding) + padding, ..., C)` with the
        images mapped from `[-1, 1]` to `[0, 255]` (`from_unit_range`).

    Example:

    Five 2x2 images, black (-1) to white (1), in a near-square grid of 3
    columns and 2 rows, with 1 white pixel between them:

    >>> images = np.linspace(-1, 1, 5).reshape(5, 1, 1, 1) * np.ones((2, 2, 1))
    >>> grid = image_grid(images, padding=1)
    >>> grid.shape
    (7, 10, 1)
    >>> grid[..., 0]
    array([[255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
           [255,   0,   0, 255,  64,  64, 255, 128, 128, 255],
           [255,   0,   0, 255,  64,  64, 255, 128, 128, 255],
           [255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
           [255, 191, 191, 255, 255, 255, 255, 255, 255, 255],
           [255, 191, 191, 255, 255, 255, 255, 255, 255, 255],
           [255, 255, 255, 255, 255, 255, 255, 255, 255, 255]], dtype=uint8)
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "images must have shape (N, height, width, 1 or 3), "
            f"got {images.shape}."
        )
    count, height, width, channels = images.shape
    if columns is None:
        columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    pixels = from_unit_range(images)
    grid = np.full(
        (
            rows * (height + padding) + padding,
            columns * (width + padding) + padding,
            channels,
        ),
        255,
        dtype=np.uint8,
    )
    for index in range(count):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    return grid


def save_image_grid(images: ArrayLike, path: str | os.PathLike,
                    columns: int | None = None) -> str | os.PathLike:
    """Writes `image_grid(images, columns)` to `path` as a PNG file.

    The file is written to a temporary name and renamed, so a reader never
    sees a half-written picture.

    Args:
        images: Array `(N, H, W, C)` in `[-1, 1]`.
        path: Output file name ending in `.png`.
        columns: Images per row, or `None`.

    Returns:
        `path`.

    Example:

    >>> save_image_grid(keras_wgan.data.load_mnist("test")[:16], "digits.png")
    'digits.png'
    >>> from matplotlib import image as mpl_image
    >>> mpl_image.imread("digits.png").shape  # 4x4 digits, RGBA
    (122, 122, 4)
    """
    from matplotlib import image as mpl_image

    grid = image_grid(images, columns=columns)
    if grid.shape[-1] == 1:
        grid = np.repeat(grid, 3, axis=-1)
    return write_atomically(
        path, lambda temporary: mpl_image.imsave(temporary, grid)
    )

def block_columns(count: int) -> int:
    """Returns the columns of a near-square grid of `count` images in order.

    The smallest divisor of `count` from `sqrt(count)` on, so that every
    row is full, where one lies within twice `sqrt(count)`; otherwise
    `ceil(sqrt(count))`. For images in class order whose classes number
    a product (coloured MNIST's 200 joint classes, 20 colour pairs for
    each digit), the rows come out as the outer factor: 10 rows of 20.

    Args:
        count: The number of images, an int >= 1.

    Returns:
        An int in `[1, count]`.

    Example:

    >>> block_columns(200), block_columns(10), block_columns(7), block_columns(1)
    (20, 5, 3, 1)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an int >= 1, got {count!r}.")
    root = math.sqrt(count)
    for columns in range(math.ceil(root), math.floor(2 * root) + 1):
        if count % columns == 0:
            return columns
    return math.ceil(root)


__all__ = [
    "block_columns",
    "image_grid",
    "save_image_grid",
]
