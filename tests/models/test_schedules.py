"""Learning-rate schedules counted in generator iterations, saved and
resumed exactly."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import IterationSchedule
from keras_wgan.models import linear_decay
from tests.cli.helpers import assert_same_state
from tests.cli.helpers import state


def _rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _toy_gan(n_critic=2):
    return keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                             keras_wgan.toy.toy_generator(2, 2, width=8),
                             n_critic=n_critic, seed=0)


def test_linear_decay_is_the_papers_formula():
    schedule = linear_decay(1e-3, iterations=8)
    for t in range(12):  # lr * max(0, 1 - t / T), past T too
        assert float(schedule(t)) == pytest.approx(
            1e-3 * max(0.0, 1 - t / 8), abs=1e-10)
    critic_schedule = IterationSchedule(schedule, n_critic=3)
    for step in range(30):  # the critic's 3 updates share an iteration
        assert float(critic_schedule(step)) == float(schedule(step // 3))
    with pytest.raises(ValueError, match="^iterations must be"):
        linear_decay(1e-3, iterations=0)
    with pytest.raises(ValueError, match="^learning_rate must be"):
        linear_decay(0.0, iterations=8)
    with pytest.raises(ValueError, match="^schedule must be a keras"):
        IterationSchedule(1e-3, n_critic=3)


def test_compile_decays_both_optimizers_with_the_generator_iteration():
    gan = _toy_gan(n_critic=3)
    gan.compile(learning_rate=linear_decay(1e-3, iterations=10))
    # The defaults' other settings kept (the WGAN-GP paper's Adam).
    assert gan.critic_optimizer.beta_2 == gan.generator_optimizer.beta_2 == 0.9
    x = keras_wgan.toy.eight_gaussians(48, seed=0)  # 2 steps of 3 x 8
    gan.fit(x, batch_size=8, epochs=2, verbose=0)  # 4 iterations
    assert int(gan.critic_optimizer.iterations) == 12
    assert int(gan.generator_optimizer.iterations) == 4
    for optimizer in (gan.critic_optimizer, gan.generator_optimizer):
        assert _rate(optimizer) == pytest.approx(1e-3 * (1 - 4 / 10))
    with pytest.raises(ValueError, match=(
            "^learning_rate must be a number > 0 or a keras.optimizers."
            "schedules.LearningRateSchedule, got 'fast'.")):
        gan.compile(learning_rate="fast")


def test_an_own_optimizer_reads_its_schedule_at_its_own_count():
    gan = _toy_gan(n_critic=3)
    schedule = linear_decay(1e-3, iterations=30)
    gan.compile(critic_optimizer=keras.optimizers.Adam(schedule),
                generator_optimizer=keras.optimizers.Adam(
                    IterationSchedule(linear_decay(1e-3, 10), n_critic=1)))
    gan.fit(keras_wgan.toy.eight_gaussians(48, seed=0), batch_size=8,
            verbose=0)  # 2 iterations, 6 critic updates
    assert _rate(gan.critic_optimizer) == pytest.approx(1e-3 * (1 - 6 / 30))
    assert _rate(gan.generator_optimizer) == pytest.approx(1e-3 * (1 - 2 / 10))


def test_a_schedule_is_saved_and_resumes_exactly(tmp_path):
    x = keras_wgan.toy.eight_gaussians(32, seed=0)  # 2 steps of 2 x 8

    def new_gan():
        keras.utils.set_random_seed(0)
        gan = _toy_gan(n_critic=2)
        gan.compile(learning_rate=linear_decay(1e-2, iterations=10))
        return gan

    straight = new_gan()
    straight.fit(x, batch_size=8, epochs=4, verbose=0)
    first = new_gan()
    first.fit(x, batch_size=8, epochs=2, verbose=0)
    path = str(tmp_path / "run.keras")
    first.save(path)
    resumed = keras.models.load_model(path)
    # Saved as schedules, the critic's counted in generator iterations.
    saved = [getattr(resumed, name).get_config()["learning_rate"]
             for name in ("critic_optimizer", "generator_optimizer")]
    assert saved[0]["registered_name"] == "keras_wgan>IterationSchedule"
    assert saved[0]["config"]["n_critic"] == 2
    assert saved[1]["class_name"] == "PolynomialDecay"
    assert _rate(resumed.generator_optimizer) == pytest.approx(1e-2 * 0.6)
    resumed.fit(x, batch_size=8, initial_epoch=2, epochs=4, verbose=0)
    assert int(resumed.generator_optimizer.iterations) == 8
    assert_same_state(state(straight), state(resumed))
    for optimizer in ("critic_optimizer", "generator_optimizer"):
        rate = _rate(getattr(resumed, optimizer))
        assert rate == _rate(getattr(straight, optimizer))
        assert rate == pytest.approx(1e-2 * (1 - 8 / 10))
    np.testing.assert_array_equal(resumed.generate(4, seed=1),
                                  straight.generate(4, seed=1))
