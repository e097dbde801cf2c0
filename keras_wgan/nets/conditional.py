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
"""

from collections.abc import Sequence
from typing import Any

import keras
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


def label_input(name: str = LABELS_NAME) -> Tensor:
    """Returns the `keras.Input` of class labels: int32, shape `(batch,)`."""
    return keras.Input((), dtype="int32", name=name)


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClassOneHot(layers.Layer):
    """Maps integer class labels `(batch,)` to one-hot rows `(batch, K)`.

    Args:
        num_classes: Number of classes `K`, an int >= 2.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Example:

    >>> ops.convert_to_numpy(ClassOneHot(3)(np.array([2, 0]))).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, num_classes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_classes = check_num_classes(num_classes)

    def call(self, labels: Tensor) -> Tensor:
        return ops.one_hot(
            ops.cast(labels, "int32"), self.num_classes,
            dtype=self.compute_dtype,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.num_classes,)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClassProjection(layers.Layer):
    """The projection term `<embed(y), h>` of a projection critic.

    Miyato & Koyama (2018), eq. 3: the critic's score of an image `x` of
    class `y` is `psi(h) + embed(y) . h`, with `h` its feature vector and
    `psi` a linear layer. This layer holds the class embeddings, a
    `(num_classes, features)` matrix, and computes the second term.

    Args:
        num_classes: Number of classes, an int >= 2.
        embeddings_initializer: Initializer of the embeddings (default
            `"glorot_uniform"`, the default of the `score` layer's kernel,
            so that the two terms start on one scale).
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
                 = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_classes = check_num_classes(num_classes)
        self.embeddings_initializer = keras.initializers.get(
            embeddings_initializer)

    def build(self, input_shape: Sequence[tuple]) -> None:
        features_shape, _ = input_shape
        self.embeddings = self.add_weight(
            shape=(self.num_classes, features_shape[-1]),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs: Sequence[Tensor]) -> Tensor:
        features, labels = inputs
        rows = ops.take(self.embeddings, ops.cast(labels, "int32"), axis=0)
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
        return config


def critic_model(images: Tensor, features: Tensor, score: Tensor,
                 num_classes: int | None, name: str) -> keras.Model:
    """Returns the critic `keras.Model`, a projection critic if conditional.

    Args:
        images: The critic's image `keras.Input`.
        features: The feature tensor `h` that feeds the `score` layer.
        score: The output of the linear `score` layer, `(batch, 1)`.
        num_classes: `None` for the unconditional critic `images -> score`,
            or an int >= 2 for `[images, labels] -> score + <embed(y), h>`.
        name: Model name.

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
    projection = ClassProjection(num_classes, name="projection")(
        [features, labels])
    output = layers.Add(name="projected_score")([score, projection])
    return keras.Model([images, labels], output, name=name)


def generator_inputs(noise: Tensor, num_classes: int | None
                     ) -> tuple[Tensor | list[Tensor], Tensor]:
    """Returns `(inputs, x)`: a generator's inputs and its first layer's input.

    Args:
        noise: The generator's noise `keras.Input`, `(batch, latent_dim)`.
        num_classes: `None` (inputs `noise`, `x` the noise itself) or an
            int >= 2 (inputs `[noise, labels]`, `x` the noise with the
            labels' one-hot rows concatenated, `(batch, latent_dim + K)`).

    Example:

    >>> inputs, x = generator_inputs(keras.Input((8,), name="noise"), 10)
    >>> [t.name for t in inputs], tuple(x.shape)
    (['noise', 'labels'], (None, 18))
    """
    num_classes = check_num_classes(num_classes)
    if num_classes is None:
        return noise, noise
    labels = label_input()
    one_hot = ClassOneHot(num_classes, name="labels_one_hot")(labels)
    x = layers.Concatenate(name="noise_and_labels")([noise, one_hot])
    return [noise, labels], x
