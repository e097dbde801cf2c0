"""Training data: dataset loaders, the IDX file format, and batching.

- `datasets`: `load_mnist`, `load_fashion_mnist` (arrays in `[-1, 1]`).
- `idx`: `read_idx`, the reader of MNIST's file format.
- `IMAGE_DATASETS`: the loaders above by dataset name.
- `batches`: how `fit` cuts array input into the n-critic batches of a
  step, in an order that a resumed run reads again identically.
"""

from keras_wgan.data.datasets import load_fashion_mnist
from keras_wgan.data.datasets import load_mnist
from keras_wgan.data.idx import read_idx

# The image datasets the command line and the studies train on, by name.
IMAGE_DATASETS = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist}

__all__ = ["IMAGE_DATASETS", "load_fashion_mnist", "load_mnist", "read_idx"]
