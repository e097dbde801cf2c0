"""What a run records of its training data, and what a resume checks.

`run.json` holds, under `data`, the source's absolute path (or its name,
for a named or tfds dataset) and a fingerprint of the images and labels
trained on: the SHA-256 of their shape and bytes, after `--image-size`,
`--channels` and `--num-images`. A resume reads its data again and refuses,
in one line naming what changed, to continue on other data: files added,
removed or edited in a folder, an array file replaced, or a relative
`--dataset` that now names another folder. A resume reads the data from the
recorded absolute path, wherever it is started from.

The fingerprint hashes the arrays already in memory: on 60,000 MNIST
digits it costs about as much as reading them.
"""

import hashlib
import os
from typing import Any

import numpy as np

from keras_wgan import data
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.training_data import TrainingData


def is_path(dataset: str) -> bool:
    """Whether `--dataset` names a file or folder, not a dataset.

    Example:

    >>> is_path("mnist"), is_path("tfds:mnist"), is_path("faces/")
    (False, False, True)
    """
    return dataset not in data.DATASETS and not dataset.startswith("tfds:")


def source(dataset: str) -> str:
    """The source as recorded: the absolute path of a file or folder
    (links resolved), else the dataset's name.

    Example:

    >>> source("mnist")
    'mnist'
    >>> source("faces") == os.path.realpath("faces")
    True
    """
    return os.path.realpath(dataset) if is_path(dataset) else dataset


def fingerprint(array: np.ndarray | None) -> str | None:
    """The SHA-256 of an array's dtype, shape and bytes; `None` for `None`.

    Example:

    >>> pixels = np.zeros((2, 3), "uint8")
    >>> fingerprint(pixels) == fingerprint(pixels.copy())
    True
    >>> fingerprint(pixels) == fingerprint(pixels.reshape(3, 2))  # its shape
    False
    >>> len(fingerprint(pixels))
    64
    """
    if array is None:
        return None
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    # The bytes in place, without a copy of a dataset-sized array.
    digest.update(memoryview(array).cast("B"))  # type: ignore[arg-type]
    return digest.hexdigest()


def describe(config: TrainConfig,
             training_data: TrainingData) -> dict[str, Any]:
    """The `data` field of run.json for `training_data` of `config`."""
    return {"source": source(config.dataset),
            "image_shape": list(training_data.image_shape),
            "images_sha256": fingerprint(training_data.images),
            "labels_sha256": fingerprint(training_data.labels)}


def resolved(record: dict[str, Any], options: dict[str, Any]
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """`(record, options)` of a resume, with the recorded absolute source.

    A run started with a relative `--dataset` then resumes on the same
    folder from any working directory; a `--dataset` given again that
    names the same folder is taken as the recorded one.
    """
    recorded = record.get("data")
    if not (isinstance(recorded, dict)
            and isinstance(recorded.get("source"), str)
            and is_path(record.get("dataset", "mnist"))):
        return record, options
    given = options.get("dataset")
    if given is not None and source(given) == recorded["source"]:
        options = {name: value for name, value in options.items()
                   if name != "dataset"}
    return dict(record, dataset=recorded["source"]), options


def check_unchanged(record: dict[str, Any], config: TrainConfig,
                    training_data: TrainingData) -> None:
    """Raises `UsageError` if the data differs from what the run trained on.

    A record written before fingerprints were kept is not checked.

    Raises:
        UsageError: one line naming what changed: the source, the images'
            shape, the images (same count, other content) or the labels.
    """
    recorded = record.get("data")
    if not isinstance(recorded, dict):
        return
    now = describe(config, training_data)
    shown = now["source"]
    if recorded.get("source") != now["source"]:
        raise UsageError(
            f"--dataset: the run was trained on {recorded.get('source')}, "
            f"but {config.dataset} is {now['source']}; resume with the same "
            "data."
        )
    if recorded.get("image_shape") != now["image_shape"]:
        raise UsageError(
            f"--dataset: the images of {shown} are now "
            f"{tuple(now['image_shape'])}, the run was trained on "
            f"{tuple(recorded.get('image_shape') or ())}; resume with the "
            "same data."
        )
    for part in ("images", "labels"):
        if recorded.get(f"{part}_sha256") != now[f"{part}_sha256"]:
            raise UsageError(
                f"--dataset: the {part} of {shown} differ from those the run "
                f"was trained on ({len(training_data)} images either way; "
                "files added, removed or changed since); resume with the "
                "same data, or start a new run in another --out."
            )


def check_out_outside(config: TrainConfig) -> None:
    """Raises `UsageError` if `--out` lies inside the `--dataset` folder.

    The run's sample grids and checkpoints would become training images
    of the next run, or a class of their own.
    """
    if not is_path(config.dataset) or not os.path.isdir(config.dataset):
        return
    folder = os.path.realpath(config.dataset)
    out = os.path.realpath(config.out)
    if os.path.commonpath([folder, out]) == folder:
        raise UsageError(
            f"--out: {config.out} lies inside --dataset {config.dataset}, "
            "whose images would then include the run's samples; choose an "
            "--out outside it."
        )
