"""keras_wgan.cli.data_record: the fingerprint of a run's data, and the
checks a resume makes against it."""

import os

import numpy as np
import pytest

from keras_wgan.cli import data_record
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.training_data import TrainingData

pytestmark = pytest.mark.above_the_models


def _images(seed, count=4):
    return np.random.default_rng(seed).uniform(
        -1, 1, (count, 8, 8, 1)).astype("float32")


def test_a_fingerprint_changes_with_any_byte_shape_or_dtype():
    images = _images(0)
    same = data_record.fingerprint(images.copy())
    assert data_record.fingerprint(images) == same and len(same) == 64
    changed = images.copy()
    changed[1, 2, 3, 0] += 1e-3
    assert data_record.fingerprint(changed) != same
    assert data_record.fingerprint(images.reshape(2, 16, 8, 1)) != same
    assert data_record.fingerprint(images.astype("float64")) != same
    # A view in another memory order fingerprints its values, not its layout.
    assert data_record.fingerprint(np.asfortranarray(images)) == same
    assert data_record.fingerprint(None) is None


def test_a_folder_is_recorded_by_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faces").mkdir()
    assert data_record.is_path("faces") and not data_record.is_path("mnist")
    assert not data_record.is_path("tfds:mnist")
    assert data_record.source("faces") == os.path.realpath(tmp_path / "faces")
    assert data_record.source("mnist") == "mnist"


def test_resume_refuses_other_images_labels_or_shapes(tmp_path):
    config = TrainConfig(out=str(tmp_path / "run"), conditional=True)
    trained = TrainingData(_images(0), np.array([0, 1, 0, 1]), 2)
    record = {"data": data_record.describe(config, trained)}
    data_record.check_unchanged(record, config, trained)  # the same: passes
    cases = [
        (TrainingData(_images(1), trained.labels, 2), "the images of mnist"),
        (TrainingData(trained.images, np.array([1, 1, 0, 1]), 2),
         "the labels of mnist"),
        (TrainingData(_images(0).reshape(4, 4, 16, 1), trained.labels, 2),
         "the images of mnist are now (4, 16, 1)"),
    ]
    for now, words in cases:
        with pytest.raises(UsageError) as raised:
            data_record.check_unchanged(record, config, now)
        assert str(raised.value).startswith(f"--dataset: {words}")
    # A record of the time before fingerprints is not checked.
    data_record.check_unchanged({}, config, cases[0][0])


def test_a_relative_dataset_resumes_on_the_recorded_folder(tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faces").mkdir()
    record = {"dataset": "faces", "data": {"source": str(tmp_path / "faces")}}
    resolved, options = data_record.resolved(
        record, {"out": "run", "dataset": "faces"})
    assert resolved["dataset"] == str(tmp_path / "faces")
    assert options == {"out": "run"}  # the same folder: taken as recorded
    named = {"dataset": "mnist", "data": {"source": "mnist"}}
    assert data_record.resolved(named, {"out": "run"}) == (named,
                                                            {"out": "run"})


def test_out_inside_the_dataset_folder_is_refused(tmp_path):
    faces = tmp_path / "faces"
    faces.mkdir()
    inside = TrainConfig(out=str(faces / "run"), dataset=str(faces))
    with pytest.raises(UsageError) as raised:
        data_record.check_out_outside(inside)
    assert str(raised.value).startswith(f"--out: {faces}/run lies inside "
                                        f"--dataset {faces}")
    data_record.check_out_outside(TrainConfig(out=str(tmp_path / "run"),
                                              dataset=str(faces)))
