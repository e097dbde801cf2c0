import numpy as np
import pytest
from matplotlib import image as mpl_image

from keras_wgan.image_grids import block_columns
from keras_wgan.image_grids import image_grid
from keras_wgan.image_grids import save_image_grid

pytestmark = pytest.mark.backend_independent


def test_grid_maps_range_and_places_images_row_major():
    images = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1, 0, 1)])
    grid = image_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0          # first image, value -1
    assert grid[1, 5, 0] == 128        # second image, value 0 -> 127.5 -> 128
    assert grid[4, 1, 0] == 255        # third image, second row, value 1
    assert grid[0, 0, 0] == 255        # padding is white


def test_grid_rejects_values_outside_range():
    with pytest.raises(ValueError, match=r"values in \[-1, 1\]"):
        image_grid(np.full((1, 2, 2, 1), 2.0))


def test_saved_png_has_grid_pixels(tmp_path):
    images = np.linspace(-1, 1, 4 * 28 * 28).reshape(4, 28, 28, 1)
    path = save_image_grid(images, str(tmp_path / "g.png"))
    picture = mpl_image.imread(path)
    assert picture.shape[:2] == (2 * 30 + 2, 2 * 30 + 2)
    expected = image_grid(images)[..., 0] / 255.0
    np.testing.assert_allclose(picture[..., 0], expected, atol=1 / 255)


@pytest.mark.parametrize("count, columns", [
    (1, 1), (2, 2), (3, 3), (4, 2), (6, 3), (10, 5), (12, 4), (13, 4),
    (100, 10), (200, 20), (101, 11)])
def test_block_columns_fill_whole_rows_near_a_square(count, columns):
    assert block_columns(count) == columns


def test_block_columns_bad_count():
    for bad in (0, -3, 2.0, True, "4"):
        with pytest.raises(ValueError, match="^count must be an int >= 1"):
            block_columns(bad)
