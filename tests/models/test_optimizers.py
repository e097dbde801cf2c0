"""keras_wgan.models.optimizers: the optimizer pair, compile and frozen."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import optimizers


def _gan(**kwargs):
    return keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                             keras_wgan.toy.toy_generator(2, 2, width=8,
                                                          depth=1),
                             n_critic=2, seed=0, **kwargs)


def test_compile_makes_two_optimizers_grouped_for_the_trainers():
    gan = _gan()
    gan.compile()
    assert gan.critic_optimizer is not gan.generator_optimizer
    assert isinstance(gan.optimizer, optimizers.OptimizerGroup)
    assert gan.optimizer.optimizers == (gan.critic_optimizer,
                                        gan.generator_optimizer)
    # Built at compile, both: the JAX trainer carries these variables.
    assert gan.optimizer.built
    assert gan.optimizer.variables == (gan.critic_optimizer.variables
                                       + gan.generator_optimizer.variables)
    assert len(gan.optimizer.variables) > 4
    with pytest.raises(ValueError, match=r"^critic_optimizer and generator_"):
        adam = keras.optimizers.Adam()
        gan.compile(critic_optimizer=adam, generator_optimizer=adam)


def test_a_schedule_reaches_the_critic_in_generator_iterations():
    gan = _gan()
    schedule = keras_wgan.models.linear_decay(1e-3, iterations=10)
    gan.compile(learning_rate=schedule)
    saved = keras.optimizers.serialize(gan.critic_optimizer)["config"]
    assert saved["learning_rate"]["class_name"] == "IterationSchedule"
    assert saved["learning_rate"]["config"]["n_critic"] == 2
    assert float(gan.critic_optimizer.learning_rate) == pytest.approx(1e-3)
    # The paper's other settings are kept.
    assert float(gan.critic_optimizer.beta_2) == pytest.approx(0.9)


def test_compile_config_round_trips_through_a_keras_file(tmp_path):
    gan = _gan()
    gan.compile(critic_learning_rate=4e-4, generator_learning_rate=1e-4,
                jit_compile=False)
    config = gan.get_compile_config()
    assert config["jit_compile"] is False
    assert config["critic_optimizer"]["config"]["learning_rate"] == \
        pytest.approx(4e-4)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert loaded.get_compile_config() == config
    assert _gan().get_compile_config() == {}


def test_is_frozen_and_check_trainable_follow_compile():
    gan = _gan()
    assert not gan.is_frozen("critic")  # not compiled: nothing recorded
    gan.check_trainable()
    gan.generator.trainable = False
    gan.compile()
    assert gan.is_frozen("generator") and not gan.is_frozen("critic")
    gan.check_trainable()
    gan.critic.trainable = False
    with pytest.raises(ValueError, match=r"^the critic's trainable weights "
                                         r"changed since compile"):
        gan.check_trainable()
    gan.compile()
    with pytest.raises(ValueError, match=r"^critic and generator are both "
                                         r"frozen"):
        gan.check_trainable()


def test_learning_rates_are_checked():
    assert optimizers.check_learning_rate(np.float32(2e-4)) == \
        pytest.approx(2e-4)
    schedule = keras_wgan.models.linear_decay(1e-3, iterations=10)
    assert optimizers.check_learning_rate(schedule) is schedule
    with pytest.raises(ValueError, match=r"^generator_learning_rate must be "
                                         r"a number > 0 or a keras"):
        optimizers.check_learning_rate("fast", "generator_learning_rate")


def test_with_learning_rate_copies_the_other_settings():
    rmsprop = keras.optimizers.RMSprop(5e-5, rho=0.8)
    assert optimizers.with_learning_rate(rmsprop, None) is rmsprop
    faster = optimizers.with_learning_rate(rmsprop, 1e-3)
    assert faster is not rmsprop
    assert float(faster.learning_rate) == pytest.approx(1e-3)
    assert float(faster.rho) == pytest.approx(0.8)


def test_loss_scaling_scales_the_loss_and_keeps_the_logs():
    sgd = keras.optimizers.SGD()
    scaled = optimizers.loss_scaled(sgd, "critic")
    assert isinstance(scaled, keras.optimizers.LossScaleOptimizer)
    assert scaled.name == "critic_loss_scale_optimizer"
    assert optimizers.loss_scaled(scaled, "critic") is scaled
    loss, logs = optimizers.scaled_objective(
        scaled, lambda x: (x * 2.0, {"x": x}), 3.0)()
    assert float(keras.ops.convert_to_numpy(loss)) == 6.0 * 2.0**15
    assert logs == {"x": 3.0}
