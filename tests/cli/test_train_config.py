"""keras_wgan.cli.train_config: TrainConfig, defaults and checks."""

import dataclasses
import json

import pytest

from keras_wgan.cli import build_parser
from keras_wgan.cli.train_config import RESUME_MAY_CHANGE
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.models.registry import get_variant

pytestmark = pytest.mark.backend_independent

# run.json as the command line wrote it before it was split into modules
# (keras_wgan/cli/commands.py), for a run with a few options given.
LEGACY_RECORD = json.loads("""{
  "command": "train", "model": "wgan-gp", "out": "/tmp/oldrun",
  "epochs": 1, "batch_size": 8, "n_critic": 2, "clip_value": null,
  "gp_weight": null, "learning_rate": null, "latent_dim": 8, "width": 2,
  "data_dir": null, "download": false, "split": "test", "num_images": 16,
  "seed": 5, "samples": 4, "sample_every": 1000, "overwrite": false,
  "keep_checkpoints": 3, "verbose": 0
}""")
LEGACY_ARGV = ["train", "--out", "/tmp/oldrun", "--epochs", "1",
               "--num-images", "16", "--model", "wgan-gp", "--width", "2",
               "--latent-dim", "8", "--split", "test", "--batch-size", "8",
               "--n-critic", "2", "--samples", "4", "--sample-every", "1000",
               "--verbose", "0", "--seed", "5"]


def _config(argv):
    return TrainConfig.from_namespace(build_parser().parse_args(argv))


def test_defaults_are_applied_and_explicit_options_recorded():
    config = _config(["train", "--out", "runs/a", "--batch-size", "32",
                      "--download"])
    assert config.batch_size == 32 and config.download is True
    assert config.explicit == {"out", "batch_size", "download"}
    assert (config.model, config.epochs, config.latent_dim, config.width,
            config.seed, config.split, config.samples, config.sample_every,
            config.keep_checkpoints, config.verbose) == (
        "wgan-gp", 10, 128, 64, 0, "train", 64, 1, 3, 1)
    assert (config.clip_value, config.gp_weight, config.learning_rate,
            config.num_images, config.data_dir) == (None,) * 5
    assert config.overwrite is False and config.resume is False


@pytest.mark.parametrize("model", ["wgan", "wgan-gp"])
def test_n_critic_default_is_the_model_s(model):
    config = TrainConfig(out="o", model=model)
    assert config.n_critic == get_variant(model).default("n_critic") == 5
    assert TrainConfig(out="o", model=model, n_critic=2).n_critic == 2


def test_record_has_the_keys_of_the_legacy_run_json_in_order():
    config = _config(LEGACY_ARGV)
    record = config.record(num_images=16)
    # The legacy keys, and those added since: the data and the networks
    # right after "out", the two players' rates (TTUR), the generator's
    # moving average and the decay after the learning rate, and at the end
    # the devices and whether TensorBoard logs are written.
    added = {"recipe": None, "dataset": "mnist", "image_size": None,
             "channels": None, "architecture": None, "conditional": False,
             "class_factors": None}
    expected = list(LEGACY_RECORD)
    at = expected.index("out") + 1
    expected[at:at] = list(added)
    at = expected.index("learning_rate") + 1
    expected[at:at] = ["critic_learning_rate", "generator_learning_rate",
                       "generator_ema", "lr_decay"]
    expected.insert(expected.index("seed") + 1, "init_from")
    expected += ["devices", "tensorboard"]
    assert list(record) == expected
    assert record == {**LEGACY_RECORD, **added, "lr_decay": "none",
                      "critic_learning_rate": None,
                      "generator_learning_rate": None,
                      "generator_ema": None, "init_from": None,
                      "devices": None, "tensorboard": False}
    # A record written now reads back as the same config.
    resumed = TrainConfig.resumed(json.loads(json.dumps(record)),
                                  {"out": "/tmp/oldrun", "resume": True})
    assert dataclasses.replace(resumed, resume=False) == config


def test_legacy_record_is_accepted_by_resume():
    config = TrainConfig.resumed(LEGACY_RECORD, {"out": "elsewhere",
                                                 "resume": True,
                                                 "epochs": 4})
    assert config.out == "elsewhere" and config.epochs == 4
    assert (config.batch_size, config.n_critic, config.width,
            config.num_images, config.seed) == (8, 2, 2, 16, 5)
    assert config.explicit == {"out", "resume", "epochs"}
    assert config.dataset == "mnist"  # the legacy runs were all MNIST


