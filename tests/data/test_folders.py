"""Tests for keras_wgan.data.folders: folders of image files, their labels,
channels, sizes and cache, read through `load_images`."""

import os

import numpy as np
import pytest
from PIL import Image
from PIL import ImageOps

from keras_wgan import data
from keras_wgan.data import folders
from keras_wgan.data import progress
from tests.data.image_samples import cache_files
from tests.data.image_samples import grey
from tests.data.image_samples import ramp
from tests.data.image_samples import save
from tests.data.image_samples import scaled

pytestmark = pytest.mark.backend_independent


def test_flat_grey_folder(tmp_path, log, keras_home):
    folder = tmp_path / "faces"
    pixels = [ramp(5, 4, start=start) for start in (0, 1, 2)]
    for name, image in zip(["b.png", "a.png", "c.bmp"], pixels):
        save(folder / name, image)
    (folder / "notes.txt").write_text("not an image")
    (folder / ".hidden.png").write_bytes(b"ignored")

    images = data.load_images(folder)

    # Sorted by name: a.png, b.png, c.bmp.
    np.testing.assert_array_equal(
        images[..., 0], scaled([pixels[1], pixels[0], pixels[2]]))
    assert images.dtype == np.float32 and images.shape == (3, 5, 4, 1)
    [cache] = cache_files(keras_home)
    assert cache.name.startswith("faces-")
    assert log.messages == [
        f"images from {folder} (now cached in {cache}) (3 images)"]


def test_return_labels_without_classes_is_refused(tmp_path, keras_home):
    folder = tmp_path / "flat"
    save(folder / "a.png", grey(0))
    with pytest.raises(ValueError, match=(
            "^return_labels must be False for source .*flat', which has no "
            r"labels; got True\.$")):
        data.load_images(folder, return_labels=True)
    assert cache_files(keras_home) == []  # nothing written
    with pytest.raises(ValueError, match="has no class subfolders"):
        data.class_names(folder)


def test_class_folders_give_labels_and_colour(tmp_path):
    folder = tmp_path / "pets"
    red = np.zeros((6, 6, 3), np.uint8)
    red[..., 0] = 200
    save(folder / "dogs" / "x.png", grey(30, 6, 6))
    save(folder / "cats" / "a.png", red)
    save(folder / "cats" / "deeper" / "b.jpg", grey(250, 6, 6))
    (folder / "empty").mkdir()

    images, labels = data.load_images(folder, return_labels=True)

    # One colour image makes the folder RGB; classes in alphabetical order,
    # an empty class folder kept as a class, as keras does.
    assert data.class_names(folder) == ("cats", "dogs", "empty")
    np.testing.assert_array_equal(labels, [0, 0, 1])
    assert labels.dtype == np.int64
    assert images.shape == (3, 6, 6, 3)
    np.testing.assert_array_equal(images[0, 0, 0], scaled([200, 0, 0]))
    np.testing.assert_array_equal(images[2], scaled(np.full((6, 6, 3), 30)))
    # JPEG is lossy: near 250 on every channel.
    np.testing.assert_allclose(images[1], scaled(250), atol=0.05)


def test_channels_convert_as_pillow(tmp_path):
    folder = tmp_path / "mixed"
    colour = ramp(4, 4, channels=3)
    save(folder / "a.png", colour)
    save(folder / "b.png", grey(77, 4, 4))

    as_grey = data.load_images(folder, channels=1)

    expected = np.asarray(Image.fromarray(colour).convert("L"))
    np.testing.assert_array_equal(as_grey[0, ..., 0], scaled(expected))
    np.testing.assert_array_equal(as_grey[1, ..., 0], scaled(grey(77, 4, 4)))
    rgb = data.load_images(folder, channels=3)
    np.testing.assert_array_equal(rgb[1], scaled(np.full((4, 4, 3), 77)))


def test_differing_sizes_need_image_size(tmp_path, keras_home):
    folder = tmp_path / "sizes"
    wide = np.zeros((4, 8), np.uint8)
    wide[:, 4:] = 255  # left half black, right half white
    save(folder / "a.png", grey(10, 4, 4))
    save(folder / "b.png", wide)

    with pytest.raises(ValueError, match=(
            rf"^images differ in size: {folder / 'a.png'} is 4x4 but "
            rf"{folder / 'b.png'} is 8x4 \(width x height\); pass "
            "image_size=")):
        data.load_images(folder)
    assert cache_files(keras_home) == []

    images = data.load_images(folder, image_size=4)
    # The wide image: already 4 high, so only its centre 4 columns remain.
    np.testing.assert_array_equal(images[1, 0, :, 0], [-1, -1, 1, 1])
    bigger = data.load_images(folder, image_size=8)
    assert bigger.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(bigger[0], scaled(10), atol=1e-6)


