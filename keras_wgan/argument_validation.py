"""Argument and model checks shared by the models, the data code and the CLI.

Every check raises a one-line `ValueError` that names the argument and the
value it expected, so the CLI can print it as is.
"""

import math
from collections.abc import Container
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

import keras
import numpy as np

from keras_wgan import _keras_internals
from keras_wgan.tensor_types import ArrayLike

_T = TypeVar("_T")

__all__ = [
    "check_batch_range",
    "check_choice",
    "check_class_labels",
    "check_float",
    "check_generator",
    "check_images",
    "check_int",
    "check_linear_output",
    "check_no_batch_norm",
    "check_samples",
    "check_scalar_output",
    "model_input_shape",
    "model_output_shape",
]


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """Returns `value` as an int, or raises if it is not an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"{name} must be an integer >= {minimum}, "
            f"got {value!r} of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_choice(name: str, value: _T, choices: Container[_T]) -> _T:
    """Returns `value`, or raises if it is not one of `choices` (a tuple)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}.")
    return value


def check_float(name: str, value: Any, minimum: float = 0.0,
                inclusive: bool = True) -> float:
    """Returns `value` as a float, or raises if it is not finite and in range.

    Args:
        name: Argument name used in the error message.
        value: The number to check.
        minimum: Lower bound.
        inclusive: Whether `value == minimum` is allowed.
    """
    bound = f">= {minimum}" if inclusive else f"> {minimum}"
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ValueError(
            f"{name} must be a finite number {bound}, "
            f"got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    in_range = value >= minimum if inclusive else value > minimum
    if not (math.isfinite(value) and in_range):
        raise ValueError(f"{name} must be a finite number {bound}, got {value}.")
    return value


def check_class_labels(name: str, labels: ArrayLike, num_classes: int,
                       count: int | None = None) -> np.ndarray:
    """Returns class labels as an int64 NumPy vector, or raises one line.

    Args:
        name: Argument name used in the error message.
        labels: Array-like (or tensor) of integer labels.
        num_classes: Labels must lie in `[0, num_classes)`.
        count: The number of labels expected (one per image), or `None`
            for a vector of any length.

    Returns:
        `np.ndarray` of dtype int64 and shape `(count,)`.

    Example:

    >>> check_class_labels("y", [0, 2, 1], num_classes=3)
    array([0, 2, 1])
    >>> check_class_labels("y", [0, 3], num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y must hold class labels in [0, 3), got [0, 3].
    """
    values = np.asarray(
        keras.ops.convert_to_numpy(labels) if hasattr(labels, "dtype")
        else labels
    )
    if values.dtype.kind not in "iu" and values.size:
        raise ValueError(
            f"{name} must hold integer class labels in [0, {num_classes}), "
            f"got dtype {values.dtype}."
        )
    if count is not None and values.shape != (count,):
        raise ValueError(
            f"{name} must have shape ({count},), one label per image, got "
            f"shape {values.shape}."
        )
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be a vector, one label per image, got shape "
            f"{values.shape}."
        )
    if values.size and (values.min() < 0 or values.max() >= num_classes):
        raise ValueError(
            f"{name} must hold class labels in [0, {num_classes}), got "
            f"[{values.min()}, {values.max()}]."
        )
    return values.astype(np.int64)


def check_images(images: ArrayLike, name: str = "x",
                 image_shape: Sequence[int | None] | None = None
                 ) -> ArrayLike:
    """Checks an array of images for training or evaluation.

    Args:
        images: Array-like of shape `(N, height, width, channels)`, floating
            point, finite, with values in `[-1, 1]`.
        name: Argument name used in error messages.
        image_shape: Expected `(height, width, channels)`, or `None`.

    Returns:
        The images as given (never modified).
    """
    shape = tuple(images.shape)
    dtype = keras.backend.standardize_dtype(images.dtype)
    if len(shape) != 4:
        raise ValueError(
            f"{name} must have shape (N, height, width, channels), got shape "
            f"{shape}; add a channel axis with x[..., None] for grey images."
        )
    if image_shape is not None and shape[1:] != tuple(image_shape):
        raise ValueError(
            f"{name} must have images of shape {tuple(image_shape)} "
            f"(the critic's input), got {shape[1:]}."
        )
    if shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one image.")
    if not dtype.startswith(("float", "bfloat")):
        raise ValueError(
            f"{name} must be floating point with values in [-1, 1], got dtype "
            f"{dtype}; scale uint8 pixels with "
            "keras_wgan.data.to_unit_range(x) (x / 127.5 - 1)."
        )
    values = keras.ops.convert_to_numpy(images)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or Inf values.")
    _check_range(values, name)
    return images


