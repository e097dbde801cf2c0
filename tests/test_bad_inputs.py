"""Every bad input ends in a ValueError that names the argument."""

import math

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.nets import architectures
from tests.helpers import real_digits
from tests.helpers import small_models


def _critic_with(last_activation=None, batch_norm=False):
    images = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 5, strides=2)(images)
    if batch_norm:
        x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(images, keras.layers.Dense(1, activation=last_activation)(x))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_critic_with_non_linear_output_is_rejected(activation):
    _, generator = small_models()
    with pytest.raises(ValueError, match=f"critic must end in a linear output.*'{activation}'"):
        keras_wgan.WGAN(_critic_with(activation), generator)


def test_non_linear_output_hidden_behind_flatten_is_found():
    images = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(images)
    x = keras.layers.Dense(1)(x)
    x = keras.layers.Activation("sigmoid")(x)
    critic = keras.Model(images, keras.layers.Reshape((1,))(x))
    with pytest.raises(ValueError, match="linear output.*'sigmoid'"):
        keras_wgan.WGAN(critic, small_models()[1])


def test_batch_norm_is_rejected_for_gp_but_allowed_with_clipping():
    _, generator = small_models()
    with pytest.raises(ValueError, match="BatchNormalization.*LayerNormalization"):
        keras_wgan.WGANGP(_critic_with(batch_norm=True), generator)
    gan = keras_wgan.WGAN(_critic_with(batch_norm=True), generator)
    assert gan.clip_value == 0.01
    # Every critic weight, the batch norm's scale and offset included, is
    # clipped to the default 0.01.
    clipped = [(v.path.split("/")[-1], type(v.constraint).__name__,
                v.constraint.clip_value)
               for v in gan.critic.trainable_variables]
    assert clipped == [(name, "ClipConstraint", 0.01) for name in (
        "kernel", "bias", "gamma", "beta", "kernel", "bias")]


@pytest.mark.parametrize("kwargs, pattern", [
    ({"n_critic": 0}, "n_critic must be an integer >= 1, got 0"),
    ({"n_critic": 2.5}, "n_critic must be an integer"),
    ({"clip_value": 0.0}, "clip_value must be a finite number > 0"),
    ({"clip_value": -1.0}, "clip_value must be a finite number > 0"),
    ({"clip_value": math.inf}, "clip_value must be a finite number > 0"),
    ({"latent_dim": 9}, "latent_dim=9 differs from the generator's input size 8"),
])
def test_bad_wgan_arguments(kwargs, pattern):
    critic, generator = small_models()
    with pytest.raises(ValueError, match=pattern):
        keras_wgan.WGAN(critic, generator, **kwargs)


@pytest.mark.parametrize("gp_weight", [-1.0, math.nan, "10"])
def test_bad_gp_weight(gp_weight):
    critic, generator = small_models()
    with pytest.raises(ValueError, match="gp_weight must be a finite number >= 0"):
        keras_wgan.WGANGP(critic, generator, gp_weight=gp_weight)


def test_generator_output_must_match_critic_input():
    critic = architectures.mnist_critic(width=4)
    noise = keras.Input((8,))
    generator = keras.Model(
        noise, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64)(noise)))
    with pytest.raises(ValueError, match=r"generator output shape \(8, 8, 1\) must "
                       r"equal the critic's input shape \(28, 28, 1\)"):
        keras_wgan.WGAN(critic, generator)


def test_critic_must_output_one_score():
    images = keras.Input((28, 28, 1))
    critic = keras.Model(images, keras.layers.Dense(2)(keras.layers.Flatten()(images)))
    with pytest.raises(ValueError, match=r"critic must output one score per sample"):
        keras_wgan.WGAN(critic, small_models()[1])


def _compiled_gan():
    gan = keras_wgan.WGAN(*small_models(), n_critic=2)
    gan.compile()
    return gan


@pytest.mark.parametrize("make_x, pattern", [
    (lambda: real_digits(16)[..., 0], r"x must have shape \(N, height, width, channels\)"),
    (lambda: np.zeros((16, 32, 32, 1), "float32"), r"x must have images of shape \(28, 28, 1\)"),
    (lambda: np.zeros((0, 28, 28, 1), "float32"), "x is empty"),
    (lambda: ((real_digits(16) + 1) * 127.5).astype("uint8"), "x must be floating point.*127.5"),
    (lambda: (real_digits(16) + 1) * 127.5, r"x values must lie in \[-1, 1\].*x / 127.5 - 1"),
    (lambda: np.where(np.arange(16)[:, None, None, None] == 3, np.nan,
                      real_digits(16)).astype("float32"), "x contains NaN"),
])
def test_bad_images_are_rejected_before_training(make_x, pattern):
    gan = _compiled_gan()
    before = [v.numpy().copy() for v in gan.critic.trainable_variables]
    with pytest.raises(ValueError, match=pattern):
        gan.fit(make_x(), batch_size=4, epochs=1, verbose=0)
    assert int(gan.critic_optimizer.iterations) == 0
    for a, b in zip(before, gan.critic.trainable_variables):
        np.testing.assert_array_equal(a, b.numpy())


def test_labels_and_uneven_last_step_are_rejected():
    gan = _compiled_gan()
    with pytest.raises(ValueError, match="y must be None"):
        gan.fit(real_digits(16), np.zeros(16), verbose=0)
    # 17 images, steps of 2 * 8 = 16: a last step of 1 image for 2 updates.
    with pytest.raises(ValueError, match="batch_size=8 with n_critic=2 leaves a last step of 1"):
        gan.fit(real_digits(17), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        gan.fit(real_digits(16), batch_size=0, verbose=0)


def test_dataset_yielding_labels_is_rejected():
    gan = _compiled_gan()

    def pairs():
        while True:
            yield real_digits(8), np.zeros(8)

    with pytest.raises(ValueError, match="must yield images only"):
        gan.fit(pairs(), steps_per_epoch=1, verbose=0)


def test_one_optimizer_for_both_players_is_rejected():
    gan = keras_wgan.WGAN(*small_models())
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizer instances"):
        gan.compile(critic_optimizer=optimizer, generator_optimizer=optimizer)


@pytest.mark.backends(
    "torch", reason="torch.compile cannot trace the penalty's double backward")
def test_jit_compile_is_rejected_for_gp_on_torch():
    gan = keras_wgan.WGANGP(*small_models())
    with pytest.raises(ValueError, match="jit_compile must be False.*double backward"):
        gan.compile(jit_compile=True)


def test_existing_constraint_on_critic_weight_is_not_replaced_silently():
    images = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(images)
    score = keras.layers.Dense(1, kernel_constraint=keras.constraints.NonNeg())(x)
    with pytest.raises(ValueError, match="already has the constraint"):
        keras_wgan.WGAN(keras.Model(images, score), small_models()[1])


def test_compile_learning_rate_sets_both_default_optimizers():
    gan = keras_wgan.WGANGP(*small_models())
    gan.compile(learning_rate=3e-4)
    for optimizer in (gan.critic_optimizer, gan.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(3e-4)
        assert float(optimizer.beta_1) == 0.0  # the paper's other settings
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0.0, got 0.0"):
        gan.compile(learning_rate=0.0)
    with pytest.raises(ValueError, match="set it on them instead"):
        gan.compile(critic_optimizer=keras.optimizers.Adam(), learning_rate=1e-3)
