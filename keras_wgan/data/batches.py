"""How `fit` cuts training data into the batches of its steps.

One step of an adversarial model takes `n_critic * m` samples and splits
them into `n_critic` critic batches (`split_batch`); `short_last_step` says
when the last step of a pass is too short for that, and `split_validation`
applies `validation_split` to array input.

For a class-conditional model a batch is a tuple `(images, labels)`: the
functions here take such tuples too and cut both arrays alike.

Array input is read through `ShuffledBatches`, whose order depends only on a
seed and the step number.

Keras shuffles array input from global random state that a checkpoint does
not hold, so a resumed run would see the images in another order than the
run it continues. Here the order of data pass `p` is a permutation drawn
from `(seed, p)`, and batch `i` of a `fit` call is a pure function of its
global step: a run resumed at any epoch boundary reads the same batches as
an uninterrupted one.
"""

import math
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import argument_validation

# Mixed into the seed so that the data order is not the same random stream
# as the model's noise for the same user seed.
_DATA_STREAM = 0x6461_7461


class ShuffledBatches(keras.utils.PyDataset):
    """Yields batches of images, reshuffled at every pass over the data.

    The dataset is endless: step `i` of the `fit` call (counted from
    `first_step`) reads batch `(first_step + i) % steps_per_pass` of pass
    `(first_step + i) // steps_per_pass`. `fit` must be given
    `steps_per_epoch`. The last batch of a pass holds the remainder.

    Each batch is a tuple `(images,)`, or `(images, labels)` with `labels`
    given: the labels are read in the same order, so each image keeps its
    own.

    Args:
        images: Array `(N, ...)` of images.
        batch_size: Images per batch, an int >= 1.
        seed: Int seed of the data order. Required for a reproducible order.
        shuffle: If False, every pass reads the images in their order.
        first_step: Global step of the first batch (e.g.
            `initial_epoch * steps_per_epoch` when resuming).
        labels: `None`, or an array `(N,)` of the images' class labels.
        parts: The critic batches each batch is split into (`n_critic`).
        replicas: Data-parallel replicas sharing each batch, an int >= 1.
            Each critic batch is split into `replicas` shards
            (`split_batch`), and a batch is laid out replica by replica:
            replica `r`'s rows are its shards of the `parts` critic
            batches, in order, so that cutting the batch into `replicas`
            equal chunks (as `tf.distribute` does) and each chunk into
            `parts` critic batches gives each replica its shard of every
            critic batch.
        shard: `None` for the whole batch, or the replica whose rows alone
            are read (a `torch.distributed` process reads only its own).

    Example:

    >>> images = np.arange(10, dtype="float32")[:, None]
    >>> batches = ShuffledBatches(images, batch_size=4, seed=0)
    >>> batches.steps_per_pass
    3
    >>> [len(batches[step][0]) for step in range(3)]  # one pass
    [4, 4, 2]
    >>> resumed = ShuffledBatches(images, batch_size=4, seed=0, first_step=4)
    >>> bool(np.array_equal(resumed[0][0], batches[4][0]))
    True

    With labels, each batch pairs every image with its label:

    >>> labelled = ShuffledBatches(images, 4, seed=0, labels=np.arange(10))
    >>> batch_images, batch_labels = labelled[4]
    >>> bool(np.array_equal(batch_images[:, 0], batch_labels))
    True

    Two replicas of 2 critic batches of 4 images: replica 0 reads images
    0-1 and 4-5 of the unsharded batch, replica 1 images 2-3 and 6-7.

    >>> plain = ShuffledBatches(images[:8], 8, seed=0, shuffle=False)
    >>> plain[0][0][:, 0].tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    >>> sharded = ShuffledBatches(images[:8], 8, seed=0, shuffle=False,
    ...                           parts=2, replicas=2, shard=1)
    >>> sharded[0][0][:, 0].tolist()
    [2.0, 3.0, 6.0, 7.0]

    A model trains on it with `model.fit(batches,
    steps_per_epoch=batches.steps_per_pass, epochs=3)`.
    """

    def __init__(self, images: np.ndarray, batch_size: int, seed: int,
                 shuffle: bool = True, first_step: int = 0,
                 labels: np.ndarray | None = None, parts: int = 1,
                 replicas: int = 1, shard: int | None = None) -> None:
        # One worker and no multiprocessing. TensorFlow's adapter still
        # calls __getitem__ from its own threads, ahead and out of order;
        # each batch depends only on its index, so that changes nothing.
        super().__init__(workers=1, use_multiprocessing=False)
        self.images = images
        if labels is not None and len(labels) != len(images):
            raise ValueError(
                f"labels must hold one label per image ({len(images)}), got "
                f"{len(labels)}."
            )
        self.labels = labels
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.first_step = int(first_step)
        self.parts = int(parts)
        self.replicas = int(replicas)
        self.shard = shard
        self.steps_per_pass = math.ceil(len(images) / self.batch_size)
        # (pass, order) in one attribute: TensorFlow's adapter calls
        # __getitem__ from several threads, and two attributes set one after
        # the other could be read half updated (a pass with another's order).
        self._cached = (None, None)

    @property
    def num_batches(self) -> None:
        return None  # endless: fit's steps_per_epoch sets the epoch length

    def order(self, data_pass: int) -> np.ndarray:
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
        chosen = order[batch * self.batch_size : (batch + 1) * self.batch_size]
        if self.replicas > 1:
            chosen = self._replica_layout(chosen)
        if self.labels is None:
            return (self.images[chosen],)
        return (self.images[chosen], self.labels[chosen])


    def _replica_layout(self, chosen):
        """`chosen` replica by replica, or the rows of `shard` alone."""
        by_replica = zip(*(split_batch(critic_batch, self.replicas)
                           for critic_batch in split_batch(chosen, self.parts)))
        rows = [np.concatenate(shards) for shards in by_replica]
        if self.shard is not None:
            return rows[self.shard]
        return np.concatenate(rows)