def check_batch_range(batch: ArrayLike, name: str,
                      sample_shape: Sequence[int | None] | None = None
                      ) -> None:
    """Checks that a batch of images lies in `[-1, 1]`, as `check_images`.

    For batches from a dataset or generator, which `fit` sees one at a
    time. Only the range: NaN and Inf are left to
    `keras_wgan.callbacks.TerminateOnNonFinite`, which names the step, and
    the shape and dtype to the training step. Samples that are not images
    (a `sample_shape` of other than three axes) have no range.

    Example:

    >>> check_batch_range(np.zeros((2, 4, 4, 1)), "x")
    >>> check_batch_range(np.full((2, 4, 4, 1), 255.0), "x (batch 1)")
    Traceback (most recent call last):
    ...
    ValueError: x (batch 1) values must lie in [-1, 1] (the generator ends in tanh), got [255, 255]; ...
    """
    if sample_shape is not None and len(sample_shape) != 3:
        return
    values = keras.ops.convert_to_numpy(batch)
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size:
        _check_range(finite, name)


def _check_range(values, name):
    low, high = float(values.min()), float(values.max())
    if low < -1.0 or high > 1.0:
        raise ValueError(
            f"{name} values must lie in [-1, 1] (the generator ends in tanh), "
            f"got [{low:g}, {high:g}]; scale [0, 255] pixels with "
            "x / 127.5 - 1 (keras_wgan.data.to_unit_range of uint8 pixels) "
            "or [0, 1] values with 2 * x - 1."
        )


def check_samples(samples: ArrayLike, name: str = "x",
                  sample_shape: Sequence[int | None] | None = None
                  ) -> ArrayLike:
    """Checks an array of training samples: images, or vectors for toy data.

    Images (a `sample_shape` of three axes, or `None`) get every check of
    `check_images`, the `[-1, 1]` range included. Other shapes, such as the
    2D points of `keras_wgan.studies.toy`, get the shape, dtype and finiteness
    checks only: their generators end in a linear layer, so no range holds.

    Args:
        samples: Array-like of shape `(N, *sample_shape)`, floating point.
        name: Argument name used in error messages.
        sample_shape: Expected shape of one sample (the critic's input).

    Returns:
        The samples as given (never modified).
    """
    if sample_shape is None or len(sample_shape) == 3:
        return check_images(samples, name, sample_shape)
    shape = tuple(samples.shape)
    sample_shape = tuple(sample_shape)
    if shape[1:] != sample_shape:
        raise ValueError(
            f"{name} must have shape (N, {', '.join(map(str, sample_shape))}) "
            f"(the critic's input), got {shape}."
        )
    if shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one sample.")
    dtype = keras.backend.standardize_dtype(samples.dtype)
    if not dtype.startswith(("float", "bfloat")):
        raise ValueError(
            f"{name} must be floating point, got dtype {dtype}; convert it "
            "with x.astype('float32')."
        )
    if not np.all(np.isfinite(keras.ops.convert_to_numpy(samples))):
        raise ValueError(f"{name} contains NaN or Inf values.")
    return samples


