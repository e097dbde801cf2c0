"""Class conditioning shared by the six critic and generator builders.

Each builder of `architectures`, `dcgan` and `resnet` takes `num_classes`;
with an int >= 2 its network also takes integer class labels of shape
`(batch,)` as a second input (`label_input`):

- the critic is a projection critic (Miyato & Koyama, 2018): with `h` the
  feature vector that feeds its linear `score` layer, its output is
  `score(h) + <embed(y), h>`, one learned embedding row per class
  (`ClassProjection`), so the class changes the critic's linear read-out
  of the features and nothing else;
- the generator sees the class as a one-hot vector concatenated to the
  noise (Mirza & Osindero, 2014), which its first dense layer maps on:
  that is the same as adding a learned per-class vector to the layer's
  output, the dense kernel's rows for the one-hot part being the class
  embeddings.

With `num_classes=None` the builders make exactly the unconditional
networks (same layers, names and weight order).

Classes that are combinations of attributes (coloured MNIST's 200 joint
classes: a digit and one of 20 colour pairs) can be **factored**: with
`class_factors=(10, 20)` a label `y` is read as the mixed-radix digits
`(y // 20, y % 20)`, and both the generator's input and the critic's
embedding are sums over the factors (`factor_one_hot`): the generator sees
a one-hot vector per factor, and `embed(y)` is the sum of one learned row
per factor. Every image of a digit then trains that digit's row, whatever
its colours, instead of one row per combination.
"""

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import layers
from keras import ops

from keras_wgan import argument_validation
from keras_wgan.tensor_types import Tensor

#: Name of the label input of every conditional network.
LABELS_NAME = "labels"


def check_num_classes(num_classes: int | None) -> int | None:
    """Returns `num_classes` as an int >= 2, or `None` for `None`.

    Example:

    >>> check_num_classes(10), check_num_classes(None)
    (10, None)
    >>> check_num_classes(1)
    Traceback (most recent call last):
    ...
    ValueError: num_classes must be an integer >= 2, got 1.
    """
    if num_classes is None:
        return None
    return argument_validation.check_int("num_classes", num_classes, minimum=2)


def check_class_factors(class_factors: Sequence[int] | None,
                        num_classes: int | None) -> tuple[int, ...] | None:
    """Returns `class_factors` as a tuple of ints >= 2 whose product is
    `num_classes`, or `None` for `None`.

    Example:

    >>> check_class_factors([10, 20], 200), check_class_factors(None, 10)
    ((10, 20), None)
    >>> check_class_factors((10, 2), 10)
    Traceback (most recent call last):
    ...
    ValueError: class_factors must be ints >= 2 whose product is num_classes (10), got (10, 2).
    """
    if class_factors is None:
        return None
    try:
        factors = tuple(class_factors)
    except TypeError:
        factors = ()
    valid = (len(factors) >= 1
             and all(isinstance(f, (int, np.integer))
                     and not isinstance(f, bool) and f >= 2 for f in factors)
             and num_classes is not None
             and math.prod(factors) == num_classes)
    if not valid:
        raise ValueError(
            "class_factors must be ints >= 2 whose product is num_classes "
            f"({num_classes}), got {class_factors!r}."
        )
    return tuple(int(f) for f in factors)


def factor_width(num_classes: int,
                 class_factors: Sequence[int] | None = None) -> int:
    """Returns the length of `factor_one_hot`'s rows: `num_classes`, or
    the sum of the factors.

    Example:

    >>> factor_width(200), factor_width(200, (10, 20))
    (200, 30)
    """
    return num_classes if class_factors is None else sum(class_factors)


