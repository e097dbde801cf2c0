"""What `fit` takes, turned into the batches of the training step.

`AdversarialModel.fit(x, y, batch_size=m)` hands its input to the model's
`fit_inputs()`, an object of this module (or a subclass of one): it checks
`x`, `y` and `validation_data`, wraps arrays in batches of `n_critic * m`
samples that a resumed run reads identically (`keras_wgan.data.batches`),
checks each batch a Python generator yields as it comes, and, inside the
training step, turns one batch of the dataset into the step's real samples
(`unpack`), which the step then splits into `n_critic` critic batches.

- `Samples`: an unconditional model's input, samples alone.
- `LabelledSamples`: a class-conditional model's, `(images, labels)`.

A model with another kind of input subclasses `Samples` and overrides its
public methods (as `keras_wgan.models.cyclegan.UnpairedSamples` does for
two unpaired domains), then returns it from `fit_inputs()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan import distribute
from keras_wgan.data import batches

#: The critic batch size `m` of `fit` on arrays when `batch_size=None`.
DEFAULT_BATCH_SIZE = 64


def check_labels(labels: Any, num_classes: int, count: int,
                 name: str = "y") -> np.ndarray:
    """Returns class labels as an int32 NumPy array, or raises one line.

    Args:
        labels: Array-like of integer labels, shape `(count,)`.
        num_classes: Labels must lie in `[0, num_classes)`.
        count: The number of labels expected (one per image).
        name: Argument name used in the error message.

    Returns:
        `np.ndarray` of dtype int32 and shape `(count,)`.

    Example:

    >>> check_labels([0, 2, 1], num_classes=3, count=3)
    array([0, 2, 1], dtype=int32)
    >>> check_labels(np.array([0.0, 1.0]), num_classes=3, count=2)
    Traceback (most recent call last):
    ...
    ValueError: y must hold integer class labels in [0, 3), got dtype float64.
    """
    if labels is None:
        raise ValueError(
            f"{name} is missing: pass one integer class label in "
            f"[0, {num_classes}) per image."
        )
    return argument_validation.check_class_labels(
        name, labels, num_classes, count).astype("int32")


class Samples:
    """The input of an unconditional model: real samples, no labels.

    `fit(x, batch_size=m)` takes an array `x` of samples (checked once,
    whole), a dataset or `PyDataset` yielding batches of `n_critic * m`
    samples, or a Python generator of such batches (each checked as it is
    read). Subclasses override the public methods below, each one step of
    `prepare`.

    Args:
        model: The `keras_wgan.AdversarialModel` being fitted; its
            `image_shape`, `n_critic` and `seed` are read.

    Example:

    >>> gan = keras_wgan.WGAN(keras_wgan.toy.toy_critic(2, width=8),
    ...                       keras_wgan.toy.toy_generator(2, 2, width=8),
    ...                       n_critic=2, seed=0)
    >>> samples = Samples(gan)
    >>> data, batch_size, kwargs = samples.prepare(
    ...     np.zeros((40, 2), "float32"), None, 8, {"epochs": 1})
    >>> len(data[0][0]), batch_size, kwargs["steps_per_epoch"]  # 2 x 8
    (16, None, 3)
    >>> samples.prepare(np.zeros((40, 2)), np.zeros(40), 8, {})
    Traceback (most recent call last):
    ...
    ValueError: y must be None: WGAN is unconditional and trains on real samples alone, got labels; train on (images, labels) with keras_wgan.ConditionalWGANGP.
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    @property
    def model_name(self) -> str:
        """The model's class name, for messages."""
        return type(self.model).__name__

    def prepare(self, x: Any, y: Any, batch_size: int | None,
                kwargs: dict[str, Any]) -> tuple[Any, int | None,
                                                 dict[str, Any]]:
        """Returns `(x, batch_size, kwargs)` for `keras.Model.fit`.

        Checks `y` (`check_y`), wraps array input (`array_dataset`), checks
        a Python generator's batches (`check_batch`) and the validation data
        (`check_validation`). Not meant to be overridden.

        Args:
            x: What `fit` got as `x`.
            y: What `fit` got as `y`.
            batch_size: What `fit` got as `batch_size`.
            kwargs: `fit`'s other keyword arguments.

        Returns:
            The arguments to pass on to `keras.Model.fit`.
        """
        second = self.check_y(x, y)
        if batches.is_array(x):
            x, kwargs = self.array_dataset(x, second, batch_size, kwargs)
            batch_size = None
        elif batch_size is not None:
            raise ValueError(
                "batch_size must be None when x is a dataset or generator "
                "(it yields its own batches of n_critic * m images), got "
                f"{batch_size}."
            )
        if inspect.isgenerator(x):
            x = self.checked_generator(x, "x")
        return x, batch_size, self.check_validation(kwargs)

    def check_y(self, x: Any, y: Any) -> Any:
        """Returns `fit`'s `y` for array `x`, checked, or `None`.

        An unconditional model takes none; a labelled one returns the
        labels, checked.
        """
        del x
        if y is not None:
            raise ValueError(
                f"y must be None: {self.model_name} is unconditional and "
                "trains on real samples alone, got labels; train on "
                "(images, labels) with keras_wgan.ConditionalWGANGP."
            )
        return None

    def array_dataset(self, x: np.ndarray, y: Any, batch_size: int | None,
                      kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Wraps array input in batches of `n_critic * batch_size`.

        Applies `validation_split`, checks `x` and `batch_size`, and
        returns a `keras_wgan.data.batches.ShuffledBatches` whose order is
        drawn from the model's seed and the pass number, not from global
        random state, so that `fit(..., initial_epoch=k)` on a reloaded
        checkpoint continues with the very batches an uninterrupted run
        would have used.

        Args:
            x: The samples `(N, *shape)`.
            y: `check_y`'s result: `None`, or labels `(N,)` read alongside.
            batch_size: The critic batch size `m`, or `None` for 64.
            kwargs: `fit`'s other keyword arguments.

        Returns:
            `(dataset, kwargs)`, `kwargs` completed with `steps_per_epoch`.
        """
        model = self.model
        if y is None:
            x, kwargs = batches.split_validation(x, kwargs)
        else:
            (x, y), kwargs = batches.split_validation((x, y), kwargs)
        argument_validation.check_samples(x, "x", model.image_shape)
        batch_size = argument_validation.check_int(
            "batch_size",
            DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
        )
        distribute.check_batch_size(batch_size)
        remainder = batches.short_last_step(
            x.shape[0], batch_size, model.n_critic, distribute.replicas())
        if remainder is not None:
            raise ValueError(
                f"batch_size={batch_size} with n_critic={model.n_critic} "
                f"leaves a last step of {remainder} images for "
                f"{x.shape[0]} images, fewer than one per critic update; "
                "choose a batch_size for which "
                "len(x) % (batch_size * n_critic) is 0 or >= n_critic."
            )
        batch_size *= model.n_critic
        validation = kwargs.get("validation_data")
        if isinstance(validation, tuple) and validation:
            validation = validation[0]  # (images, labels)
        if batches.is_array(validation):
            kwargs.setdefault("validation_batch_size", batch_size)
        kwargs = dict(kwargs)
        shuffle = kwargs.get("shuffle", True)
        # The batches are shuffled already; Keras must not reorder them.
        kwargs["shuffle"] = False
        steps = kwargs.get("steps_per_epoch") or -(-len(x) // batch_size)
        kwargs["steps_per_epoch"] = steps
        replicas, shard = backend.data_shard()
        shuffled = batches.ShuffledBatches(
            x,
            batch_size,
            data_seed(model),
            shuffle=shuffle,
            first_step=kwargs.get("initial_epoch", 0) * steps,
            labels=y,
            parts=model.n_critic,
            replicas=replicas,
            shard=shard,
        )
        return shuffled, kwargs

    def check_batch(self, batch: Any, name: str) -> Any:
        """Returns one batch of a Python generator, checked, as a tuple.

        Keras wants a tuple from a generator; a bare array is wrapped. The
        range check runs here, in Python, as each batch is read, not in the
        compiled training step.

        Args:
            batch: What the generator yielded.
            name: The batch in messages, e.g. `"x (batch 3)"`.

        Returns:
            The batch, a tuple `(samples, ...)`.
        """
        if batches.is_array(batch):
            batch = (batch,)
        if isinstance(batch, tuple) and batch and batches.is_array(batch[0]):
            argument_validation.check_batch_range(
                batch[0], name, self.model.image_shape)
        return batch

    def checked_generator(self, generator: Iterator[Any],
                          name: str) -> Iterator[Any]:
        """Yields the batches of a Python generator through `check_batch`.

        Example:

        A generator of bare arrays (a small GAN of 4x4 images):

        >>> critic = keras.Sequential([
        ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
        ...     keras.layers.Dense(1)])
        >>> generator = keras.Sequential([
        ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
        ...     keras.layers.Reshape((4, 4, 1))])
        >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
        >>> gan.compile()
        >>> def batches(scale):
        ...     rng = np.random.default_rng(0)
        ...     while True:
        ...         yield scale * rng.uniform(-1, 1, (8, 4, 4, 1))
        >>> history = gan.fit(batches(1.0), steps_per_epoch=2, verbose=0)
        >>> gan.fit(batches(255.0), steps_per_epoch=2, verbose=0)
        Traceback (most recent call last):
        ...
        ValueError: x (batch 1) values must lie in [-1, 1] (the generator ends in tanh), got ...
        """
        for number, batch in enumerate(generator, 1):
            yield self.check_batch(batch, f"{name} (batch {number})")

    def check_validation(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Checks `fit`'s `validation_data`; returns `kwargs` to use.

        An array gets the checks of `x`, once per `fit` (not per
        evaluation: it does not change); a Python generator's batches go
        through `check_batch` as they come.
        """
        validation = kwargs.get("validation_data")
        if isinstance(validation, (tuple, list)) and validation:
            validation = validation[0]  # (x,) or (x, None)
        if batches.is_array(validation):
            argument_validation.check_samples(
                validation, "validation_data", self.model.image_shape)
        elif inspect.isgenerator(validation):
            kwargs = dict(kwargs, validation_data=self.checked_generator(
                validation, "validation_data"))
        return kwargs

    def unpack(self, data: Any) -> Any:
        """Returns the real samples of one batch, inside the training step.

        Args:
            data: One element of the dataset `fit` trains on.

        Returns:
            The step's real samples, which it splits into `n_critic`
            critic batches (`keras_wgan.data.batches.split_batch`).
        """
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is not None:
            raise ValueError(
                "the dataset must yield images only: "
                f"{self.model_name} is unconditional, got (images, "
                "labels) pairs; train on them with "
                "keras_wgan.ConditionalWGANGP."
            )
        shape = tuple(images.shape[1:])
        if shape != self.model.image_shape:
            raise ValueError(
                f"batches must hold images of shape {self.model.image_shape} "
                f"(the critic's input), got {shape}."
            )
        dtype = keras.backend.standardize_dtype(images.dtype)
        if not dtype.startswith(("float", "bfloat")):
            raise ValueError(
                f"images must be floating point, got dtype {dtype}."
            )
        return images


class LabelledSamples(Samples):
    """A class-conditional model's input: images and their labels.

    `fit(x, y, batch_size=m)` takes images `x` and integer labels `y` in
    `[0, model.num_classes)`; a dataset or generator yields `(images,
    labels)` batches of `n_critic * m`, and `validation_data` is a pair
    too. Each step's real samples are the pair `(images, labels)`, labels
    int32.

    Example:

    >>> gan = keras_wgan.ConditionalWGANGP(
    ...     architectures.mnist_critic(width=2, num_classes=10),
    ...     architectures.mnist_generator(4, width=2, num_classes=10),
    ...     num_classes=10)
    >>> gan.compile()
    >>> gan.fit(np.zeros((16, 28, 28, 1)), batch_size=8)
    Traceback (most recent call last):
    ...
    ValueError: y is missing: ConditionalWGANGP trains on labelled images; pass fit(x, y) with one integer class label in [0, 10) per image.
    >>> LabelledSamples(gan).check_y(np.zeros((2, 28, 28, 1)), [3, 10])
    Traceback (most recent call last):
    ...
    ValueError: y must hold class labels in [0, 10), got [3, 10].
    """

    def check_y(self, x: Any, y: Any) -> np.ndarray | None:
        """Returns the labels of array `x`, checked; `None` for a dataset."""
        if not batches.is_array(x):
            if y is not None:
                raise ValueError(
                    "y must be None when x is a dataset or generator: it "
                    "yields (images, labels) batches itself, got labels."
                )
            return None
        if y is None:
            raise ValueError(
                f"y is missing: {self.model_name} trains on labelled "
                "images; pass fit(x, y) with one integer class label in "
                f"[0, {self.model.num_classes}) per image."
            )
        return check_labels(y, self.model.num_classes, len(x), "y")

    def check_validation(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Checks that `validation_data` is `(images, labels)`, then both."""
        validation = kwargs.get("validation_data")
        if batches.is_array(validation) or (
                isinstance(validation, (tuple, list))
                and len(validation) == 1):
            raise ValueError(
                "validation_data must be (images, labels) for "
                f"{self.model_name}, got images alone."
            )
        if (isinstance(validation, (tuple, list)) and len(validation) > 1
                and batches.is_array(validation[0])):
            check_labels(validation[1], self.model.num_classes,
                         len(validation[0]), "validation_data labels")
        return super().check_validation(kwargs)

    def check_batch(self, batch: Any, name: str) -> Any:
        """Returns a generator's `(images, labels)` batch, both checked."""
        # Labels are checked here, in Python, as each batch is read: inside
        # the compiled step an out-of-range label would index past the
        # embeddings (an error on some backends, a silent clamp on JAX).
        batch = super().check_batch(batch, name)
        if len(batch) < 2:
            raise ValueError(
                f"{name} must be (images, labels) for {self.model_name}, "
                "got images alone."
            )
        check_labels(batch[1], self.model.num_classes, len(batch[0]),
                     f"{name} labels")
        return batch

    def unpack(self, data: Any) -> tuple[Any, Any]:
        """Returns `(images, labels)`, labels int32 of shape `(batch,)`."""
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                "the dataset must yield (images, labels) pairs: "
                f"{self.model_name} trains on labelled images, got "
                "images alone."
            )
        images = super().unpack(images)
        dtype = keras.backend.standardize_dtype(labels.dtype)
        if len(labels.shape) != 1 or not dtype.startswith(("int", "uint")):
            raise ValueError(
                "labels must be integers of shape (batch,), got dtype "
                f"{dtype} and shape {tuple(labels.shape)}."
            )
        return images, ops.cast(labels, "int32")


def data_seed(model: Any) -> int:
    """Returns the seed of the data order: the model's, or a fresh one.

    Without a model seed the order is still reproducible under
    `keras.utils.set_random_seed`, but not across a resume.
    """
    return model.seed if model.seed is not None else np.random.randint(2**31)
