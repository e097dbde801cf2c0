"""The type aliases of the package's annotations.

Keras runs on several backends, so a tensor has no one class: these names
say in a signature what an argument or a result holds.
"""

from typing import Any
from typing import Union

import keras

#: A tensor of the Keras backend in use (a `torch.Tensor`, a `jax.Array`
#: or a `tf.Tensor`), or anything `keras.ops` converts to one (a NumPy
#: array, nested lists of numbers).
Tensor = Any

#: Numbers that `np.asarray` reads: a NumPy array, a backend tensor on the
#: CPU, nested lists.
ArrayLike = Any

#: The seed of a random draw: an int, a `keras.random.SeedGenerator`, or
#: `None` for a fresh one each call.
Seed = Union[int, keras.random.SeedGenerator, None]

__all__ = ["ArrayLike", "Seed", "Tensor"]
