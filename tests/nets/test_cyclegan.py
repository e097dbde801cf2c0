"""CycleGAN's translator and PatchGAN critic."""

import numpy as np
import pytest

from keras_wgan import argument_validation
from keras_wgan.nets import cyclegan


def test_translator_keeps_the_shape_and_ends_in_tanh():
    translator = cyclegan.image_translator((16, 16, 3), width=2,
                                           residual_blocks=1)
    assert translator.output_shape == (None, 16, 16, 3)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3))
    out = np.asarray(translator.predict(images.astype("float32"), verbose=0))
    assert out.shape == (2, 16, 16, 3) and np.abs(out).max() <= 1.0
    # 7x7 in, two stride-2 down, one block of two 3x3, two up, 7x7 out; the
    # instance normalisations have a scale and an offset per channel.
    convs = (49 * 3 * 2 + 2) + (9 * 2 * 4 + 4) + (9 * 4 * 8 + 8) + 2 * (
        9 * 8 * 8 + 8) + (9 * 8 * 4 + 4) + (9 * 4 * 2 + 2) + (49 * 2 * 3 + 3)
    norms = 2 * (2 + 4 + 8 + 8 + 8 + 4 + 2)
    assert translator.count_params() == convs + norms


def test_patch_critic_scores_quarter_size_patches_linearly():
    critic = cyclegan.patch_critic((16, 16, 1), width=2)
    assert critic.output_shape == (None, 4, 4, 1)
    argument_validation.check_linear_output(critic)


@pytest.mark.parametrize("builder", [cyclegan.image_translator,
                                     cyclegan.patch_critic])
def test_bad_shapes_are_one_line(builder):
    with pytest.raises(ValueError, match="image_shape must be"):
        builder((28, 28, 3))
    with pytest.raises(ValueError, match="width must be"):
        builder((8, 8, 3), width=0)