def check_generator(generator: keras.Model, latent_dim: int | None,
                    image_shape: Sequence[int | None],
                    input_shape: Sequence[int | None] | None = None) -> int:
    """Returns the latent size and checks the generator fits the critic.

    `input_shape` is the generator's noise input without the batch axis
    when the caller found it among other inputs (a conditional generator's
    labels); by default the generator's one input.
    """
    if input_shape is None:
        input_shape = model_input_shape(generator, "generator")
    if len(input_shape) != 1 or input_shape[0] is None:
        raise ValueError(
            "generator must take noise of shape (batch, latent_dim), got an "
            f"input of shape (batch, {', '.join(map(str, input_shape))})."
        )
    if latent_dim is None:
        latent_dim = input_shape[0]
    latent_dim = check_int("latent_dim", latent_dim)
    if latent_dim != input_shape[0]:
        raise ValueError(
            f"latent_dim={latent_dim} differs from the generator's input "
            f"size {input_shape[0]}."
        )
    output_shape = model_output_shape(generator, "generator")
    if output_shape != tuple(image_shape):
        raise ValueError(
            f"generator output shape {output_shape} must equal the critic's "
            f"input shape {tuple(image_shape)}."
        )
    return latent_dim


def model_input_shape(model: keras.Model, name: str) -> tuple[int | None, ...]:
    """Returns a built model's input shape without the batch axis."""
    shape = _single_shape(model, "input_shape", name)
    return tuple(shape[1:])


def model_output_shape(model: keras.Model, name: str) -> tuple[int | None, ...]:
    """Returns a built model's output shape without the batch axis."""
    shape = _single_shape(model, "output_shape", name)
    return tuple(shape[1:])


def _single_shape(model, attribute, name):
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"{name} must be a keras.Model, got {type(model).__name__}."
        )
    try:
        shape = getattr(model, attribute)
    except (AttributeError, ValueError):
        raise ValueError(
            f"{name} must be a built model with one input and one output "
            "(build it with keras.Input or by calling it once)."
        ) from None
    if isinstance(shape, list):
        if len(shape) != 1:
            raise ValueError(
                f"{name} must have exactly one {attribute.split('_')[0]}, "
                f"got {len(shape)}."
            )
        shape = shape[0]
    return tuple(shape)


# Layers that pass their input through unchanged in value (up to shape), so
# the activation that decides the critic's output lies before them.
_PASS_THROUGH = (
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.Dropout,
    keras.layers.Identity,
)


def check_linear_output(critic: keras.Model, name: str = "critic") -> None:
    """Raises if the critic's last activation is not linear.

    A Wasserstein critic outputs an unbounded score; a sigmoid (or any
    squashing activation) turns it back into a classifier whose outputs
    saturate, and the loss `mean(y_true * y_pred)` then no longer estimates
    the Wasserstein distance.
    """
    layer: Any = _keras_internals.output_layer(critic)
    while isinstance(layer, _PASS_THROUGH):
        parents = _keras_internals.inbound_layers(layer)
        if len(parents) != 1:
            break
        layer = parents[0]
    activation = getattr(layer, "activation", None)
    if activation is None:
        return
    activation_name = getattr(activation, "__name__", type(activation).__name__)
    if activation_name != "linear":
        raise ValueError(
            f"{name} must end in a linear output (activation=None), but its "
            f"last layer '{layer.name}' applies '{activation_name}'; a "
            "Wasserstein critic outputs an unbounded score, not a probability."
        )


def check_no_batch_norm(critic: keras.Model, name: str = "critic") -> None:
    """Raises if the critic contains BatchNormalization (invalid with a GP)."""
    for layer in _keras_internals.all_layers(critic):
        if isinstance(layer, keras.layers.BatchNormalization):
            raise ValueError(
                f"{name} contains BatchNormalization layer '{layer.name}', "
                "which makes each score depend on the whole batch and so "
                "invalidates the per-sample gradient penalty; use "
                "keras.layers.LayerNormalization or no normalisation."
            )


def check_scalar_output(critic: keras.Model, name: str = "critic") -> None:
    """Raises unless the critic outputs one score per sample."""
    shape = model_output_shape(critic, name)
    if shape not in ((), (1,)):
        raise ValueError(
            f"{name} must output one score per sample, shape (batch, 1), "
            f"got (batch, {', '.join(str(d) for d in shape)})."
        )
