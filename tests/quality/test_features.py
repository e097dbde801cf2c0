"""keras_wgan.quality.features: running a classifier over images."""

import keras
import numpy as np
import pytest

from keras_wgan import quality
from tests import helpers
from tests.quality import shared


def test_logits_do_not_depend_on_batching():
    # Batches are padded to a few shapes; padding must not change a row.
    images = shared.digits()[0][:70]
    whole = quality.classifier_logits(images, shared.classifier())
    assert whole.shape == (70, 10) and whole.dtype == np.float64
    split = quality.classifier_logits(images, shared.classifier(),
                                      batch_size=32)
    np.testing.assert_allclose(split, whole, rtol=1e-5, atol=1e-5)
    # Each row is the classifier's own output for that image.
    direct = keras.ops.convert_to_numpy(
        shared.classifier()(images[:3], training=False))
    np.testing.assert_allclose(whole[:3], direct, rtol=1e-5, atol=1e-5)


def test_probabilities_are_not_logits():
    inputs = keras.Input((28, 28, 1))
    probabilities = keras.layers.Dense(10, activation="softmax")(
        keras.layers.Flatten()(inputs))
    softmax_model = keras.Model(inputs, probabilities)
    with pytest.raises(ValueError, match="classifier must output logits"):
        quality.classifier_score(helpers.real_digits(5), softmax_model)


def test_logits_bad_inputs():
    classifier = shared.classifier()
    with pytest.raises(ValueError, match="images must hold at least 2 "
                                         "images to estimate a covariance"):
        quality.classifier_logits(helpers.real_digits(1), classifier,
                                  min_images=2)
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        quality.classifier_logits(helpers.real_digits(2), classifier,
                                  batch_size=0)
