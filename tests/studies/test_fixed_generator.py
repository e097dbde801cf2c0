"""keras_wgan.studies.fixed_generator: each variant's critic trained against
real data plus noise, against known answers."""

import json
import math

import keras
import numpy as np
import pytest
from keras import ops

from keras_wgan import penalty
from keras_wgan.models import registry
from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy
from keras_wgan.studies.fixed_generator import FixedGeneratorCritic

WASSERSTEIN_VARIANTS = ("wgan", "wgan-gp", "wgan-lp", "dragan", "wgan-r1",
                        "wgan-sn", "sngan-hinge")
PENALISED = ("wgan-gp", "wgan-lp", "dragan", "wgan-r1")


def _weights(critic):
    return [ops.convert_to_numpy(v) for v in critic.trainable_variables]


def _kernels(critic):
    return [ops.convert_to_numpy(v) for v in critic.trainable_variables
            if "kernel" in v.path]


@pytest.mark.parametrize("variant", WASSERSTEIN_VARIANTS)
def test_each_variant_trains_its_own_critic(variant):
    model_class = registry.get_variant(variant).model_class
    trainer = FixedGeneratorCritic(toy.toy_critic(2, width=16, depth=2),
                                   variant, seed=0)
    assert isinstance(trainer, model_class)
    assert isinstance(trainer, FixedGeneratorCritic)
    assert trainer.n_critic == 1
    trainer.compile(critic_optimizer=keras.optimizers.Adam(1e-2, 0.5, 0.9))
    before = _kernels(trainer.critic)
    history = trainer.fit(toy.eight_gaussians(64 * 30, seed=0),
                          batch_size=64, verbose=0)
    logs = {name: values[-1] for name, values in history.history.items()}
    expected = set(model_class.metric_names) - {"generator_loss"}
    assert set(logs) == expected
    assert all(math.isfinite(value) for value in logs.values())
    # Every kernel moved (the last bias need not: a constant shift of the
    # critic leaves the Wasserstein loss and every penalty unchanged).
    changed = [not np.array_equal(old, new)
               for old, new in zip(before, _kernels(trainer.critic))]
    assert len(changed) == 3 and all(changed)
    if variant in PENALISED:
        # The penalty is added to the loss and logged: each step's
        # critic_loss is -estimate + penalty, and so is their mean.
        assert logs["gradient_penalty"] >= 0
        assert logs["critic_loss"] == pytest.approx(
            logs["gradient_penalty"] - logs["wasserstein_estimate"],
            abs=1e-4)
    elif variant == "sngan-hinge":
        # The hinge loss, not the Wasserstein one: each term is >= 0.
        assert logs["critic_loss"] >= 0
    else:
        assert logs["critic_loss"] == pytest.approx(
            -logs["wasserstein_estimate"], abs=1e-6)
    if variant == "wgan":
        # Every weight stays in [-c, c] though Adam(1e-2) steps by ~1e-2,
        # so most of them sit on the bounds.
        weights = np.concatenate(
            [np.ravel(w) for w in _weights(trainer.critic)])
        assert np.max(np.abs(weights)) <= 0.01 + 1e-7
        assert np.mean(np.isclose(np.abs(weights), 0.01)) > 0.5
    if variant in ("wgan-sn", "sngan-hinge"):
        # WGANSN's step after each update, reused: Adam(1e-2) moves the
        # kernels away from norm 1 at each update.
        for kernel in _kernels(trainer.critic):
            assert np.linalg.norm(kernel, 2) == pytest.approx(1.0, abs=0.02)


def test_penalty_slope_against_known_answers():
    # Fig. 1a's set-up with data whose answer is known: real = the origin,
    # so the fixed generator's fakes are N(0, I) and W1 = E||z|| =
    # sqrt(pi / 2) ~ 1.253 (optimal critic -||x||). With the soft penalty
    # the critics -a ||x|| score a E||z|| - lambda (a - 1)^2, best at a = 1
    # + E||z|| / (2 lambda) = 1.063 for lambda = 10: estimate 1.332 and
    # input-gradient norm 1.063.
    trainer = FixedGeneratorCritic(
        toy.toy_critic(2, width=16, depth=2), "wgan-gp", gp_weight=10.0,
        seed=0)
    trainer.compile(critic_optimizer=keras.optimizers.Adam(1e-2, 0.5, 0.9))
    trainer.fit(np.zeros((128 * 100, 2), "float32"), batch_size=128,
                verbose=0)
    fake = np.random.default_rng(2).normal(size=(4096, 2)).astype("float32")
    values = diagnostics.critic_values(trainer.critic, fake)
    origin = diagnostics.critic_values(trainer.critic, np.zeros((1, 2)))[0]
    slope = 1.0 + math.sqrt(math.pi / 2) / 20.0
    # 0.12 = 4 sd of the sampling error of E||z|| on 4096 points (~0.01)
    # plus the optimiser's spread.
    assert origin - values.mean() == pytest.approx(
        slope * math.sqrt(math.pi / 2), abs=0.12)
    alpha = np.random.default_rng(3).random((4096, 1)).astype("float32")
    norms = ops.convert_to_numpy(penalty.gradient_norm(trainer.critic,
                                                       alpha * fake))
    assert float(np.mean(norms)) == pytest.approx(slope, abs=0.1)


