"""keras_wgan.studies.training: one variant built from the registry, trained
within its budget, evaluated and described."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import registry
from keras_wgan.studies import compare
from keras_wgan.studies import measures
from keras_wgan.studies import toy
from keras_wgan.studies import training

pytestmark = pytest.mark.above_the_models


def _toy_config(tmp_path, **kwargs):
    settings = dict(iterations=4, eval_every=2, eval_samples=50, width=8,
                    batch_size=16)
    settings.update(kwargs)
    return compare.CompareConfig("toy-8gaussians", str(tmp_path), **settings)


def test_build_variant_uses_the_registry_and_one_initial_state(tmp_path):
    config = _toy_config(tmp_path)
    models = {name: training.build_variant(name, config)
              for name in registry.VARIANTS}
    for name, model in models.items():
        assert type(model) is registry.VARIANTS[name].model_class
        assert model.n_critic == registry.VARIANTS[name].default("n_critic")
    first = [keras.ops.convert_to_numpy(v) for v in models["gan"].critic.weights]
    probe = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    scores = keras.ops.convert_to_numpy(models["gan"].critic(probe))
    for model in models.values():
        # A spectrally normalised critic is a copy, wrapped, with the same
        # weights: the same function.
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(model.critic(probe)), scores,
            rtol=1e-5, atol=1e-6)
        if isinstance(model, keras_wgan.WGANSN):
            continue
        for a, b in zip(first, model.critic.weights):
            np.testing.assert_array_equal(a, keras.ops.convert_to_numpy(b))


def test_describe_model_names_each_lipschitz_argument():
    def built(model_class, **kwargs):
        model = model_class(toy.toy_critic(2, 8, 1),
                            toy.toy_generator(2, 2, 8, 1), **kwargs)
        model.compile()
        return model

    described = training.describe_model(built(keras_wgan.WGANGP,
                                              gp_weight=2.5))
    assert described == {"class": "WGANGP", "n_critic": 5,
                         "optimizer": "Adam(lr=0.0001, beta_1=0, "
                                      "beta_2=0.9)",
                         "gp_weight": 2.5}
    assert training.describe_model(built(keras_wgan.WGAN, clip_value=0.05))[
        "clip_value"] == pytest.approx(0.05)
    gan = training.describe_model(built(keras_wgan.MinimaxGAN))
    assert set(gan) == {"class", "n_critic", "optimizer"}
    assert gan["n_critic"] == 1


def test_describe_optimizer():
    assert training.describe_optimizer(keras.optimizers.RMSprop(5e-5)) == (
        "RMSprop(lr=5e-05, rho=0.9)")
    assert training.describe_optimizer(keras.optimizers.SGD(0.1)) == (
        "SGD(lr=0.1)")


def test_train_variant_evaluates_on_schedule(tmp_path):
    config = _toy_config(tmp_path)
    data = compare.load_data(config)
    evaluator = compare.make_evaluator(config, data)
    probe = measures.CriticProbe(data.reference, config.latent_dim,
                                 config.seed + 2)
    lines = []
    result, arrays = training.train_variant("nsgan", config, data, evaluator,
                                            probe, log=lines.append)
    assert result["label"] == registry.get_variant("nsgan").label
    assert result["iterations"] == 4 and result["status"] == "completed"
    assert [h["iteration"] for h in result["history"]] == [0, 2, 4]
    assert result["final"] is result["history"][-1]
    best = min(result["history"], key=lambda h: h["energy_distance"])
    assert result["best"] == {"iteration": best["iteration"],
                              "energy_distance": best["energy_distance"]}
    assert len(lines) == 3
    assert lines[0].startswith("GAN (non-saturating): iteration 0/4, ")
    assert "modes_covered " in lines[-1] and "/8, critic gap " in lines[-1]
    # The toy samples shown are the evaluation's: eval_samples points.
    assert arrays["samples"].shape == (50, 2)
    assert arrays["weights"].size == 2 * 8 + 8 * 8 * 2 + 8
    # The last record is the evaluation of the final samples.
    assert result["final"]["energy_distance"] == pytest.approx(
        measures.energy_distance(arrays["samples"], data.reference))


def test_ttur_rates_reach_each_variant_and_its_description():
    config = compare.CompareConfig("toy-8gaussians", "out", iterations=1,
                                   width=4, critic_learning_rate=4e-4,
                                   generator_learning_rate=1e-4)
    model = training.build_variant("sngan-hinge", config)
    assert float(model.critic_optimizer.learning_rate) == pytest.approx(4e-4)
    settings = training.describe_model(model)
    assert settings["optimizer"] == "Adam(lr=0.0004, beta_1=0, beta_2=0.9)"
    assert settings["generator_optimizer"] == (
        "Adam(lr=0.0001, beta_1=0, beta_2=0.9)")
    assert settings["loss"] == "hinge_loss"
    assert settings["power_iterations"] == 1
    with pytest.raises(ValueError, match="critic_learning_rate"):
        compare.CompareConfig("mnist", "out", iterations=1,
                              critic_learning_rate=-1.0)
