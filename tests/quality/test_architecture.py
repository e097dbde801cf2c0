"""keras_wgan.quality.architecture: the classifier network, any image shape."""

import numpy as np
import pytest

from keras_wgan import quality
from tests.quality import shared

# The weights of the shipped MNIST and Fashion-MNIST classifiers, in order:
# three convolutions (no bias) with batch normalisation (gamma, beta,
# moving mean, moving variance), then the features and logits layers.
MNIST_SHAPES = [
    (3, 3, 1, 16), (16,), (16,), (16,), (16,),
    (3, 3, 16, 32), (32,), (32,), (32,), (32,),
    (3, 3, 32, 64), (64,), (64,), (64,), (64,),
    (3 * 3 * 64, 128), (128,),
    (128, 10), (10,),
]


def _shapes(model):
    return [tuple(weight.shape) for weight in model.weights]


def test_default_network_is_the_shipped_mnist_one():
    classifier = quality.image_classifier()
    assert classifier.input_shape == (None, 28, 28, 1)
    assert _shapes(classifier) == MNIST_SHAPES
    assert classifier.count_params() == 98_778
    # The shipped weights load into it and give its recorded outputs.
    shipped = shared.classifier("mnist")
    assert _shapes(shipped) == MNIST_SHAPES
    same = quality.image_classifier(image_shape=(28, 28, 1))
    same.set_weights(shipped.get_weights())
    digits = shared.digits()[0][:8]
    np.testing.assert_allclose(same.predict_on_batch(digits),
                               shipped.predict_on_batch(digits), atol=1e-5)


def test_other_image_shapes_change_only_the_input_and_the_pooled_map():
    classifier = quality.image_classifier(200, image_shape=(32, 32, 3))
    assert classifier.input_shape == (None, 32, 32, 3)
    assert classifier.output_shape == (None, 200)
    expected = list(MNIST_SHAPES)
    # RGB input, 32 -> 16 -> 8 -> 4 after the poolings, 200 classes.
    expected[0] = (3, 3, 3, 16)
    expected[15] = (4 * 4 * 64, 128)
    expected[17:] = [(128, 200), (200,)]
    assert _shapes(classifier) == expected
    # Non-square and the smallest sides the three poolings allow.
    small = quality.image_classifier(image_shape=(8, 12, 2))
    assert small.get_layer("features").input.shape == (None, 64)
    images = np.zeros((2, 32, 32, 3), "float32")
    assert classifier.predict_on_batch(images).shape == (2, 200)


@pytest.mark.parametrize("image_shape", [
    (28, 28), (7, 28, 1), (28, 28, 0), (28.0, 28, 1), "28x28", None,
])
def test_bad_image_shape(image_shape):
    with pytest.raises(ValueError, match=r"^image_shape must be \(height, "
                                         r"width, channels\) with height "
                                         r"and width >= 8"):
        quality.image_classifier(image_shape=image_shape)
