"""keras_wgan.studies.fixed_generator: a critic trained against real data
plus noise, with the penalty or clipping, against known answers."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from keras_wgan import penalty
from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy
from keras_wgan.studies.fixed_generator import FixedGeneratorCritic


def test_fixed_generator_critic_penalty_and_clipping():
    # Fig. 1a's set-up with data whose answer is known: real = the origin,
    # so the fixed generator's fakes are N(0, I) and W1 = E||z|| =
    # sqrt(pi / 2) ~ 1.253 (optimal critic -||x||). With the soft penalty
    # the critics -a ||x|| score a E||z|| - lambda (a - 1)^2, best at a = 1
    # + E||z|| / (2 lambda) = 1.063 for lambda = 10: estimate 1.332 and
    # input-gradient norm 1.063. Measured after 100 updates: 1.29-1.32
    # (torch) and 1.34-1.36 (JAX) for seeds 0-2; 0.89-1.15 after 60.
    trainer = FixedGeneratorCritic(
        toy.toy_critic(2, width=16, depth=2), gp_weight=10.0, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2, 0.5, 0.9))
    trainer.fit(np.zeros((128 * 100, 2), "float32"), batch_size=128,
                verbose=0)
    fake = np.random.default_rng(2).normal(size=(4096, 2)).astype("float32")
    values = diagnostics.critic_values(trainer.critic, fake)
    origin = diagnostics.critic_values(trainer.critic, np.zeros((1, 2)))[0]
    slope = 1.0 + math.sqrt(math.pi / 2) / 20.0
    # 0.12 = 4 sd of the sampling error of E||z|| on 4096 points (~0.01)
    # plus the optimiser's spread above.
    assert origin - values.mean() == pytest.approx(
        slope * math.sqrt(math.pi / 2), abs=0.12)
    alpha = np.random.default_rng(3).random((4096, 1)).astype("float32")
    norms = ops.convert_to_numpy(penalty.gradient_norm(trainer.critic,
                                                       alpha * fake))
    assert float(np.mean(norms)) == pytest.approx(slope, abs=0.1)

    # Clipping: every weight stays in [-c, c] though Adam(1e-2) steps by
    # ~1e-2, so most of them sit on the bounds.
    clipped = FixedGeneratorCritic(
        toy.toy_critic(2, width=16, depth=1), clip_value=0.01, seed=0)
    clipped.compile(optimizer=keras.optimizers.Adam(1e-2))
    clipped.fit(toy.eight_gaussians(128 * 3, seed=0), batch_size=128,
                verbose=0)
    weights = np.concatenate([np.ravel(ops.convert_to_numpy(v))
                              for v in clipped.critic.trainable_variables])
    assert np.max(np.abs(weights)) <= 0.01 + 1e-7
    assert np.mean(np.isclose(np.abs(weights), 0.01)) > 0.5
    with pytest.raises(ValueError, match="exactly one of gp_weight"):
        FixedGeneratorCritic(toy.toy_critic(2, 8, 1))


def test_fixed_generator_critic_logs_the_wasserstein_estimate():
    # A linear critic that cannot move (zero learning rate): its gradient
    # is w everywhere, so the penalty is (|w| - 1)^2 = (sqrt(5) - 1)^2 on
    # every batch, and the loss is that minus the logged estimate
    # mean D(real) - mean D(fake).
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.set_weights([np.array([[1.0], [2.0]], "float32"),
                        np.zeros(1, "float32")])
    trainer = FixedGeneratorCritic(critic, gp_weight=1.0,
                                               seed=0)
    trainer.compile(optimizer=keras.optimizers.SGD(0.0))
    history = trainer.fit(np.ones((8, 2), "float32"), batch_size=4,
                          verbose=0)
    estimate = history.history["wasserstein_estimate"][0]
    assert abs(estimate) > 1e-3  # the fakes are real points plus noise
    assert history.history["critic_loss"][0] == pytest.approx(
        (math.sqrt(5) - 1) ** 2 - estimate, rel=1e-5, abs=1e-5)