def test_image_size_scales_then_crops_as_pillow(tmp_path):
    folder = tmp_path / "photos"
    pixels = ramp(30, 20, channels=3)
    save(folder / "a.png", pixels)
    images = data.load_images(folder, image_size=8)
    expected = ImageOps.fit(Image.fromarray(pixels), (8, 8),
                            method=Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(images[0], scaled(np.asarray(expected)))


@pytest.mark.parametrize("payload", [b"not an image", "truncated"])
def test_corrupt_file_is_named(tmp_path, keras_home, payload):
    folder = tmp_path / "broken"
    save(folder / "a.png", grey(0, 16, 16))
    bad = save(folder / "b.png", ramp(16, 16))
    if payload == "truncated":
        payload = bad.read_bytes()[:60]
    bad.write_bytes(payload)
    for channels in (None, 1):  # with and without the header pass
        with pytest.raises(ValueError, match=(
                rf"^{bad}: not a readable image file \(.*\)\.$")):
            data.load_images(folder, channels=channels)
    assert cache_files(keras_home) == []


def test_mixed_layout_and_empty_folder(tmp_path):
    folder = tmp_path / "mixed"
    save(folder / "top.png", grey(0))
    save(folder / "class" / "a.png", grey(0))
    with pytest.raises(ValueError, match=(
            "has image files both in it .*top.png.* and in subfolders "
            r"\(such as class/\)")):
        data.load_images(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="has no image files"):
        data.load_images(empty)


def test_cache_hit_and_invalidation(tmp_path, monkeypatch, log, keras_home):
    folder = tmp_path / "cached"
    save(folder / "one" / "a.png", grey(10))
    save(folder / "two" / "b.png", grey(20))
    first, labels = data.load_images(folder, return_labels=True)
    [cache] = cache_files(keras_home)

    real_read = folders._read_image_files

    def no_read(*args):
        raise AssertionError("read the files again")

    monkeypatch.setattr(folders, "_read_image_files", no_read)
    again, again_labels = data.load_images(folder, return_labels=True)
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(again_labels, labels)
    assert log.messages[-1] == (f"images from {folder} (cached in {cache}) "
                                "(2 images)")

    # A changed file (other size and time) is read again; the old cache of
    # the folder goes.
    monkeypatch.setattr(folders, "_read_image_files", real_read)
    save(folder / "two" / "b.png", ramp(5, 4))
    os.utime(folder / "two" / "b.png", ns=(1, 1))
    changed = data.load_images(folder)
    np.testing.assert_array_equal(changed[1, ..., 0], scaled(ramp(5, 4)))
    [new_cache] = cache_files(keras_home)
    assert new_cache != cache
    # Other settings are cached apart; the folder's latest cache is kept.
    data.load_images(folder, image_size=2)
    assert len(cache_files(keras_home)) == 1


def test_cache_dir_and_damaged_cache(tmp_path):
    folder = tmp_path / "pictures"
    save(folder / "a.png", grey(40))
    cache_dir = tmp_path / "my_cache"
    data.load_images(folder, cache_dir=cache_dir)
    [cache] = cache_dir.glob("*.npz")
    cache.write_bytes(b"damaged")
    images = data.load_images(folder, cache_dir=cache_dir)
    np.testing.assert_array_equal(images[0, ..., 0], scaled(grey(40)))
    with np.load(cache) as npz:  # written again
        np.testing.assert_array_equal(npz["images"][0, ..., 0], grey(40))


def test_progress_bar_for_large_folders(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "many"
    for index in range(3):
        save(folder / f"{index}.png", grey(index))
    monkeypatch.setattr(progress, "PROGRESS_MIN", 2)
    data.load_images(folder, verbose=False)
    assert capsys.readouterr().out == ""
    data.load_images(folder, cache_dir=tmp_path / "other")
    assert "3/3" in capsys.readouterr().out


def test_read_folder_gives_uint8_and_where(tmp_path):
    folder = tmp_path / "digits"
    save(folder / "zero" / "a.png", grey(0))
    save(folder / "one" / "b.png", grey(255))
    images, labels, where = folders.read_folder(
        folder, return_labels=True, cache_dir=tmp_path / "cache")
    assert images.dtype == np.uint8 and images.shape == (2, 5, 4, 1)
    np.testing.assert_array_equal(images[:, 0, 0, 0], [255, 0])
    np.testing.assert_array_equal(labels, [0, 1])  # one, zero
    assert where.startswith(f"{folder} (now cached in {tmp_path / 'cache'}")
    assert folders.folder_class_names(folder) == ("one", "zero")
    assert folders.folder_class_names(folder / "one") is None


def test_sixteen_bit_images_are_scaled_not_clipped(tmp_path):
    folder = tmp_path / "deep"
    pixels = np.array([[0, 257, 32896, 65535]], np.uint16)
    save_16 = Image.fromarray(pixels)
    folder.mkdir()
    save_16.save(folder / "a.png")
    images = data.load_images(folder)
    # x / 257, rounded, then x / 127.5 - 1.
    np.testing.assert_array_equal(images[0, 0, :, 0],
                                  scaled([0, 1, 128, 255]))
    assert folders.IMAGE_SUFFIXES == tuple(sorted(folders.IMAGE_SUFFIXES))
