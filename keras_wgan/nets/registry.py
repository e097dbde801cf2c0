"""The network architectures by name: what `train --architecture` builds.

One entry per family of critic and generator (`ARCHITECTURES`), and
`build_networks`, which builds a matched pair for an image shape. The
command line and the scripts build networks through it, so an
architecture's name, image sizes and builders are written once.
"""

import dataclasses
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan.nets import architectures
from keras_wgan.nets.conditional import check_class_factors
from keras_wgan.nets import dcgan
from keras_wgan.nets import resnet


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A family of critic and generator.

    Attributes:
        name: The command-line name, e.g. `"dcgan"`.
        critic: The critic builder; it takes `image_shape` unless
            `fixed_shape` is set, and `width`, `normalization` and
            `num_classes` keywords.
        generator: The generator builder, taking `latent_dim`,
            `image_shape` (unless `fixed_shape` is set), `width` and
            `num_classes`.
        fixed_shape: The one image shape the family builds, or `None` when
            it builds any shape its builders accept.
        description: What it is, for the command line's help.
    """

    name: str
    critic: Callable[..., keras.Model]
    generator: Callable[..., keras.Model]
    fixed_shape: tuple[int, int, int] | None = None
    description: str = ""


#: Every architecture by command-line name.
ARCHITECTURES = {
    architecture.name: architecture
    for architecture in (
        Architecture(
            "mnist", architectures.mnist_critic, architectures.mnist_generator,
            fixed_shape=architectures.MNIST_SHAPE,
            description="the WGAN-GP paper's MNIST networks (28x28x1 only)"),
        Architecture(
            "dcgan", dcgan.dcgan_critic, dcgan.dcgan_generator,
            description="the paper's DCGAN (square images, a power of two "
            ">= 8 pixels, grey or RGB)"),
        Architecture(
            "resnet", resnet.resnet_critic, resnet.resnet_generator,
            description="the paper's CIFAR-10 ResNet (square images, a power "
            "of two >= 16 pixels)"),
    )
}


def default_architecture(image_shape: Sequence[int]) -> str:
    """Returns the architecture `train` uses for images of `image_shape`.

    The MNIST networks for 28x28x1 images (the paper's), else the DCGAN.

    Example:

    >>> default_architecture((28, 28, 1)), default_architecture((32, 32, 3))
    ('mnist', 'dcgan')
    """
    if tuple(image_shape) == architectures.MNIST_SHAPE:
        return "mnist"
    return "dcgan"


def build_networks(architecture: str, image_shape: Sequence[int],
                   latent_dim: int = 128, width: int = 64,
                   num_classes: int | None = None,
                   normalization: str | None = None,
                   class_factors: Sequence[int] | None = None
                   ) -> tuple[keras.Model, keras.Model]:
    """Builds a critic and a generator of one architecture for `image_shape`.

    Args:
        architecture: A name of `ARCHITECTURES`.
        image_shape: `(height, width, channels)` of the images.
        latent_dim: Size of the noise vector, an int >= 1.
        width: The network width (filters of the critic's first
            convolution), an int >= 1.
        num_classes: `None` for unconditional networks, or the number of
            classes (an int >= 2) of class-conditional ones, whose critic
            and generator also take the labels.
        normalization: The critic's normalisation, as in
            `dcgan.dcgan_critic` (`None`, `"layer"` or `"batch"`); the MNIST
            critic has none.
        class_factors: `None`, or the factor sizes of the classes (their
            product `num_classes`), for factored labels
            (`keras_wgan.nets.conditional`).

    Returns:
        `(critic, generator)`, built `keras.Model`s.

    Raises:
        ValueError: in one line, for an unknown architecture or an image
            shape the architecture cannot build.

    Example:

    >>> critic, generator = build_networks("dcgan", (32, 32, 3), 16, width=4)
    >>> critic.input_shape, generator.output_shape
    ((None, 32, 32, 3), (None, 32, 32, 3))
    >>> build_networks("mnist", (32, 32, 3))
    Traceback (most recent call last):
    ...
    ValueError: architecture 'mnist' builds images of shape (28, 28, 1) only, got (32, 32, 3).
    """
    argument_validation.check_choice("architecture", architecture,
                                     tuple(ARCHITECTURES))
    family = ARCHITECTURES[architecture]
    image_shape = tuple(image_shape)
    conditional: dict[str, Any] = {} if num_classes is None else {
        "num_classes": argument_validation.check_int("num_classes",
                                                     num_classes, minimum=2)}
    if class_factors is not None:
        conditional["class_factors"] = check_class_factors(
            class_factors, conditional.get("num_classes"))
    if family.fixed_shape is not None:
        if image_shape != family.fixed_shape:
            raise ValueError(
                f"architecture {architecture!r} builds images of shape "
                f"{family.fixed_shape} only, got {image_shape}."
            )
        if normalization is not None:
            raise ValueError(
                f"normalization must be None for architecture "
                f"{architecture!r} (its critic has none), got "
                f"{normalization!r}."
            )
        critic = family.critic(width=width, **conditional)
        generator = family.generator(latent_dim=latent_dim, width=width,
                                     **conditional)
    else:
        critic = family.critic(image_shape, width=width,
                               normalization=normalization, **conditional)
        generator = family.generator(latent_dim, image_shape, width=width,
                                     **conditional)
    return critic, generator
