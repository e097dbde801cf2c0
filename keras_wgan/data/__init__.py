"""Training data: dataset loaders, the IDX file format, and batching.

- `load_images`: images from a dataset name, tensorflow-datasets, a folder
  of image files or an `.npy`/`.npz` file, in `[-1, 1]`; `class_names`
  names their labels.
- `datasets`: `load_mnist`, `load_fashion_mnist` (arrays in `[-1, 1]`).
- `cifar`: `load_cifar10`, `load_cifar100` through `keras.datasets`.
- `coloured_mnist`: `load_coloured_mnist`, 32x32 RGB digits built from
  MNIST, and its `PALETTE`.
- `idx`: `read_idx`, the reader of MNIST's file format.
- `DATASETS`: every loader above by dataset name; `IMAGE_DATASETS`: those
  of 28x28 grey images, which the comparison study trains on.
- `batches`: how `fit` cuts array input into the n-critic batches of a
  step, in an order that a resumed run reads again identically.
"""

from keras_wgan.data.cifar import load_cifar10
from keras_wgan.data.cifar import load_cifar100
from keras_wgan.data.coloured_mnist import PALETTE
from keras_wgan.data.coloured_mnist import load_coloured_mnist
from keras_wgan.data.datasets import load_fashion_mnist
from keras_wgan.data.datasets import load_mnist
from keras_wgan.data.idx import read_idx
from keras_wgan.data.images import DATASETS
from keras_wgan.data.images import class_names
from keras_wgan.data.images import load_images

# The datasets the comparison study (`compare`) and the shipped MNIST-size
# classifiers know, by name: 28x28 grey images, the size of the study's
# networks. `train` takes any source of `load_images`.
IMAGE_DATASETS = {name: DATASETS[name] for name in ("mnist", "fashion_mnist")}

__all__ = ["DATASETS", "IMAGE_DATASETS", "PALETTE", "class_names",
           "load_cifar10", "load_cifar100", "load_coloured_mnist",
           "load_fashion_mnist", "load_images", "load_mnist", "read_idx"]
