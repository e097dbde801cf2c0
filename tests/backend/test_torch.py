"""keras_wgan.backend.torch: gradients and the fused layer calls on torch.

Each function is checked against the plain computation it replaces: the
gradients against closed forms, the fused convolutions and `Dense` against
the Keras layer's own `call`, the kernel layout against torch's.
"""

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.backends("torch")

torch = pytest.importorskip("torch")
from keras_wgan.backend import torch as torch_backend  # noqa: E402


def _array(tensor):
    return tensor.detach().cpu().numpy()


def test_value_and_grad_differentiates_the_variables_asked_for_only():
    w = keras.Variable(np.array([1.0, -2.0, 3.0], "float32"))
    unused = keras.Variable(np.array([5.0], "float32"))
    x = torch.tensor([0.5, 1.0, 2.0])

    def loss_fn():
        loss = (w.value * x).sum() ** 2
        return loss, {"half": loss / 2}

    loss, aux, grads = torch_backend.value_and_grad(loss_fn, [w, unused])
    # (w . x) = 0.5 - 2 + 6 = 4.5; d/dw (w . x)^2 = 2 * 4.5 * x.
    assert float(loss) == pytest.approx(20.25)
    assert float(aux["half"]) == pytest.approx(10.125)
    np.testing.assert_allclose(_array(grads[0]), 9.0 * np.array([0.5, 1, 2]))
    # A variable the loss does not reach gets a zero gradient, not None.
    np.testing.assert_array_equal(_array(grads[1]), [0.0])
    assert not loss.requires_grad and not aux["half"].requires_grad


def test_value_and_grad_of_a_frozen_network_gives_no_gradients():
    loss, aux, grads = torch_backend.value_and_grad(
        lambda: (torch.tensor(2.0), {}), [])
    assert float(loss) == 2.0 and aux == {} and grads == []


def test_input_gradient_keeps_a_graph_for_the_second_derivative():
    w = keras.Variable(np.array([2.0], "float32"))
    x = torch.tensor([[1.0], [3.0]])
    # d/dx sum(w * x^2) = 2 w x, and d/dw of its square norm is
    # 2 * sum((2 w x) * 2 x) = 8 w sum(x^2) = 8 * 2 * 10.
    grad = torch_backend.input_gradient(lambda t: w.value * t ** 2, x)
    np.testing.assert_allclose(_array(grad), [[4.0], [12.0]])
    (second,) = torch.autograd.grad((grad ** 2).sum(), w.value)
    assert float(second) == pytest.approx(160.0)


def test_no_grad_builds_no_graph():
    w = keras.Variable(np.array([2.0], "float32"))
    assert not torch_backend.no_grad(lambda a: w.value * a, 3.0).requires_grad


def test_clip_clamps_to_the_limit():
    x = keras.Variable(np.array([-0.5, 0.003, 0.2], "float32"))
    np.testing.assert_allclose(_array(torch_backend.clip(x, 0.01)),
                               [-0.01, 0.003, 0.01])


def test_kernels_come_out_in_torchs_layout():
    kernel = keras.Variable(np.arange(2 * 3 * 4 * 5, dtype="float32")
                            .reshape(2, 3, 4, 5))
    converted = torch_backend.keras_kernel_as_torch(kernel)
    np.testing.assert_array_equal(
        _array(converted), np.transpose(np.asarray(kernel), (3, 2, 0, 1)))
    assert converted.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (keras.layers.Conv2D(6, 5, strides=2, padding="same"), (3, 28, 28, 1)),
        (keras.layers.Conv2D(4, 4, strides=2, padding="same"), (2, 7, 8, 3)),
        (keras.layers.Conv2D(4, 3, padding="valid", use_bias=False),
         (2, 6, 6, 2)),
        (keras.layers.Conv2DTranspose(3, 5, strides=2, padding="same"),
         (2, 7, 7, 4)),
        (keras.layers.Conv2DTranspose(2, 4, strides=2, padding="valid"),
         (2, 5, 5, 3)),
        (keras.layers.Dense(7), (5, 3)),
    ],
)
def test_fused_calls_equal_the_layers_own(layer, shape):
    layer.build((None,) + shape[1:])
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    fused = torch_backend.fused_layer_call(layer, (None,) + shape[1:])
    assert fused is not None
    np.testing.assert_allclose(
        _array(fused(torch.tensor(x))), _array(layer(x)), rtol=1e-5,
        atol=1e-5)


def test_other_layers_and_settings_are_not_fused():
    dilated = keras.layers.Conv2D(2, 3, dilation_rate=2)
    dilated.build((None, 9, 9, 1))
    norm = keras.layers.BatchNormalization()
    norm.build((None, 4))
    assert torch_backend.fused_layer_call(dilated, (None, 9, 9, 1)) is None
    assert torch_backend.fused_layer_call(norm, (None, 4)) is None


def test_fused_convolutions_take_the_kernel_they_are_given():
    layer = keras.layers.Conv2D(2, 3, padding="same")
    layer.build((None, 4, 4, 1))
    zero = torch.zeros_like(torch_backend.keras_kernel_as_torch(layer.kernel))
    call = torch_backend.fused_conv_call(layer, (None, 4, 4, 1), lambda: zero)
    out = call(torch.ones(1, 4, 4, 1))
    # A zero kernel leaves only the bias, zero at initialisation.
    np.testing.assert_array_equal(_array(out), np.zeros((1, 4, 4, 2)))
