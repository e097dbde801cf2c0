"""keras_wgan.nets.resnet: the WGAN-GP paper's ResNet critic and generator."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.nets import resnet


def test_nearest_upsampling_is_the_paper_s_depth_to_space():
    # The paper's code upsamples by stacking four copies along the channels
    # and calling depth-to-space; that is nearest-neighbour upsampling.
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 5)).astype("float32")
    stacked = np.concatenate([x] * 4, axis=-1)  # (2, 3, 3, 20)
    n, h, w, c = stacked.shape
    # depth_to_space with block 2, NHWC, as TensorFlow defines it.
    d2s = stacked.reshape(n, h, w, 2, 2, c // 4).transpose(0, 1, 3, 2, 4, 5)
    d2s = d2s.reshape(n, 2 * h, 2 * w, c // 4)
    up = keras.ops.convert_to_numpy(keras.layers.UpSampling2D(2)(x))
    np.testing.assert_array_equal(up, d2s)


def test_critic_blocks_and_parameters_follow_the_paper():
    width = 4
    critic = resnet.resnet_critic((32, 32, 3), width=width)
    sizes = [critic.get_layer(f"block_{i}").output.shape[1:]
             for i in (1, 2, 3, 4)]
    assert sizes == [(16, 16, width), (8, 8, width), (8, 8, width),
                     (8, 8, width)]
    assert critic.output_shape == (None, 1)
    # Block 1: 3x3 (3 -> w), 3x3 (w -> w), 1x1 shortcut (3 -> w); block 2:
    # two 3x3 (w -> w) and a 1x1 shortcut; blocks 3 and 4: two 3x3 each and
    # identity shortcuts; the score: w -> 1. Every convolution has a bias.
    conv3 = 9 * width * width + width
    expected = (9 * 3 * width + width) + conv3 + (3 * width + width)
    expected += 2 * conv3 + (width * width + width)
    expected += 4 * conv3 + (width + 1)
    assert critic.count_params() == expected
    assert not any(isinstance(l, (keras.layers.BatchNormalization,
                                  keras.layers.GroupNormalization))
                   for l in critic.layers)
    layer_normed = resnet.resnet_critic((32, 32, 3), width=width,
                                        normalization="layer")
    norms = [l for l in layer_normed.layers
             if isinstance(l, keras.layers.GroupNormalization)]
    assert len(norms) == 6  # before each ReLU of blocks 2 to 4


def test_a_64x64_critic_goes_down_to_8x8_first():
    critic = resnet.resnet_critic((64, 64, 1), width=2)
    assert critic.get_layer("block_3").output.shape[1:3] == (8, 8)
    assert critic.get_layer("block_5").output.shape[1:3] == (8, 8)


def test_generator_doubles_to_the_image_and_ends_in_tanh():
    generator = resnet.resnet_generator(8, (32, 32, 3), width=4)
    assert [generator.get_layer(f"block_{i}").output.shape[1:]
            for i in (1, 2, 3)] == [(8, 8, 4), (16, 16, 4), (32, 32, 4)]
    assert not any(isinstance(l, keras.layers.Conv2DTranspose)
                   for l in generator.layers)
    noise = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(noise * 50))
    assert images.shape == (3, 32, 32, 3)
    assert images.min() >= -1 and images.max() <= 1


def test_resnet_wgan_gp_trains_saves_and_loads(tmp_path):
    gan = keras_wgan.WGANGP(resnet.resnet_critic((16, 16, 3), width=2),
                            resnet.resnet_generator(4, (16, 16, 3), width=2),
                            n_critic=2, seed=0)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype(
        "float32")
    history = gan.fit(images, batch_size=2, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    noise = np.random.default_rng(1).normal(size=(2, 4)).astype("float32")
    path = str(tmp_path / "resnet.keras")
    gan.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.generate_from(noise),
                               gan.generate_from(noise), atol=1e-6)
    scores = gan.critic.predict(images[:2], verbose=0)
    np.testing.assert_allclose(restored.critic.predict(images[:2], verbose=0),
                               scores, atol=1e-5)


@pytest.mark.parametrize("shape", [(8, 8, 3), (24, 24, 3)])
def test_too_small_an_image_is_one_line(shape):
    # The critic halves the size to 8x8 at least once: 16 is its least.
    with pytest.raises(ValueError, match=r"size a power of two >= 16, got"):
        resnet.resnet_critic(shape)


def test_num_classes_adds_the_projection_and_the_one_hot_inputs():
    width = 4
    plain = resnet.resnet_critic((16, 16, 3), width=width)
    critic = resnet.resnet_critic((16, 16, 3), width=width, num_classes=10)
    # The projection embeds each class in the pooled features (width).
    assert critic.count_params() == plain.count_params() + 10 * width
    assert critic.get_layer("projection").input[0].shape == (None, width)
    plain = resnet.resnet_generator(8, (16, 16, 3), width=width)
    generator = resnet.resnet_generator(8, (16, 16, 3), width=width,
                                        num_classes=10)
    assert generator.count_params() == (
        plain.count_params() + 10 * 4 * 4 * width)
