"""Named sets of `train` options: a paper's setting, or a measured one.

`train --recipe NAME` fills in the options of the recipe; any option given
on the command line as well wins over the recipe's value.
"""

import dataclasses
import math
from typing import Any


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A named set of `train` options.

    Attributes:
        name: The `--recipe` name.
        options: The options it sets, by `TrainConfig` field name.
        source: Where the setting comes from, and what it reported.
    """

    name: str
    options: dict
    source: str


# CIFAR-10's 50,000 training images in steps of 5 critic batches of 64.
_CIFAR10_STEPS_PER_EPOCH = math.ceil(50_000 / (5 * 64))

#: Every recipe by name.
RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "cifar10-resnet",
            {
                "model": "wgan-gp",
                "dataset": "cifar10",
                "architecture": "resnet",
                "width": 128,
                "latent_dim": 128,
                "batch_size": 64,
                "n_critic": 5,
                "gp_weight": 10.0,
                "learning_rate": 2e-4,
                "lr_decay": "linear",
                # 100,000 generator iterations (the paper's), rounded up to
                # whole epochs of 157 steps: 100,009.
                "epochs": math.ceil(100_000 / _CIFAR10_STEPS_PER_EPOCH),
            },
            "Gulrajani et al. (2017), appendix and gan_cifar_resnet.py: the "
            "ResNet WGAN-GP on CIFAR-10, Adam(2e-4, beta_1=0, beta_2=0.9) "
            "decayed linearly to 0, n_critic 5, batch 64, 100k generator "
            "iterations; Inception score 7.86 unsupervised (8.42 with labels, "
            "an AC-GAN critic).",
        ),
        Recipe(
            "mnist-cpu",
            {
                "model": "wgan-gp",
                "dataset": "mnist",
                "width": 16,
                "batch_size": 32,
                "n_critic": 5,
                "learning_rate": 3e-4,
                # 375 generator iterations an epoch (five critic batches of
                # 32 per step): 4,500 in all, past the study's budget, since
                # its curve was still falling at the end.
                "epochs": 12,
            },
            "The time-to-quality study (docs/studies/time-to-quality.md): "
            "of the MNIST WGAN-GP recipes trained for the same CPU seconds, "
            "width 16 with batch 32 and Adam(3e-4, beta_1=0, beta_2=0.9) "
            "for both players (the README's set-up command) reached each "
            "classifier FID soonest.",
        ),
    )
}


def recipe_options(name: str) -> dict[str, Any]:
    """Returns the options of the recipe `name`.

    Example:

    >>> options = recipe_options("cifar10-resnet")
    >>> options["architecture"], options["epochs"]
    ('resnet', 637)
    """
    if name not in RECIPES:
        raise ValueError(
            f"recipe must be one of {', '.join(RECIPES)}, got {name!r}."
        )
    return dict(RECIPES[name].options)
