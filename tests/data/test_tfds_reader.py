"""Tests for keras_wgan.data.tfds_reader: `"tfds:<name>"` sources, read from
tensorflow-datasets copies prepared here."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_wgan import data
from keras_wgan.data import checks
from keras_wgan.data import tfds_reader
from tests.data.image_samples import ramp
from tests.data.image_samples import scaled

pytestmark = pytest.mark.backend_independent


def _prepared_tfds_dir(tfds, root, name):
    """A tfds data folder where `name` counts as prepared (metadata only)."""
    builder = tfds.builder(name, data_dir=root / "unused",
                           file_format="array_record")
    variant = root / name / str(builder.version)
    variant.mkdir(parents=True)
    builder.info.write_to_directory(variant)
    return variant


def _mock_tfds(tfds, data_dir, examples):
    return tfds.testing.mock_data(
        data_dir=str(data_dir),
        as_data_source_fn=lambda builder, split, **kwargs: examples,
    )


def test_tfds_images_and_labels(tmp_path, log):
    tfds = pytest.importorskip("tensorflow_datasets")
    variant = _prepared_tfds_dir(tfds, tmp_path, "cifar10")
    pixels = ramp(3 * 32 * 32, 3).reshape(3, 32, 32, 3)
    examples = [{"image": image, "label": np.int64(label), "id": "x"}
                for image, label in zip(pixels, [4, 0, 9])]
    with _mock_tfds(tfds, tmp_path, examples):
        images, labels = data.load_images("tfds:cifar10", return_labels=True)
        names = data.class_names("tfds:cifar10")
        small = data.load_images("tfds:cifar10", image_size=8, channels=1)
    np.testing.assert_array_equal(images, scaled(pixels))
    np.testing.assert_array_equal(labels, [4, 0, 9])
    assert labels.dtype == np.int64
    assert len(names) == 10
    assert small.shape == (3, 8, 8, 1)
    assert log.messages[0] == (
        f"images from tensorflow-datasets 'cifar10' split 'train' in "
        f"{variant} (3 images)")


def test_tfds_without_labels_and_differing_sizes(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    _prepared_tfds_dir(tfds, tmp_path, "celeb_a")
    examples = [{"image": ramp(20, 16, 3)}, {"image": ramp(22, 16, 3)}]
    with _mock_tfds(tfds, tmp_path, examples):
        with pytest.raises(ValueError, match="return_labels must be False"):
            data.load_images("tfds:celeb_a", return_labels=True)
        with pytest.raises(ValueError, match=(
                r"example 0 has shape \(20, 16, 3\) but example 1 has "
                r"\(22, 16, 3\); pass image_size=")):
            data.load_images("tfds:celeb_a")
        images = data.load_images("tfds:celeb_a", image_size=8)
    assert images.shape == (2, 8, 8, 3)


def test_tfds_unprepared_and_unknown(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    with _mock_tfds(tfds, tmp_path, None):
        with pytest.raises(FileNotFoundError, match=(
                r"^source 'tfds:svhn_cropped' is not available here "
                r"\('svhn_cropped' is not prepared in .*\); prepare it where "
                "it can be downloaded")):
            data.load_images("tfds:svhn_cropped")
        with pytest.raises(ValueError, match=(
                "^source 'tfds:no_such_set': tensorflow-datasets knows no "
                "dataset 'no_such_set'")):
            data.load_images("tfds:no_such_set")


@pytest.mark.backends("torch", reason="runs the same in a fresh process")
def test_tfds_needs_no_tensorflow(tmp_path):
    """A prepared tfds dataset loads where TensorFlow cannot be imported."""
    pytest.importorskip("tensorflow_datasets")
    script = f"""
import sys
import numpy as np
import tensorflow_datasets as tfds
from keras_wgan import data
from tests.data.test_tfds_reader import _mock_tfds, _prepared_tfds_dir
root = __import__("pathlib").Path({str(tmp_path)!r})
_prepared_tfds_dir(tfds, root, "cifar10")
examples = [{{"image": np.zeros((32, 32, 3), np.uint8), "label": 1}}]
with _mock_tfds(tfds, root, examples):
    images, labels = data.load_images("tfds:cifar10", return_labels=True)
print(images.shape, labels, "tensorflow" in sys.modules)
"""
    # A package of that name first on the path, which fails to import.
    hidden = tmp_path / "hidden" / "tensorflow"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ImportError('TensorFlow is hidden by the test')\n")
    path = [str(hidden.parent), str(pathlib.Path(__file__).parents[2])]
    env = {**os.environ, "KERAS_BACKEND": "torch",
           "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("(1, 32, 32, 3) [1] False")


def test_read_prepared_refuses_labels_before_reading(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    _prepared_tfds_dir(tfds, tmp_path, "celeb_a")

    class Unread:
        def __len__(self):
            return 1

        def __getitem__(self, key):
            raise AssertionError("an example was read")

    with _mock_tfds(tfds, tmp_path, Unread()):
        with pytest.raises(ValueError, match=(
                "^return_labels must be False for source 'tfds:celeb_a'")):
            tfds_reader.read_prepared("celeb_a", "train", return_labels=True)
        with pytest.raises(ValueError, match=(
                "^source 'tfds:celeb_a' has no 'label' feature")):
            data.class_names("tfds:celeb_a")


def test_not_prepared_is_unavailable(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    with _mock_tfds(tfds, tmp_path, None):
        with pytest.raises(checks.SourceUnavailable, match=(
                "'mnist' is not prepared in ")):
            tfds_reader.prepared_data_source("mnist", "test")
        with pytest.raises(FileNotFoundError, match=(
                "^source 'tfds:mnist' is not available here .*; prepare it")):
            tfds_reader.tfds_class_names("tfds:mnist")
