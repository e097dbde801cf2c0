"""Training data: dataset loaders, pixel conversion, and batching.

- `load_images` (`sources`): images from a dataset name of `DATASETS`,
  tensorflow-datasets, a folder of image files or an `.npy`/`.npz` file,
  in `[-1, 1]`; `class_names` names their labels. The readers of each
  kind of source: `tfds_reader`, `folders`, `array_files`.
- `load_mnist`, `load_fashion_mnist` (`mnist`, its sources in
  `mnist_sources`): arrays in `[-1, 1]`; `read_idx` (`idx`) reads their
  file format.
- `load_cifar10`, `load_cifar100` (`cifar`) through `keras.datasets`.
- `load_coloured_mnist` (`coloured_mnist`): 32x32 RGB digits built from
  MNIST, and its `PALETTE`; `load_coloured_mnist_joint`, the same images
  labelled by digit and colours together.
- `to_unit_range`, `from_unit_range` (`pixels`): 8- or 16-bit pixels to
  `[-1, 1]` and back, the one conversion every loader and image writer
  uses.
- `DATASETS`: every loader above by dataset name; `IMAGE_DATASETS`: those
  of 28x28 grey images, which the comparison study trains on.
- `batches`: how `fit` cuts array input into the n-critic batches of a
  step, in an order that a resumed run reads again identically.
"""

from keras_wgan.data.cifar import load_cifar10
from keras_wgan.data.cifar import load_cifar100
from keras_wgan.data.coloured_mnist import PALETTE
from keras_wgan.data.coloured_mnist import load_coloured_mnist
from keras_wgan.data.coloured_mnist import load_coloured_mnist_joint
from keras_wgan.data.idx import read_idx
from keras_wgan.data.mnist import load_fashion_mnist
from keras_wgan.data.mnist import load_mnist
from keras_wgan.data.pixels import from_unit_range
from keras_wgan.data.pixels import to_unit_range
from keras_wgan.data.sources import DATASETS
from keras_wgan.data.sources import IMAGE_DATASETS
from keras_wgan.data.sources import class_names
from keras_wgan.data.sources import load_images

__all__ = [
    "DATASETS",
    "IMAGE_DATASETS",
    "PALETTE",
    "class_names",
    "from_unit_range",
    "load_cifar10",
    "load_cifar100",
    "load_coloured_mnist",
    "load_coloured_mnist_joint",
    "load_fashion_mnist",
    "load_images",
    "load_mnist",
    "read_idx",
    "to_unit_range",
]
