"""Images from tensorflow-datasets copies already prepared on this machine.

Read with `tfds.data_source`, which needs no TensorFlow. Nothing is ever
downloaded or prepared: that needs TensorFlow in tensorflow-datasets 4.9,
and offline it retries for minutes before it fails.
"""

import pathlib
from typing import Any

import numpy as np

from keras_wgan.data import checks
from keras_wgan.data import progress
from keras_wgan.data import resize

#: What starts a source that names a tensorflow-datasets dataset.
TFDS_PREFIX = "tfds:"
# Examples decoded per batched read.
_CHUNK = 1000


def prepared_data_source(name: str, split: str) -> tuple[Any, Any]:
    """The builder and data source of a dataset prepared here.

    Args:
        name: A tensorflow-datasets dataset name, e.g. `"mnist"`.
        split: A split it knows, e.g. `"train[:1000]"`.

    Returns:
        `(builder, source)`: `tfds.builder(name)` and
        `tfds.data_source(name, split=split, download=False)`, a sequence
        of examples (dicts of NumPy values).

    Raises:
        checks.SourceUnavailable: tensorflow-datasets is not installed, or
            the dataset is not prepared here in a random-access format.
        ValueError: tensorflow-datasets knows no such dataset (its
            `DatasetNotFoundError`).

    Example:

    >>> try:
    ...     prepared_data_source("no_such_set", "train")
    ... except (checks.SourceUnavailable, ValueError):
    ...     print("not here")
    not here
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise checks.SourceUnavailable(
            f"cannot import tensorflow_datasets ({err})"
        ) from err
    # Checked up front because tfds.data_source reports an unprepared
    # dataset with a bare KeyError, and would otherwise try a download.
    builder = tfds.builder(name)
    # is_prepared() logs an absl warning when dataset_info.json is missing,
    # so look for it first: the usual case then logs only our line.
    if not (builder.data_path / "dataset_info.json").exists() or (
        not builder.is_prepared()
    ):
        raise checks.SourceUnavailable(
            f"{name!r} is not prepared in {builder.data_dir_root}"
        )
    file_format = builder.info.file_format
    if file_format not in tfds.core.FileFormat.with_random_access():
        raise checks.SourceUnavailable(
            f"{name!r} is prepared in {builder.data_dir} as "
            f"{file_format.value}, which has no random access; prepare "
            "it as array_record"
        )
    return builder, tfds.data_source(name, split=split, download=False)


def read_prepared(name: str, split: str, image_size: int | None = None,
                  channels: int | None = None, return_labels: bool = False,
                  verbose: bool = True, source: str | None = None
                  ) -> tuple[np.ndarray, np.ndarray | None, pathlib.Path]:
    """Reads the images and labels of a dataset prepared here.

    Its `"image"` feature gives the images and its `"label"` feature, when
    it has one, the labels. The examples are decoded a thousand at a time
    (one batched read each) and fitted to `image_size` and `channels` one
    by one (`resize.fit_images`), so that only the result is held.

    Args:
        name: The tensorflow-datasets dataset name.
        split: The split, any that tfds knows.
        image_size: Optional side of the square images to return.
        channels: Optional number of channels to return, 1 or 3.
        return_labels: If `True`, the dataset must have a `"label"`
            feature (checked before any example is read).
        verbose: If `True`, reading more than `progress.PROGRESS_MIN`
            examples shows a progress bar.
        source: How error messages name the dataset, by default
            `"tfds:<name>"`.

    Returns:
        `(images, labels, data_dir)`: uint8 (or float32) images
        `(N, H, W, C)`, int64 labels `(N,)` or `None` without a `"label"`
        feature, and the folder the dataset was read from.

    Raises:
        checks.SourceUnavailable: As `prepared_data_source`.
        ValueError: The dataset has no `"image"` feature (or no `"label"`
            feature when `return_labels`), the split is empty, an example
            is not an image, or images differ in size without
            `image_size`.

    Example:

    >>> try:
    ...     read_prepared("no_such_set", "train")
    ... except (checks.SourceUnavailable, ValueError):
    ...     print("not here")
    not here
    """
    source = f"{TFDS_PREFIX}{name}" if source is None else source
    origin = f"source {source!r}"
    builder, data_source = prepared_data_source(name, split)
    features = builder.info.features
    if "image" not in features.keys():
        raise ValueError(
            f"{origin} has no 'image' feature; its features are "
            f"{sorted(features.keys())}."
        )
    has_labels = "label" in features.keys()
    if return_labels and not has_labels:
        raise checks.no_labels_error(source)
    count = len(data_source)
    if count == 0:
        raise ValueError(f"{origin} split {split!r} is empty.")
    bar = progress.progress_bar(count, verbose)
    images: np.ndarray | None = None
    labels: list[int] = []
    first_key = None
    get_many = getattr(data_source, "__getitems__", None)
    for start in range(0, count, _CHUNK):
        keys = list(range(start, min(start + _CHUNK, count)))
        # One batched read decodes many examples at once, much faster than
        # one call per example.
        examples = (get_many(keys) if get_many
                    else [data_source[key] for key in keys])
        for key, example in zip(keys, examples):
            image = checks.check_image_array(
                np.asarray(example["image"])[np.newaxis],
                f"{origin} example {key}")
            image = resize.fit_images(image, image_size, channels)[0]
            if images is None:
                images = np.empty((count, *image.shape), image.dtype)
                first_key = key
            elif image.shape != images.shape[1:]:
                raise ValueError(
                    f"{origin}: example {first_key} has shape "
                    f"{images.shape[1:]} but example {key} has "
                    f"{image.shape}; pass image_size= to resize and "
                    "centre-crop them to one size."
                )
            images[key] = image
            if has_labels:
                labels.append(int(example["label"]))
        if bar is not None:
            bar.update(keys[-1] + 1)
    assert images is not None  # count > 0: the first example set it
    return (images, np.asarray(labels, np.int64) if has_labels else None,
            pathlib.Path(builder.data_dir))


def read_tfds_source(source: str, split: str = "train",
                     image_size: int | None = None,
                     channels: int | None = None,
                     return_labels: bool = False, verbose: bool = True
                     ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Reads a source `"tfds:<name>"` of `load_images`.

    As `read_prepared`, with one-line errors that say what to do: how to
    prepare a dataset that is not here, and where the catalog of names is.

    Args:
        source: `"tfds:<name>"`.
        split: The split, any that tfds knows, e.g. `"train[:1000]"`.
        image_size: Optional side of the square images to return.
        channels: Optional number of channels to return, 1 or 3.
        return_labels: If `True`, the dataset must have a `"label"`
            feature.
        verbose: If `True`, a long read shows a progress bar.

    Returns:
        `(images, labels, where)`: as `read_prepared`, with where they came
        from for the log line.

    Raises:
        FileNotFoundError: The dataset is not prepared here (the message
            says how to prepare it).
        ValueError: A bad `source` or `split`, a dataset tfds does not
            know, or one without labels when `return_labels`.

    Example:

    >>> read_tfds_source("tfds:")
    Traceback (most recent call last):
    ValueError: source must name a dataset after 'tfds:', got 'tfds:'.
    """
    name = _tfds_name(source, split)
    try:
        images, labels, data_dir = read_prepared(
            name, split, image_size, channels, return_labels, verbose,
            source=source)
    except checks.SourceUnavailable as unavailable:
        raise _unavailable_error(unavailable, source, name) from None
    except ValueError as err:
        raise _known_dataset_error(err, source, name) from None
    return images, labels, (f"tensorflow-datasets {name!r} split "
                            f"{split!r} in {data_dir}")


