"""Weight clipping, the Lipschitz constraint of the original WGAN."""

from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.tensor_types import Tensor

__all__ = [
    "ClipConstraint",
]


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClipConstraint(keras.constraints.Constraint):
    """Clips every weight value to `[-clip_value, clip_value]`.

    Arjovsky et al. (2017) keep the critic in a compact set of functions,
    hence K-Lipschitz for some K, by clipping all of its parameters
    (kernels and biases) after each update. Keras optimizers apply a
    variable's constraint right after the variable's update, so attaching
    this constraint to every critic weight is exactly the paper's
    Algorithm 1; `WGAN` does that for you.

    Args:
        clip_value: Positive finite float `c`; weights are clipped to
            `[-c, c]`. Default `0.01`, the paper's value.

    Returns:
        Calling the constraint on a weight tensor returns the clipped
        tensor.

    Example:

    >>> clip = ClipConstraint(0.01)
    >>> clipped = clip(np.array([-1.0, 0.005, 2.0]))
    >>> ops.convert_to_numpy(clipped).astype("float64").round(6).tolist()
    [-0.01, 0.005, 0.01]
    """

    def __init__(self, clip_value: float = 0.01) -> None:
        self.clip_value = argument_validation.check_float(
            "clip_value", clip_value, minimum=0.0, inclusive=False
        )

    def __call__(self, w: Tensor) -> Tensor:
        return backend.clip(w, self.clip_value)

    def get_config(self) -> dict[str, Any]:
        return {"clip_value": self.clip_value}

