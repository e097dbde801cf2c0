"""Gradients on the JAX backend, for Keras's functional JAX trainer.

Keras's JAX trainer passes the whole model state into `train_step(state,
data)` and expects the new state back. Its state has room for one
optimizer's variables (`model.optimizer.variables`, keras issues #18881 and
#19358); the models expose both optimizers there as one group, so both
optimizers' slots and iteration counters travel through the state.

The step runs inside a `keras.StatelessScope` that maps every variable to
its value in `state`: layer calls read from it, and `assign` (optimizer
updates, clipping constraints, metric updates, seed-generator draws) writes
to it. The same Python training loop as on torch and TensorFlow therefore
runs under `jax.jit`, with `jax.value_and_grad` over the variables being
trained.
"""

import functools
import os
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import ContextManager
from typing import cast

import jax
import jax.numpy as jnp
import keras
import numpy as np

from keras_wgan import _keras_internals
from keras_wgan.backend import subpixel
from keras_wgan.tensor_types import Tensor


def _conv(inputs, kernel, stride, pads):
    """Channels-last convolution, kernel `(filters, kh, kw, C)`.

    `pads` is `((top, bottom), (left, right))`; a negative one crops.
    """
    return jax.lax.conv_general_dilated(
        inputs, kernel, (stride, stride), pads,
        dimension_numbers=("NHWC", "OHWI", "NHWC"))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _strided_conv(inputs, kernel, stride, pads):
    return _conv(inputs, kernel, stride, pads)


def _strided_conv_forward(inputs, kernel, stride, pads):
    return _conv(inputs, kernel, stride, pads), (inputs, kernel)


def _strided_conv_backward(stride, pads, residuals, grad):
    # The input gradient of a strided convolution is the strided transposed
    # convolution with the same kernel (its layout is the transposed one's),
    # taken as `_transposed_conv`, whose own gradients are strided
    # convolutions again: the gradient penalty's double backward then never
    # meets XLA's slow gradient of a strided transposed convolution. The
    # crops cut the padding; a negative end crop gives back the input rows
    # after the last window.
    inputs, kernel = residuals
    crops = tuple(
        (before, (out - 1) * stride + size - before - n)
        for (before, _), n, out, size in zip(
            pads, inputs.shape[1:3], grad.shape[1:3], kernel.shape[1:3]))
    grad_inputs = _transposed_conv(grad, kernel, stride, crops)
    _, kernel_vjp = jax.vjp(lambda k: _conv(inputs, k, stride, pads), kernel)
    return grad_inputs, kernel_vjp(grad)[0]


_strided_conv.defvjp(_strided_conv_forward, _strided_conv_backward)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _transposed_conv(inputs, kernel, stride, crops):
    # The full transposed convolution, then `crops`, `((top, bottom), (left,
    # right))`, cut from it (a negative one adds zeros).
    full = subpixel.conv2d_transpose(
        inputs, kernel, jnp.zeros((), inputs.dtype), stride, 0, 0)
    return jax.lax.pad(
        full, jnp.zeros((), full.dtype),
        [(0, 0, 0), *((-before, -after, 0) for before, after in crops),
         (0, 0, 0)])


def _transposed_conv_forward(inputs, kernel, stride, crops):
    outputs = _transposed_conv(inputs, kernel, stride, crops)
    return outputs, (inputs, kernel)


def _transposed_conv_backward(stride, crops, residuals, grad):
    # A transposed convolution is the adjoint of the strided convolution
    # with the same kernel padded by the crops: its input gradient is that
    # convolution of `grad`, and its kernel gradient that convolution's
    # kernel gradient with `inputs` as the cotangent. XLA computes both far
    # faster than the gradients of the sub-pixel convolution (whose kernel
    # gradient correlates a zero-padded image with 4x the channels).
    inputs, kernel = residuals
    grad_inputs, kernel_vjp = jax.vjp(
        lambda k: _conv(grad, k, stride, crops), kernel)
    return grad_inputs, kernel_vjp(inputs)[0]


