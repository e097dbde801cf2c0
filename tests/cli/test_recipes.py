"""Named sets of train options (keras_wgan.cli.recipes)."""

import json
import math
import os

import pytest

from keras_wgan.cli import recipes
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.studies.time_to_quality import fastest

STUDY_RESULTS = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                             "docs", "studies", "time_to_quality",
                             "results.json")

pytestmark = pytest.mark.backend_independent


def test_the_cifar10_recipe_is_the_paper_s_setting():
    config = TrainConfig.from_options({"out": "o",
                                       "recipe": "cifar10-resnet"})
    assert (config.model, config.dataset, config.architecture, config.width,
            config.batch_size, config.n_critic, config.learning_rate,
            config.lr_decay) == ("wgan-gp", "cifar10", "resnet", 128, 64, 5,
                                 2e-4, "linear")
    # 100,000 generator iterations or a little more, in whole epochs.
    steps = math.ceil(50_000 / (config.batch_size * config.n_critic))
    assert 100_000 <= config.epochs * steps < 100_000 + steps
    # The recipe's options are not counted as given: a resume keeps them.
    assert config.explicit == {"out", "recipe"}


def test_options_given_win_over_the_recipe():
    config = TrainConfig.from_options({"out": "o", "recipe": "cifar10-resnet",
                                       "width": 32, "epochs": 2})
    assert (config.width, config.epochs, config.architecture) == (32, 2,
                                                                  "resnet")


def test_an_unknown_recipe_is_one_line():
    with pytest.raises(ValueError, match=r"^recipe must be one of "
                       r"cifar10-resnet, mnist-cpu, got 'celeba'\.$"):
        recipes.recipe_options("celeba")


def test_the_mnist_cpu_recipe_is_the_study_s_fastest():
    with open(STUDY_RESULTS) as f:
        study = json.load(f)
    curves = {name: entry["curve"]
              for name, entry in study["recipes"].items()}
    winner = study["recipes"][fastest(curves, "classifier_fid", 50.0)]
    assert not winner["decay"]
    options = recipes.recipe_options("mnist-cpu")
    expected = {key: value for key, value in winner["options"].items()
                if value is not None}
    assert {key: options[key] for key in expected} == expected
    # The study trains the train command's MNIST WGAN-GP.
    config = TrainConfig.from_options({"out": "o", "recipe": "mnist-cpu"})
    assert (config.model, config.dataset, config.learning_rate,
            config.critic_learning_rate, config.generator_learning_rate,
            config.n_critic) == ("wgan-gp", "mnist", 3e-4, None, None, 5)
