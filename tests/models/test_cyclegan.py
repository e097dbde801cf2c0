"""CycleGAN: two generators, two critics, cycle and identity losses."""

import json

import keras
import numpy as np
import pytest
from keras import layers

import keras_wgan
from keras_wgan.models.cyclegan import UnpairedBatches
from tests.helpers import variable_values

SHAPE = (8, 8, 3)


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _translator(name):
    return keras.Sequential([
        keras.Input(SHAPE), layers.Conv2D(4, 3, padding="same",
                                          activation="relu"),
        layers.Conv2D(3, 3, padding="same", activation="tanh")], name=name)


def _critic(name):
    return keras.Sequential([
        keras.Input(SHAPE), layers.Conv2D(4, 3, strides=2, padding="same"),
        layers.LeakyReLU(0.2), layers.Conv2D(1, 3, padding="same")],
        name=name)


def _gan(**kwargs):
    gan = keras_wgan.CycleGAN(_translator("g"), _translator("f"),
                              _critic("d_b"), _critic("d_a"),
                              **{"seed": 0, **kwargs})
    gan.compile()
    return gan


def _domains(count=32, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 0, (count,) + SHAPE).astype("float32")
    b = rng.uniform(0, 1, (count + 8,) + SHAPE).astype("float32")
    return a, b


def test_objectives_are_the_papers_formulas():
    gan = _gan(cycle_weight=10.0, identity_weight=5.0)
    a, b = _domains(6)
    b = b[:6]
    g, f = gan.generator, gan.inverse_generator
    d_b, d_a = gan.critic, gan.inverse_critic
    fake_b, fake_a = _numpy(g(a)), _numpy(f(b))
    loss, _ = gan.critic_objective((a, b), (fake_b, fake_a))
    expected = 0.5 * (np.mean((_numpy(d_b(b)) - 1) ** 2)
                      + np.mean(_numpy(d_b(fake_b)) ** 2)) + 0.5 * (
        np.mean((_numpy(d_a(a)) - 1) ** 2) + np.mean(_numpy(d_a(fake_a)) ** 2))
    np.testing.assert_allclose(_numpy(loss), expected, rtol=1e-5)

    loss, logs = gan.generator_objective((a, b))
    adversarial = np.mean((_numpy(d_b(fake_b)) - 1) ** 2) + np.mean(
        (_numpy(d_a(fake_a)) - 1) ** 2)
    cycle = np.mean(np.abs(_numpy(f(fake_b)) - a)) + np.mean(
        np.abs(_numpy(g(fake_a)) - b))
    identity = np.mean(np.abs(_numpy(g(b)) - b)) + np.mean(
        np.abs(_numpy(f(a)) - a))
    for name, value in (("adversarial_loss", adversarial),
                        ("cycle_loss", cycle), ("identity_loss", identity)):
        np.testing.assert_allclose(_numpy(logs[name]), value, rtol=1e-5)
    np.testing.assert_allclose(
        _numpy(loss), adversarial + 10 * cycle + 5 * identity, rtol=1e-5)


def test_fit_trains_all_four_networks_on_unpaired_arrays():
    gan = _gan(n_critic=2)
    networks = (gan.generator, gan.inverse_generator, gan.critic,
                gan.inverse_critic)
    before = [variable_values(n.trainable_variables) for n in networks]
    a, b = _domains(32)
    history = gan.fit(a, b, batch_size=4, epochs=1, verbose=0,
                      validation_data=(a[:8], b[:8]))
    for network, old in zip(networks, before):
        new = variable_values(network.trainable_variables)
        assert any(not np.array_equal(x, y) for x, y in zip(old, new)), (
            network.name)
    assert int(gan.generator_optimizer.iterations) == 4  # 32 / (2 * 4)
    assert int(gan.critic_optimizer.iterations) == 8
    logs = {k: v[-1] for k, v in history.history.items()}
    assert set(logs) >= set(gan.metric_names) | {"val_cycle_loss"}
    assert all(np.isfinite(v) for v in logs.values())


def test_each_domain_is_shuffled_on_its_own_every_epoch():
    a = np.arange(10, dtype="float32")
    b = 100 + np.arange(7, dtype="float32")
    data = UnpairedBatches(a, b, batch_size=4, seed=3)
    assert len(data) == 3
    first = [data[i] for i in range(len(data))]
    seen_a = np.concatenate([x for x, _ in first])
    assert sorted(seen_a) == list(a)  # every A image once per epoch
    seen_b = np.concatenate([y for _, y in first])
    assert set(seen_b) == set(b) and len(seen_b) == 10  # B wraps round
    data.on_epoch_end()
    second = np.concatenate([x for x, _ in (data[i] for i in range(3))])
    assert not np.array_equal(seen_a, second)
    # A resumed run at epoch 1 reads the second epoch's batches.
    resumed = UnpairedBatches(a, b, batch_size=4, seed=3, first_epoch=1)
    np.testing.assert_array_equal(resumed[0][1], data[0][1])
    # The pairing is not fixed: A's image 0 meets other B images.
    partners = set()
    for epoch in range(6):
        data = UnpairedBatches(a, b, batch_size=10, seed=3,
                                first_epoch=epoch)
        x, y = data[0]
        partners.add(float(y[list(x).index(0.0)]))
    assert len(partners) > 1


def test_translate_and_save_load_round_trip(tmp_path):
    gan = _gan()
    a, b = _domains(16)
    gan.fit(a, b, batch_size=8, epochs=1, verbose=0)
    np.testing.assert_allclose(gan.translate(a[:5], batch_size=2),
                               _numpy(gan.generator(a[:5])), atol=1e-6)
    np.testing.assert_allclose(gan.translate(b[:5], "b_to_a"),
                               _numpy(gan.inverse_generator(b[:5])),
                               atol=1e-6)
    path = str(tmp_path / "cyclegan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras_wgan.CycleGAN
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    for x, y in zip(variable_values(gan.variables),
                    variable_values(loaded.variables), strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_allclose(loaded.translate(b[:3], "b_to_a"),
                               gan.translate(b[:3], "b_to_a"), atol=1e-6)
    loaded.fit(a, b, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.generator_optimizer.iterations) == 4


def test_identity_weight_zero_leaves_the_identity_loss_out():
    gan = _gan(identity_weight=0.0)
    a, b = _domains(4)
    loss, logs = gan.generator_objective((a, b[:4]))
    np.testing.assert_allclose(
        _numpy(loss), _numpy(logs["adversarial_loss"])
        + 10 * _numpy(logs["cycle_loss"]), rtol=1e-5)


def test_bad_inputs_are_one_line():
    gan = _gan()
    a, b = _domains(8)
    with pytest.raises(ValueError, match="y must be the images of domain B"):
        gan.fit(a, batch_size=4)
    with pytest.raises(ValueError, match=r"y must have images of shape"):
        gan.fit(a, b[:, :4], batch_size=4)
    with pytest.raises(ValueError, match="direction must be one of"):
        gan.translate(a, "sideways")
    with pytest.raises(ValueError, match="no noise to generate from"):
        gan.generate(4)
    shrink = keras.Sequential([keras.Input(SHAPE),
                               layers.Conv2D(3, 3, strides=2)])
    with pytest.raises(ValueError, match="inverse_generator must map images"):
        keras_wgan.CycleGAN(_translator("g"), shrink, _critic("d_b"),
                            _critic("d_a"))
    with pytest.raises(ValueError, match="latent_dim must be None"):
        keras_wgan.CycleGAN(_translator("g"), _translator("f"),
                            _critic("d_b"), _critic("d_a"), latent_dim=4)