_transposed_conv.defvjp(_transposed_conv_forward, _transposed_conv_backward)


def fused_conv2d_transpose(inputs: Tensor, kernel: Tensor,
                           bias: Tensor | None, stride: int,
                           padding: int,
                           output_padding: int) -> Tensor:
    """`PaddedConv2DTranspose` as a sub-pixel convolution, with fast gradients.

    XLA on the CPU differentiates a strided transposed convolution about
    20x more slowly than the equal stride-1 convolution plus depth to
    space (`subpixel`), which computes the forward pass; the gradients are
    those of the adjoint strided convolution.

    Args:
        inputs: `(batch, H, W, C)`.
        kernel: `(C, k, k, filters)`, the layer's stored layout.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int border cut from both ends of each spatial axis.
        output_padding: Int given back at the end of each axis.

    Returns:
        `(batch, H', W', filters)`.
    """
    inputs, kernel = jnp.asarray(inputs), jnp.asarray(kernel)
    crops = ((padding, padding - output_padding),) * 2
    outputs = _transposed_conv(inputs, kernel, stride, crops)
    return outputs + jnp.asarray(bias)


def fused_conv2d(inputs: Tensor, kernel: Tensor, bias: Tensor | None,
                 stride: int, padding: int) -> Tensor:
    """`PaddedConv2D`, with a fast input gradient when it is strided.

    Args:
        inputs: `(batch, H, W, C)`.
        kernel: `(filters, k, k, C)`, the layer's stored layout.
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int zeros before and after each spatial axis.

    Returns:
        `(batch, H', W', filters)`.
    """
    inputs = jnp.asarray(inputs)
    kernel = jnp.asarray(kernel)
    pads = ((padding, padding),) * 2
    conv = _strided_conv if stride > 1 else _conv
    return conv(inputs, kernel, stride, pads) + jnp.asarray(bias)


