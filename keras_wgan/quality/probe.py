"""The linear probe: how much of the class an encoder's codes keep.

An encoder (a BiGAN's `E`) is judged by a linear classifier fitted on its
codes with the encoder frozen, as BiGAN features are evaluated (Donahue
et al., 2017): here a softmax regression on `E(train images)`, scored on
`E(test images)`. Beside it belongs the same probe on a randomly initialised
encoder of the same architecture, whose codes are random features of the
pixels.
"""

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.quality.labels import accuracy_from_logits
from keras_wgan.tensor_types import ArrayLike


def linear_probe(train_features: ArrayLike, train_labels: ArrayLike,
                 test_features: ArrayLike, test_labels: ArrayLike,
                 epochs: int = 20, batch_size: int = 256,
                 learning_rate: float = 1e-3, seed: int = 0) -> float:
    """Fits a softmax regression on features; returns its test accuracy.

    The features are standardised with the training features' mean and
    standard deviation; the single `Dense` layer starts from zeros (the
    loss is convex, so the start does not matter) and is fitted with Adam
    on the training features in an order drawn from `seed`.

    Args:
        train_features: Array `(N, d)` of training features.
        train_labels: Integer array `(N,)` of classes `0..K-1`.
        test_features: Array `(M, d)`, the held-out features.
        test_labels: Integer array `(M,)`.
        epochs: Passes over the training features, an int >= 1.
        batch_size: Features per update, an int >= 1.
        learning_rate: Adam's rate, a float > 0.
        seed: Int seed of the training order, >= 0.

    Returns:
        The test accuracy, a Python float in [0, 1].

    Example:

    Two classes apart along the first feature:

    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 200)
    >>> features = rng.normal(size=(200, 3)) + 4.0 * labels[:, None] * [1, 0, 0]
    >>> accuracy = linear_probe(features[:100], labels[:100], features[100:],
    ...                         labels[100:], epochs=20, batch_size=20,
    ...                         learning_rate=0.05)
    >>> accuracy > 0.9  # the Bayes accuracy is 0.98
    True
    """
    epochs = argument_validation.check_int("epochs", epochs)
    batch_size = argument_validation.check_int("batch_size", batch_size)
    learning_rate = argument_validation.check_float(
        "learning_rate", learning_rate, 0.0, inclusive=False)
    seed = argument_validation.check_int("seed", seed, minimum=0)
    train = _features("train_features", train_features)
    test = _features("test_features", test_features)
    if test.shape[1] != train.shape[1]:
        raise ValueError(
            f"test_features must have {train.shape[1]} features like "
            f"train_features, got {test.shape[1]}."
        )
    train_labels = np.asarray(train_labels)
    if train_labels.shape != (len(train),) or train_labels.dtype.kind not in "iu":
        raise ValueError(
            f"train_labels must be integers of shape ({len(train)},), got "
            f"dtype {train_labels.dtype} and shape {train_labels.shape}."
        )
    num_classes = int(max(train_labels.max(), np.max(test_labels))) + 1
    mean = train.mean(axis=0)
    # A constant feature (a dead unit) gets scale 1, not a division by 0.
    scale = np.where(train.std(axis=0) > 0, train.std(axis=0), 1.0)
    probe = keras.Sequential([
        keras.Input((train.shape[1],)),
        keras.layers.Dense(num_classes, kernel_initializer="zeros"),
    ])
    probe.compile(
        keras.optimizers.Adam(learning_rate),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(seed)
    standard = ((train - mean) / scale).astype("float32")
    for _ in range(epochs):
        order = rng.permutation(len(train))
        probe.fit(standard[order], train_labels[order], batch_size=batch_size,
                  epochs=1, shuffle=False, verbose=0)
    logits = probe.predict(((test - mean) / scale).astype("float32"),
                           batch_size=1024, verbose=0)
    return accuracy_from_logits(logits, test_labels)


def _features(name, features):
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2 or not len(features):
        raise ValueError(
            f"{name} must have shape (N, d) with N >= 1, got shape "
            f"{features.shape}."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} contains NaN or Inf values.")
    return features
