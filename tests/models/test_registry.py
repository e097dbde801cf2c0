"""The registry of model variants."""

import inspect

import pytest

import keras_wgan
from keras_wgan.models import registry
from tests.helpers import small_models


def test_every_variant_names_its_public_class():
    assert list(registry.VARIANTS) == ["gan", "nsgan", "wgan", "wgan-gp",
                                       "wgan-lp", "dragan", "wgan-r1",
                                       "wgan-sn", "sngan-hinge"]
    for name, variant in registry.VARIANTS.items():
        assert variant.name == name
        assert getattr(keras_wgan, variant.model_class.__name__) is (
            variant.model_class)
        if variant.lipschitz_argument is not None:
            assert variant.lipschitz_argument in inspect.signature(
                variant.model_class).parameters
    colours = [v.colour for v in registry.VARIANTS.values()]
    assert len(set(colours)) == len(colours)


def test_defaults_come_from_the_constructors():
    assert registry.get_variant("wgan").default("n_critic") == 5
    assert registry.get_variant("wgan").default("clip_value") == 0.01
    assert registry.get_variant("wgan-gp").default("gp_weight") == 10.0
    assert registry.get_variant("gan").default("n_critic") == 1
    with pytest.raises(KeyError, match="no default for 'critic'"):
        registry.get_variant("wgan").default("critic")


def test_unknown_name_is_one_line():
    with pytest.raises(ValueError, match=r"^name must be one of \('gan', "
                       r"'nsgan', 'wgan', 'wgan-gp', 'wgan-lp', 'dragan', "
                       r"'wgan-r1', 'wgan-sn', 'sngan-hinge'\), got 'wgan_gp'.$"):
        registry.get_variant("wgan_gp")


def test_variant_of_is_exact():
    model = keras_wgan.WGANGP(*small_models())
    assert registry.variant_of(model).name == "wgan-gp"

    class Mine(keras_wgan.WGANGP):
        pass

    assert registry.variant_of(Mine(*small_models())) is None
