"""Coloured MNIST: a reproducible 32x32 RGB data set built from MNIST.

Neither CIFAR-10 nor CelebA can be downloaded everywhere; MNIST is embedded
in this package, so colouring it gives an RGB data set that always loads
offline, with labels a classifier can check samples against: the digit,
the colour of its strokes and the colour of its background.
`joint_labels` numbers the 200 combinations, the classes of the shipped
coloured MNIST classifier.
"""

import logging
import os

import numpy as np
from numpy.typing import ArrayLike

from keras_wgan.argument_validation import check_class_labels
from keras_wgan.data import mnist
from keras_wgan.data import mnist_sources
from keras_wgan.data.pixels import to_unit_range

_LOGGER = logging.getLogger(__name__)

#: The colours of the strokes and backgrounds: `(name, (red, green, blue))`,
#: CSS colours; a colour's index in this tuple is its label.
PALETTE = (
    ("black", (0, 0, 0)),
    ("white", (255, 255, 255)),
    ("red", (255, 0, 0)),
    ("green", (0, 128, 0)),
    ("blue", (0, 0, 255)),
)

# Part of the seed, so that the two splits get independent colours.
_SPLIT_CODES = {"train": 0, "test": 1}
_PAD = 2  # MNIST's 28x28 digits padded to 32x32 on each side
# Images coloured at once: bounds the uint16 intermediate to about 60 MB.
_CHUNK = 10_000


def load_coloured_mnist(split: str = "train",
                        data_dir: str | os.PathLike | None = None,
                        return_labels: bool = False, *,
                        download: bool = False, return_colours: bool = False,
                        seed: int = 0
                        ) -> np.ndarray | tuple[np.ndarray, ...]:
    """Loads coloured MNIST: 32x32 RGB digits scaled to [-1, 1].

    Built from MNIST (`load_mnist`'s sources: `data_dir`, a prepared
    tensorflow-datasets copy, the `keras.datasets` cache or the copy
    embedded in this package, all with the same content) as follows:

    1. Each 28x28 digit `a` (uint8, 0 background, 255 stroke) is padded
       with 2 background pixels on each side, to 32x32.
    2. Image `i` of the split gets a stroke colour `f` and a background
       colour `b`, two different indices into `PALETTE` (black, white,
       red, green, blue), from two 64-bit words `u, v` of NumPy's PCG64
       generator seeded with `np.random.SeedSequence([seed, s])`, where
       `s` is 0 for the train split and 1 for the test split:
       `words = np.random.PCG64(...).random_raw(2 * N).reshape(N, 2)`,
       `u, v = words[i]`, `f = u % 5` and `b = (f + 1 + v % 4) % 5`. So
       every stroke colour is equally likely, every background colour is
       too, they always differ, and image `i` gets the same colours at
       every call (PCG64's raw stream is fixed by NumPy's policy, NEP 19).
    3. Each pixel blends the two colours by the digit's value, in integer
       arithmetic, channel by channel:
       `(b_rgb * (255 - a) + f_rgb * a + 127) // 255`, so anti-aliased
       stroke edges fall between the two colours.
    4. The uint8 result is scaled as in `load_mnist`, `x / 127.5 - 1`
       (`to_unit_range`).

    The train split has 60,000 images, the test split 10,000, with 20
    (stroke, background) colour pairs about equally often. One line is
    logged on the `"keras_wgan"` logger: where MNIST came from and the
    number of images.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder of MNIST's IDX files, as in `load_mnist`.
        return_labels: If `True`, also return the digit labels.
        download: As in `load_mnist`; never needed while MNIST is embedded.
        return_colours: If `True`, also return the colour labels.
        seed: The integer >= 0 that chooses the colours; the default 0
            gives the data set this package documents and trains on.

    Returns:
        A float32 array `(N, 32, 32, 3)` with values in [-1, 1]; with
        `return_labels`, then int64 digit labels `(N,)` in 0..9; with
        `return_colours`, then int64 colour labels `(N, 2)`: the stroke
        colour and the background colour, indices into `PALETTE`. Several
        results come as a tuple in that order.

    Raises:
        ValueError: `split` or `seed` is not one of the values above.
        FileNotFoundError: As `load_mnist`.

    Example:

    >>> images, digits, colours = load_coloured_mnist(
    ...     "test", return_labels=True, return_colours=True)
    >>> images.shape, images.dtype, digits[:3]
    ((10000, 32, 32, 3), dtype('float32'), array([7, 2, 1]))
    >>> colours[:2]
    array([[4, 0],
           [1, 4]])
    >>> [PALETTE[index][0] for index in colours[1]]  # the 2 is white on blue
    ['white', 'blue']
    >>> images[1, 0, 0]  # a corner: background
    array([-1., -1.,  1.], dtype=float32)
    """
    seed = _check_seed(seed)
    digits, labels, where, skipped = mnist.read_split(
        mnist_sources.MNIST, split, data_dir, download=download)
    colours = palette_indices(len(digits), split, seed)
    images = _colour(digits, colours)
    details = "; ".join([f"{len(images)} images", *skipped])
    _LOGGER.info(f"coloured MNIST {split!r} (seed {seed}) from MNIST from "
                 f"{where} ({details})")
    results: tuple[np.ndarray, ...] = (images,)
    if return_labels:
        results += (labels,)
    if return_colours:
        results += (colours,)
    return results[0] if len(results) == 1 else results


