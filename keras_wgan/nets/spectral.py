"""Spectral normalisation of a critic's layers (Miyato et al., 2018).

`spectral_normalize(critic)` returns a copy of a critic whose weighted
layers are wrapped in `keras.layers.SpectralNormalization`, with the same
weights. Keras's wrapper estimates the largest singular value `sigma` of
the kernel reshaped to `(-1, output channels)` by power iteration and, at
every call with `training=True`, divides the stored kernel by it in place.
That in-place write inside the forward pass breaks torch's backward pass
when the critic is called twice (real and fake batch) before it, and on JAX
it would differentiate through the division on one backend and not on the
others. `normalize_weights` does the same step on its own, without
gradients, which `keras_wgan.WGANSN` runs after each critic update while
calling the critic in inference mode: a projection of the kernels onto
spectral norm 1 after each update, where Miyato et al. reparametrise the
weight as `W / sigma(W)` and differentiate through `sigma`.

That reshape assumes Keras's kernel layout, output channels last.
`PaddedConv2D` stores its kernel output channels first (see
`keras_wgan.nets.layers`), so each one becomes the equivalent
`ZeroPadding2D` + `Conv2D` pair, the convolution wrapped, with the same
weights. The wrapped critic is not a plain layer chain, so training calls
it through Keras (`keras_wgan.nets.layer_chain` falls back by itself).
"""

import keras
from keras import ops

from keras_wgan import _keras_internals
from keras_wgan.nets.layers import PaddedConv2D

# Layers whose kernel is in Keras's layout, output channels on the last
# axis, as `keras.layers.SpectralNormalization` reshapes it. Exact types.
_WRAPPABLE = (
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
    keras.layers.Dense,
)


def is_spectrally_normalized(critic: keras.Model) -> bool:
    """Whether every layer of `critic` with a kernel is spectrally normalised.

    Args:
        critic: A `keras.Model`.

    Returns:
        `True` when each layer holding a `kernel` is wrapped in
        `keras.layers.SpectralNormalization`.

    Example:

    >>> critic = keras_wgan.studies.toy.toy_critic(2, width=4, depth=1)
    >>> is_spectrally_normalized(critic)
    False
    >>> is_spectrally_normalized(spectral_normalize(critic))
    True
    """
    wrapped = {
        id(layer.layer)
        for layer in _keras_internals.all_layers(critic)
        if isinstance(layer, keras.layers.SpectralNormalization)
    }
    return all(
        id(layer) in wrapped
        for layer in _keras_internals.all_layers(critic)
        if _has_kernel(layer)
        and not isinstance(layer, keras.layers.SpectralNormalization)
    )


