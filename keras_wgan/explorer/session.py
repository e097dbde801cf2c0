"""What the explorer page shows, computed without the web framework.

`Explorer` holds a model (and, where known, its training images and run
folder) and answers each control of the page with arrays and numbers: the
samples of a seed with the critic's scores, a walk between two seeds, the
nearest training images of a sample, a run's curves and sample grids. Bad
input raises `ValueError` with a one-line message that the page shows.
"""

import csv
import os
import re
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from keras_wgan import latent
from keras_wgan.data.pixels import from_unit_range
from keras_wgan.tensor_types import ArrayLike

#: Samples per seed the page shows.
NUM_SAMPLES = 16
_GRID = re.compile(r"epoch_(\d+)\.png$")


def _int(name, value, minimum=0, maximum=None):
    """`value` as an int in range, or a one-line `ValueError`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not number.is_integer() or number < minimum or (
            maximum is not None and number > maximum):
        limit = (f"in [{minimum}, {maximum}]" if maximum is not None
                 else f">= {minimum}")
        raise ValueError(f"{name} must be a whole number {limit}, got "
                         f"{value!r}.")
    return int(number)


def pixels(images: ArrayLike) -> np.ndarray:
    """Images in [-1, 1] as uint8 RGB arrays `(N, H, W, 3)`, as shown.

    Example:

    >>> pixels(np.zeros((2, 4, 4, 1), "float32")).shape
    (2, 4, 4, 3)
    """
    values = from_unit_range(np.asarray(images))
    if values.shape[-1] == 1:
        values = np.repeat(values, 3, axis=-1)
    return values


class Explorer:
    """A model and what belongs to it, for the explorer page.

    Args:
        model: A trained `keras_wgan.AdversarialModel`.
        training_images: Its training images `(N, H, W, C)` in [-1, 1] for
            the nearest-neighbour search, or `None` (none shown).
        run: The run folder (`train --out`), for curves and sample grids,
            or `None`.
        class_names: Names of a conditional model's classes, or `None`
            (their numbers).

    Example:

    >>> explorer = Explorer(keras_wgan.pretrained("mnist-wgan"))
    >>> images, scores = explorer.samples(seed=3, count=4)
    >>> images.shape, scores.shape
    ((4, 28, 28, 1), (4,))
    >>> explorer.samples(seed=-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number >= 0, got -1.
    """

    def __init__(self, model: keras.Model,
                 training_images: ArrayLike | None = None,
                 run: str | os.PathLike | None = None,
                 class_names: Sequence[str] | None = None) -> None:
        self.model = model
        self.latent_dim = int(model.latent_dim)
        self.num_classes = getattr(model, "num_classes", None)
        if self.num_classes is not None and class_names is None:
            class_names = [str(c) for c in range(self.num_classes)]
        self.class_names = class_names
        self.training_images: Any = training_images
        self._flat = None
        if training_images is not None:
            self._flat = np.asarray(training_images, "float32").reshape(
                len(training_images), -1)
            self._norms = np.einsum("ij,ij->i", self._flat, self._flat)
        self.run = run

    # ------------------------------------------------------------ samples

    def check_class(self, label: int | str | None) -> int | None:
        """Returns a class number, checked against the model's classes."""
        if self.num_classes is None:
            if label not in (None, ""):
                raise ValueError("class applies to conditional models; this "
                                 f"{type(self.model).__name__} has none.")
            return None
        return _int("class", label, 0, self.num_classes - 1)

    def noise(self, seed: int, count: int = 1) -> np.ndarray:
        """The latent vectors `model.generate(count, seed=seed)` uses."""
        seed = _int("seed", seed)
        return keras.ops.convert_to_numpy(
            keras.random.normal((count, self.latent_dim), seed=seed))

    def images(self, noise: ArrayLike, label: int | None = None) -> np.ndarray:
        """Generates images from latent vectors (of one class)."""
        label = self.check_class(label)
        if label is None:
            return self.model.generate_from(noise)
        return self.model.generate_from(
            noise, np.full(len(noise), label, "int32"))

    def scores(self, images: ArrayLike, label: int | None = None) -> np.ndarray:
        """The critic's scores of images (of one class), shape `(N,)`."""
        label = self.check_class(label)
        images = keras.ops.convert_to_tensor(np.asarray(images, "float32"))
        x = images if label is None else (
            images, np.full(images.shape[0], label, "int32"))
        return keras.ops.convert_to_numpy(
            self.model.critic_scores(x, training=False)).reshape(-1)

    def samples(self, seed: int, count: int = NUM_SAMPLES,
                label: int | None = None) -> tuple:
        """`model.generate(count, seed=seed)` (of class `label`), scored.

        The noise depends on the seed alone, so the same seed gives the
        same latent points in every class.

        Returns:
            `(images, scores)`.
        """
        count = _int("count", count, 1, 256)
        images = self.images(self.noise(seed, count), label)
        return images, self.scores(images, label)

    def parse_latent(self, text: str) -> np.ndarray:
        """A latent vector from comma- or space-separated numbers."""
        parts = [p for p in re.split(r"[,\s]+", str(text).strip()) if p]
        try:
            vector = np.array([float(p) for p in parts], "float32")
        except ValueError:
            raise ValueError("the latent vector must be numbers separated "
                             "by commas or spaces.") from None
        if vector.shape != (self.latent_dim,):
            raise ValueError(f"the latent vector must have {self.latent_dim} "
                             f"numbers (the model's latent size), got "
                             f"{vector.size}.")
        if not np.all(np.isfinite(vector)):
            raise ValueError("the latent vector must hold finite numbers.")
        return vector

    def walk(self, seed_a: int, seed_b: int, steps: int = 8,
             method: str = "spherical", label: int | None = None) -> tuple:
        """The images on the path between the latents of two seeds.

        The ends are `noise(seed_a)` and `noise(seed_b)`, the first image
        of `generate(1, seed=...)` for each; the path is
        `keras_wgan.latent.interpolate(start, end, steps, method)`.

        Returns:
            `(images, scores)`, `steps` of each.
        """
        steps = _int("steps", steps, 2, 64)
        if method not in ("linear", "spherical"):
            raise ValueError("method must be 'linear' or 'spherical', got "
                             f"{method!r}.")
        path = latent.interpolate(self.noise(seed_a)[0],
                                  self.noise(seed_b)[0], steps, method)
        images = self.images(path, label)
        return images, self.scores(images, label)

    def class_grid(self, seed: int, columns: int = 8) -> tuple:
        """One row per class, the same noise in every row (one column:
        the classes wrap into rows, as `class_grid` lays them out)."""
        if self.num_classes is None:
            raise ValueError("a class grid needs a conditional model.")
        columns = _int("columns", columns, 1, 64)
        return self.model.class_grid(columns * self.num_classes,
                                     seed=_int("seed", seed))

    # ------------------------------------------------- nearest neighbours

    def nearest(self, image: ArrayLike, count: int = 8) -> tuple:
        """The training images nearest to `image` (Euclidean, in pixels).

        Returns:
            `(indices, distances, images)`, nearest first.
        """
        if self._flat is None:
            raise ValueError("no training images are loaded for this model.")
        query = np.asarray(image, "float32").reshape(-1)
        if query.size != self._flat.shape[1]:
            raise ValueError(f"the image has {query.size} values, the "
                             f"training images {self._flat.shape[1]}.")
        squared = self._norms - 2.0 * (self._flat @ query) + query @ query
        count = min(_int("count", count, 1, 64), len(squared))
        order = np.argsort(squared, kind="stable")[:count]
        distances = np.sqrt(np.maximum(squared[order], 0.0))
        return order, distances, self.training_images[order]

    # ----------------------------------------------------------- run folder

    def curves(self) -> dict:
        """`metrics.csv` of the run as `{column: [values]}`, or `{}`."""
        path = None if self.run is None else os.path.join(
            self.run, "metrics.csv")
        if path is None or not os.path.exists(path):
            return {}
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        columns = {}
        for name in rows[0] if rows else ():
            try:
                columns[name] = [float(row[name]) for row in rows]
            except ValueError:
                continue  # a column that is not numbers
        return columns

    def grid_epochs(self) -> dict:
        """`{epoch: path}` of the run's sample grids."""
        folder = None if self.run is None else os.path.join(
            self.run, "samples")
        if folder is None or not os.path.isdir(folder):
            return {}
        found = {}
        for name in sorted(os.listdir(folder)):
            match = _GRID.fullmatch(name)
            if match:
                found[int(match.group(1))] = os.path.join(folder, name)
        return found
