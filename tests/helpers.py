"""Small helpers for the tests (our own: keras.src.testing is private)."""

import functools
import gzip
import logging
import struct

import keras
import numpy as np

from keras_wgan import data
from keras_wgan.nets import architectures


@functools.lru_cache(maxsize=1)
def _embedded_digits():
    return data.load_mnist(split="test")


def real_digits(count, start=0):
    """Returns `count` real MNIST test digits in [-1, 1], (count, 28, 28, 1)."""
    return _embedded_digits()[start : start + count].copy()


def small_models(width=4, latent_dim=8):
    """Returns a small (critic, generator) pair of the MNIST architecture."""
    return (
        architectures.mnist_critic(width=width),
        architectures.mnist_generator(latent_dim=latent_dim, width=width),
    )


def linear_critic(weights, bias=0.0, image_shape=(28, 28, 1)):
    """Returns a critic f(x) = w . flatten(x) + b with the given weights."""
    images = keras.Input(image_shape)
    flat = keras.layers.Flatten()(images)
    dense = keras.layers.Dense(1)
    score = dense(flat)
    critic = keras.Model(images, score)
    dense.set_weights(
        [np.asarray(weights, "float32").reshape(-1, 1),
         np.asarray([bias], "float32")]
    )
    return critic


def variable_values(variables):
    """Returns NumPy copies of the given Keras variables."""
    return [keras.ops.convert_to_numpy(v).copy() for v in variables]


def idx_bytes(array):
    """Encodes a uint8 array in the IDX format of the MNIST files."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def idx_digits(count):
    """Returns `(images, labels)`: uint8 images using every byte value (0 and
    255 included), shape `(count, 28, 28)`, and digit labels `(count,)`."""
    images = (np.arange(count * 28 * 28) % 256).astype(np.uint8)
    images = images.reshape(count, 28, 28)
    labels = (np.arange(count) * 3 % 10).astype(np.uint8)
    return images, labels


def write_file(path, payload, compress):
    """Writes the bytes `payload` to `path`, gzipped if `compress`."""
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


class LogRecords(logging.Handler):
    """Collects what the `keras_wgan` loggers log, from level INFO.

    Use it as a context manager: it attaches itself to the `keras_wgan`
    logger, lowers the logger's level to INFO (the package adds only a
    NullHandler and sets no level), and restores both on exit.
    """

    def __init__(self):
        super().__init__()
        self.records = []
        self._logger = logging.getLogger("keras_wgan")
        self._level = None

    def emit(self, record):
        self.records.append(record)

    @property
    def messages(self):
        return [record.getMessage() for record in self.records]

    def __enter__(self):
        self._level = self._logger.level
        self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc_info):
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)


class GlobalPolicy:
    """Sets Keras's global dtype policy inside a `with` block, then restores it.

    Example: `with GlobalPolicy("mixed_bfloat16"): critic, generator =
    small_models()` builds the networks to compute in bfloat16.
    """

    def __init__(self, name):
        self.name = name
        self._previous = None

    def __enter__(self):
        self._previous = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy(self.name)
        return self

    def __exit__(self, *exc_info):
        keras.mixed_precision.set_global_policy(self._previous)


def assert_close_to_scale(ours, plain, rtol=1e-4):
    """Each pair of tensors has equal shapes and values equal to `rtol` of
    the reference's scale (float32 rounding of a sum of many terms)."""
    for a, b in zip(ours, plain, strict=True):
        a, b = keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol,
                                   atol=rtol * np.abs(b).max())


def load_script(name):
    """Imports `scripts/<name>.py` as a module (scripts is no package)."""
    import importlib.util
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(root, "scripts", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