def spectral_normalize(critic: keras.Model,
                       power_iterations: int = 1) -> keras.Model:
    """Returns a copy of `critic` with every weighted layer spectrally normalised.

    Each `Dense` and `Conv1D/2D/3D` layer is wrapped in
    `keras.layers.SpectralNormalization(layer, power_iterations)`; each
    `PaddedConv2D` becomes `ZeroPadding2D` + a wrapped `Conv2D`. The
    weights are copied, so the copy computes the same scores until its
    first call with `training=True`. A critic already normalised is
    returned as it is, so that a saved model loads unchanged.

    Args:
        critic: A functional or `Sequential` `keras.Model`.
        power_iterations: Power-iteration steps per training call, an int
            >= 1 (1, as in Miyato et al., 2018).

    Returns:
        A `keras.Model` with the same inputs and output shape.

    Raises:
        ValueError: if the critic holds a layer with a kernel that cannot be
            wrapped (a transposed convolution, an embedding, a layer inside
            a custom layer).

    Example:

    >>> critic = keras_wgan.nets.architectures.mnist_critic(width=4)
    >>> normalized = spectral_normalize(critic)
    >>> x = np.zeros((2, 28, 28, 1), "float32")
    >>> bool(np.allclose(ops.convert_to_numpy(normalized(x)),
    ...                  ops.convert_to_numpy(critic(x)), atol=1e-5))
    True
    """
    if is_spectrally_normalized(critic):
        return critic
    if isinstance(power_iterations, bool) or not isinstance(
            power_iterations, int) or power_iterations < 1:
        raise ValueError(
            f"power_iterations must be an int >= 1, got {power_iterations!r}."
        )

    def wrap(layer):
        if type(layer) in _WRAPPABLE:
            inner = type(layer).from_config(layer.get_config())
            wrapped = keras.layers.SpectralNormalization(
                inner, power_iterations=power_iterations,
                name=f"{layer.name}_sn")
            wrapped.build(layer.input.shape)
            inner.set_weights(layer.get_weights())
            return wrapped
        if type(layer) is PaddedConv2D:
            return _padded_conv_pair(layer, power_iterations)
        if _has_kernel(layer) and not isinstance(
                layer, keras.layers.SpectralNormalization):
            raise ValueError(
                f"critic layer '{layer.name}' ({type(layer).__name__}) has a "
                "kernel that spectral_normalize cannot wrap; wrap it in "
                "keras.layers.SpectralNormalization yourself."
            )
        copy = type(layer).from_config(layer.get_config())
        if layer.weights:  # e.g. LayerNormalization: keep its weights.
            copy.build(layer.input.shape)
            copy.set_weights(layer.get_weights())
        return copy

    normalized = keras.models.clone_model(critic, clone_function=wrap)
    if not is_spectrally_normalized(normalized):
        raise ValueError(
            "critic holds a layer with a kernel inside a nested layer that "
            "spectral_normalize cannot reach; build the critic with "
            "keras.layers.SpectralNormalization instead."
        )
    return normalized


def normalize_weights(critic: keras.Model) -> None:
    """Divides each spectrally normalised kernel by its estimated norm, in place.

    One step of the power iteration of each
    `keras.layers.SpectralNormalization` layer (its `power_iterations`),
    as the layer does when called with `training=True`; a kernel of zeros
    is left as it is. No gradient flows through the new values.

    Args:
        critic: A `keras.Model`, e.g. from `spectral_normalize`.

    Example:

    >>> critic = spectral_normalize(keras_wgan.studies.toy.toy_critic(2, 4, 1))
    >>> for _ in range(20):
    ...     normalize_weights(critic)
    >>> kernel = ops.convert_to_numpy(critic.layers[1].layer.kernel)
    >>> round(float(np.linalg.norm(kernel, 2)), 3)
    1.0
    """
    for layer in _keras_internals.all_layers(critic):
        if isinstance(layer, keras.layers.SpectralNormalization):
            vector_u, kernel = ops.cond(
                ops.all(ops.equal(layer.kernel.value, 0)),
                lambda layer=layer: (layer.vector_u.value, layer.kernel.value),
                layer.normalized_weights,
            )
            layer.vector_u.assign(ops.stop_gradient(vector_u))
            layer.kernel.assign(ops.stop_gradient(kernel))


def _has_kernel(layer):
    return getattr(layer, "kernel", None) is not None and not isinstance(
        layer, keras.Model)


def _padded_conv_pair(layer, power_iterations):
    """`ZeroPadding2D` + spectrally normalised `Conv2D`, as one `Sequential`."""
    pad = layer.padding[0]
    conv = keras.layers.Conv2D(
        layer.filters, layer.kernel_size, strides=layer.strides,
        padding="valid", name=f"{layer.name}_conv")
    pair = keras.Sequential(
        [
            keras.Input(layer.input.shape[1:]),
            keras.layers.ZeroPadding2D(pad, name=f"{layer.name}_pad"),
            keras.layers.SpectralNormalization(
                conv, power_iterations=power_iterations,
                name=f"{layer.name}_sn"),
        ],
        name=layer.name,
    )
    conv.set_weights([ops.convert_to_numpy(layer._keras_kernel()),
                      ops.convert_to_numpy(layer.bias)])
    return pair
