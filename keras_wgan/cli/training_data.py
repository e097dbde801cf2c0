"""The training images of a `train` run: `--dataset` loaded and checked
(labels of a conditional run, `--num-images`, a batch size that gives every
critic update of the last step images), and the steps of an epoch.
"""

import dataclasses
import math
import os

import numpy as np

from keras_wgan import data
from keras_wgan import distribute
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.data import batches


def check_data_dir(config: TrainConfig) -> None:
    """Raises `UsageError` if `--data-dir` is given and not a folder."""
    if config.data_dir is not None and not os.path.isdir(config.data_dir):
        raise UsageError(f"--data-dir: {config.data_dir} is not a folder.")



@dataclasses.dataclass(frozen=True)
class TrainingData:
    """The training images of a run, with their labels when it is
    conditional.

    Attributes:
        images: float32 array `(N, H, W, C)` in [-1, 1].
        labels: int array `(N,)`, or `None` for an unconditional run.
        num_classes: The number of classes of a conditional run, else
            `None`.
    """

    images: np.ndarray
    labels: np.ndarray | None = None
    num_classes: int | None = None

    @property
    def image_shape(self) -> tuple[int, ...]:
        """The shape of one image, `(H, W, C)`."""
        return tuple(self.images.shape[1:])

    def __len__(self) -> int:
        return len(self.images)


def load_training_data(config: TrainConfig) -> TrainingData:
    """Returns the `TrainingData` of `config`: `--dataset` and its options.

    Raises:
        UsageError: if `--dataset` names nothing there is, `--num-images`
            asks for more images than there are, or the last step would
            leave a critic update without images.
    """
    source = config.dataset
    if (source not in data.DATASETS and not source.startswith("tfds:")
            and not os.path.exists(source)):
        raise UsageError(
            f"--dataset must be a dataset name ({', '.join(data.DATASETS)}), "
            "tfds:NAME, or an existing folder of images or .npy/.npz file, "
            f"got {source}."
        )
    try:
        loaded = data.load_images(
            source, image_size=config.image_size, channels=config.channels,
            split=config.split, return_labels=config.conditional,
            data_dir=config.data_dir, download=config.download,
            verbose=config.verbose == 1,
            # The images are taken before they are resized.
            limit=config.num_images,
        )
    except ValueError as error:
        if str(error).startswith("image_size "):
            raise UsageError(str(error).replace(
                "image_size", "--image-size").replace(
                "fewer images", "a smaller --num-images")) from None
        if config.conditional and str(error).startswith("return_labels"):
            raise UsageError(
                f"--conditional needs labels, and --dataset {source} has "
                "none: put the images in one subfolder per class, or pass "
                "an .npz file with labels under y."
            ) from None
        raise
    # A tuple exactly when labels were asked for (--conditional).
    images, labels = loaded if isinstance(loaded, tuple) else (loaded, None)
    named = None
    if labels is not None:
        named = _class_count(config)
        _check_classes(config, labels, named)
    if config.num_images is not None:
        if config.num_images > len(images):
            raise UsageError(
                f"--num-images must be <= {len(images)} (the images "
                f"available), got {config.num_images}."
            )
        images = images[: config.num_images]
        labels = None if labels is None else labels[: config.num_images]
    num_classes = None
    if config.conditional:
        num_classes = _num_classes(config, labels, named)
        factors = config.class_factors
        if factors is not None and math.prod(factors) != num_classes:
            raise UsageError(
                f"--class-factors {','.join(map(str, factors))} makes "
                f"{math.prod(factors)} classes; {config.dataset} has "
                f"{num_classes}: give counts whose product is {num_classes}."
            )
    # Raises here, before anything is written, if the batch size cannot
    # give every critic update of the last step at least one image.
    replicas = distribute.replicas()
    if config.batch_size % replicas:
        raise UsageError(
            f"--batch-size must be a multiple of the {replicas} devices (it "
            f"is the global batch), got {config.batch_size}."
        )
    remainder = batches.short_last_step(len(images), config.batch_size,
                                        config.n_critic, replicas)
    if remainder is not None:
        raise UsageError(
            f"--batch-size {config.batch_size} with --n-critic "
            f"{config.n_critic} leaves a last step of {remainder} of "
            f"{len(images)} images, fewer than one per critic update"
            + (f" of each of {replicas} devices or not a multiple of them"
               if replicas > 1 else "")
            + "; choose another --batch-size or --num-images."
        )
    return TrainingData(images, labels, num_classes)


def _class_count(config):
    """The number of the source's class names, or `None` if it has none."""
    try:
        return len(data.class_names(config.dataset, split=config.split))
    except ValueError:
        return None


def _check_classes(config, labels, count):
    """Raises `UsageError` unless the labels are classes 0..K-1, each one
    present (or below the source's count of class names).

    Checked before anything is built: a label such as 999999 would
    otherwise make a model of a million classes. With `--num-images`, the
    labels are those of the images taken.
    """
    present = np.unique(labels)
    if count is not None and present[-1] < count:
        return
    if count is None and np.array_equal(present, np.arange(len(present))):
        return
    expected = (f"below the {count} class names" if count is not None
                else "the classes 0..K-1, each one present")
    missing = np.setdiff1d(np.arange(min(int(present[-1]), len(labels)) + 1),
                           present)
    raise UsageError(
        f"--conditional needs labels {expected}; --dataset {config.dataset} "
        f"has {len(present)} distinct labels from {present[0]} to "
        f"{present[-1]}" + (f" (none is {missing[0]})" if len(missing) else "")
        + "; number the classes 0, 1, 2, ... without gaps."
    )


def _num_classes(config, labels, named):
    """The classes of a conditional run: the source's `named` class names,
    else one more than the largest label."""
    count = named if named is not None else int(labels.max()) + 1
    if count < 2:
        raise UsageError(
            f"--conditional needs labels of at least 2 classes; "
            f"{config.dataset} has {count}."
        )
    return count




def steps_per_epoch(config: TrainConfig, num_images: int) -> int:
    """The generator iterations of one epoch over `num_images` images.

    Example:

    >>> steps_per_epoch(TrainConfig(out="run"), 60_000)  # 5 batches of 64
    188
    """
    return math.ceil(num_images / (config.batch_size * config.n_critic))
