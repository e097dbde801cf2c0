"""The registry of model variants: one entry per command-line name.

The command line (`train --model`, `compare --variants`), the comparison
report and the pretrained models all look variants up here, so a model's
name, class, label, colour and defaults are written once. A default is read
from the class's constructor signature, never copied.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from keras_wgan import argument_validation
from keras_wgan.models.gan import MinimaxGAN
from keras_wgan.models.lipschitz import DRAGAN
from keras_wgan.models.lipschitz import SNGANHinge
from keras_wgan.models.lipschitz import WGANLP
from keras_wgan.models.lipschitz import WGANR1
from keras_wgan.models.lipschitz import WGANSN
from keras_wgan.models.gan import NonSaturatingGAN
from keras_wgan.models.wasserstein import WGAN
from keras_wgan.models.wasserstein import WGANGP
from keras_wgan.models.wasserstein import WassersteinGAN


@dataclasses.dataclass(frozen=True)
class Variant:
    """One model variant.

    Attributes:
        name: The command-line name, e.g. `"wgan-gp"`.
        model_class: The `AdversarialModel` subclass.
        label: The name shown in reports, e.g. `"WGAN (clipping)"`.
        colour: The matplotlib colour of its curves in every figure.
        lipschitz_argument: The constructor argument that sets how the
            critic is kept Lipschitz (`"clip_value"`, `"gp_weight"` for
            every penalty, `"power_iterations"` for spectral
            normalisation), or `None` for a model without one.
    """

    name: str
    model_class: type
    label: str
    colour: str
    lipschitz_argument: str | None = None

    def default(self, argument: str) -> Any:
        """Returns the default of a constructor argument of `model_class`.

        Example:

        >>> get_variant("wgan-gp").default("n_critic")
        5
        """
        parameter = inspect.signature(self.model_class).parameters[argument]
        if parameter.default is inspect.Parameter.empty:
            raise KeyError(
                f"{self.model_class.__name__} has no default for {argument!r}."
            )
        return parameter.default


#: Every variant by command-line name, in report order.
VARIANTS = {
    variant.name: variant
    for variant in (
        Variant("gan", MinimaxGAN, "GAN (minimax)", "tab:orange"),
        Variant("nsgan", NonSaturatingGAN, "GAN (non-saturating)",
                "tab:green"),
        Variant("wgan", WGAN, "WGAN (clipping)", "tab:blue", "clip_value"),
        Variant("wgan-gp", WGANGP, "WGAN-GP", "tab:red", "gp_weight"),
        Variant("wgan-lp", WGANLP, "WGAN-LP", "tab:purple", "gp_weight"),
        Variant("dragan", DRAGAN, "DRAGAN", "tab:brown", "gp_weight"),
        Variant("wgan-r1", WGANR1, "WGAN + R1", "tab:pink", "gp_weight"),
        Variant("wgan-sn", WGANSN, "WGAN + SN", "tab:cyan",
                "power_iterations"),
        Variant("sngan-hinge", SNGANHinge, "SNGAN (hinge)", "tab:olive",
                "power_iterations"),
    )
}


def get_variant(name: str) -> Variant:
    """Returns the `Variant` registered under `name`.

    Args:
        name: A key of `VARIANTS`.

    Returns:
        A `Variant`.

    Example:

    >>> get_variant("wgan").model_class.__name__
    'WGAN'
    """
    argument_validation.check_choice("name", name, tuple(VARIANTS))
    return VARIANTS[name]


def variant_of(model: Any) -> Variant | None:
    """Returns the `Variant` whose class is exactly `type(model)`, or None.

    Example:

    >>> variant_of(object()) is None
    True
    """
    for variant in VARIANTS.values():
        if type(model) is variant.model_class:
            return variant
    return None
