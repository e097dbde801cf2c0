"""Gradients on the PyTorch backend (eager autograd)."""

import keras
import torch


def value_and_grad(loss_fn, variables):
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


def apply_gradients(optimizer, grads, variables):
    """Applies `grads` to `variables` with `optimizer`."""
    optimizer.apply(grads, variables)


def input_gradient(fn, x):
    """Returns d sum(fn(x)) / dx with a graph, so it can be differentiated.

    `create_graph=True` keeps the gradient differentiable with respect to
    the critic's weights (double backward). This is why the penalty path
    stays eager: `torch.compile` cannot trace a double backward.
    """
    x = x.detach().requires_grad_(True)
    scores = fn(x)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grad


def no_grad(fn, *args):
    """Calls `fn(*args)` without building an autograd graph."""
    with torch.no_grad():
        return fn(*args)


def run_step(model, step_fn, data):
    """Runs a train or test step: eager torch needs no state handling."""
    del model
    return step_fn(data)


def fused_conv2d(inputs, kernel, bias, stride, padding):
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


def fused_conv2d_transpose(inputs, kernel, bias, stride, padding,
                           output_padding):
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


def _as_nchw(inputs):
    # The NCHW view of an NHWC tensor, marked channels-last explicitly: with
    # one channel (the critic's input) the view is also NCHW-contiguous, and
    # torch would then run that convolution, and through the NCHW result
    # every later one, in NCHW with a copy of each kernel in every call.
    return (
        keras.ops.convert_to_tensor(inputs)
        .permute(0, 3, 1, 2)
        .contiguous(memory_format=torch.channels_last)
    )


def _value(variable):
    # A Keras variable's torch tensor (a Parameter that autograd tracks).
    return keras.ops.convert_to_tensor(variable)