def test_logs_the_penalty_and_the_wasserstein_estimate():
    # A linear critic that cannot move (zero learning rate): its gradient
    # is w everywhere, so the penalty is (|w| - 1)^2 = (sqrt(5) - 1)^2 on
    # every batch, and the loss is that minus the logged estimate
    # mean D(real) - mean D(fake).
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.set_weights([np.array([[1.0], [2.0]], "float32"),
                        np.zeros(1, "float32")])
    trainer = FixedGeneratorCritic(critic, "wgan-gp", gp_weight=1.0, seed=0)
    trainer.compile(critic_optimizer=keras.optimizers.SGD(0.0))
    history = trainer.fit(np.ones((8, 2), "float32"), batch_size=4,
                          verbose=0)
    estimate = history.history["wasserstein_estimate"][0]
    assert abs(estimate) > 1e-3  # the fakes are real points plus noise
    assert history.history["gradient_penalty"][0] == pytest.approx(
        (math.sqrt(5) - 1) ** 2, rel=1e-5)
    assert history.history["critic_loss"][0] == pytest.approx(
        (math.sqrt(5) - 1) ** 2 - estimate, rel=1e-5, abs=1e-5)


def test_noise_std_makes_the_fakes_of_image_batches():
    # Images go through the flat input of the fixed generator. With
    # noise_std 0 the fakes are the real batch itself, so every step's
    # estimate mean D(real) - mean D(fake) is exactly 0; with noise_std
    # 0.5 the fakes are real + 0.5 N(0, I).
    critic = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1)])
    images = np.random.default_rng(0).uniform(
        -1, 1, (32, 4, 4, 1)).astype("float32")
    trainer = FixedGeneratorCritic(critic, "wgan-gp", noise_std=0.0, seed=0)
    trainer.compile(critic_optimizer=keras.optimizers.Adam(1e-2))
    history = trainer.fit(images, batch_size=8, epochs=2, verbose=0)
    assert history.history["wasserstein_estimate"] == [0.0, 0.0]

    noisy = FixedGeneratorCritic(critic, "wgan", noise_std=0.5, seed=0)
    real = ops.zeros((2048, 4, 4, 1))
    fake = ops.convert_to_numpy(
        noisy.generator_samples(noisy.noise_for(real), training=False))
    assert fake.shape == real.shape
    assert float(np.std(fake)) == pytest.approx(0.5, abs=0.01)
    assert abs(float(np.mean(fake))) < 0.01


def test_bad_arguments():
    critic = toy.toy_critic(2, 8, 1)
    with pytest.raises(ValueError, match="name must be one of"):
        FixedGeneratorCritic(critic, "wgan-xx")
    with pytest.raises(ValueError, match="n_critic must not be given"):
        FixedGeneratorCritic(critic, "wgan-gp", n_critic=5)
    with pytest.raises(ValueError, match="noise_std must be"):
        FixedGeneratorCritic(critic, "wgan-gp", noise_std=-1.0)
    with pytest.raises(ValueError, match="gp_weight must be"):
        FixedGeneratorCritic(critic, "wgan-gp", gp_weight=-1.0)
    with pytest.raises(ValueError, match="cannot generate from noise"):
        FixedGeneratorCritic(critic, "wgan-gp").generate(4)
    sequences = keras.Sequential([keras.Input((None, 2)),
                                  keras.layers.GlobalAveragePooling1D(),
                                  keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"critic must take inputs of a "
                                         r"fixed shape, got an input of "
                                         r"shape \(batch, None, 2\)"):
        FixedGeneratorCritic(sequences, "wgan-gp")


def test_saves_loads_and_continues(tmp_path):
    # WGANSN: the trainer's critic is a normalised copy of the one passed.
    variant = "wgan-sn"
    trainer = FixedGeneratorCritic(toy.toy_critic(2, width=8, depth=1),
                                   variant, noise_std=0.5, seed=3)
    trainer.compile(critic_optimizer=keras.optimizers.Adam(1e-3))
    x = toy.eight_gaussians(32, seed=0)
    trainer.fit(x, batch_size=8, verbose=0)
    path = str(tmp_path / "trainer.keras")
    trainer.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(trainer)
    assert (loaded.variant, loaded.noise_std) == (variant, 0.5)
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        trainer.get_config(), sort_keys=True)
    for a, b in zip(_weights(trainer.critic), _weights(loaded.critic),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    # Both continue identically: same weights, optimizer and noise stream.
    trainer.fit(x, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(_weights(trainer.critic), _weights(loaded.critic),
                    strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert int(loaded.critic_optimizer.iterations) == 8
