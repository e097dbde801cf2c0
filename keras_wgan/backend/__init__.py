"""The backend-specific part of training: gradients, in one module a backend.

The models and the loss/penalty math are written once with `keras.ops`;
only the three operations below differ between backends. This package picks
the implementation for the backend Keras runs on.

- `value_and_grad(loss_fn, variables)`: runs `loss_fn()`, which returns
  `(loss, aux)`, and returns `(loss, aux, grads)` with the gradients of
  `loss` with respect to `variables` only.
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to `x`,
  itself differentiable (for the gradient penalty's double backward).
- `no_grad(fn, *args)`: calls `fn(*args)` without recording gradients.
"""

import importlib

import keras

SUPPORTED_BACKENDS = ("torch",)


def _load(name):
    if name not in SUPPORTED_BACKENDS:
        raise ImportError(
            f"keras_wgan runs on the Keras backend(s) {SUPPORTED_BACKENDS}, "
            f"but Keras uses '{name}'; set KERAS_BACKEND=torch before "
            "importing keras."
        )
    return importlib.import_module(f"{__name__}.{name}")


_impl = _load(keras.backend.backend())

value_and_grad = _impl.value_and_grad
input_gradient = _impl.input_gradient
no_grad = _impl.no_grad
