"""Each private-Keras answer checked on a model whose answer is known.

If a Keras release renames one of the attributes `keras_wgan._keras_internals`
reads, these tests fail, instead of a critic check silently passing.
"""

import keras
import numpy as np
import pytest

from keras_wgan import _keras_internals


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)

    def call(self, x):
        return self.dense(x)


class _Wrapper(keras.layers.Layer):
    """A custom layer holding a BatchNormalization as an attribute."""

    def __init__(self):
        super().__init__()
        self.norm = keras.layers.BatchNormalization()

    def call(self, x):
        return self.norm(x)


def _functional():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    outputs = keras.layers.Dense(1, name="score")(hidden)
    return keras.Model(inputs, outputs)


def test_is_functional():
    assert _keras_internals.is_functional(_functional())
    assert not _keras_internals.is_functional(
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)]))
    assert not _keras_internals.is_functional(_Subclassed())


def test_output_layer_and_inbound_layers():
    model = _functional()
    output = _keras_internals.output_layer(model)
    assert output.name == "score"
    [parent] = _keras_internals.inbound_layers(output)
    assert parent.name == "hidden"


def test_inbound_layers_of_a_shared_layer_is_empty():
    shared = keras.layers.Dense(2)
    first, second = keras.Input((2,)), keras.Input((2,))
    shared(first)
    shared(second)
    assert _keras_internals.inbound_layers(shared) == []


def test_all_layers_finds_nested_layers():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4),
                              keras.layers.LayerNormalization()])
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1)(_Wrapper()(inner(inputs)))
    model = keras.Model(inputs, outputs)
    names = [type(layer).__name__ for layer in
             _keras_internals.all_layers(model)]
    assert "LayerNormalization" in names  # inside a sub-model
    assert "BatchNormalization" in names  # an attribute of a custom layer
    assert names.count("Dense") == 2


def test_uses_remat():
    plain = keras.layers.Dense(2)
    assert not _keras_internals.uses_remat(plain)
    if not hasattr(keras, "RematScope"):
        pytest.fail("keras.RematScope is gone: check uses_remat's attribute")
    with keras.RematScope(mode="full"):
        remat = keras.layers.Dense(2)
    assert _keras_internals.uses_remat(remat)


@pytest.mark.parametrize("padding, output_padding, expected", [
    # Kernel 5, stride 2 on a 4x4 input: torch's unpadded output is
    # (4 - 1) * 2 + 5 = 11 wide; "same" keeps 8 (the odd pixel cropped at
    # the end), "valid" all 11, "same" with output_padding 0 keeps 7.
    ("same", None, [(1, 2), (1, 2)]),
    ("valid", None, [(0, 0), (0, 0)]),
    ("same", 0, [(2, 2), (2, 2)]),
])
def test_conv_transpose_crops_are_keras_torch_crops(padding, output_padding,
                                                    expected):
    layer = keras.layers.Conv2DTranspose(3, 5, strides=2, padding=padding,
                                         output_padding=output_padding)
    layer.build((None, 4, 4, 2))
    crops = _keras_internals.conv_transpose_crops(layer)
    assert [tuple(crop) for crop in crops] == expected
    full = (4 - 1) * 2 + 5
    size = layer.compute_output_shape((None, 4, 4, 2))[1]
    assert all(full - left - right == size for left, right in crops)


def test_is_torch_adam_only_for_keras_s_own_adam_on_torch():
    on_torch = keras.backend.backend() == "torch"
    assert _keras_internals.is_torch_adam(keras.optimizers.Adam()) is on_torch
    assert not _keras_internals.is_torch_adam(keras.optimizers.AdamW())
    assert not _keras_internals.is_torch_adam(keras.optimizers.RMSprop())


def test_adam_moments_are_the_slots_of_the_variables_in_order():
    variables = [keras.Variable(np.ones((2,), "float32")),
                 keras.Variable(np.ones((3,), "float32"))]
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build(variables)
    optimizer.apply([keras.ops.full((2,), 2.0), keras.ops.full((3,), 3.0)],
                    variables)
    momentums, velocities = _keras_internals.adam_moments(
        optimizer, variables[::-1])
    # After one step from zero: m = (1 - beta_1) g, v = (1 - beta_2) g^2.
    np.testing.assert_allclose(np.asarray(momentums[0]), [0.3] * 3, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(velocities[1]), [0.004] * 2,
                               rtol=1e-5)
    with pytest.raises(KeyError):
        _keras_internals.adam_moments(
            optimizer, [keras.Variable(np.ones((2,), "float32"))])
