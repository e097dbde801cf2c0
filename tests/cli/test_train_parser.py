"""keras_wgan.cli.train_parser: the options of `train`, every default
`None`, the help naming the defaults of `TrainConfig` and the registry."""

import argparse

import pytest

from keras_wgan.cli.errors import NON_FINITE_STATUS
from keras_wgan.cli.options import flag
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.train_parser import add_train_parser
from keras_wgan.models.registry import VARIANTS

pytestmark = pytest.mark.above_the_models


def _train_parser():
    parser = argparse.ArgumentParser()
    return add_train_parser(parser.add_subparsers(dest="command"))


def test_train_models_are_the_wasserstein_variants_of_the_registry():
    train = _train_parser()
    model = next(a for a in train._actions if a.dest == "model")
    assert model.choices == ("wgan", "wgan-gp", "wgan-lp", "dragan",
                             "wgan-r1", "wgan-sn", "sngan-hinge")
    assert model.choices == tuple(
        name for name, v in VARIANTS.items() if v.lipschitz_argument)
    assert TrainConfig.default("model") in model.choices


def test_every_option_is_a_config_field_and_defaults_to_none():
    train = _train_parser()
    options = [action for action in train._actions
               if action.dest not in ("help", "dry_run")]
    fields = set(TrainConfig.__dataclass_fields__)
    assert {action.dest for action in options} <= fields
    assert all(action.default is None for action in options)
    for action in options:
        assert flag(action.dest) in action.option_strings


def test_the_description_names_the_non_finite_status():
    assert f"exits with status {NON_FINITE_STATUS}" in " ".join(
        _train_parser().description.split())
