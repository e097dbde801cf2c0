"""The one-line argument checks (the model checks: tests/test_bad_inputs.py)."""

import math

import keras
import numpy as np
import pytest

from keras_wgan import argument_validation as checks


def test_check_int():
    assert checks.check_int("n", np.int64(3)) == 3
    assert type(checks.check_int("n", np.int64(3))) is int
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got 0.$"):
        checks.check_int("n", 0)
    with pytest.raises(ValueError, match="got True of type bool"):
        checks.check_int("n", True)
    with pytest.raises(ValueError, match="got 2.0 of type float"):
        checks.check_int("n", 2.0)
    assert checks.check_int("seed", 0, minimum=0) == 0


def test_check_float():
    assert checks.check_float("lr", 1) == 1.0
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0.0, "
                       r"got 0.0.$"):
        checks.check_float("lr", 0.0, inclusive=False)
    with pytest.raises(ValueError, match="got nan"):
        checks.check_float("lr", math.nan)
    with pytest.raises(ValueError, match="got '1' of type str"):
        checks.check_float("lr", "1")


def test_check_choice():
    assert checks.check_choice("method", "linear", ("linear", "sph")) == "linear"
    with pytest.raises(ValueError, match=r"^method must be one of \('linear', "
                       r"'sph'\), got 'cubic'.$"):
        checks.check_choice("method", "cubic", ("linear", "sph"))


def test_check_images_reports_the_range_and_leaves_the_input():
    x = np.linspace(-1, 1, 2 * 4 * 4).reshape(2, 4, 4, 1).astype("float32")
    assert checks.check_images(x, "x", (4, 4, 1)) is x
    pixels = np.zeros((1, 4, 4, 1), "float32")
    pixels[0, 0, 0, 0] = 255
    with pytest.raises(ValueError, match=r"got \[0, 255\]; scale"):
        checks.check_images(pixels)
    with pytest.raises(ValueError, match="must have images of shape"):
        checks.check_images(x, "x", (8, 8, 1))


def test_check_generator_infers_and_checks_the_latent_size():
    generator = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8),
                                  keras.layers.Reshape((2, 4))])
    assert checks.check_generator(generator, None, (2, 4)) == 6
    with pytest.raises(ValueError, match="latent_dim=5 differs from the "
                       "generator's input size 6"):
        checks.check_generator(generator, 5, (2, 4))
    with pytest.raises(ValueError, match=r"generator output shape \(2, 4\) "
                       r"must equal the critic's input shape \(4, 2\)"):
        checks.check_generator(generator, None, (4, 2))


@pytest.mark.parametrize("labels, count, message", [
    ([0.0, 1.0], None, r"^y must hold integer class labels in \[0, 3\), got "
                       r"dtype float64\.$"),
    ([0, 1], 3, r"^y must have shape \(3,\), one label per image, got shape "
                r"\(2,\)\.$"),
    ([[0], [1]], None, r"^y must be a vector, one label per image, got shape "
                       r"\(2, 1\)\.$"),
    ([0, -1, 2], None, r"^y must hold class labels in \[0, 3\), got "
                       r"\[-1, 2\]\.$"),
])
def test_check_class_labels_refuses_in_one_line(labels, count, message):
    with pytest.raises(ValueError, match=message):
        checks.check_class_labels("y", labels, 3, count)


def test_check_class_labels_returns_int64_of_lists_arrays_and_tensors():
    for labels in ([2, 0], np.array([2, 0], np.uint8),
                   keras.ops.convert_to_tensor(np.array([2, 0], "int32"))):
        values = checks.check_class_labels("y", labels, 3, 2)
        assert values.dtype == np.int64
        np.testing.assert_array_equal(values, [2, 0])
    assert checks.check_class_labels("y", [], 3).shape == (0,)
