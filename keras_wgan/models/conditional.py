"""`ConditionalWGANGP`: WGAN-GP on labelled images, one class at a time.

The model learns the joint distribution of images and class labels: its
real samples are pairs `(images, labels)`, and so are its fake ones, the
generator's images beside the labels it was asked for. Its networks take
the labels as a second input (see `keras_wgan.nets.conditional`: the
builders' `num_classes` give a projection critic, Miyato & Koyama 2018, and
a generator that sees the class one-hot beside the noise, Mirza & Osindero
2014). Everything else is `WGANGP`'s training on the shared n-critic loop:
the Wasserstein loss and estimate of `WassersteinGAN` apply unchanged to the
pairs, and the gradient penalty is taken with respect to the images alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import _keras_internals
from keras_wgan import argument_validation
from keras_wgan import distribute
from keras_wgan.image_grids import block_columns
from keras_wgan.models import inputs
from keras_wgan.models import sampling
from keras_wgan.models.adversarial import Logs
from keras_wgan.models.inputs import check_labels
from keras_wgan.models.wasserstein import WGANGP
from keras_wgan.penalty import gradient_penalty


def _as_tensors(noise: Any) -> tuple[Any, Any]:
    """`(latent, labels)` as tensors, the labels int32."""
    latent, labels = noise
    # Keras refuses a call mixing tensors and NumPy arrays.
    return (ops.convert_to_tensor(latent),
            ops.convert_to_tensor(labels, dtype="int32"))


def _split_label_input(model: Any, name: str) -> tuple[int, ...]:
    """Returns a conditional network's first input shape; checks the labels."""
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"{name} must be a keras.Model, got {type(model).__name__}."
        )
    inputs = getattr(model, "inputs", None) or []
    labels_ok = len(inputs) == 2 and tuple(inputs[1].shape) == (None,) and (
        keras.backend.standardize_dtype(inputs[1].dtype).startswith(
            ("int", "uint")))
    if not labels_ok:
        got = [tuple(t.shape) for t in inputs]
        raise ValueError(
            f"{name} must take [inputs, labels] with int labels of shape "
            f"(batch,) (build it with num_classes=...), got inputs {got}."
        )
    return tuple(inputs[0].shape[1:])


