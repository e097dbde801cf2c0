"""Gradients on the PyTorch backend (eager autograd), and fused layer calls.

Data parallelism lives in `keras_wgan.backend.torch_distributed`; its
functions are imported here, where `keras_wgan.backend` reads the torch
backend's operations.
"""

import functools
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import keras
import torch

from keras_wgan import _keras_internals
from keras_wgan.backend.torch_distributed import data_parallel
from keras_wgan.backend.torch_distributed import data_shard
from keras_wgan.backend.torch_distributed import is_chief
from keras_wgan.backend.torch_distributed import lost_replica
from keras_wgan.backend.torch_distributed import reduce_gradients
from keras_wgan.backend.torch_distributed import reduce_logs
from keras_wgan.backend.torch_distributed import replica_count
from keras_wgan.backend.torch_distributed import step_shard
from keras_wgan.backend.torch_distributed import synchronize
from keras_wgan.tensor_types import Tensor


def value_and_grad(loss_fn: Callable[[], tuple[Tensor, Any]],
                   variables: Sequence[keras.Variable]
                   ) -> tuple[Tensor, Any, list[Tensor]]:
    """Returns `(loss, aux, grads)` of `loss_fn()` for `variables` only.

    `torch.autograd.grad` on the requested variables computes only the
    gradients on the path to them: the generator step does not compute the
    critic's weight gradients that `loss.backward()` would accumulate and
    then throw away, and no `.grad` buffers need zeroing.
    """
    loss, aux = loss_fn()
    if variables:
        # A variable the loss does not reach (e.g. the critic's last bias
        # under the penalty alone) gets a zero gradient rather than an error.
        grads = torch.autograd.grad(
            loss,
            [v.value for v in variables],
            allow_unused=True,
            materialize_grads=True,
        )
    else:
        # A frozen network's loss, computed to be logged: autograd refuses
        # to differentiate with respect to nothing.
        grads = ()
    # Detached, the logged values no longer hold the step's autograd graph
    # (for the penalty, a double-backward graph) alive until they are read.
    aux = keras.tree.map_structure(
        lambda t: t.detach() if isinstance(t, torch.Tensor) else t, aux
    )
    return loss.detach(), aux, list(grads)


def apply_gradients(optimizer: keras.optimizers.Optimizer,
                    grads: Sequence[Tensor],
                    variables: Sequence[keras.Variable]) -> None:
    """Applies `grads`, averaged over the processes, with `optimizer`."""
    optimizer.apply(reduce_gradients(grads), variables)


