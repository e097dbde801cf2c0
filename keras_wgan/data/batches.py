"""Training batches whose order depends only on a seed and the step number.

Keras shuffles array input from global random state that a checkpoint does
not hold, so a resumed run would see the images in another order than the
run it continues. Here the order of data pass `p` is a permutation drawn
from `(seed, p)`, and batch `i` of a `fit` call is a pure function of its
global step: a run resumed at any epoch boundary reads the same batches as
an uninterrupted one.
"""

import math

import keras
import numpy as np

# Mixed into the seed so that the data order is not the same random stream
# as the model's noise for the same user seed.
_DATA_STREAM = 0x6461_7461


class ShuffledBatches(keras.utils.PyDataset):
    """Yields batches of images, reshuffled at every pass over the data.

    The dataset is endless: step `i` of the `fit` call (counted from
    `first_step`) reads batch `(first_step + i) % steps_per_pass` of pass
    `(first_step + i) // steps_per_pass`. `fit` must be given
    `steps_per_epoch`. The last batch of a pass holds the remainder.

    Args:
        images: Array `(N, ...)` of images.
        batch_size: Images per batch, an int >= 1.
        seed: Int seed of the data order. Required for a reproducible order.
        shuffle: If False, every pass reads the images in their order.
        first_step: Global step of the first batch (e.g.
            `initial_epoch * steps_per_epoch` when resuming).

    Example:

    ```python
    batches = ShuffledBatches(images, batch_size=320, seed=0)
    model.fit(batches, steps_per_epoch=batches.steps_per_pass, epochs=3)
    ```
    """

    def __init__(self, images, batch_size, seed, shuffle=True, first_step=0):
        # One worker and no multiprocessing. TensorFlow's adapter still
        # calls __getitem__ from its own threads, ahead and out of order;
        # each batch depends only on its index, so that changes nothing.
        super().__init__(workers=1, use_multiprocessing=False)
        self.images = images
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.first_step = int(first_step)
        self.steps_per_pass = math.ceil(len(images) / self.batch_size)
        # (pass, order) in one attribute: TensorFlow's adapter calls
        # __getitem__ from several threads, and two attributes set one after
        # the other could be read half updated (a pass with another's order).
        self._cached = (None, None)

    @property
    def num_batches(self):
        return None  # endless: fit's steps_per_epoch sets the epoch length

    def order(self, data_pass):
        """Returns the image indices of pass `data_pass` in reading order."""
        if not self.shuffle:
            return np.arange(len(self.images))
        rng = np.random.default_rng([self.seed, _DATA_STREAM, data_pass])
        return rng.permutation(len(self.images))

    def __getitem__(self, index):
        data_pass, batch = divmod(self.first_step + index, self.steps_per_pass)
        cached_pass, order = self._cached
        if cached_pass != data_pass:
            order = self.order(data_pass)
            self._cached = (data_pass, order)
        start = batch * self.batch_size
        return (self.images[order[start : start + self.batch_size]],)