def short_last_step(count: int, batch_size: int, n_critic: int,
                    replicas: int = 1) -> int | None:
    """Returns the image count of a last step too short to split, or None.

    A fit step takes `batch_size * n_critic` images and gives each of the
    `n_critic` critic updates at least one; with `count` images the last
    step holds `count % (batch_size * n_critic)` of them (if not 0). With
    data-parallel `replicas`, each replica needs one image a critic update,
    and the step's images must split evenly between the replicas.

    Example:

    >>> short_last_step(97, batch_size=8, n_critic=2)  # 1 image, 2 updates
    1
    >>> short_last_step(100, batch_size=8, n_critic=2) is None  # 4 images
    True
    >>> short_last_step(100, batch_size=8, n_critic=2, replicas=4)
    4
    """
    remainder = count % (batch_size * n_critic)
    least = n_critic * replicas
    if count < least or (remainder and (remainder < least
                                        or remainder % replicas)):
        return remainder
    return None


def split_validation(x: Any, kwargs: dict) -> tuple[Any, dict]:
    """Applies `validation_split` to array input as Keras would.

    Keras splits arrays itself, but the training part is handed to `fit` as
    `ShuffledBatches`, which Keras cannot split: the last fraction of `x`
    (before any shuffling) becomes `validation_data` here. `x` may be a
    tuple `(images, labels)`, cut alike; the validation data is then a
    tuple too.

    Example:

    >>> pair = (np.zeros((10, 2)), np.arange(10))
    >>> (images, labels), kwargs = split_validation(
    ...     pair, {"validation_split": 0.2})
    >>> len(images), kwargs["validation_data"][1].tolist()
    (8, [8, 9])
    """
    split = kwargs.get("validation_split")
    if not split:
        return x, kwargs
    kwargs = dict(kwargs)
    split = argument_validation.check_float(
        "validation_split", kwargs.pop("validation_split")
    )
    if not 0.0 < split < 1.0:
        raise ValueError(
            f"validation_split must be a number in (0, 1), got {split}."
        )
    if kwargs.get("validation_data") is not None:
        raise ValueError(
            "validation_split and validation_data exclude each other: pass "
            "one of them."
        )
    if isinstance(x, tuple):
        cut = int(len(x[0]) * (1.0 - split))
        kwargs["validation_data"] = tuple(part[cut:] for part in x)
        return tuple(part[:cut] for part in x), kwargs
    cut = int(len(x) * (1.0 - split))
    kwargs["validation_data"] = x[cut:]
    return x[:cut], kwargs


def is_array(x: Any) -> bool:
    """Returns whether `x` is an in-memory array (not a dataset or generator)."""
    return hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(
        x, "element_spec"
    )


def batch_length(batch: Any) -> Any:
    """Returns the number of samples in a batch or `(images, labels)` tuple.

    An int, or a scalar tensor where the size is unknown while tracing.

    Example:

    >>> batch_length((np.zeros((5, 2)), np.arange(5)))
    5
    """
    if isinstance(batch, (tuple, list)):
        batch = batch[0]
    return ops.shape(batch)[0]


def split_batch(images: Any, parts: int) -> list:
    """Splits a batch into `parts` consecutive critic batches.

    Sizes differ by at most one, so a short last batch of an epoch is used
    whole rather than dropped: batch `i` starts at `i * base + min(i, extra)`
    with `base, extra = divmod(total, parts)`. A tuple `(images, labels)`
    is split alike into `parts` tuples.

    Example:

    >>> [len(part) for part in split_batch(np.zeros((8, 2)), 3)]
    [3, 3, 2]
    >>> [labels.tolist() for _, labels in
    ...  split_batch((np.zeros((5, 2)), np.arange(5)), 2)]
    [[0, 1, 2], [3, 4]]
    """
    if isinstance(images, tuple):
        return list(zip(*(split_batch(part, parts) for part in images)))
    total = images.shape[0]
    minimum = min
    if total is None:
        # A batch size unknown while tracing (TensorFlow graphs): compute the
        # bounds with tensors; fit() has checked arrays for enough images.
        total = ops.shape(images)[0]
        minimum = ops.minimum
    elif total < parts:
        raise ValueError(
            f"each step needs at least n_critic={parts} images (one per "
            f"critic update), got a batch of {total}."
        )
    base, extra = total // parts, total % parts
    starts = [i * base + minimum(i, extra) for i in range(parts + 1)]
    return [images[starts[i] : starts[i + 1]] for i in range(parts)]
