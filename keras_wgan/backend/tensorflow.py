"""Gradients on the TensorFlow backend (`tf.GradientTape`)."""

import tensorflow as tf


def run_step(model, step_fn, data):
    """Runs a train or test step: Keras traces it in a `tf.function`."""
    del model
    return step_fn(data)


def value_and_grad(loss_fn, variables):
    """Returns `(loss, aux, grads)` of `loss_fn()` for `variables` only."""
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    # A variable the loss does not reach gets a zero gradient, as on torch.
    # The tf.Variables themselves are passed: filling zeros needs a TF
    # dtype, and a Keras variable reports its dtype as a string.
    grads = tape.gradient(
        loss,
        [v.value for v in variables],
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    return loss, aux, grads


def apply_gradients(optimizer, grads, variables):
    """Applies `grads` to `variables` with `optimizer`."""
    optimizer.apply(grads, variables)


def input_gradient(fn, x):
    """Returns d sum(fn(x)) / dx.

    Called inside `value_and_grad`'s tape, so the outer tape records this
    inner gradient computation and can differentiate it again (nested
    tapes are how TensorFlow does a double backward).
    """
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = fn(x)
    return tape.gradient(scores, x)


def no_grad(fn, *args):
    """Calls `fn(*args)` and cuts its outputs from the gradient tape."""
    return tf.nest.map_structure(tf.stop_gradient, fn(*args))