def test_dataset_is_recorded_and_kept_on_resume():
    config = _config(["train", "--out", "runs/f", "--dataset",
                      "fashion_mnist"])
    record = config.record(num_images=60000)
    assert record["dataset"] == "fashion_mnist"
    resumed = TrainConfig.resumed(record, {"out": "runs/f", "resume": True,
                                           "epochs": 20})
    assert resumed.dataset == "fashion_mnist"
    with pytest.raises(ValueError, match="--dataset mnist differs"):
        TrainConfig.resumed(record, {"out": "runs/f", "dataset": "mnist"})


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be an integer >= 1, got 0."),
    ({"batch_size": 2.0}, "batch_size must be an integer >= 1, got 2.0 of type float."),
    ({"seed": -1}, "seed must be an integer >= 0, got -1."),
    ({"n_critic": 0}, "n_critic must be an integer >= 1, got 0."),
    ({"num_images": 0}, "num_images must be an integer >= 1, got 0."),
    ({"clip_value": 0.0, "model": "wgan"}, "clip_value must be a finite number > 0.0, got 0.0."),
    ({"gp_weight": -1.0}, "gp_weight must be a finite number >= 0.0, got -1.0."),
    ({"learning_rate": float("inf")}, "learning_rate must be a finite number > 0.0, got inf."),
    ({"model": "gan"}, "model must be one of ('wgan', 'wgan-gp', 'wgan-lp', "
     "'dragan', 'wgan-r1', 'wgan-sn', 'sngan-hinge'), got 'gan'."),
    ({"dataset": ""}, "dataset must be a path, got ''."),
    ({"split": ""}, "split must be a split name such as 'train', got ''."),
    ({"channels": 2}, "channels must be one of (None, 1, 3), got 2."),
    ({"architecture": "vgg"}, "architecture must be one of ('mnist', 'dcgan', 'resnet'), got 'vgg'."),
    ({"lr_decay": "cosine"}, "lr_decay must be one of ('none', 'linear'), got 'cosine'."),
    ({"image_size": 0}, "image_size must be an integer >= 1, got 0."),
    ({"model": "wgan", "conditional": True}, "--conditional applies to --model wgan-gp only, got --model wgan."),
    ({"verbose": 3}, "verbose must be one of (0, 1, 2), got 3."),
    ({"download": 1}, "download must be True or False, got 1."),
    ({"out": ""}, "out must be a path, got ''."),
    ({"model": "wgan-gp", "clip_value": 0.1}, "--clip-value applies to --model wgan only."),
    ({"model": "wgan", "gp_weight": 1.0}, "--gp-weight applies to --model wgan-gp only."),
    ({"data_dir": "d", "download": True}, "--download applies only without --data-dir."),
    ({"class_factors": (2, 5)}, "--class-factors applies to --conditional runs."),
    ({"class_factors": (2, 1), "conditional": True},
     "class_factors must be class counts >= 2, got (2, 1)."),
])
def test_bad_value_is_one_line(kwargs, message):
    kwargs.setdefault("out", "o")
    with pytest.raises(ValueError) as error:
        TrainConfig(**kwargs)
    assert str(error.value) == message


def test_numbers_are_stored_as_their_kind():
    config = TrainConfig(out="o", model="wgan", clip_value=1, learning_rate=1)
    assert type(config.clip_value) is float and type(config.learning_rate) is float


def test_out_may_be_a_path_object(tmp_path):
    assert TrainConfig(out=tmp_path / "run").out == str(tmp_path / "run")


def test_resume_may_change_only_the_listed_options():
    record = TrainConfig(out="a", learning_rate=1e-4).record(num_images=100)
    changed = {"epochs": 20, "verbose": 2, "data_dir": "mnist",
               "download": False, "learning_rate": 1e-5, "devices": 2,
               "tensorboard": True}
    assert set(changed) == set(RESUME_MAY_CHANGE)
    config = TrainConfig.resumed(record, {"out": "a", **changed})
    for name, value in changed.items():
        assert getattr(config, name) == value
    # The same value as recorded may be given again; another may not.
    assert TrainConfig.resumed(record, {"out": "a", "batch_size": 64}
                               ).batch_size == 64
    with pytest.raises(ValueError) as error:
        TrainConfig.resumed(record, {"out": "a", "batch_size": 4})
    assert str(error.value) == (
        "--batch-size 4 differs from the run's recorded --batch-size 64; "
        "--resume continues the run as recorded in run.json (it may change "
        "only --epochs, --verbose, --data-dir, --download, --learning-rate, "
        "--devices, --tensorboard).")


def test_resume_keeps_recorded_options_not_given_and_defaults_missing():
    record = TrainConfig(out="a", model="wgan", width=8, seed=3).record(50)
    del record["keep_checkpoints"]  # e.g. a record older than the option
    record["resumed"] = [{"checkpoint": "checkpoints/epoch_0001.keras",
                          "initial_epoch": 1}]
    config = TrainConfig.resumed(record, {"out": "b"})
    assert (config.model, config.width, config.seed, config.num_images) == (
        "wgan", 8, 3, 50)
    assert config.keep_checkpoints == TrainConfig.default("keep_checkpoints")
    assert config.out == "b"


def test_resume_of_a_record_with_a_bad_value_is_one_line():
    record = dict(LEGACY_RECORD, model="gan")
    with pytest.raises(ValueError, match=r"^model must be one of"):
        TrainConfig.resumed(record, {"out": "o"})


