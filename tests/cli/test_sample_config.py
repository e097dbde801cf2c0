"""keras_wgan.cli.sample_config: the options of `sample`, defaults and
checks."""

import pytest

from keras_wgan.cli.options import MAX_SAMPLES
from keras_wgan.cli.sample_config import SampleConfig
from keras_wgan.zoo import PRETRAINED_MODELS

pytestmark = pytest.mark.above_the_models


def test_sample_config_defaults_and_checks():
    config = SampleConfig(checkpoint="m.keras", out="g.png")
    assert (config.n, config.seed, config.columns) == (64, 0, None)
    for kwargs, message in [
        ({"checkpoint": "m.keras", "out": "g.jpg"},
         "--out must name a .png file, got g.jpg."),
        ({"out": "g.png"}, "give one of --checkpoint and --pretrained."),
        ({"pretrained": "mnist-gan", "out": "g.png"},
         f"pretrained must be one of {PRETRAINED_MODELS}, got 'mnist-gan'."),
        ({"checkpoint": "m.keras", "out": "g.png", "n": 0},
         "n must be an integer >= 1, got 0."),
        ({"checkpoint": "m.keras", "out": "g.png", "columns": 0},
         "columns must be an integer >= 1, got 0."),
    ]:
        with pytest.raises(ValueError) as error:
            SampleConfig(**kwargs)
        assert str(error.value) == message


def test_classes_are_numbers_and_exclude_columns():
    config = SampleConfig(pretrained=PRETRAINED_MODELS[0], out="g.png",
                          classes=[3, 7])
    assert config.classes == (3, 7)
    with pytest.raises(ValueError) as error:
        SampleConfig(pretrained=PRETRAINED_MODELS[0], out="g.png",
                     classes=(3,), columns=2)
    assert str(error.value).startswith("--columns and --classes exclude")
    with pytest.raises(ValueError) as error:
        SampleConfig(pretrained=PRETRAINED_MODELS[0], out="g.png",
                     n=MAX_SAMPLES + 1)
    assert str(error.value).startswith(f"--n must be <= {MAX_SAMPLES} ")