def input_gradient(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Returns d sum(fn(x)) / dx with a graph, so it can be differentiated.

    `create_graph=True` keeps the gradient differentiable with respect to
    the critic's weights (double backward). This is why the penalty path
    stays eager: `torch.compile` cannot trace a double backward.
    """
    x = x.detach().requires_grad_(True)
    scores = fn(x)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grad


def no_grad(fn: Callable[..., Any], *args: Any) -> Any:
    """Calls `fn(*args)` without building an autograd graph."""
    with torch.no_grad():
        return fn(*args)


def run_step(model: keras.Model, step_fn: Callable[[Any], dict[str, Tensor]],
             data: Any) -> dict[str, Tensor]:
    """Runs a train or test step: eager torch needs no state handling."""
    del model
    return step_fn(data)


def fused_conv2d(inputs: Tensor, kernel: Tensor, bias: Tensor | None,
                 stride: int, padding: int) -> Tensor:
    """Channels-last convolution with symmetric padding and bias in one call.

    Args:
        inputs: `(batch, H, W, C)` tensor.
        kernel: `(filters, k, k, C)`, seen by torch as `(filters, C, k, k)`
            in channels-last memory format.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int zeros on each side.

    Returns:
        `(batch, H', W', filters)` tensor.

    The permutes are views: an NHWC tensor seen as NCHW is in PyTorch's
    channels-last memory format, which oneDNN convolves without a copy
    (given a kernel in the same format) and answers in the same format, so
    the result seen as NHWC is contiguous.
    """
    outputs = torch.nn.functional.conv2d(
        _as_nchw(inputs),
        _as_nchw(kernel),
        _value(bias),
        stride=stride,
        padding=padding,
    )
    return outputs.permute(0, 2, 3, 1)


def fused_conv2d_transpose(inputs: Tensor, kernel: Tensor,
                           bias: Tensor | None, stride: int, padding: int,
                           output_padding: int) -> Tensor:
    """Channels-last transposed convolution with PyTorch's padding and bias.

    Args:
        inputs: `(batch, H, W, C)` tensor.
        kernel: `(C, k, k, filters)`, seen by torch as `(C, filters, k, k)`
            in channels-last memory format.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int border cut from both ends of each spatial axis.
        output_padding: Int given back at the end of each axis.

    Returns:
        `(batch, H', W', filters)` tensor.
    """
    outputs = torch.nn.functional.conv_transpose2d(
        _as_nchw(inputs),
        _as_nchw(kernel),
        _value(bias),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
    )
    return outputs.permute(0, 2, 3, 1)


def fused_layer_call(layer: keras.Layer, input_shape: Sequence[int | None]
                     ) -> Callable[[Tensor], Tensor] | None:
    """Returns a fused `fn(x)` equal to `layer.call(x)`, or `None`.

    For Keras's own `Conv2D`, `Conv2DTranspose` and `Dense` (exactly those
    classes, channels-last, no dilation or groups, no LoRA), the same
    computation as Keras's torch backend in fewer operations: one
    `conv2d`/`conv_transpose2d` with the bias, on the channels-last data
    seen as NCHW (no permute copies), and for the transposed convolution
    torch's own `padding`/`output_padding` instead of an output crop;
    `addmm` for `Dense`. The weights stay the layer's variables, so
    gradients reach them as through `layer.call`.

    Args:
        layer: A built layer.
        input_shape: The layer's static input shape, `(None, H, W, C)`;
            "same" padding of a convolution depends on `H` and `W`.

    Returns:
        A function of the input tensor, or `None` for any other layer or
        setting (call `layer.call` then).
    """
    if getattr(layer, "lora_enabled", False):
        return None
    kind = type(layer)
    if kind is keras.layers.Dense:
        return _fused_dense(layer, input_shape)
    if kind not in (keras.layers.Conv2D, keras.layers.Conv2DTranspose):
        return None
    if (layer.data_format != "channels_last"
            or tuple(layer.dilation_rate) != (1, 1)
            or getattr(layer, "groups", 1) != 1):
        return None
    kernel = functools.partial(keras_kernel_as_torch, layer.kernel)
    if kind is keras.layers.Conv2D:
        return _fused_conv2d(layer, input_shape, kernel)
    return _fused_conv2d_transpose(layer, kernel)


def fused_conv_call(layer: keras.Layer, input_shape: Sequence[int | None],
                    kernel: Callable[[], Tensor]
                    ) -> Callable[[Tensor], Tensor] | None:
    """`fused_layer_call` for a convolution whose kernel comes from `kernel()`.

    Args:
        layer: A built Keras `Conv2D` or `Conv2DTranspose`.
        input_shape: As for `fused_layer_call`.
        kernel: A function returning the layer's kernel in torch's layout,
            as `keras_kernel_as_torch(layer.kernel)` does (a caller may
            return a copy it keeps while the weights are unchanged).

    Returns:
        A function of the input tensor, or `None` where `fused_layer_call`
        has none.
    """
    if fused_layer_call(layer, input_shape) is None:
        return None
    if type(layer) is keras.layers.Conv2D:
        return _fused_conv2d(layer, input_shape, kernel)
    return _fused_conv2d_transpose(layer, kernel)


def _fused_dense(layer, input_shape):
    if len(input_shape) != 2:
        return None

    def call(inputs):
        kernel = _value(layer.kernel)
        if layer.use_bias:
            outputs = torch.addmm(_value(layer.bias), inputs, kernel)
        else:
            outputs = torch.mm(inputs, kernel)
        return layer.activation(outputs)

    return call


def _fused_conv2d(layer, input_shape, kernel):
    padding = (0, 0)
    pad_inputs = None
    if layer.padding == "same":
        sizes = input_shape[1:3]
        if any(size is None for size in sizes):
            return None
        pads = [_same_padding(size, k, s) for size, k, s in
                zip(sizes, layer.kernel_size, layer.strides)]
        # The convolution pads both ends alike; Keras's "same" puts an odd
        # pixel at the end (right = left + 1), padded explicitly: a copy
        # one row and column larger, not the whole border's.
        padding = tuple(left for left, _ in pads)
        if any(left != right for left, right in pads):
            (top, bottom), (left, right) = pads
            pad_inputs = (0, 0, 0, right - left, 0, bottom - top)

    def call(inputs):
        inputs = keras.ops.convert_to_tensor(inputs)
        if pad_inputs is not None:
            inputs = torch.nn.functional.pad(inputs, pad_inputs)
        outputs = torch.nn.functional.conv2d(
            _as_nchw(inputs),
            kernel(),
            _value(layer.bias) if layer.use_bias else None,
            stride=tuple(layer.strides),
            padding=padding,
        )
        return layer.activation(outputs.permute(0, 2, 3, 1))

    return call


def _fused_conv2d_transpose(layer, kernel):
    crops = _keras_internals.conv_transpose_crops(layer)
    # Torch cuts `padding` from both ends and gives `output_padding` back
    # at the end. Crops (left, right) are padding=left plus, when right <
    # left, output_padding=left - right (it must be < stride), or when
    # right > left, a cut of right - left more from the end (a view).
    if any(left < 0 or left - right >= stride
           for (left, right), stride in zip(crops, layer.strides)):
        return None
    padding = tuple(left for left, _ in crops)
    output_padding = tuple(max(left - right, 0) for left, right in crops)
    ends = tuple(None if right <= left else left - right
                 for left, right in crops)

    def call(inputs):
        outputs = torch.nn.functional.conv_transpose2d(
            _as_nchw(inputs),
            kernel(),
            _value(layer.bias) if layer.use_bias else None,
            stride=tuple(layer.strides),
            padding=padding,
            output_padding=output_padding,
        )
        outputs = outputs[:, :, :ends[0], :ends[1]]
        return layer.activation(outputs.permute(0, 2, 3, 1))

    return call


def _same_padding(size, kernel, stride):
    """Keras's "same" padding of one axis, `(before, after)`."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + kernel - size)
    return total // 2, total - total // 2


