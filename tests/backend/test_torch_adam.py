"""keras_wgan.backend.torch_adam: Keras's Adam update without `apply`."""

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.backends(
    "torch", reason="the update is torch's; other backends use apply")

torch = pytest.importorskip("torch")

from keras_wgan.backend.torch_adam import AdamUpdate  # noqa: E402


def _variables(seed):
    rng = np.random.default_rng(seed)
    return [keras.Variable(rng.normal(size=shape).astype("float32"))
            for shape in ((3, 4), (4,), (2, 2, 3))]


def _grads(seed, variables):
    rng = np.random.default_rng(seed)
    return [torch.tensor(rng.normal(size=v.shape).astype("float32"))
            for v in variables]


@pytest.mark.parametrize("make", [
    lambda: keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
    lambda: keras.optimizers.Adam(3e-4, beta_1=0.5, beta_2=0.999,
                                  epsilon=1e-6),
    lambda: keras.optimizers.Adam(keras.optimizers.schedules.PolynomialDecay(
        1e-2, decay_steps=4, end_learning_rate=0.0)),
])
def test_updates_equal_apply_to_the_last_bit(make):
    # Two optimizers on two copies of the same variables: one through
    # apply, one through AdamUpdate, the same gradients for 6 steps.
    keras_opt, fast_opt = make(), make()
    applied, updated = _variables(0), _variables(0)
    keras_opt.build(applied)
    fast_opt.build(updated)
    update = AdamUpdate.of(fast_opt, updated)
    assert update is not None
    for step in range(6):
        keras_opt.apply(_grads(step, applied), applied)
        update(_grads(step, updated))
    for a, b in zip(applied + keras_opt.variables,
                    updated + fast_opt.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(fast_opt.iterations) == 6


@pytest.mark.parametrize("make", [
    lambda: keras.optimizers.Adam(amsgrad=True),
    lambda: keras.optimizers.Adam(clipnorm=1.0),
    lambda: keras.optimizers.Adam(global_clipnorm=1.0),
    lambda: keras.optimizers.Adam(weight_decay=0.01),
    lambda: keras.optimizers.Adam(use_ema=True),
    lambda: keras.optimizers.Adam(gradient_accumulation_steps=2),
    lambda: keras.optimizers.Adam(loss_scale_factor=8.0),
    lambda: keras.optimizers.AdamW(),
    lambda: keras.optimizers.RMSprop(),
])
def test_apply_stays_where_it_does_more(make):
    optimizer, variables = make(), _variables(0)
    optimizer.build(variables)
    assert AdamUpdate.of(optimizer, variables) is None


def test_a_constraint_or_an_unbuilt_optimizer_keeps_apply():
    constrained = _variables(0)
    # As a layer's add_weight(constraint=...) sets it.
    constrained[1].constraint = keras.constraints.NonNeg()
    optimizer = keras.optimizers.Adam()
    optimizer.build(constrained)
    assert AdamUpdate.of(optimizer, constrained) is None
    other = keras.optimizers.Adam()
    other.build(_variables(1))
    # Built, but for other variables.
    assert AdamUpdate.of(other, _variables(2)) is None
