"""keras_wgan.models: its public names are documented and are the
registry's classes and more (tests/test_public_api.py pins the list)."""

import pytest

from keras_wgan import models

pytestmark = pytest.mark.backends(
    "torch", reason="names only; the same on every backend")


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
