"""keras_wgan.studies.variant_state: what a comparison keeps to continue."""

import os

import numpy as np
import pytest

from keras_wgan.studies import compare
from keras_wgan.studies import training
from keras_wgan.studies import variant_state

pytestmark = pytest.mark.above_the_models


def _config(out, **changes):
    return compare.CompareConfig("toy-8gaussians", str(out), ("wgan-gp",),
                                 iterations=4, eval_every=2, width=4,
                                 **changes)


def _trained(config):
    model = training.build_variant("wgan-gp", config)
    points = np.random.default_rng(0).normal(size=(640, 2)).astype("float32")
    model.fit(points, batch_size=32, epochs=1, steps_per_epoch=2, verbose=0)
    return model


def test_progress_round_trips_model_history_and_counts(tmp_path):
    config = _config(tmp_path)
    model = _trained(config)
    state = variant_state.VariantState(config.out, "wgan-gp")
    assert state.iterations_done() == 0
    history = [{"iteration": 0, "energy_distance": 0.5},
               {"iteration": 2, "energy_distance": 0.25}]
    state.save_progress(model, 1, 2, 0.75, history)
    assert state.iterations_done() == 2
    progress = state.load_progress()
    assert (progress.epoch, progress.iterations, progress.train_seconds) == (
        1, 2, 0.75)
    assert progress.history == history
    for saved, loaded in zip(model.weights, progress.model.weights):
        np.testing.assert_array_equal(np.asarray(saved), np.asarray(loaded))
    # The optimizers' state comes back too: a continued run steps on from it.
    assert int(np.asarray(progress.model.critic_optimizer.iterations)) == int(
        np.asarray(model.critic_optimizer.iterations)) > 0


def test_only_the_newest_checkpoint_is_kept(tmp_path):
    config = _config(tmp_path)
    model = _trained(config)
    state = variant_state.VariantState(config.out, "wgan-gp")
    state.save_progress(model, 1, 2, 1.0, [])
    state.save_progress(model, 2, 4, 2.0, [])
    files = sorted(os.listdir(state.folder))
    assert files == ["epoch_000002.keras", "progress.json"]
    assert state.load_progress().epoch == 2


def test_final_round_trips_result_arrays_and_budget(tmp_path):
    state = variant_state.VariantState(str(tmp_path), "wgan")
    assert state.load_final() is None
    weights = np.linspace(-1, 1, 7).astype("float32")
    state.save_final({"status": "completed", "iterations": 4},
                     {"weights": weights}, {"iterations": 4, "seconds": None})
    result, arrays, budget = state.load_final()
    assert result == {"status": "completed", "iterations": 4}
    np.testing.assert_array_equal(arrays["weights"], weights)
    assert budget == {"iterations": 4, "seconds": None}
    state.clear()
    assert state.load_final() is None and not os.path.exists(state.folder)


def test_changed_settings_name_each_difference_but_not_the_budget(tmp_path):
    config = _config(tmp_path)
    assert not variant_state.has_state(config.out)
    assert variant_state.changed_settings(config) == []
    variant_state.save_settings(config)
    assert variant_state.has_state(config.out)
    longer = compare.CompareConfig("toy-8gaussians", str(tmp_path),
                                   ("wgan-gp", "wgan"), iterations=400,
                                   seconds=9.0, eval_every=2, width=4)
    assert variant_state.changed_settings(longer) == []
    assert variant_state.changed_settings(
        _config(tmp_path, seed=3, learning_rate=1e-3)) == [
            "learning_rate: None -> 0.001", "seed: 0 -> 3"]


def test_shared_settings_leave_out_what_may_change(tmp_path):
    settings = variant_state.shared_settings(_config(tmp_path))
    assert not set(variant_state.MAY_CHANGE) & set(settings)
    assert settings["width"] == 4 and settings["dataset"] == "toy-8gaussians"


def test_a_larger_saved_budget_than_asked_is_refused(tmp_path):
    config = _config(tmp_path)
    model = _trained(config)
    variant_state.VariantState(config.out, "wgan-gp").save_progress(
        model, 3, 6, 1.0, [{"iteration": 6}])
    data = compare.load_data(config)
    evaluator = compare.make_evaluator(config, data)
    with pytest.raises(ValueError, match="iterations must be at least the 6"):
        training.train_variant(
            "wgan-gp", config, data, evaluator, None,
            state=variant_state.VariantState(config.out, "wgan-gp"))
