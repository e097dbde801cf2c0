"""Running a classifier over images: the logits every metric starts from."""

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.tensor_types import ArrayLike


def check_classifier(classifier: keras.Model,
                     name: str = "classifier") -> tuple[int | None, ...]:
    """Returns the classifier's input shape after checking it is usable.

    Args:
        classifier: A built `keras.Model` with one input of images and one
            output of logits `(batch, num_classes)`.
        name: Argument name used in error messages.

    Returns:
        The `(height, width, channels)` its input expects.
    """
    image_shape = argument_validation.model_input_shape(classifier, name)
    output_shape = argument_validation.model_output_shape(classifier, name)
    if len(image_shape) != 3:
        raise ValueError(
            f"{name} must take images (batch, height, width, channels), got "
            f"input shape (batch, {', '.join(map(str, image_shape))})."
        )
    if len(output_shape) != 1 or (output_shape[0] or 0) < 2:
        raise ValueError(
            f"{name} must output logits of shape (batch, num_classes) with "
            f"num_classes >= 2, got (batch, "
            f"{', '.join(map(str, output_shape))})."
        )
    return image_shape


def classifier_logits(images: ArrayLike, classifier: keras.Model,
                      name: str = "images", batch_size: int = 500,
                      min_images: int = 1) -> np.ndarray:
    """Runs `classifier` over `images` in batches and returns its logits.

    The classifier must output logits (unnormalised log-probabilities), as
    the classifiers of `load_classifier` do: the Frechet distance is taken
    on them and the score applies its own softmax. An output that sums to 1
    on every row looks like probabilities and is refused.

    Args:
        images: Array `(N, height, width, channels)` of floats in [-1, 1],
            the shape the classifier takes.
        classifier: A built `keras.Model` from images to logits
            `(batch, num_classes)`.
        name: Argument name used in error messages.
        batch_size: Images per forward pass, an int >= 1.
        min_images: The fewest images accepted (2 where a covariance is
            taken).

    Returns:
        A float64 NumPy array `(N, num_classes)`.

    Example:

    >>> classifier = keras_wgan.quality.load_classifier("mnist")
    >>> classifier_logits(keras_wgan.data.load_mnist("test")[:5],
    ...                   classifier).shape
    (5, 10)
    """
    image_shape = check_classifier(classifier)
    batch_size = argument_validation.check_int("batch_size", batch_size)
    if not hasattr(images, "shape"):
        images = np.asarray(images)
    argument_validation.check_images(images, name=name, image_shape=image_shape)
    if images.shape[0] < min_images:
        raise ValueError(
            f"{name} must hold at least {min_images} images"
            + (" to estimate a covariance" if min_images == 2 else "")
            + f", got {images.shape[0]}."
        )
    images = np.asarray(images, dtype="float32")
    parts = [
        _predict_padded(classifier, images[i:i + batch_size], batch_size)
        for i in range(0, len(images), batch_size)
    ]
    logits = np.concatenate(parts, axis=0)
    if not np.all(np.isfinite(logits)):
        raise ValueError(
            f"classifier output NaN or Inf logits for {name}; expected "
            "finite logits."
        )
    if len(logits) > 1 and np.all(logits >= 0) and np.allclose(
        logits.sum(axis=1), 1.0, atol=1e-4
    ):
        raise ValueError(
            "classifier must output logits, but its outputs for "
            f"{name} are probabilities (non-negative, each row sums to 1); "
            "remove its final softmax."
        )
    return logits


def _predict_padded(classifier, batch, batch_size):
    """Returns the classifier's float64 outputs for one batch.

    JAX and TensorFlow compile `predict_on_batch` once per input shape, so
    a batch is padded with zero images up to the next power of two (at
    least 32, at most `batch_size`): a few shapes serve every image count.
    The padding is cut off again; in inference mode each image's logits
    do not depend on the rest of the batch.
    """
    count = len(batch)
    padded_size = min(max(32, 1 << (count - 1).bit_length()), batch_size)
    if padded_size > count:
        padding = np.zeros((padded_size - count, *batch.shape[1:]),
                           batch.dtype)
        batch = np.concatenate([batch, padding], axis=0)
    outputs = classifier.predict_on_batch(batch)
    return np.asarray(outputs, dtype=np.float64)[:count]
