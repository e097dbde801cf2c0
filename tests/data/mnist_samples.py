"""MNIST-like data for the tests of the MNIST loaders and their sources."""

import numpy as np

from keras_wgan.data import idx
from tests.helpers import idx_bytes
from tests.helpers import idx_digits as digits
from tests.helpers import write_file

EMBEDDED = "the copy embedded in keras_wgan"
NAMES = idx.IDX_FILES
NO_TFDS = "tensorflow-datasets unavailable: cannot import tensorflow_datasets"


def idx_folder(folder, split, images, labels, compress):
    image_name, label_name = NAMES[split]
    suffix = ".gz" if compress else ""
    write_file(folder / (image_name + suffix), idx_bytes(images), compress)
    write_file(folder / (label_name + suffix), idx_bytes(labels), compress)
    return folder


def keras_npz(keras_home, **arrays):
    """Writes keras.datasets' MNIST file with `arrays`; returns its path."""
    folder = keras_home / "datasets"
    folder.mkdir(exist_ok=True)
    np.savez(folder / "mnist.npz", **arrays)
    return folder / "mnist.npz"


def mnist_arrays(train_count=3, test_count=2):
    """The four arrays of keras.datasets' mnist.npz, test = 255 - train."""
    train, train_labels = digits(train_count)
    test, test_labels = digits(test_count)
    return {"x_train": train, "y_train": train_labels,
            "x_test": 255 - test, "y_test": test_labels}


def fake_load_data(arrays, calls):
    """A keras.datasets load_data that counts its calls (no network)."""
    def load_data():
        calls.append(1)
        return ((arrays["x_train"], arrays["y_train"]),
                (arrays["x_test"], arrays["y_test"]))

    return load_data


def failing_load_data(calls):
    def load_data():
        calls.append(1)
        raise Exception(  # what keras.utils.get_file raises offline
            "URL fetch failure on https://storage.googleapis.com/: None -- "
            "[Errno -3] Temporary failure in name resolution")

    return load_data


class FakeSource:
    """A tfds-like data source of known examples that counts its reads."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels
        self.batched_reads = 0

    def __len__(self):
        return len(self.images)

    def __getitem__(self, key):
        return {"image": self.images[key][..., None],
                "label": np.int64(self.labels[key])}

    def __getitems__(self, keys):
        self.batched_reads += 1
        return [self[key] for key in keys]


def prepared_tfds_dir(tfds, root, file_format, name="mnist"):
    """A tfds data folder where `name` counts as prepared (metadata only)."""
    # A data_dir of its own, so a copy prepared on this machine is not seen.
    builder = tfds.builder(
        name, data_dir=root / "unused", file_format=file_format
    )
    variant = root / name / str(builder.version)
    variant.mkdir(parents=True)
    builder.info.write_to_directory(variant)
    return root


def mock_tfds(tfds, data_dir, source):
    def as_data_source(builder, split, **kwargs):
        assert split == "train"
        return source

    return tfds.testing.mock_data(
        data_dir=str(data_dir), as_data_source_fn=as_data_source
    )


def no_keras_cache(keras_home):
    """The log line's reason when keras.datasets has no MNIST file."""
    return ("keras.datasets cache unavailable: no file "
            f"{keras_home / 'datasets' / 'mnist.npz'}")
