"""Tests for keras_wgan.data.checks: the checks of loaded arrays and the
errors the loaders share."""

import numpy as np
import pytest

from keras_wgan.data import checks

pytestmark = pytest.mark.backend_independent


def test_one_line_joins_whitespace():
    assert checks.one_line(OSError("a\n  b\tc ")) == "a b c"
    assert checks.one_line("x") == "x"


def test_check_image_array_adds_the_channel_axis_and_casts_floats():
    grey = checks.check_image_array(np.zeros((2, 3, 4), np.uint8), "g")
    assert grey.shape == (2, 3, 4, 1) and grey.dtype == np.uint8
    floats = checks.check_image_array(np.full((1, 2, 2, 3), 0.5), "f")
    assert floats.dtype == np.float32
    np.testing.assert_array_equal(floats, 0.5)


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 3), np.uint8), r"^a\.npy: expected images of shape"),
    (np.zeros((1, 2, 2), np.int32), r"got dtype int32\.$"),
    (np.full((1, 2, 2), np.inf), "NaN or Inf"),
    (np.full((1, 2, 2), -1.5), r"got \[-1\.5, -1\.5\]"),
    (np.zeros((0, 2, 2), np.uint8), "at least one image, got 0"),
])
def test_check_image_array_names_the_origin(images, message):
    with pytest.raises(ValueError, match=message):
        checks.check_image_array(images, "a.npy")


def test_check_labels_with_and_without_classes():
    checks.check_labels(np.array([0, 5, 9]), "y", num_classes=10)
    checks.check_labels(np.array([0, 500], np.uint16), "y")
    checks.check_labels(np.zeros(0, np.int64), "y", num_classes=1)
    with pytest.raises(ValueError, match=(
            r"^y: expected labels in 0\.\.9, got values from -1 to 3\.$")):
        checks.check_labels(np.array([3, -1]), "y", num_classes=10)
    with pytest.raises(ValueError, match=r"^y: expected labels >= 0, got -2"):
        checks.check_labels(np.array([3, -2]), "y")
    with pytest.raises(ValueError, match=(
            r"^y: expected integer labels of shape \(N,\), got int64 "
            r"\(2, 1\)\.$")):
        checks.check_labels(np.zeros((2, 1), np.int64), "y")
    with pytest.raises(ValueError, match="got float32"):
        checks.check_labels(np.zeros(2, np.float32), "y", num_classes=10)


def test_check_counts():
    checks.check_counts(np.zeros((2, 1)), np.zeros(2), "ok")
    with pytest.raises(ValueError, match=(
            "^f: expected one label per image, got 3 images and 2 labels")):
        checks.check_counts(np.zeros((3, 1)), np.zeros(2), "f")


def test_check_no_split_and_no_labels_error():
    checks.check_no_split("train", "folder x")
    with pytest.raises(ValueError, match=(
            "^split must be 'train' for folder x, which has no splits; got "
            "'test'.$")):
        checks.check_no_split("test", "folder x")
    error = checks.no_labels_error("faces")
    assert isinstance(error, ValueError)
    assert str(error) == ("return_labels must be False for source 'faces', "
                          "which has no labels; got True.")


def test_source_unavailable_is_its_own_error():
    # Not an OSError or ValueError: the loaders catch it alone, so that
    # any real failure of a source is not taken for an absent source.
    assert not issubclass(checks.SourceUnavailable, (OSError, ValueError))
