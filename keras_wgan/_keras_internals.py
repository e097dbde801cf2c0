"""The few places where keras_wgan reads Keras's private attributes.

Keras 3 has no public API for these questions about a model's graph, so
they are answered here, in one module, and `tests/test_keras_internals.py`
checks each answer on models whose answer is known: when a Keras release
renames an attribute, that test fails rather than a check elsewhere
silently passing.
"""

import keras


def is_functional(model: keras.Model) -> bool:
    """Returns whether `model` is exactly Keras's functional `Model`.

    `keras.Model(inputs, outputs)` returns an instance of a private class,
    `Functional`; a subclass of it may override `call`, so only the class
    itself qualifies.
    """
    cls = type(model)
    return cls.__name__ == "Functional" and cls.__module__.startswith("keras.")


def uses_remat(layer: keras.Layer) -> bool:
    """Returns whether `layer` was created in a `keras.RematScope`."""
    return getattr(layer, "_remat_mode", None) is not None


def all_layers(model: keras.Model) -> list[keras.Layer]:
    """Returns every layer inside `model`, nested ones included, in order.

    Unlike `model.layers`, this also finds layers nested in sub-models and
    layers held as attributes of custom layers.
    """
    return list(model._flatten_layers(include_self=False))


def output_layer(model: keras.Model) -> keras.Layer | None:
    """Returns the layer that produces a functional model's first output.

    For a model without a graph (a subclassed model), the last of its
    `layers`, or `None` without layers.
    """
    outputs = getattr(model, "outputs", None)
    if outputs:
        history = getattr(outputs[0], "_keras_history", None)
        if history is not None:
            return history.operation
    layers = getattr(model, "layers", None)
    return layers[-1] if layers else None


def inbound_layers(layer: keras.Layer) -> list[keras.Layer]:
    """Returns the layers whose outputs feed `layer`'s only call.

    Returns `[]` for a layer called more than once (shared) or never.
    """
    nodes = getattr(layer, "_inbound_nodes", [])
    if len(nodes) != 1:
        return []
    return [node.operation for node in nodes[0].parent_nodes]


def conv_transpose_crops(layer: keras.Layer) -> list[tuple[int, int]]:
    """Returns `[(left, right), ...]`: what Keras's torch backend crops from
    each spatial axis of the unpadded `conv_transposeNd` output of the
    transposed-convolution layer `layer` (negative: zeros added).

    The crops do not depend on the input size. Keras computes them in a
    private helper of its torch backend; asking it keeps a fused
    computation of the layer in step with Keras's own.
    """
    from keras.src.backend.common import backend_utils

    rank = len(layer.kernel_size)
    return backend_utils.compute_conv_transpose_output_crops_for_torch(
        input_shape=(1, *([1] * rank), 1),
        kernel_shape=(*layer.kernel_size, layer.filters, 1),
        strides=layer.strides,
        padding=layer.padding,
        output_padding=layer.output_padding,
        dilation_rate=layer.dilation_rate,
    )


def is_torch_adam(optimizer: object) -> bool:
    """Returns whether `optimizer` is exactly Keras's `Adam` on torch.

    On the torch backend `keras.optimizers.Adam(...)` makes an instance of
    a private subclass that updates with `torch._foreach_*` calls; a
    subclass of that may change the update, so only the class qualifies.
    """
    cls = type(optimizer)
    return (cls.__name__ == "Adam"
            and cls.__module__ == "keras.src.backend.torch.optimizers."
            "torch_adam")


def adam_moments(optimizer: keras.optimizers.Optimizer,
                 variables: list) -> tuple[list, list]:
    """Returns the first and second moment variables an `Adam` keeps for
    `variables`, in their order.

    Raises:
        KeyError: The optimizer was not built for one of the variables.
    """
    indices = [optimizer._get_variable_index(v) for v in variables]
    return ([optimizer._momentums[i] for i in indices],
            [optimizer._velocities[i] for i in indices])
