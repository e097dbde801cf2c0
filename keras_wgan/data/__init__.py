"""Training data: dataset loaders, the IDX file format, and batching.

- `datasets`: `load_mnist`, `load_fashion_mnist` (arrays in `[-1, 1]`).
- `idx`: `read_idx`, the reader of MNIST's file format.
- `batches`: how `fit` cuts array input into the n-critic batches of a
  step, in an order that a resumed run reads again identically.
"""

from keras_wgan.data.datasets import load_fashion_mnist
from keras_wgan.data.datasets import load_mnist
from keras_wgan.data.idx import read_idx

__all__ = ["load_fashion_mnist", "load_mnist", "read_idx"]