def keras_kernel_as_torch(kernel: keras.Variable) -> torch.Tensor:
    """Keras's `(kh, kw, in, out)` kernel as torch's `(out, in, kh, kw)`
    (transposed convolutions: `(kh, kw, out, in)` as `(in, out, kh, kw)`),
    in channels-last memory.

    With a kernel in another memory format, oneDNN answers channels-last
    inputs in NCHW, and every activation after it is then copied back. The
    copy is one 2-D transpose, `(kh * kw * in, out)` to `(out, kh * kw *
    in)`, which torch does several times faster than the same permutation
    of four axes; a kernel is small beside a batch of activations.
    """
    value = _value(kernel)
    kh, kw, fan_in, fan_out = value.shape
    return (value.reshape(kh * kw * fan_in, fan_out).t().contiguous()
            .view(fan_out, kh, kw, fan_in).permute(0, 3, 1, 2))


def _as_nchw(inputs):
    # The NCHW view of an NHWC tensor, marked channels-last explicitly: with
    # one channel (the critic's input) the view is also NCHW-contiguous, and
    # torch would then run that convolution, and through the NCHW result
    # every later one, in NCHW with a copy of each kernel in every call.
    return (
        _value(inputs)
        .permute(0, 3, 1, 2)
        .contiguous(memory_format=torch.channels_last)
    )


def _value(x):
    # A Keras variable's torch tensor (a Parameter that autograd tracks), or
    # `x` as a tensor. Tensors and variables skip `ops.convert_to_tensor`,
    # whose checks cost more than a small layer's convolution; `.value`
    # keeps the stateless scope and autocasting.
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, keras.Variable):
        return x.value
    return keras.ops.convert_to_tensor(x)


def clip(x: Tensor, limit: float) -> Tensor:
    """`x` clipped to `[-limit, limit]`: one `torch.clamp`, without the
    argument checks of `keras.ops.clip` (weight clipping calls it for every
    critic weight after every critic update)."""
    return torch.clamp(_value(x), -limit, limit)
