"""The backend-specific part of training: gradients, in one module a backend.

The models and the loss/penalty math are written once with `keras.ops`;
only the operations below differ between backends, and this package picks
the implementation for the backend Keras runs on (the one place where the
backend is chosen).

- `run_step(model, step_fn, *args)`: runs one train or test step. Keras
  calls `train_step(data)` on torch and TensorFlow but
  `train_step(state, data)` on JAX, whose trainer is functional: there the
  step runs inside a `keras.StatelessScope` holding `state` and returns
  `(logs, new_state)`.
- `value_and_grad(loss_fn, variables)`: runs `loss_fn()`, which returns
  `(loss, aux)`, and returns `(loss, aux, grads)` with the gradients of
  `loss` with respect to `variables` only. `variables` may be empty (a
  frozen network, whose loss is only logged): then `grads` is empty.
- `apply_gradients(optimizer, grads, variables)`: `optimizer.apply` of the
  gradients reduced over the replicas (`reduce_gradients`), in the way the
  backend needs (a `LossScaleOptimizer` on JAX).
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to `x`,
  itself differentiable (for the gradient penalty's double backward).
- `no_grad(fn, *args)`: calls `fn(*args)` without recording gradients.
- `clip(x, limit)`: `x` clipped to `[-limit, limit]` (weight clipping).
- `replica_count()`, `step_shard()`, `data_shard()`,
  `reduce_gradients(grads)`, `reduce_logs(logs)`, `synchronize(variables)`,
  `is_chief()`, `data_parallel(devices)`, `lost_replica(error)`: data
  parallelism on the backend's own engine (see `keras_wgan.distribute`).
- `fused_conv2d`, `fused_conv2d_transpose`: optional fast paths for the
  convolutions of `keras_wgan.nets.layers` (`None` where a backend has none and
  the layers use `keras.ops`). JAX's transposed convolution is the
  sub-pixel convolution of `subpixel`, and both JAX convolutions take
  the gradients of strided convolutions (`jax.custom_vjp`); TensorFlow's
  use its "SAME" padding where it reads the same zeros.
- `fused_step(model)`: an optional fused train step for `WGAN` and
  `WGANGP` (`keras_wgan.backend.torch_step` on torch; `None` elsewhere
  and for a model it does not cover).
- `fused_layer_call(layer, input_shape)`: an optional fast path for Keras's
  own `Conv2D`, `Conv2DTranspose` and `Dense` in a network that
  `keras_wgan.nets.layer_chain` runs directly (`None` where a backend has
  none). On torch, fewer operations; on JAX, the strided convolutions of
  `fused_conv2d` and `fused_conv2d_transpose` with Keras's padding and
  kernel layouts.
"""

import importlib
from typing import TYPE_CHECKING

import keras

if TYPE_CHECKING:
    from keras_wgan.backend.torch_step import FusedWassersteinStep

#: The Keras backends keras_wgan runs on.
SUPPORTED_BACKENDS = ("torch", "jax", "tensorflow")


def _load(name):
    if name not in SUPPORTED_BACKENDS:
        raise ImportError(
            f"keras_wgan runs on the Keras backends {SUPPORTED_BACKENDS}, "
            f"but Keras uses '{name}'; set KERAS_BACKEND to one of them "
            "before importing keras."
        )
    return importlib.import_module(f"{__name__}.{name}")


_impl = _load(keras.backend.backend())

run_step = _impl.run_step
value_and_grad = _impl.value_and_grad
apply_gradients = _impl.apply_gradients
input_gradient = _impl.input_gradient
no_grad = _impl.no_grad
clip = _impl.clip
replica_count = _impl.replica_count
step_shard = _impl.step_shard
data_shard = _impl.data_shard
reduce_gradients = _impl.reduce_gradients
lost_replica = _impl.lost_replica
reduce_logs = _impl.reduce_logs
synchronize = _impl.synchronize
is_chief = _impl.is_chief
data_parallel = _impl.data_parallel
#: The backend's convolution of `PaddedConv2D`, or `None` without one.
fused_conv2d = getattr(_impl, "fused_conv2d", None)
#: The backend's transposed convolution of `PaddedConv2DTranspose`, or
#: `None` without one.
fused_conv2d_transpose = getattr(_impl, "fused_conv2d_transpose", None)
#: `fused_layer_call(layer, input_shape)`, a fast path for Keras's own
#: layers in a plain layer chain, or `None` where the backend has none.
fused_layer_call = getattr(_impl, "fused_layer_call", None)


def fused_step(model: "keras.Model") -> "FusedWassersteinStep | None":
    """Returns the backend's fused train step for `model`, or `None`.

    Args:
        model: A compiled `keras_wgan.WGAN` or `keras_wgan.WGANGP`.

    Returns:
        An object with `critic_update(real)` and `generator_update(real)`,
        each returning the update's logs, or `None` (train through the
        plain step), as for a model compiled with `fused_step=False`.
    """
    if keras.backend.backend() != "torch" or not model.fused_step:
        return None
    # Imported here: it builds on the models' penalty and the nets.
    from keras_wgan.backend import torch_step

    return torch_step.fused_step(model)


__all__ = [
    "SUPPORTED_BACKENDS",
    "apply_gradients",
    "clip",
    "data_parallel",
    "data_shard",
    "fused_conv2d",
    "fused_conv2d_transpose",
    "fused_layer_call",
    "fused_step",
    "input_gradient",
    "is_chief",
    "lost_replica",
    "no_grad",
    "reduce_gradients",
    "reduce_logs",
    "replica_count",
    "run_step",
    "step_shard",
    "synchronize",
    "value_and_grad",
]
