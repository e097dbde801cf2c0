"""The BiGAN's MNIST encoder and joint critic."""

import keras
import numpy as np
import pytest

from keras_wgan import argument_validation
from keras_wgan.nets import bigan


def test_shapes_and_parameter_counts():
    encoder = bigan.mnist_encoder(latent_dim=8, width=2)
    assert encoder.input_shape == (None, 28, 28, 1)
    assert encoder.output_shape == (None, 8)
    # Convolutions 1->2->4->8 of 5x5 with biases, then 4*4*8 -> 8 codes.
    convs = (25 * 1 * 2 + 2) + (25 * 2 * 4 + 4) + (25 * 4 * 8 + 8)
    assert encoder.count_params() == convs + (128 * 8 + 8)
    critic = bigan.mnist_joint_critic(latent_dim=8, width=2)
    # The code path 8 -> 32, the joint layer 128 + 32 -> 32, the score.
    assert critic.count_params() == convs + (8 * 32 + 32) + (
        160 * 32 + 32) + 33
    images = np.zeros((3, 28, 28, 1), "float32")
    scores = critic([images, np.zeros((3, 8), "float32")])
    assert tuple(scores.shape) == (3, 1)
    assert tuple(encoder(images).shape) == (3, 8)


def test_the_critic_suits_the_penalty_and_scores_the_code():
    critic = bigan.mnist_joint_critic(latent_dim=4, width=2)
    argument_validation.check_no_batch_norm(critic)
    argument_validation.check_linear_output(critic)
    images = np.zeros((2, 28, 28, 1), "float32")
    codes = np.array([[0, 0, 0, 0], [1, -1, 2, 0.5]], "float32")
    scores = keras.ops.convert_to_numpy(critic([images, codes]))
    assert scores[0, 0] != scores[1, 0]


@pytest.mark.parametrize("builder", [bigan.mnist_encoder,
                                     bigan.mnist_joint_critic])
def test_bad_sizes_are_one_line(builder):
    with pytest.raises(ValueError, match="latent_dim must be"):
        builder(latent_dim=0)
    with pytest.raises(ValueError, match="width must be"):
        builder(width=1.5)
