"""Images brought to one size and number of channels, as Pillow would.

`fit_images` scales arrays of images to a square of `image_size` and
converts them to grey or RGB; `fit_square` does it to one Pillow image;
`check_memory` refuses a size whose images would not fit in memory, before
any is resized.
"""

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image as PILImage

#: The numbers of channels a loader can be asked for (`None`: as they are).
CHANNELS = (None, 1, 3)


def fit_images(images: np.ndarray, image_size: int | None,
               channels: int | None) -> np.ndarray:
    """Converts images to `channels` and scales them to `image_size`.

    Images not already `image_size x image_size` are scaled (Lanczos
    filter) so that their shorter side is `image_size`, then centre-cropped
    to a square, channel by channel. Float images are clipped back to
    [-1, 1] after scaling: the Lanczos filter overshoots at sharp edges.

    Args:
        images: uint8 or float32 images `(N, H, W, C)`, C = 1 or 3.
        image_size: The side of the square images to return, or `None` to
            keep their size.
        channels: 1 (grey, see `convert_channels`), 3 (RGB) or `None` to
            keep them.

    Returns:
        The images `(N, image_size, image_size, channels)`, of the dtype of
        `images`.

    Raises:
        ValueError: The resized images would not fit in memory (see
            `check_memory`).

    Example:

    >>> images = np.zeros((2, 6, 4, 3), np.uint8)
    >>> fit_images(images, image_size=2, channels=1).shape
    (2, 2, 2, 1)
    """
    images = convert_channels(images, channels)
    if image_size is None or images.shape[1:3] == (image_size, image_size):
        return images
    # uint8 images are scaled to float32 afterwards.
    check_memory(len(images), image_size, images.shape[-1],
                 images.itemsize + (4 if images.dtype == np.uint8 else 0))
    from PIL import Image

    count, _, _, depth = images.shape
    resized = np.empty((count, image_size, image_size, depth), images.dtype)
    for index in range(count):
        for channel in range(depth):
            # One channel at a time: Pillow resizes uint8 ("L") and float
            # ("F") planes alike, and RGB channels independently anyway.
            plane = np.ascontiguousarray(images[index, :, :, channel])
            resized[index, :, :, channel] = np.asarray(
                fit_square(Image.fromarray(plane), image_size))
    if resized.dtype != np.uint8:
        # Lanczos overshoots at sharp edges.
        np.clip(resized, -1.0, 1.0, out=resized)
    return resized


def fit_square(image: "PILImage.Image", size: int) -> "PILImage.Image":
    """Scales a Pillow image to a `size` square, centre-cropping the rest.

    Args:
        image: A `PIL.Image.Image`.
        size: The side of the square, in pixels.

    Returns:
        A new `PIL.Image.Image` of `size x size` pixels, scaled with the
        Lanczos filter (`PIL.ImageOps.fit`).

    Example:

    >>> from PIL import Image
    >>> fit_square(Image.new("L", (40, 30)), 16).size
    (16, 16)
    """
    from PIL import Image
    from PIL import ImageOps

    return ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)


def convert_channels(images: np.ndarray, channels: int | None) -> np.ndarray:
    """Converts images to grey (1 channel) or RGB (3 channels).

    Grey is ITU-R 601-2 luma, as Pillow's `convert("L")`: for uint8 images
    in its 16-bit fixed point, so that the result is Pillow's to the bit;
    RGB repeats the grey channel.

    Args:
        images: uint8 or float32 images `(N, H, W, C)`, C = 1 or 3.
        channels: 1, 3, or `None` to keep them.

    Returns:
        The images `(N, H, W, channels)`, of the dtype of `images`.

    Example:

    >>> red = np.array([[[[255, 0, 0]]]], np.uint8)
    >>> convert_channels(red, 1)[0, 0, 0]
    array([76], dtype=uint8)
    """
    if channels is None or channels == images.shape[-1]:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    if images.dtype == np.uint8:
        red, green, blue = (images[..., i].astype(np.uint32)
                            for i in range(3))
        # Pillow's convert("L"): ITU-R 601-2 luma in 16-bit fixed point.
        grey = (red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16
        return grey.astype(np.uint8)[..., np.newaxis]
    weights = np.asarray([0.299, 0.587, 0.114], np.float32)
    return (images @ weights)[..., np.newaxis].astype(np.float32)


def check_memory(count: int, image_size: int, depth: int,
                 bytes_per_value: int) -> None:
    """Refuses an `image_size` whose images would not fit in memory.

    Args:
        count: The number of images.
        image_size: Their side, in pixels.
        depth: Their number of channels.
        bytes_per_value: The bytes each value takes (all copies together).

    Raises:
        ValueError: They need more than `available_memory()` (the message,
            starting with "image_size", says how much). Where the system
            does not say, nothing is checked.

    Example:

    >>> check_memory(16, 64, 3, 4)  # 0.2 MiB
    """
    need = count * image_size * image_size * depth * bytes_per_value
    available = available_memory()
    if available is not None and need > available:
        raise ValueError(
            f"image_size {image_size} needs {need / 2**30:.1f} GiB for "
            f"{count} images of {image_size}x{image_size}x{depth}, more "
            f"than the {available / 2**30:.1f} GiB of memory available; "
            "choose a smaller image_size or fewer images."
        )


def available_memory() -> int | None:
    """The bytes of memory available to new allocations.

    Returns:
        Linux's `MemAvailable` of `/proc/meminfo`, in bytes, or `None`
        where the system does not say.

    Example:

    >>> available_memory() is None or available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
