"""A faster eager forward pass for models that are plain chains of layers.

Every `Layer.__call__` in Keras 3 does bookkeeping around the layer's own
`call`: argument conversion and binding, input-spec checks, the training
flag, masks, autocasting, name scopes, activity regularization. Run
eagerly (the torch backend), it costs more than the small layers' own
computation, and a WGAN generator iteration calls the networks 17 times
(n_critic 5): that bookkeeping was most of keras-wgan's gap to a
hand-written PyTorch loop (docs: studies, Performance).

For a model where none of it does anything, `direct_forward` returns a
function that calls the layers' `call` methods in order. It does so only
when the result is the same as `model(x)`:

- the model is Keras's own `Sequential` or functional `Model` (not a
  subclass, which may override `call`), with one input and one output, and
  its layers form a single chain from input to output;
- every layer is of one of the stateless, per-sample types in
  `_DIRECT_TYPES` (exactly, not a subclass): none takes a `training` flag
  that changes its output, draws random numbers, updates state, or makes a
  mask;
- every layer is built, not quantized, has no activity regularizer, and
  computes in its variables' dtype (no mixed-precision autocasting);
- no `keras.distribution` is set (it may lay out layer outputs).

On torch, Keras's own `Conv2D`, `Conv2DTranspose` and `Dense` in such a
chain run fused (`keras_wgan.backend.fused_layer_call`): one convolution
with its bias on channels-last data, where Keras's torch backend permutes
the data to channels-first and back, adds the bias separately and crops a
transposed convolution's output. The weights are the layer's own, and a
test checks outputs and gradients against `layer.call` in every padding
and stride.
On JAX, strided `Conv2D` and `Conv2DTranspose` run through the backend's
custom-gradient rules, which avoid XLA's slow CPU gradients of strided and
transposed convolutions.

Otherwise, and for inputs of another dtype than the first layer expects,
the model is called normally. A model with BatchNormalization or Dropout,
a residual graph, or a custom layer therefore runs exactly as before.
"""

from collections.abc import Callable

import keras

from keras_wgan import _keras_internals
from keras_wgan import backend
from keras_wgan.nets.layers import PaddedConv2D
from keras_wgan.nets.layers import PaddedConv2DTranspose
from keras_wgan.tensor_types import Tensor

# Layers whose `call(inputs)` is a pure per-sample function of the inputs
# and the layer's weights. Exact types: a subclass may rely on __call__.
_DIRECT_TYPES = (
    keras.layers.Activation,
    keras.layers.Conv1D,
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2D,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3D,
    keras.layers.Conv3DTranspose,
    keras.layers.Cropping2D,
    keras.layers.Dense,
    keras.layers.ELU,
    keras.layers.Flatten,
    keras.layers.LayerNormalization,
    keras.layers.LeakyReLU,
    keras.layers.PReLU,
    keras.layers.ReLU,
    keras.layers.Reshape,
    keras.layers.UpSampling2D,
    keras.layers.ZeroPadding2D,
    PaddedConv2D,
    PaddedConv2DTranspose,
)


def direct_forward(model: keras.Model) -> Callable[[Tensor], Tensor] | None:
    """Returns `fn(x)` computing `model(x)` through its layers' `call`.

    Args:
        model: A `keras.Model`.

    Returns:
        A function of one input tensor that returns the model's output
        (the same values and gradients as `model(x, training=...)`, for any
        `training`), or `None` when the model is not a plain chain of the
        layers above (see the module docstring); call it normally then.

    Example:

    >>> critic = keras_wgan.nets.architectures.mnist_critic(width=8)
    >>> forward = direct_forward(critic)
    >>> x = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1))
    >>> x = x.astype("float32")
    >>> bool(np.allclose(ops.convert_to_numpy(forward(x)),
    ...                  ops.convert_to_numpy(critic(x)), atol=1e-6))
    True
    """
    layers = _chain(model)
    if layers is None:
        return None
    calls, shape = [], tuple(model.inputs[0].shape)
    for layer in layers:
        calls.append(_fast_call(layer, shape))
        shape = tuple(layer.compute_output_shape(shape))
    input_dtype = layers[0].input_dtype

    def forward(x):
        x = keras.ops.convert_to_tensor(x)
        if keras.backend.standardize_dtype(x.dtype) != input_dtype:
            # Keras's __call__ would cast it; keep its exact behaviour.
            return model(x)
        for call in calls:
            x = call(x)
        return x

    return forward


def _fast_call(layer, input_shape):
    """The layer's `call`, or the backend's fused equivalent where it has
    one (Keras's convolutions and `Dense` on torch, its strided
    convolutions on JAX)."""
    fused = None
    if backend.fused_layer_call is not None:
        fused = backend.fused_layer_call(layer, input_shape)
    return fused or layer.call


def _chain(model):
    """Returns the model's layers in order if it qualifies, else `None`."""
    cls = type(model)
    if not (cls is keras.Sequential or _keras_internals.is_functional(model)):
        return None
    if keras.distribution.distribution() is not None:
        return None
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        return None  # a Sequential without a known input
    if not inputs or len(inputs) != 1 or len(outputs) != 1:
        return None
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    if not layers or not all(_is_direct(layer) for layer in layers):
        return None
    # A Sequential calls its layers in order by definition (and after each
    # `add` Keras calls them again, so their first call is not the model's
    # graph). In a functional model, each layer's only call must be the
    # link of this chain: it takes the previous layer's output. Anything
    # else (a branch, a shared layer) falls back to the normal call.
    if cls is not keras.Sequential and not _is_linked(layers, inputs[0],
                                                      outputs[0]):
        return None
    dtypes = {layer.compute_dtype for layer in layers}
    if len(dtypes) != 1 or layers[0].input_dtype not in dtypes:
        return None
    return layers


def _is_linked(layers, first, last):
    tensor = first
    for layer in layers:
        try:
            if layer.input is not tensor:
                return False
            tensor = layer.output
        except (AttributeError, ValueError):
            return False
    return tensor is last


def _is_direct(layer):
    return (
        type(layer) in _DIRECT_TYPES
        and layer.built
        and layer.activity_regularizer is None
        and getattr(layer, "quantization_mode", None) is None
        and layer.compute_dtype == layer.variable_dtype
        # Created in a keras.RematScope: __call__ recomputes the layer in
        # the backward pass to save memory, which a direct call would not.
        and not _keras_internals.uses_remat(layer)
    )


class NetworkCalls:
    """Caches, per network, the function that runs it in the train step.

    A plain object, not a dict attribute, so that Keras does not track the
    networks it refers to a second time.
    """

    def __init__(self) -> None:
        self._calls: dict[int, tuple] = {}

    def get(self, model: keras.Model) -> Callable[[Tensor, bool], Tensor]:
        """Returns `fn(x, training)` computing `model(x, training=...)`."""
        entry = self._calls.get(id(model))
        if entry is None or entry[0] is not model:
            direct = direct_forward(model)
            if direct is None:
                def call(x, training):
                    return model(x, training=training)
            else:
                def call(x, training):
                    # The chain's layers ignore `training` (layer_chain).
                    del training
                    return direct(x)
            entry = (model, call)
            self._calls[id(model)] = entry
        return entry[1]

    def clear(self) -> None:
        """Forgets every cached function."""
        self._calls.clear()