def tfds_class_names(source: str) -> tuple[str, ...]:
    """The class names of a source `"tfds:<name>"` prepared here.

    Args:
        source: `"tfds:<name>"`, a dataset with a `"label"` feature.

    Returns:
        Its label names, label `i` named by item `i`.

    Raises:
        FileNotFoundError: The dataset is not prepared here.
        ValueError: It has no `"label"` feature with names.

    Example:

    >>> tfds_class_names("mnist")
    Traceback (most recent call last):
    ValueError: source must start with 'tfds:', got 'mnist'.
    """
    if not isinstance(source, str) or not source.startswith(TFDS_PREFIX):
        raise ValueError(
            f"source must start with {TFDS_PREFIX!r}, got {source!r}."
        )
    name = _tfds_name(source, "train")
    try:
        builder, _ = prepared_data_source(name, "train")
    except checks.SourceUnavailable as unavailable:
        raise _unavailable_error(unavailable, source, name) from None
    except ValueError as err:
        raise _known_dataset_error(err, source, name) from None
    features = builder.info.features
    if "label" not in features.keys() or not hasattr(features["label"],
                                                      "names"):
        raise ValueError(f"source {source!r} has no 'label' feature with "
                         "class names.")
    return tuple(features["label"].names)


def _tfds_name(source, split):
    """The dataset name of `"tfds:<name>"`, or a one-line error."""
    name = source[len(TFDS_PREFIX):]
    if not name:
        raise ValueError(
            f"source must name a dataset after 'tfds:', got {source!r}."
        )
    if not isinstance(split, str) or not split:
        raise ValueError(
            f"split must be a split name of {source!r}, got {split!r}."
        )
    return name


def _unavailable_error(unavailable, source, name):
    """The error of a dataset not prepared here: how to prepare it."""
    return FileNotFoundError(
        f"source {source!r} is not available here "
        f"({checks.one_line(unavailable)}); prepare it where it can "
        f"be downloaded (`tfds build {name} --file_format=array_record`, "
        "which needs TensorFlow) and copy the data folder here, to "
        "~/tensorflow_datasets or $TFDS_DATA_DIR."
    )


def _known_dataset_error(err, source, name):
    """tfds' DatasetNotFoundError (which lists every dataset it knows) as
    one line; any other error as it is."""
    if type(err).__name__ != "DatasetNotFoundError":
        return err
    return ValueError(
        f"source {source!r}: tensorflow-datasets knows no dataset "
        f"{name!r}; see https://www.tensorflow.org/datasets/catalog."
    )
