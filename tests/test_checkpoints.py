"""Tests for keras_wgan.checkpoints: naming, listing, copying, the manifest,
the callback.

(Resuming from a checkpoint, a save that fails midway, SIGKILL during saves
and NaN weights: cli/test_reliability.py.)
"""

import os
import shutil

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import checkpoints
from keras_wgan.checkpoints import Checkpoint
from tests.helpers import small_models


def _touch(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(name.encode())


def test_list_checkpoints_sorts_by_epoch_and_skips_other_files(tmp_path):
    _touch(tmp_path, "epoch_0010.keras", "epoch_0002.keras",
           "epoch_10000.keras", ".epoch_0011.123.abcd.tmp.keras",
           "epoch_12.keras", "epoch_0003.keras.bak", "model.keras")
    assert checkpoints.list_checkpoints(tmp_path) == [
        (2, str(tmp_path / "epoch_0002.keras")),
        (10, str(tmp_path / "epoch_0010.keras")),
        (10000, str(tmp_path / "epoch_10000.keras")),
    ]
    assert checkpoints.latest_checkpoint(tmp_path) == (
        10000, str(tmp_path / "epoch_10000.keras"))
    assert checkpoints.CHECKPOINT_FORMAT.format(epoch=7) == "epoch_0007.keras"


def test_no_folder_or_no_checkpoint_gives_nothing(tmp_path):
    assert checkpoints.list_checkpoints(tmp_path / "missing") == []
    assert checkpoints.latest_checkpoint(tmp_path / "missing") is None
    _touch(tmp_path / "empty", "notes.txt")
    assert checkpoints.latest_checkpoint(tmp_path / "empty") is None


def test_copy_atomically_replaces_the_target_with_a_separate_file(tmp_path):
    source = tmp_path / "epoch_0002.keras"
    source.write_bytes(b"new")
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")
    assert checkpoints.copy_atomically(source, target) == str(target)
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["epoch_0002.keras", "model.keras"]
    # Fault 1 of issue 20: with a hard link, writing into model.keras (or
    # `cp other.keras model.keras`, which writes into the same file)
    # changed the checkpoint too.
    with open(target, "wb") as f:
        f.write(b"garbage")
    assert source.read_bytes() == b"new"


def test_manifest_records_each_checkpoint_and_verify_tells_damage(tmp_path):
    gan = keras_wgan.WGAN(*small_models(width=2), n_critic=1)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1))
    saver = Checkpoint(tmp_path, keep=2, latest=tmp_path / "model.keras")
    gan.fit(images.astype("float32"), batch_size=8, epochs=3, verbose=0,
            callbacks=[saver])
    digests = checkpoints.read_manifest(tmp_path)
    # The pruned epoch 1 is gone from the manifest; the others are recorded
    # with the SHA-256 of their bytes.
    assert sorted(digests) == ["epoch_0002.keras", "epoch_0003.keras"]
    for name, digest in digests.items():
        assert digest == checkpoints.file_digest(tmp_path / name)
    newest = tmp_path / "epoch_0003.keras"
    assert checkpoints.verify_checkpoint(newest) is None
    assert (tmp_path / "model.keras").read_bytes() == newest.read_bytes()
    assert not os.path.samefile(tmp_path / "model.keras", newest)
    # The same length, one byte changed: only a checksum can tell.
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 1
    newest.write_bytes(bytes(data))
    assert checkpoints.verify_checkpoint(newest) == (
        "its SHA-256 differs from the one recorded when it was written")
    stranger = tmp_path / "epoch_0009.keras"
    shutil.copyfile(tmp_path / "epoch_0002.keras", stranger)
    assert checkpoints.verify_checkpoint(stranger) == (
        "manifest.json has no record of it (not written by this run)")
    # Without a readable manifest a checkpoint cannot be verified (None):
    # only loading it tells.
    (tmp_path / "manifest.json").write_text("{damaged")
    assert checkpoints.read_manifest(tmp_path) is None
    assert checkpoints.verify_checkpoint(newest) is None


def test_check_finite_weights_names_the_first_bad_weight():
    critic, _ = small_models()
    checkpoints.check_finite_weights(critic)  # a new model is finite
    variable = critic.trainable_variables[2]
    values = keras.ops.convert_to_numpy(variable).copy()
    values.flat[5] = -np.inf
    variable.assign(values)
    with pytest.raises(keras_wgan.NonFiniteError,
                       match=f"^weight '{variable.path}' holds NaN or Inf"):
        checkpoints.check_finite_weights(critic)


def test_checkpoint_every_n_epochs_and_the_last(tmp_path):
    gan = keras_wgan.WGAN(*small_models(), n_critic=1)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1))
    saver = Checkpoint(tmp_path, keep=10, every=2)
    gan.fit(images.astype("float32"), batch_size=8, epochs=5, verbose=0,
            callbacks=[saver])
    assert [os.path.basename(p) for p in saver.paths] == [
        "epoch_0002.keras", "epoch_0004.keras", "epoch_0005.keras"]
    assert [epoch for epoch, _ in checkpoints.list_checkpoints(tmp_path)] == [
        2, 4, 5]
    restored = keras.models.load_model(saver.paths[-1])
    assert int(restored.generator_optimizer.iterations) == 5


def test_checkpoint_config_round_trip(tmp_path):
    saver = Checkpoint(tmp_path / "ckpt", keep=4, latest=tmp_path / "m.keras",
                       every=3)
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(saver))
    assert isinstance(clone, Checkpoint)
    assert clone.get_config() == {
        "directory": str(tmp_path / "ckpt"), "keep": 4,
        "latest": str(tmp_path / "m.keras"), "every": 3}
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        Checkpoint(tmp_path, every=0)
