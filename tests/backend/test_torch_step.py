"""keras_wgan.backend.torch_step: the fused WGAN / WGAN-GP step on torch.

The fused step must train exactly as the plain step: the same noise and
interpolates (the model's random stream), the same losses and weights to
float rounding, for Keras's own layers and the package's, and it must be
used only where that holds.
"""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import backend
from keras_wgan.studies import toy
from tests.helpers import assert_close_to_scale
from tests.helpers import real_digits
from tests.helpers import small_models

pytestmark = pytest.mark.backends("torch")


def _mlps():
    return (toy.toy_critic(2, width=16, depth=2),
            toy.toy_generator(2, 2, width=16, depth=2))


def _standard_convs(width=4, latent_dim=8):
    """A critic and generator in Keras's own Conv2D/Conv2DTranspose/Dense."""
    layers = keras.layers
    critic = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(width, 5, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(2 * width, 5, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Flatten(),
        layers.Dense(1),
    ])
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 2 * width, activation="relu"),
        layers.Reshape((7, 7, 2 * width)),
        layers.Conv2DTranspose(width, 5, strides=2, padding="same"),
        layers.ReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same"),
        layers.Activation("tanh"),
    ])
    return critic, generator


def _batch_norm_generator(latent_dim=8):
    layers = keras.layers
    return keras.Sequential([
        # No bias before the normalisation, which would take it out again:
        # its gradient would be rounding noise, which Adam turns into steps.
        keras.Input((latent_dim,)), layers.Dense(16, use_bias=False),
        layers.BatchNormalization(), layers.ReLU(), layers.Dense(2),
    ])


def _samples(kind):
    if kind == "mlp" or kind == "batch-norm":
        return toy.eight_gaussians(320, seed=0).astype("float32")
    return real_digits(320)


def _networks(kind):
    if kind == "mlp":
        return _mlps()
    if kind == "standard":
        return _standard_convs()
    if kind == "package":
        return small_models()
    critic, _ = _mlps()
    return critic, _batch_norm_generator(2)


def _train(cls, kind, fused):
    keras.utils.set_random_seed(1)
    gan = cls(*_networks(kind), n_critic=5, seed=3)
    gan.compile(fused_step=fused)
    assert (backend.fused_step(gan) is not None) == fused
    initial = gan.get_weights()
    history = gan.fit(_samples(kind), batch_size=32, epochs=2, verbose=0)
    moves = [a - b for a, b in zip(gan.get_weights(), initial)]
    return gan, history.history, moves


@pytest.mark.parametrize("cls", [keras_wgan.WGANGP, keras_wgan.WGAN])
@pytest.mark.parametrize("kind", ["mlp", "standard", "package",
                                  "batch-norm"])
def test_fused_step_trains_as_the_plain_step(cls, kind):
    fused, fused_logs, fused_moves = _train(cls, kind, True)
    plain, plain_logs, plain_moves = _train(cls, kind, False)
    assert sorted(fused_logs) == sorted(plain_logs)
    for name in plain_logs:
        np.testing.assert_allclose(fused_logs[name], plain_logs[name],
                                   rtol=1e-3, atol=1e-5, err_msg=name)
    # What training changed in each weight. Adam steps a weight by about
    # the learning rate whatever its gradient's size, so a gradient that
    # rounding makes 0 on one side and 1e-9 on the other is a whole step:
    # the moves agree to a tenth of the largest.
    for ours, theirs in zip(fused_moves, plain_moves, strict=True):
        scale = np.abs(theirs).max()
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=0.1 * scale)
        assert np.abs(ours).max() == pytest.approx(scale, rel=0.1)
    # The same draws from the model's random stream, so it continues alike.
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(fused.seed_generator.state),
        keras.ops.convert_to_numpy(plain.seed_generator.state))


def test_fused_step_draws_the_noise_keras_random_draws():
    gan = keras_wgan.WGANGP(*_mlps(), seed=11)
    twin = keras_wgan.WGANGP(*_mlps(), seed=11)
    gan.compile()
    step = backend.fused_step(gan)
    real = keras.ops.zeros((4, 2))
    ours = step._normal((4, 2), real), step._uniform((4, 1), real)
    theirs = (keras.random.normal((4, 2), seed=twin.seed_generator),
              keras.random.uniform((4, 1), seed=twin.seed_generator))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                      keras.ops.convert_to_numpy(b))


def test_fused_step_keeps_a_moving_average_of_the_generator():
    results = []
    for fused in (True, False):
        keras.utils.set_random_seed(1)
        gan = keras_wgan.WGANGP(*_mlps(), seed=3, generator_ema=0.9)
        gan.compile(fused_step=fused)
        gan.fit(_samples("mlp"), batch_size=32, epochs=1, verbose=0)
        results.append(gan.ema_generator.get_weights())
    assert_close_to_scale(results[0], results[1], rtol=1e-3)


def _custom_loss_model():
    gan = keras_wgan.WGANGP(*_mlps())
    gan.compile(loss=keras_wgan.losses.WassersteinLoss(reduction="sum"))
    return gan


def _subclass_model():
    class Subclass(keras_wgan.WGANGP):
        pass

    gan = Subclass(*_mlps())
    gan.compile()
    return gan


def _frozen_critic_model():
    critic, generator = _mlps()
    critic.trainable = False
    gan = keras_wgan.WGANGP(critic, generator)
    gan.compile()
    return gan


def _batch_norm_critic_model():
    critic = keras.Sequential([
        keras.Input((2,)), keras.layers.Dense(8),
        keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    gan = keras_wgan.WGAN(critic, _mlps()[1])
    gan.compile()
    return gan


def _switched_off_model():
    gan = keras_wgan.WGANGP(*_mlps())
    gan.compile(fused_step=False)
    return gan


@pytest.mark.parametrize("make", [
    _custom_loss_model, _subclass_model, _frozen_critic_model,
    _batch_norm_critic_model,
])
def test_fused_step_is_not_used_where_it_would_differ(make):
    assert backend.fused_step(make()) is None


def test_fused_step_switch_is_saved(tmp_path):
    gan = _switched_off_model()
    assert gan.fused_step is False
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.fused_step is False
    gan.compile()
    assert gan.fused_step is True
    assert "fused_step" not in gan.get_compile_config()


def test_cached_kernels_follow_every_change_of_the_weights():
    import torch

    from keras_wgan.backend import torch_step

    _, generator = _standard_convs()
    forward = torch_step.chain_forward(generator)
    noise = keras.random.normal((3, 8), seed=0)
    for scale in (1.0, -0.5):
        # set_weights assigns in place, as the optimizer updates.
        generator.set_weights([w * scale for w in generator.get_weights()])
        with torch.no_grad():
            ours = forward(noise)  # the cached, detached kernel copies
        assert_close_to_scale([ours], [generator(noise)], rtol=1e-5)
