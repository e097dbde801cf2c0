import math

import keras
import numpy as np
import pytest

from keras_wgan import ClipConstraint


def test_clips_real_layer_weights_and_keeps_inner_values():
    layer = keras.layers.Dense(16)
    layer.build((None, 32))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    clipped = keras.ops.convert_to_numpy(ClipConstraint(0.05)(layer.kernel))
    np.testing.assert_array_equal(clipped, np.clip(kernel, -0.05, 0.05))
    inside = np.abs(kernel) <= 0.05
    assert inside.any() and (~inside).any()
    np.testing.assert_array_equal(clipped[inside], kernel[inside])


def test_optimizer_applies_constraint_after_each_update():
    layer = keras.layers.Dense(4, kernel_constraint=ClipConstraint(0.01),
                               bias_constraint=ClipConstraint(0.01))
    layer.build((None, 3))
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    grads = [keras.ops.ones((3, 4)) * -5.0, keras.ops.ones((4,)) * 5.0]
    optimizer.apply(grads, layer.trainable_variables)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.kernel), 0.01)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.bias), -0.01)


@pytest.mark.parametrize("bad", [0, -0.01, math.nan, math.inf, "0.1", True])
def test_rejects_bad_clip_values(bad):
    with pytest.raises(ValueError, match="clip_value must be a finite number > 0"):
        ClipConstraint(bad)


def test_serialization_round_trip():
    constraint = ClipConstraint(0.2)
    restored = keras.constraints.deserialize(
        keras.constraints.serialize(constraint)
    )
    assert isinstance(restored, ClipConstraint)
    assert restored.clip_value == 0.2