@keras.saving.register_keras_serializable(package="keras_wgan")
class ConditionalWGANGP(WGANGP):
    """Class-conditional WGAN-GP: images of the class you ask for.

    The training of `WGANGP` (Gulrajani et al., 2017) on labelled images.
    Each critic update takes a fresh real batch `(images, labels)` and
    generates a fake batch for the same labels; the critic scores each
    image under its label. The gradient penalty is taken with respect to
    the images only, labels held fixed, per sample: because real and fake
    share their labels, the interpolate between the two images of one
    sample is scored under that one label, on the line between two images
    of one class. The generator update draws its labels uniformly over the
    classes from the model's seed stream (not from the data's label
    frequencies, which it does not see; `generate` also defaults to
    balanced classes).

    The critic takes `[images, labels]` and the generator `[noise, labels]`,
    labels int32 of shape `(batch,)`: the builders of `keras_wgan.nets`
    make them with `num_classes=...`.

    `fit(x, y, batch_size=m)` takes images `x` in `[-1, 1]` and integer
    labels `y` in `[0, num_classes)`; a dataset or generator yields
    `(images, labels)` batches of `n_critic * m`. Logged metrics are those
    of `WGANGP`, with `critic_loss == gradient_penalty -
    wasserstein_estimate`.

    Args:
        critic: A built `keras.Model` mapping `[images, labels]` to scores
            `(batch, 1)`, linear last activation, no BatchNormalization.
        generator: A built `keras.Model` mapping `[noise, labels]` to
            images of the critic's input shape, with values in `[-1, 1]`.
        num_classes: Number of classes, an int >= 2; it must match the
            networks'.
        latent_dim: Size of the noise vector; inferred from the generator
            when `None`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: Penalty weight lambda (default 10).
        seed: Int seed for the noise, the labels of the generator updates
            and the interpolation, or `None`.
        generator_ema: `None`, or the decay of a moving average of the
            generator's weights, which `generate` then samples from (as
            for `WGANGP`).
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> images, labels = keras_wgan.data.load_mnist("test",
    ...                                             return_labels=True)
    >>> gan = keras_wgan.ConditionalWGANGP(
    ...     architectures.mnist_critic(width=4, num_classes=10),
    ...     architectures.mnist_generator(8, width=4, num_classes=10),
    ...     num_classes=10, seed=0)
    >>> gan.compile()
    >>> history = gan.fit(images[:320], labels[:320], batch_size=32,
    ...                   verbose=0)
    >>> gan.generate(3, labels=7).shape  # three sevens
    (3, 28, 28, 1)
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        num_classes: int,
        latent_dim: int | None = None,
        n_critic: int = 5,
        gp_weight: float = 10.0,
        seed: int | None = None,
        generator_ema: float | None = None,
        **kwargs: Any,
    ) -> None:
        num_classes = argument_validation.check_int(
            "num_classes", num_classes, minimum=2)
        super().__init__(
            critic,
            generator,
            latent_dim=latent_dim,
            n_critic=n_critic,
            gp_weight=gp_weight,
            seed=seed,
            generator_ema=generator_ema,
            **kwargs,
        )
        self.num_classes = num_classes
        for network, name in ((critic, "critic"), (generator, "generator")):
            for layer in _keras_internals.all_layers(network):
                # The layers of keras_wgan.nets.conditional know their K.
                theirs = getattr(layer, "num_classes", num_classes)
                if theirs != num_classes:
                    raise ValueError(
                        f"num_classes={num_classes} differs from the "
                        f"{name}'s {theirs} (layer '{layer.name}')."
                    )

    def check_networks(self, critic: keras.Model, generator: keras.Model,
                       latent_dim: int | None) -> tuple[tuple[int, ...], int]:
        """Checks networks that take `[inputs, labels]`."""
        image_shape = _split_label_input(critic, "critic")
        argument_validation.check_scalar_output(critic, "critic")
        argument_validation.check_linear_output(critic, "critic")
        noise_shape = _split_label_input(generator, "generator")
        latent_dim = argument_validation.check_generator(
            generator, latent_dim, image_shape, input_shape=noise_shape)
        return image_shape, latent_dim

    def fit_inputs(self) -> inputs.LabelledSamples:
        """Returns `keras_wgan.models.inputs.LabelledSamples` of this model."""
        return inputs.LabelledSamples(self)

    # ------------------------------------------------------------- training

    def sample_noise(self, batch_size: int) -> tuple[Any, Any]:
        """Returns `(noise, labels)` for a generator update.

        Noise `(batch_size, latent_dim)` and labels `(batch_size,)` drawn
        uniformly from `[0, num_classes)`, both from the model's stream.
        """
        noise = super().sample_noise(batch_size)
        labels = distribute.replica_rows(
            lambda rows: keras.random.randint(
                (rows,), 0, self.num_classes, seed=self.seed_generator,
                dtype="int32"),
            batch_size)
        return noise, labels

    def noise_for(self, real: Any) -> tuple[Any, Any]:
        """Returns `(noise, labels)`: fresh noise for `real`'s own labels."""
        images, labels = real
        # The fake batch gets the real batch's labels, sample by sample:
        # the penalty interpolates between real image i and fake image i,
        # and only with one label for both is that interpolate scored under
        # a class either end belongs to.
        return super().sample_noise(ops.shape(images)[0]), labels

    def critic_scores(self, x: Any, training: bool = True) -> Any:
        """Returns the critic's scores of `x = (images, labels)`.

        As `AdversarialModel.critic_scores`, each image under its label.
        """
        images, labels = x
        # Keras refuses a call mixing tensors and NumPy arrays.
        pair = (ops.convert_to_tensor(images),
                ops.convert_to_tensor(labels, dtype="int32"))
        return super().critic_scores(pair, training=training)

    def generator_samples(self, noise: Any,
                          training: bool = True) -> tuple[Any, Any]:
        """Returns `(images, labels)`: the generator's images and their labels.

        Args:
            noise: `(noise, labels)`: latent vectors `(batch, latent_dim)`
                and int labels `(batch,)`.
            training: Passed to the generator.

        Returns:
            The pair `(images, labels)`, a sample of the joint
            distribution, which `critic_scores` takes as is.
        """
        latent, labels = _as_tensors(noise)
        images = super().generator_samples((latent, labels), training)
        return images, labels

    def sampler(self, raw: bool = False) -> Callable[[Any], Any]:
        """Returns the function from `(noise, labels)` to images of `generate`.

        The generator in inference mode, or its moving average
        (`generator_ema`) unless `raw`.
        """
        network = ("generator" if raw or self.ema_generator is None
                   else "ema_generator")
        return lambda noise: self.call_network(network, _as_tensors(noise),
                                               False)

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns the gradient penalty with respect to the images only."""
        images, labels = real
        fake_images, _ = fake  # generated for these same labels

        def scores(x: Any, training: bool = True) -> Any:
            return self.critic_scores((x, labels), training=training)

        penalty = gradient_penalty(
            scores, images, fake_images, seed=self.seed_generator)
        return {"gradient_penalty": self.gp_weight * penalty}

    # ------------------------------------------------------------- sampling

    def _labels_for(self, labels: Any, count: int,
                    name: str = "labels") -> np.ndarray:
        """Resolves `generate`'s labels: None, one class, or one per sample."""
        if labels is None:
            return (np.arange(count) % self.num_classes).astype("int32")
        if isinstance(labels, (int, np.integer)) and not isinstance(
                labels, bool):
            labels = np.full(count, labels)
        return check_labels(labels, self.num_classes, count, name)

    # The labels come second, where the unconditional generate takes the
    # seed: a deliberate difference of signature (a conditional model is
    # asked for classes), which the type checker rightly reports.
    def generate(  # type: ignore[override]
            self, num_samples: int, labels: Any = None,
            seed: int | None = None, batch_size: int = 256,
            raw: bool = False) -> np.ndarray:
        """Draws images of the given classes.

        Args:
            num_samples: Number of images, an int >= 1.
            labels: An int (every image of that class), an int array of
                length `num_samples`, or `None` for
                `np.arange(num_samples) % num_classes` (the classes in
                turn).
            seed: Int seed for the noise, or `None` for the model's own
                random stream.
            batch_size: Images generated per forward pass.
            raw: With `generator_ema`, `True` samples from the trained
                generator instead of its average; otherwise no effect.

        Returns:
            NumPy array `(num_samples, H, W, C)`.

        Example:

        >>> gan = keras_wgan.ConditionalWGANGP(
        ...     architectures.mnist_critic(width=2, num_classes=10),
        ...     architectures.mnist_generator(4, width=2, num_classes=10),
        ...     num_classes=10)
        >>> gan.generate(4, labels=[3, 1, 4, 1], seed=0).shape
        (4, 28, 28, 1)
        >>> gan.generate(2, labels=10)
        Traceback (most recent call last):
        ...
        ValueError: labels must hold class labels in [0, 10), got [10, 10].
        """
        num_samples = argument_validation.check_int("num_samples", num_samples)
        batch_size = argument_validation.check_int("batch_size", batch_size)
        labels = self._labels_for(labels, num_samples)
        seed = self.seed_generator if seed is None else seed
        noise = keras.random.normal((num_samples, self.latent_dim), seed=seed)
        return self.generate_from(noise, labels, batch_size=batch_size,
                                  raw=raw)

    def generate_from(  # type: ignore[override]  # labels second, as above
            self, noise: Any, labels: Any = None,
            batch_size: int = 256, raw: bool = False) -> np.ndarray:
        """Maps latent vectors and labels to images (NumPy array).

        Args:
            noise: Latent vectors `(n, latent_dim)`.
            labels: As for `generate` (`None`: the classes in turn).
            batch_size: Images generated per forward pass.
            raw: As for `generate`.

        Returns:
            float32 NumPy array `(n, H, W, C)`.
        """
        noise = sampling.check_noise(noise, self.latent_dim)
        labels = self._labels_for(labels, noise.shape[0])
        sampler = self.sampler(raw)
        return sampling.in_batches(
            lambda start, stop: sampler(
                (noise[start:stop], labels[start:stop])),
            noise.shape[0],
            batch_size,
        )

    def class_grid(self, num_samples: int, seed: int = 0,
                   batch_size: int = 256, classes: Any = None,
                   raw: bool = False) -> tuple[np.ndarray, int]:
        """Generates a grid of one row per class; returns `(images, columns)`.

        `num_samples` is rounded up to whole rows: `columns =
        ceil(num_samples / len(classes))`, so the grid holds `len(classes) *
        columns` images. Each column is one noise vector drawn from `seed`,
        the same in every row, so a column shows one latent point in every
        class and the same `seed` gives the same noise at every call (the
        grids of `keras_wgan.callbacks.SampleGrid` across epochs). Where
        that leaves one image a class (`num_samples <= len(classes)`, as
        for a model of many classes), the classes wrap into rows of
        `keras_wgan.image_grids.block_columns(len(classes))` in order,
        one noise vector for all, instead of one column of `len(classes)`
        rows.

        Args:
            num_samples: Images wanted, an int >= 1.
            seed: Int seed of the noise, >= 0.
            batch_size: Images generated per forward pass.
            classes: The classes of the rows, in order: a sequence of ints
                in `[0, num_classes)`; `None` means every class, 0 first.
            raw: As for `generate`.

        Returns:
            `(images, columns)`: images `(len(classes) * columns, H, W, C)`
            row by row, for
            `keras_wgan.image_grids.save_image_grid(images, path, columns)`.

        Example:

        >>> gan = keras_wgan.ConditionalWGANGP(
        ...     architectures.mnist_critic(width=2, num_classes=10),
        ...     architectures.mnist_generator(4, width=2, num_classes=10),
        ...     num_classes=10)
        >>> images, columns = gan.class_grid(25)  # 3 columns of 10 classes
        >>> images.shape, columns
        ((30, 28, 28, 1), 3)
        >>> images, columns = gan.class_grid(8, classes=[7, 3])  # a 7 row, a 3
        >>> images.shape, columns
        ((8, 28, 28, 1), 4)
        >>> images, columns = gan.class_grid(1)  # one image a class: 2 rows
        >>> images.shape, columns
        ((10, 28, 28, 1), 5)
        """
        num_samples = argument_validation.check_int("num_samples", num_samples)
        seed = argument_validation.check_int("seed", seed, minimum=0)
        if classes is None:
            classes = np.arange(self.num_classes)
        else:
            classes = np.asarray(classes)
            if classes.ndim != 1 or not len(classes):
                raise ValueError("classes must be a non-empty sequence of "
                                 f"class numbers, got {classes.tolist()!r}.")
            classes = check_labels(classes, self.num_classes, len(classes),
                                   name="classes")
        columns = math.ceil(num_samples / len(classes))
        noise = ops.convert_to_numpy(
            keras.random.normal((columns, self.latent_dim), seed=seed))
        noise = np.tile(noise, (len(classes), 1))
        labels = np.repeat(classes, columns)
        images = self.generate_from(noise, labels, batch_size, raw)
        if columns == 1:
            columns = block_columns(len(classes))
        return images, columns

    # -------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config