def load_coloured_mnist_joint(split: str = "train",
                              data_dir: str | os.PathLike | None = None,
                              return_labels: bool = False, *,
                              download: bool = False, seed: int = 0
                              ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Loads coloured MNIST labelled by digit and colours together.

    The images of `load_coloured_mnist`; the label of each is its joint
    class, digit, stroke colour and background colour numbered 0..199 by
    `joint_labels`. Trained on these labels, a conditional model is asked
    for a digit in given colours (`joint_labels([7], [[2, 4]])`: a red 7 on
    blue), and `keras_wgan.quality.load_classifier("coloured_mnist")`,
    whose classes are the same 200, tells whether it drew them.
    `data.class_names("coloured_mnist_joint")` names the classes.

    Args:
        split: `"train"` or `"test"`.
        data_dir: Optional folder of MNIST's IDX files, as in `load_mnist`.
        return_labels: If `True`, also return the joint labels.
        download: As in `load_mnist`.
        seed: The integer >= 0 that chooses the colours, as in
            `load_coloured_mnist`.

    Returns:
        Images as `load_coloured_mnist`'s; with `return_labels`, the pair
        `(images, labels)`, int64 labels `(N,)` in 0..199.

    Example:

    >>> images, labels = load_coloured_mnist_joint("test", return_labels=True)
    >>> labels[:2]  # a blue 7 on black, a white 2 on blue
    array([156,  47])
    >>> split_joint_labels(labels[:2])[0]
    array([7, 2])
    """
    images, digits, colours = load_coloured_mnist(
        split, data_dir, return_labels=True, download=download,
        return_colours=True, seed=seed)
    if not return_labels:
        return images
    return images, joint_labels(digits, colours)


def joint_class_names() -> tuple[str, ...]:
    """Names the 200 joint classes: `"7 red on blue"`, label `i` item `i`.

    Example:

    >>> names = joint_class_names()
    >>> len(names), names[0], names[156]
    (200, '0 black on white', '7 blue on black')
    """
    digits, colours = split_joint_labels(np.arange(NUM_JOINT_CLASSES))
    return tuple(
        f"{digit} {PALETTE[stroke][0]} on {PALETTE[background][0]}"
        for digit, (stroke, background) in zip(digits, colours))


def palette_indices(count: int, split: str = "train", seed: int = 0
                    ) -> np.ndarray:
    """The (stroke, background) colours of the first `count` images.

    Step 2 of `load_coloured_mnist`, on its own: image `i`'s colours do not
    depend on `count`, so the first images of a split can be coloured
    without the rest.

    Args:
        count: Number of images, an integer >= 0.
        split: `"train"` or `"test"`.
        seed: The integer >= 0 that chooses the colours.

    Returns:
        An int64 array `(count, 2)`: stroke and background colours, indices
        into `PALETTE`.

    Example:

    >>> palette_indices(3, "test")
    array([[4, 0],
           [1, 4],
           [2, 0]])
    """
    if split not in _SPLIT_CODES:
        raise ValueError(
            f"split must be one of {tuple(_SPLIT_CODES)}, got {split!r}."
        )
    seed = _check_seed(seed)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) \
            or count < 0:
        raise ValueError(f"count must be an integer >= 0, got {count!r}.")
    sequence = np.random.SeedSequence([seed, _SPLIT_CODES[split]])
    words = np.random.PCG64(sequence).random_raw(2 * int(count))
    words = words.reshape(-1, 2)
    size = np.uint64(len(PALETTE))
    stroke = words[:, 0] % size
    background = (stroke + np.uint64(1) + words[:, 1] % (size - np.uint64(1))
                  ) % size
    return np.stack([stroke, background], axis=1).astype(np.int64)


#: The number of joint classes, (digit, stroke colour, background colour):
#: 10 digits times the 20 ordered pairs of different `PALETTE` colours.
NUM_JOINT_CLASSES = 10 * len(PALETTE) * (len(PALETTE) - 1)


def joint_labels(digits: ArrayLike, colours: ArrayLike) -> np.ndarray:
    """Numbers each (digit, stroke colour, background colour) 0..199.

    The classes of the shipped coloured MNIST classifier
    (`keras_wgan.quality.load_classifier("coloured_mnist")`). With `n`
    colours in `PALETTE` (5), the `n * (n - 1)` ordered pairs of different
    colours are numbered in lexicographic order of (stroke, background),
    `pair = (n - 1) * stroke + background - (background > stroke)`, and
    the joint label is `n * (n - 1) * digit + pair`: labels 0..19 are the
    zeros (black on white, black on red, ..., blue on green), 20..39 the
    ones, and so on. `split_joint_labels` inverts it.

    Args:
        digits: Integer array `(N,)` of digits 0..9.
        colours: Integer array `(N, 2)` of (stroke, background) indices into
            `PALETTE`, the two different, as `load_coloured_mnist` returns.

    Returns:
        An int64 array `(N,)` of labels in `0..NUM_JOINT_CLASSES - 1`.

    Example:

    >>> joint_labels([0, 0, 7], [[0, 1], [4, 3], [4, 0]])
    array([  0,  19, 156])
    """
    digits = check_class_labels("digits", digits, 10)
    colours = np.asarray(colours)
    if colours.shape != (len(digits), 2):
        raise ValueError(
            f"colours must have shape ({len(digits)}, 2) to match digits, "
            f"got {colours.shape}."
        )
    stroke = check_class_labels("colours", colours[:, 0], len(PALETTE))
    background = check_class_labels("colours", colours[:, 1],
                                    len(PALETTE))
    if np.any(stroke == background):
        raise ValueError(
            "colours must pair two different colours (stroke != "
            f"background), got {colours[stroke == background][0].tolist()}."
        )
    pairs = (len(PALETTE) - 1) * stroke + background - (background > stroke)
    return NUM_JOINT_CLASSES // 10 * digits + pairs


def split_joint_labels(labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Splits joint labels back into digits and colours.

    The inverse of `joint_labels`.

    Args:
        labels: Integer array `(N,)` of labels in
            `0..NUM_JOINT_CLASSES - 1`.

    Returns:
        `(digits, colours)`: int64 arrays `(N,)` and `(N, 2)`, the colours
        as (stroke, background) indices into `PALETTE`.

    Example:

    >>> digits, colours = split_joint_labels([0, 19, 156])
    >>> digits, colours.tolist()
    (array([0, 0, 7]), [[0, 1], [4, 3], [4, 0]])
    """
    labels = check_class_labels("labels", labels, NUM_JOINT_CLASSES)
    digits, pairs = np.divmod(labels, NUM_JOINT_CLASSES // 10)
    stroke, rest = np.divmod(pairs, len(PALETTE) - 1)
    background = rest + (rest >= stroke)
    return digits, np.stack([stroke, background], axis=1)


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}.")
    return int(seed)


def _colour(digits, colours):
    """Pads and colours uint8 digits `(N, 28, 28)`: float32 `(N, 32, 32, 3)`.

    Steps 1, 3 and 4 of `load_coloured_mnist`, a chunk of images at a time
    so that the integer intermediate stays small beside the result.
    """
    rgb = np.asarray([colour for _, colour in PALETTE], dtype=np.uint16)
    padded = np.pad(digits, ((0, 0), (_PAD, _PAD), (_PAD, _PAD)))
    images = np.empty((*padded.shape, 3), dtype=np.float32)
    for start in range(0, len(padded), _CHUNK):
        chunk = slice(start, start + _CHUNK)
        alpha = padded[chunk, :, :, np.newaxis].astype(np.uint16)
        stroke = rgb[colours[chunk, 0]][:, np.newaxis, np.newaxis, :]
        background = rgb[colours[chunk, 1]][:, np.newaxis, np.newaxis, :]
        # At most 255 * 255 + 127, so uint16 never overflows.
        pixels = (background * (255 - alpha) + stroke * alpha + 127) // 255
        images[chunk] = to_unit_range(pixels.astype(np.uint8))
    return images
