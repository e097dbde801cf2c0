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

import jax
import jax.numpy as jnp
import keras

from keras_wgan.backend import subpixel

# XLA on the CPU differentiates a strided transposed convolution about 20x
# more slowly than the equal stride-1 convolution plus depth to space.
fused_conv2d_transpose = subpixel.conv2d_transpose

# The scope of the step being traced, innermost last, so that
# `value_and_grad` can layer the traced variable values over it.
_SCOPES = []


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


def run_step(model, step_fn, state, data):
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


def value_and_grad(loss_fn, variables):
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


def apply_gradients(optimizer, grads, variables):
    """Applies `grads` to `variables` with `optimizer`, inside a traced step.

    A `LossScaleOptimizer` decides with `ops.cond` whether to update, and
    its stateful `apply` assigns variables inside the branches, which leaks
    their tracers out of `jax.lax.cond`; its `stateless_apply` returns the
    new values instead, which are assigned here, outside the branches.
    """
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


def input_gradient(fn, x):
    """Returns d sum(fn(x)) / dx, differentiable again (`jax.grad` nests)."""
    return jax.grad(lambda t: jnp.sum(fn(t)))(jnp.asarray(x))


def no_grad(fn, *args):
    """Calls `fn(*args)` and stops gradients through its outputs."""
    return jax.tree_util.tree_map(jax.lax.stop_gradient, fn(*args))