def fused_layer_call(layer: keras.Layer, input_shape: Sequence[int | None]
                     ) -> Callable[[Tensor], Tensor] | None:
    """Returns a fused `fn(x)` equal to `layer.call(x)`, or `None`.

    For Keras's own `Conv2D` and `Conv2DTranspose` (exactly those classes,
    channels-last, equal strides above 1, a square kernel, no dilation or
    groups, no LoRA), the computation of `fused_conv2d` and
    `fused_conv2d_transpose`: XLA's convolution forward and the transposed
    convolution as a sub-pixel convolution, each with the other as its
    input gradient, with Keras's padding (asymmetric "same" included). The
    weights stay the layer's variables, in Keras's layout.

    Args:
        layer: A built Keras layer.
        input_shape: Its static input shape, `(None, H, W, C)`, whose `H`
            and `W` set a `Conv2D`'s "same" padding.

    Returns:
        A function of the input tensor, or `None` where `layer.call` is to
        be used (every other layer or setting, stride 1 and `Dense`
        included: XLA differentiates those fast).
    """
    kind = type(layer)
    if (kind not in (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
            or getattr(layer, "lora_enabled", False)
            or layer.data_format != "channels_last"
            or tuple(layer.dilation_rate) != (1, 1)
            or getattr(layer, "groups", 1) != 1
            or len(set(layer.strides)) != 1 or layer.strides[0] < 2
            or len(set(layer.kernel_size)) != 1):
        return None
    stride = layer.strides[0]
    if kind is keras.layers.Conv2D:
        if any(size is None for size in input_shape[1:3]):
            return None
        pads = _int_pairs(jax.lax.padtype_to_pads(
            cast(Sequence[int], input_shape[1:3]), layer.kernel_size, layer.strides,
            layer.padding.upper()))
        rule = _strided_conv
    else:
        pads = _int_pairs(_keras_internals.conv_transpose_crops(layer))
        rule = _transposed_conv

    def call(inputs):
        # Both Keras layouts, `(k, k, in, filters)` and `(k, k, filters,
        # in)`, become the `(out, k, k, in)` of the rules by one transpose.
        kernel = jnp.transpose(layer.kernel.value, (3, 0, 1, 2))
        outputs = rule(jnp.asarray(inputs), kernel, stride, pads)
        if layer.use_bias:
            outputs = outputs + layer.bias.value
        return layer.activation(outputs)

    return call


def _int_pairs(pairs):
    # Hashable, as the rules' static arguments must be.
    return tuple((int(before), int(after)) for before, after in pairs)


# The scope of the step being traced, innermost last, so that
# `value_and_grad` can layer the traced variable values over it.
_SCOPES: list[Any] = []


def _state_groups(model, state_size):
    """The variable lists matching the trainer's state, in its order."""
    if state_size == 4:  # train: trainable, non-trainable, optimizer, metrics
        return (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
            model.metrics_variables,
        )
    if state_size == 3:  # test: trainable, non-trainable, metrics
        return (
            model.trainable_variables,
            model.non_trainable_variables,
            model.metrics_variables,
        )
    raise ValueError(f"unexpected JAX trainer state of {state_size} parts.")


def run_step(model: keras.Model, step_fn: Callable[[Any], dict[str, Tensor]],
             state: Sequence[Sequence[Tensor]], data: Any
             ) -> tuple[dict[str, Tensor], tuple[list[Tensor], ...]]:
    """Runs `step_fn(data)` statelessly; returns `(logs, new_state)`."""
    groups = _state_groups(model, len(state))
    mapping = [
        (variable, value)
        for variables, values in zip(groups, state)
        for variable, value in zip(variables, values)
    ]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        _SCOPES.append(scope)
        try:
            logs = step_fn(data)
        finally:
            _SCOPES.pop()
    new_state = tuple(
        [scope.get_current_value(v) for v in variables] for variables in groups
    )
    return logs, new_state


def value_and_grad(loss_fn: Callable[[], tuple[Tensor, Any]],
                   variables: Sequence[keras.Variable]
                   ) -> tuple[Tensor, Any, list[Tensor]]:
    """Returns `(loss, aux, grads)` of `loss_fn()` for `variables` only."""
    if _SCOPES:
        return _traced_value_and_grad(_SCOPES[-1], loss_fn, variables)
    # Outside a trainer step (a direct call): read the variables' current
    # values through an empty scope; assignments could not be kept.
    with keras.StatelessScope() as scope:
        loss, aux, grads = _traced_value_and_grad(scope, loss_fn, variables)
    if scope.state_mapping:
        raise RuntimeError(
            "value_and_grad outside a training step cannot keep the "
            "variable updates made by loss_fn; call it from train_step."
        )
    return loss, aux, grads


def _traced_value_and_grad(outer, loss_fn, variables):
    traced_ids = {id(v) for v in variables}

    def compute(values):
        with keras.StatelessScope(
            state_mapping=list(zip(variables, values))
        ) as inner:
            # Every other variable keeps its value of the running step.
            for key, value in outer.state_mapping.items():
                inner.state_mapping.setdefault(key, value)
            loss, aux = loss_fn()
        # Variables assigned while computing the loss (seed generators,
        # normalisation statistics) leave the trace as outputs, not as
        # leaked tracers.
        updates = {
            key: value
            for key, value in inner.state_mapping.items()
            if key not in traced_ids
            and value is not outer.state_mapping.get(key)
        }
        return loss, (aux, updates)

    values = [outer.state_mapping.get(id(v), v.value) for v in variables]
    (loss, (aux, updates)), grads = jax.value_and_grad(compute, has_aux=True)(
        values
    )
    outer.state_mapping.update(updates)
    return loss, aux, grads


def apply_gradients(optimizer: keras.optimizers.Optimizer,
                    grads: Sequence[Tensor],
                    variables: Sequence[keras.Variable]) -> None:
    """Applies `grads` to `variables` with `optimizer`, inside a traced step.

    A `LossScaleOptimizer` decides with `ops.cond` whether to update, and
    its stateful `apply` assigns variables inside the branches, which leaks
    their tracers out of `jax.lax.cond`; its `stateless_apply` returns the
    new values instead, which are assigned here, outside the branches.
    """
    grads = reduce_gradients(grads)
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer.apply(grads, variables)
        return
    new_variables, new_optimizer_variables = optimizer.stateless_apply(
        [v.value for v in optimizer.variables],
        grads,
        [v.value for v in variables],
    )
    for variable, value in zip(variables, new_variables):
        variable.assign(value)
    for variable, value in zip(optimizer.variables, new_optimizer_variables):
        variable.assign(value)


def input_gradient(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Returns d sum(fn(x)) / dx, differentiable again (`jax.grad` nests)."""
    return jax.grad(lambda t: jnp.sum(fn(t)))(jnp.asarray(x))


def no_grad(fn: Callable[..., Any], *args: Any) -> Any:
    """Calls `fn(*args)` and stops gradients through its outputs."""
    return jax.tree_util.tree_map(jax.lax.stop_gradient, fn(*args))


# ------------------------------------------------------------ data parallel
#
# Data parallelism is `keras.distribution.DataParallel`: the variables are
# replicated, each batch is sharded over the devices along its first axis,
# and the step is one SPMD program of the global batch. The step therefore
# computes exactly what one device would (XLA inserts the all-reduce of
# the gradients), and nothing in the training loop depends on the devices.


def replica_count() -> int:
    """Returns the number of data-parallel replicas."""
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1
    return int(np.prod(distribution.device_mesh.shape))


def step_shard() -> tuple[int, int]:
    """Returns `(replicas, index)` as a step sees them: the whole batch."""
    return 1, 0


def data_shard() -> tuple[int, int | None]:
    """Returns `(replicas, shard)`: the step reads the global batch."""
    return 1, None


def lost_replica(error: BaseException) -> bool:
    """Whether `error` says a replica is gone: never, with the replicas
    the devices of this one process."""
    del error
    return False


def is_chief() -> bool:
    """Whether this process writes the files of a run."""
    return jax.process_index() == 0


def reduce_gradients(grads: Sequence[Tensor]) -> Sequence[Tensor]:
    """The gradients of the global batch already: returned as they are."""
    return grads


def reduce_logs(logs: dict[str, Tensor]) -> dict[str, Tensor]:
    """The logs of the global batch already: returned as they are."""
    return logs


def synchronize(variables: Sequence[keras.Variable]) -> None:
    """Nothing to do: the replicated variables are one array each."""
    del variables


def data_parallel(devices: int | None) -> ContextManager[Any]:
    """Returns the scope of a `DataParallel` distribution over `devices`.

    `devices` is a number (the first devices of `jax.devices()`) or
    `None` for all of them. Before JAX has started, the CPU is given
    `devices` host devices (`jax_num_cpu_devices`), so that the CPU can
    stand for several devices.
    """
    if devices is not None and "host_platform_device_count" not in (
            os.environ.get("XLA_FLAGS", "")):
        try:
            jax.config.update("jax_num_cpu_devices", devices)
        except RuntimeError:
            pass  # JAX has started: the devices it has are checked below.
    available = jax.devices()
    if devices is not None and devices > len(available):
        raise ValueError(
            f"devices must be <= {len(available)} (the JAX devices here; on "
            "the CPU call data_parallel before any JAX operation, or set "
            "XLA_FLAGS=--xla_force_host_platform_device_count=N), got "
            f"{devices}."
        )
    chosen = available if devices is None else available[:devices]
    return keras.distribution.DataParallel(devices=chosen).scope()


def clip(x: Tensor, limit: float) -> Tensor:
    """`x` clipped to `[-limit, limit]` (`keras.ops.clip`)."""
    return keras.ops.clip(x, -limit, limit)
