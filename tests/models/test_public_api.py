"""keras_wgan.models: the public names, pinned so a change is deliberate."""

import pytest

from keras_wgan import models

pytestmark = pytest.mark.backends(
    "torch", reason="names only; the same on every backend")

EXPECTED = [
    "AdversarialModel",
    "BiGAN",
    "BiGANGP",
    "ConditionalWGANGP",
    "CrossEntropyGAN",
    "CycleGAN",
    "DRAGAN",
    "IterationSchedule",
    "LabelledSamples",
    "MinimaxGAN",
    "NonSaturatingGAN",
    "SNGANHinge",
    "Samples",
    "VARIANTS",
    "WGAN",
    "WGANGP",
    "WGANLP",
    "WGANR1",
    "WGANSN",
    "WassersteinGAN",
    "get_variant",
    "linear_decay",
]


def test_all_is_sorted_and_pinned():
    assert models.__all__ == sorted(models.__all__)
    assert models.__all__ == EXPECTED


def test_every_name_is_exported_and_documented():
    for name in models.__all__:
        value = getattr(models, name)
        if name != "VARIANTS":
            assert value.__doc__, name
    assert not [name for name in models.__all__ if name.startswith("_")]


def test_the_models_are_the_registry_classes_and_more():
    registered = {variant.model_class for variant in models.VARIANTS.values()}
    exported = [getattr(models, name) for name in models.__all__]
    assert all(cls in exported for cls in registered)
