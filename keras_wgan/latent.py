"""Paths through a generator's latent space: interpolations, walks, classes.

Used to explore a trained generator (see `notebooks/03_latent_space.ipynb`):
map the returned latent vectors to images with `model.generate_from`.
All functions take and return NumPy float32 arrays and run on any backend.
"""

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.tensor_types import ArrayLike

__all__ = [
    "INTERPOLATIONS",
    "interpolate",
    "latents_by_class",
    "walk",
]

#: The paths `interpolate` draws between two latents, by `method`.
INTERPOLATIONS = ("linear", "spherical")


def _vector(name, value):
    value = np.asarray(value, dtype="float32")
    if value.ndim != 1 or value.size == 0:
        raise ValueError(
            f"{name} must be a vector of shape (latent_dim,), got shape "
            f"{value.shape}."
        )
    return value


def interpolate(start: ArrayLike, end: ArrayLike, steps: int = 8,
                method: str = "spherical") -> np.ndarray:
    """Returns latent vectors on a path from `start` to `end`, both included.

    `"linear"` moves along the straight line. `"spherical"` (slerp) moves
    along the great circle, with the norm interpolated linearly: for a
    high-dimensional Gaussian prior almost all the mass lies near the
    sphere of radius `sqrt(latent_dim)`, and the midpoint of a straight
    line between two samples falls well inside it (its norm is about
    `1/sqrt(2)` of theirs for independent samples), where the generator saw
    little noise in training (White, 2016, "Sampling Generative Networks").

    Args:
        start: Latent vector `(latent_dim,)`.
        end: Latent vector of the same shape.
        steps: Number of vectors, an int >= 2.
        method: `"linear"` or `"spherical"`.

    Returns:
        float32 array `(steps, latent_dim)`; row 0 is `start`, the last row
        `end`.

    Example:

    >>> gan = keras_wgan.pretrained("mnist-wgan-gp")
    >>> noise = np.random.default_rng(0).standard_normal((2, gan.latent_dim))
    >>> path = interpolate(noise[0], noise[1], steps=10)
    >>> gan.generate_from(path).shape
    (10, 28, 28, 1)

    The norm moves evenly from one end's to the other's:

    >>> [round(float(norm), 1) for norm in np.linalg.norm(path, axis=1)]
    [10.8, 10.9, 11.1, 11.2, 11.4, 11.5, 11.6, 11.8, 11.9, 12.1]
    """
    start = _vector("start", start)
    end = _vector("end", end)
    if start.shape != end.shape:
        raise ValueError(
            f"end must have the shape of start {start.shape}, got "
            f"{end.shape}."
        )
    steps = argument_validation.check_int("steps", steps, minimum=2)
    method = argument_validation.check_choice("method", method, INTERPOLATIONS)
    t = np.linspace(0.0, 1.0, steps, dtype="float64")[:, None]
    a, b = start.astype("float64"), end.astype("float64")
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if method == "linear" or norm_a == 0.0 or norm_b == 0.0:
        return ((1 - t) * a + t * b).astype("float32")
    unit_a, unit_b = a / norm_a, b / norm_b
    angle = np.arccos(np.clip(unit_a @ unit_b, -1.0, 1.0))
    if angle < 1e-6:
        # Parallel vectors: the great circle degenerates to the line.
        return ((1 - t) * a + t * b).astype("float32")
    direction = (np.sin((1 - t) * angle) * unit_a
                 + np.sin(t * angle) * unit_b) / np.sin(angle)
    return (direction * ((1 - t) * norm_a + t * norm_b)).astype("float32")


def walk(latent: ArrayLike, dimension: int, values: ArrayLike) -> np.ndarray:
    """Returns copies of `latent` with one coordinate set to each value.

    Args:
        latent: Latent vector `(latent_dim,)`.
        dimension: Index of the coordinate to change, `0 <= dimension <
            latent_dim`.
        values: 1D sequence of values for that coordinate.

    Returns:
        float32 array `(len(values), latent_dim)`.

    Example:

    >>> latent = np.zeros(4, "float32")
    >>> walk(latent, dimension=1, values=[-1.0, 0.0, 1.0]).tolist()
    [[0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]

    On a trained generator, one image per value:

    >>> gan = keras_wgan.pretrained("mnist-wgan-gp")
    >>> noise = np.random.default_rng(0).standard_normal(gan.latent_dim)
    >>> path = walk(noise, dimension=5, values=np.linspace(-3, 3, 7))
    >>> gan.generate_from(path).shape
    (7, 28, 28, 1)
    """
    latent = _vector("latent", latent)
    dimension = argument_validation.check_int("dimension", dimension, minimum=0)
    if dimension >= latent.shape[0]:
        raise ValueError(
            f"dimension must be < latent_dim = {latent.shape[0]}, got "
            f"{dimension}."
        )
    values = np.asarray(values, dtype="float32")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"values must be a non-empty 1D sequence, got shape "
            f"{values.shape}."
        )
    path = np.repeat(latent[None, :], values.size, axis=0)
    path[:, dimension] = values
    return path


def latents_by_class(model: keras.Model, classifier: keras.Model,
                     num_candidates: int = 1000, seed: int = 0,
                     batch_size: int = 500
                     ) -> dict[int, tuple[np.ndarray, float]]:
    """Finds, for each class, the latent whose image the classifier is surest of.

    Draws `num_candidates` latent vectors from the model's prior (standard
    normal), generates their images, classifies them, and keeps per class
    the latent with the highest softmax probability.

    Args:
        model: A trained `keras_wgan.AdversarialModel`.
        classifier: A `keras.Model` to logits, e.g.
            `keras_wgan.quality.load_classifier("mnist")`.
        num_candidates: Latent vectors tried, an int >= 1.
        seed: Seed of the NumPy generator drawing them.
        batch_size: Images per forward pass.

    Returns:
        A dict `{class_index: (latent, probability)}` for every class that
        at least one candidate was assigned to; `latent` is a float32
        vector, `probability` a float.

    Example:

    >>> gan = keras_wgan.pretrained("mnist-wgan-gp")
    >>> classifier = keras_wgan.quality.load_classifier("mnist")
    >>> found = latents_by_class(gan, classifier, num_candidates=200)
    >>> sorted(found)  # every digit among 200 samples
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> three, eight = found[3][0], found[8][0]
    >>> gan.generate_from(interpolate(three, eight)).shape  # a 3 becomes an 8
    (8, 28, 28, 1)
    """
    from keras_wgan.quality import classifier_logits

    num_candidates = argument_validation.check_int("num_candidates", num_candidates)
    noise = np.random.default_rng(seed).standard_normal(
        (num_candidates, model.latent_dim)).astype("float32")
    images = model.generate_from(noise, batch_size=batch_size)
    logits = classifier_logits(images, classifier, batch_size=batch_size)
    logits = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    labels = probabilities.argmax(axis=1)
    found = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        best = members[probabilities[members, label].argmax()]
        found[int(label)] = (noise[best], float(probabilities[best, label]))
    return found