def factor_one_hot(labels: Tensor, num_classes: int,
                   class_factors: Sequence[int] | None = None,
                   dtype: str = "float32") -> Tensor:
    """Returns the one-hot rows of labels, one block per factor.

    Without factors, `one_hot(labels, num_classes)`. With factors
    `(f_1, ..., f_k)` (product `num_classes`), the label's mixed-radix
    digits, most significant first, each one-hot in its block:
    `(batch, f_1 + ... + f_k)`.

    Args:
        labels: Integer labels `(batch,)` in `[0, num_classes)`.
        num_classes: The number of classes, an int >= 2.
        class_factors: `None`, or the factor sizes (`check_class_factors`).
        dtype: The dtype of the rows.

    Returns:
        A tensor `(batch, factor_width(num_classes, class_factors))`.

    Example:

    Label 7 of 2 x 5 classes is the digits (1, 2):

    >>> rows = factor_one_hot(np.array([7]), 10, (2, 5))
    >>> ops.convert_to_numpy(rows).astype(int).tolist()
    [[0, 1, 0, 0, 1, 0, 0]]
    """
    labels = ops.cast(labels, "int32")
    if class_factors is None:
        return ops.one_hot(labels, num_classes, dtype=dtype)
    blocks = []
    place = num_classes
    for size in class_factors:
        place //= size
        blocks.append(ops.one_hot((labels // place) % size, size,
                                  dtype=dtype))
    return ops.concatenate(blocks, axis=-1)


def label_input(name: str = LABELS_NAME) -> Tensor:
    """Returns the `keras.Input` of class labels: int32, shape `(batch,)`."""
    return keras.Input((), dtype="int32", name=name)


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClassOneHot(layers.Layer):
    """Maps integer class labels `(batch,)` to one-hot rows `(batch, K)`.

    With `class_factors`, one one-hot block per factor (`factor_one_hot`),
    `K = sum(class_factors)`.

    Args:
        num_classes: Number of classes, an int >= 2.
        class_factors: `None`, or factor sizes whose product is
            `num_classes` (`check_class_factors`).
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Example:

    >>> ops.convert_to_numpy(ClassOneHot(3)(np.array([2, 0]))).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    >>> ops.convert_to_numpy(ClassOneHot(4, (2, 2))(np.array([2]))).tolist()
    [[0.0, 1.0, 1.0, 0.0]]
    """

    def __init__(self, num_classes: int,
                 class_factors: Sequence[int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_classes: int = argument_validation.check_int(
            "num_classes", num_classes, minimum=2)
        self.class_factors = check_class_factors(class_factors,
                                                 self.num_classes)

    def call(self, labels: Tensor) -> Tensor:
        return factor_one_hot(labels, self.num_classes, self.class_factors,
                              dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (
            factor_width(self.num_classes, self.class_factors),)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["num_classes"] = self.num_classes
        if self.class_factors is not None:
            config["class_factors"] = list(self.class_factors)
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClassProjection(layers.Layer):
    """The projection term `<embed(y), h>` of a projection critic.

    Miyato & Koyama (2018), eq. 3: the critic's score of an image `x` of
    class `y` is `psi(h) + embed(y) . h`, with `h` its feature vector and
    `psi` a linear layer. This layer holds the class embeddings, a
    `(num_classes, features)` matrix, and computes the second term.

    With `class_factors`, the embeddings are one row per value of each
    factor, `(sum(class_factors), features)`, and `embed(y)` is the sum of
    the rows of `y`'s factor values (`factor_one_hot`).

    Args:
        num_classes: Number of classes, an int >= 2.
        embeddings_initializer: Initializer of the embeddings (default
            `"glorot_uniform"`, the default of the `score` layer's kernel,
            so that the two terms start on one scale).
        class_factors: `None`, or factor sizes whose product is
            `num_classes` (`check_class_factors`).
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Call arguments:
        inputs: `[h, labels]`: features `(batch, features)` and int labels
            `(batch,)` in `[0, num_classes)`.

    Returns:
        `(batch, 1)`: `sum(embeddings[labels] * h, axis=-1)`.

    Example:

    >>> projection = ClassProjection(2)
    >>> h = np.array([[1.0, 2.0], [1.0, 2.0]], "float32")
    >>> _ = projection([h, np.array([0, 1])])
    >>> _ = projection.embeddings.assign([[1.0, 0.0], [0.0, -1.0]])
    >>> ops.convert_to_numpy(projection([h, np.array([0, 1])])).tolist()
    [[1.0], [-2.0]]
    """

    def __init__(self, num_classes: int,
                 embeddings_initializer: str | keras.initializers.Initializer
                 = "glorot_uniform",
                 class_factors: Sequence[int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_classes: int = argument_validation.check_int(
            "num_classes", num_classes, minimum=2)
        self.embeddings_initializer = keras.initializers.get(
            embeddings_initializer)
        self.class_factors = check_class_factors(class_factors,
                                                 self.num_classes)

    def build(self, input_shape: Sequence[tuple]) -> None:
        features_shape, _ = input_shape
        self.embeddings = self.add_weight(
            shape=(factor_width(self.num_classes, self.class_factors),
                   features_shape[-1]),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs: Sequence[Tensor]) -> Tensor:
        features, labels = inputs
        if self.class_factors is None:
            rows = ops.take(self.embeddings, ops.cast(labels, "int32"),
                            axis=0)
        else:
            rows = ops.matmul(factor_one_hot(
                labels, self.num_classes, self.class_factors,
                dtype=self.compute_dtype), self.embeddings)
        return ops.sum(rows * features, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0][0], 1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({
            "num_classes": self.num_classes,
            "embeddings_initializer": keras.initializers.serialize(
                self.embeddings_initializer),
        })
        if self.class_factors is not None:
            config["class_factors"] = list(self.class_factors)
        return config


def critic_model(images: Tensor, features: Tensor, score: Tensor,
                 num_classes: int | None, name: str,
                 class_factors: Sequence[int] | None = None) -> keras.Model:
    """Returns the critic `keras.Model`, a projection critic if conditional.

    Args:
        images: The critic's image `keras.Input`.
        features: The feature tensor `h` that feeds the `score` layer.
        score: The output of the linear `score` layer, `(batch, 1)`.
        num_classes: `None` for the unconditional critic `images -> score`,
            or an int >= 2 for `[images, labels] -> score + <embed(y), h>`.
        name: Model name.
        class_factors: `None`, or the factor sizes of the classes
            (`ClassProjection`).

    Returns:
        A built `keras.Model`.

    Example:

    >>> images = keras.Input((2,))
    >>> score = keras.layers.Dense(1, name="score")(images)
    >>> critic = critic_model(images, images, score, 3, "critic")
    >>> [tuple(t.shape) for t in critic.inputs], critic.output_shape
    ([(None, 2), (None,)], (None, 1))
    """
    num_classes = check_num_classes(num_classes)
    if num_classes is None:
        return keras.Model(images, score, name=name)
    labels = label_input()
    projection = ClassProjection(num_classes, class_factors=class_factors,
                                 name="projection")([features, labels])
    output = layers.Add(name="projected_score")([score, projection])
    return keras.Model([images, labels], output, name=name)


def generator_inputs(noise: Tensor, num_classes: int | None,
                     class_factors: Sequence[int] | None = None
                     ) -> tuple[Tensor | list[Tensor], Tensor]:
    """Returns `(inputs, x)`: a generator's inputs and its first layer's input.

    Args:
        noise: The generator's noise `keras.Input`, `(batch, latent_dim)`.
        num_classes: `None` (inputs `noise`, `x` the noise itself) or an
            int >= 2 (inputs `[noise, labels]`, `x` the noise with the
            labels' one-hot rows concatenated, `(batch, latent_dim + K)`).
        class_factors: `None`, or the factor sizes of the classes: `K` is
            their sum (`ClassOneHot`).

    Example:

    >>> inputs, x = generator_inputs(keras.Input((8,), name="noise"), 10)
    >>> [t.name for t in inputs], tuple(x.shape)
    (['noise', 'labels'], (None, 18))
    >>> _, x = generator_inputs(keras.Input((8,)), 200, class_factors=(10, 20))
    >>> tuple(x.shape)
    (None, 38)
    """
    num_classes = check_num_classes(num_classes)
    if num_classes is None:
        return noise, noise
    labels = label_input()
    one_hot = ClassOneHot(num_classes, class_factors,
                          name="labels_one_hot")(labels)
    x = layers.Concatenate(name="noise_and_labels")([noise, one_hot])
    return [noise, labels], x
