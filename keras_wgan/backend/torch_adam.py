"""Keras's Adam update on torch without `apply`'s per-call Python work.

For a small network, Keras's `optimizer.apply` on the torch backend spends
more time in Python than in its update: it looks up every variable's value
and moment slots again in each call, computes the bias correction through
`keras.ops`, and checks for empty gradients, constraints, loss scaling,
weight decay, gradient clipping and a moving average. In the fused step of
the 8-Gaussians MLPs that was about a quarter of a generator iteration.

`AdamUpdate` applies the same update in the same arithmetic as Keras's
torch `Adam` (the same `torch._foreach_*` calls in the same order, the
bias correction in the variables' dtype as `keras.ops` computes it on
torch) and then advances `optimizer.iterations`, as `apply` does. It is
made only where `apply` would do nothing else (`AdamUpdate.of`); a test
trains both ways and compares every weight and moment to the last bit.
"""

from collections.abc import Sequence
from typing import Any
from typing import Optional

import keras
import torch

from keras_wgan import _keras_internals


class AdamUpdate:
    """The update of one Keras `Adam` for a fixed list of variables.

    Made by `AdamUpdate.of`, which checks that it applies.

    Args:
        optimizer: A built Keras `Adam` on the torch backend.
        variables: The Keras variables it updates, in the order of the
            gradients given to `__call__`.
    """

    def __init__(self, optimizer: keras.optimizers.Optimizer,
                 variables: Sequence[keras.Variable]) -> None:
        self.optimizer = optimizer
        self.variables = list(variables)
        self.momentums, self.velocities = _keras_internals.adam_moments(
            optimizer, self.variables)

    @classmethod
    def of(cls, optimizer: Any, variables: Sequence[keras.Variable]
           ) -> Optional["AdamUpdate"]:
        """Returns the update of `optimizer` for `variables`, or `None`.

        `None` unless `optimizer` is Keras's own `Adam` on torch, built for
        these float32 variables, without AMSGrad, weight decay, gradient
        clipping, gradient accumulation, a loss scale or a moving average,
        and none of the variables has a constraint or is overwritten with
        its gradient: then `optimizer.apply` does only this update.

        Args:
            optimizer: Any optimizer.
            variables: The variables it is to update.
        """
        if not _keras_internals.is_torch_adam(optimizer) or not variables:
            return None
        settings = ("clipnorm", "clipvalue", "global_clipnorm",
                    "weight_decay", "gradient_accumulation_steps",
                    "loss_scale_factor")
        if (optimizer.amsgrad or optimizer.use_ema
                or any(getattr(optimizer, name, None) is not None
                       for name in settings)):
            return None
        for variable in variables:
            if (variable.constraint is not None
                    or getattr(variable, "overwrite_with_gradient", False)
                    or variable.dtype != "float32"):
                return None
        try:
            return cls(optimizer, variables)
        except KeyError:  # not built for these variables
            return None

    @torch.no_grad()
    def __call__(self, grads: Sequence[torch.Tensor]) -> None:
        """Applies `grads`, one per variable, and counts the iteration."""
        grads = list(grads)
        optimizer = self.optimizer
        values = [variable.value for variable in self.variables]
        dtype = values[0].dtype
        lr = optimizer.learning_rate  # a Variable, or a schedule's value
        lr = (lr.value if isinstance(lr, keras.Variable)
              else keras.ops.convert_to_tensor(lr)).to(dtype)
        step = (optimizer.iterations.value + 1).to(dtype)
        beta_1 = torch.tensor(optimizer.beta_1, dtype=dtype)
        beta_2 = torch.tensor(optimizer.beta_2, dtype=dtype)
        alpha = (lr * torch.sqrt(1 - torch.pow(beta_2, step))
                 / (1 - torch.pow(beta_1, step)))
        m_list = [m.value for m in self.momentums]
        v_list = [v.value for v in self.velocities]
        torch._foreach_mul_(m_list, optimizer.beta_1)
        torch._foreach_add_(m_list, grads, alpha=1 - optimizer.beta_1)
        torch._foreach_mul_(v_list, optimizer.beta_2)
        torch._foreach_add_(v_list, torch._foreach_mul(grads, grads),
                            alpha=1 - optimizer.beta_2)
        torch._foreach_add_(
            values,
            torch._foreach_div(
                torch._foreach_mul(m_list, alpha),
                torch._foreach_add(torch._foreach_sqrt(v_list),
                                   optimizer.epsilon)),
            alpha=-1)
        optimizer.iterations.assign_add(1)

