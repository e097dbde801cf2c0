"""keras_wgan.cli.run_record: every field of run.json is checked, and the
first wrong one named."""

import pytest

from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.run_record import REQUIRED_FIELDS
from keras_wgan.cli.run_record import check_record
from keras_wgan.cli.train_config import TrainConfig

pytestmark = pytest.mark.above_the_models

RECORD = TrainConfig(out="o", width=2, latent_dim=4, batch_size=8,
                     n_critic=2, split="test").record(num_images=16)


def test_a_record_train_writes_passes():
    check_record(RECORD, "o/run.json", "o")


@pytest.mark.parametrize("change, message", [
    ({"batch_size": "abc"}, "batch_size must be an integer >= 1, got 'abc' "
     "of type str."),
    ({"epochs": 2.5}, "epochs must be an integer >= 1, got 2.5 of type "
     "float."),
    ({"num_images": None}, "num_images must be an integer >= 1, got None."),
    ({"num_images": "16"}, "num_images must be an integer >= 1, got '16' of "
     "type str."),
    ({"seed": -1}, "seed must be an integer >= 0, got -1."),
    ({"model": "gan"}, "model must be one of ('wgan', 'wgan-gp', 'wgan-lp', "
     "'dragan', 'wgan-r1', 'wgan-sn', 'sngan-hinge'), got 'gan'."),
    ({"split": ["test"]}, "split must be a split name such as 'train', got "
     "['test']."),
    ({"learning_rate": "fast"}, "learning_rate must be a finite number > "
     "0.0, got 'fast' of type str."),
    ({"download": "yes"}, "download must be True or False, got 'yes'."),
    ({"verbose": "2"}, "verbose must be one of (0, 1, 2), got '2'."),
    ({"data_dir": 5}, "data_dir must be a path, got 5."),
    ({"resumed": "twice"}, "resumed must be a list of {checkpoint, "
     "initial_epoch}, got 'twice'."),
    ({"out": 3}, "out must be a path, got 3."),
])
def test_every_recorded_field_is_checked_and_named(change, message):
    with pytest.raises(UsageError) as error:
        check_record(dict(RECORD, **change), "o/run.json", "o")
    assert str(error.value) == f"--resume: o/run.json: {message}"


@pytest.mark.parametrize("record, message", [
    ({"command": "train"}, "lacks the field(s) " + ", ".join(REQUIRED_FIELDS)),
    ({k: v for k, v in RECORD.items() if k != "batch_size"},
     "lacks the field(s) batch_size that 'train' records"),
    (dict(RECORD, colour="red"), "has the field(s) colour, which 'train' "
     "does not record."),
])
def test_incomplete_or_foreign_record_names_the_fields(record, message):
    with pytest.raises(UsageError) as error:
        check_record(record, "o/run.json", "o")
    assert str(error.value).startswith("--resume: o/run.json ")
    assert message in str(error.value) and "data-dir" not in str(error.value)
