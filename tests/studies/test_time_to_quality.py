"""Tests of keras_wgan.studies.time_to_quality."""

import os

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.studies import time_to_quality as study

pytestmark = pytest.mark.above_the_models


def _gan():
    keras.utils.set_random_seed(0)
    gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8),
                            keras_wgan.toy.toy_generator(2, 2, width=8))
    gan.compile(learning_rate=1e-3)
    return gan


def _fit(gan, callback, images=6400):
    gan.fit(keras_wgan.toy.eight_gaussians(images, seed=0), batch_size=64,
            epochs=50, verbose=0, callbacks=[callback])


class _Tick(keras.callbacks.Callback):
    """Advances a fake CPU clock by one second per generator iteration."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def on_train_batch_end(self, batch, logs=None):
        self.clock["now"] += 1.0


def test_the_budget_stops_training_and_scores_on_schedule():
    clock = {"now": 0.0}
    calls = []

    def evaluate(model):
        calls.append(model)
        clock["now"] += 5.0  # scoring takes time, which is not counted
        return {"fid": float(len(calls))}

    budget = study.CpuBudget(budget=10, eval_every=4, evaluate=evaluate,
                             clock=lambda: clock["now"])
    gan = _gan()
    gan.fit(keras_wgan.toy.eight_gaussians(6400, seed=0), batch_size=64,
            epochs=50, verbose=0, callbacks=[_Tick(clock), budget])
    assert [row["cpu_seconds"] for row in budget.curve] == [4, 8, 10]
    assert [row["generator_iterations"] for row in budget.curve] == \
        [4, 8, 10]
    assert [row["fid"] for row in budget.curve] == [1.0, 2.0, 3.0]
    assert all(model is gan for model in calls)
    assert int(gan.generator_optimizer.iterations) == 10
    assert clock["now"] == 10 + 3 * 5.0


def test_the_real_process_clock_counts_cpu_time():
    gan = _gan()
    # Compiled first (JAX, TensorFlow): the budget then times training.
    gan.fit(keras_wgan.toy.eight_gaussians(640, seed=0), batch_size=64,
            epochs=1, verbose=0)
    budget = study.CpuBudget(budget=0.5, eval_every=0.2,
                             evaluate=lambda model: {"fid": 1.0})
    _fit(gan, budget, images=64 * 5 * 2000)
    assert budget.curve[-1]["cpu_seconds"] >= 0.5
    assert budget.curve[-1]["cpu_seconds"] < 5.0
    assert len(budget.curve) >= 2
    assert budget.curve[-1]["generator_iterations"] == \
        int(gan.generator_optimizer.iterations) - 2


def test_decay_lowers_both_rates_linearly_to_zero_over_the_budget():
    clock = {"now": 0.0}
    rates = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            rates.append([float(keras.ops.convert_to_numpy(
                optimizer.learning_rate)) for optimizer in
                (self.model.critic_optimizer,
                 self.model.generator_optimizer)])

    budget = study.CpuBudget(budget=8, eval_every=100, decay=True,
                             evaluate=lambda model: {"fid": 1.0},
                             clock=lambda: clock["now"])
    gan = _gan()
    gan.fit(keras_wgan.toy.eight_gaussians(6400, seed=0), batch_size=64,
            epochs=1, verbose=0, callbacks=[_Tick(clock), budget, Record()])
    # Iteration k (from 0) starts k CPU seconds in: 1e-3 * (1 - k / 8).
    assert len(rates) == 8
    for k, (critic, generator) in enumerate(rates):
        assert critic == pytest.approx(1e-3 * (1 - k / 8))
        assert generator == pytest.approx(critic)
    assert len(budget.curve) == 1 and budget.curve[0]["cpu_seconds"] == 8


def test_time_to_reach_and_fastest():
    curves = {
        "slow": [{"cpu_seconds": 100, "fid": 80.0},
                 {"cpu_seconds": 200, "fid": 30.0}],
        "fast": [{"cpu_seconds": 50, "fid": 40.0},
                 {"cpu_seconds": 100, "fid": float("nan")},
                 {"cpu_seconds": 150, "fid": 35.0}],
    }
    assert study.time_to_reach(curves["slow"], "fid", 50.0) == 200
    assert study.time_to_reach(curves["fast"], "fid", 50.0) == 50
    assert study.time_to_reach(curves["fast"], "fid", 30.0) is None
    assert study.time_to_reach(curves["slow"], "fid", 60.0,
                               lower_is_better=False) == 100
    assert study.fastest(curves, "fid", 50.0) == "fast"
    assert study.fastest(curves, "fid", 30.0) == "slow"
    assert study.fastest(curves, "fid", 1.0) is None
    assert study.best(curves["fast"], "fid") == {"cpu_seconds": 150,
                                                 "fid": 35.0}
    with pytest.raises(ValueError, match="finite 'fid'"):
        study.best([{"fid": float("nan")}], "fid")


def test_markdown_table_marks_the_fastest_and_missing_targets():
    curves = {
        "a": [{"cpu_seconds": 10.0, "fid": 9.0, "generator_iterations": 5},
              {"cpu_seconds": 20.0, "fid": 4.0, "generator_iterations": 9}],
        "b": [{"cpu_seconds": 5.0, "fid": 8.0, "generator_iterations": 7}],
    }
    table = study.markdown_table(curves, [10.0, 5.0], {"a": "wide"},
                                 key="fid").splitlines()
    assert table[2] == "| a (wide) | 10 | **20** | 4 | 20 | 9 |"
    assert table[3] == "| b | **5** | — | 8 | 5 | 7 |"


def test_plot_curves_writes_an_image(tmp_path):
    path = os.path.join(tmp_path, "curves.png")
    study.plot_curves({"a": [{"cpu_seconds": 1, "classifier_fid": 9.0},
                             {"cpu_seconds": 2, "classifier_fid": 3.0}]},
                      path, floor=0.5)
    with open(path, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"


def test_every_studied_recipe_is_a_valid_train_config():
    from keras_wgan.cli.train_config import TrainConfig

    for recipe in study.STUDIED_RECIPES.values():
        options = {key: value for key, value in recipe.options.items()
                   if value is not None}
        config = TrainConfig(out="unused", model="wgan-gp", **options)
        assert config.width == recipe.options["width"]
    assert study.STUDIED_RECIPES["ttur"].options["n_critic"] == 1


def test_the_arguments_are_checked():
    with pytest.raises(ValueError, match="budget"):
        study.CpuBudget(budget=0, eval_every=1, evaluate=dict)
    with pytest.raises(ValueError, match="eval_every"):
        study.CpuBudget(budget=1, eval_every=-1, evaluate=dict)
    assert np.array_equal(
        study.curve_array([{"cpu_seconds": 1, "fid": 2.0}], "fid"),
        [[1.0, 2.0]])
