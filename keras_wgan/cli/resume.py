"""`train --resume`: continue the run in `--out` from its newest intact
checkpoint.

`prepare` checks the folder, takes its lock, reads and checks `run.json`,
finds the newest checkpoint that verifies and loads (passing over damaged
ones), loads the data and returns the training to run, writing nothing.

Without a `run.json` (deleted, or lost) but with checkpoints, the record is
rebuilt: the checkpoint gives the model, `--n-critic`, `--latent-dim`,
`--width` and `--seed`; what it cannot know, `--batch-size`,
`--num-images` and `--split`, must be given again (the run's data order
depends on them), and the refusal says so with the command to run.
"""

import dataclasses
import os
import shlex
from typing import Any

import keras

from keras_wgan.cli import data_record
from keras_wgan.cli import paths
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.model_loading import load_model
from keras_wgan.cli.model_setup import build_model
from keras_wgan.cli.model_setup import learning_rate
from keras_wgan.cli.model_setup import model_class
from keras_wgan.cli.options import flag
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.cli.train_config import TRAIN_MODELS
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.trainer import check_tensorboard
from keras_wgan.cli.trainer import describe
from keras_wgan.cli.trainer import train
from keras_wgan.cli.training_data import TrainingData
from keras_wgan.cli.training_data import check_data_dir
from keras_wgan.cli.training_data import load_training_data
from keras_wgan.cli.training_data import steps_per_epoch
from keras_wgan.models import ConditionalWGANGP
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.registry import VARIANTS
from keras_wgan.models.schedules import critic_rate
from keras_wgan.nets.registry import default_architecture

#: What a run.json records that no checkpoint does, and a rebuilt record
#: needs given again: the data and its order depend on them.
NOT_IN_CHECKPOINT = ("batch_size", "num_images", "split")


def prepare(options: dict[str, Any]) -> Job:
    """Checks, locks, loads: returns the `Job` that continues the run.

    Args:
        options: The options given (`given_options`), `resume` among them.

    Raises:
        UsageError: in one line, with nothing written.
    """
    if options.get("overwrite"):
        raise UsageError("--resume and --overwrite exclude each other.")
    out = options["out"]
    folder = RunFolder(out)
    if not os.path.exists(out):
        raise UsageError(f"--resume: {out} does not exist, so there is no "
                         "run to continue.")
    paths.check_folder(out, "--out")
    for inside in (folder.checkpoints, folder.samples):
        if os.path.exists(inside):
            paths.check_folder(inside, "--resume")
    lock = folder.lock()
    try:
        job = _prepare_locked(folder, options)
    except BaseException:
        lock.release()
        raise

    def run() -> keras.callbacks.History:
        try:
            return job()
        finally:
            lock.release()

    return Job(run, job.summary, lock.release)


def _prepare_locked(folder: RunFolder, options: dict[str, Any]) -> Job:
    rebuilt = (not os.path.exists(folder.record_path)
               and folder.latest_checkpoint() is not None)
    if rebuilt:
        completed, path, model, skipped = folder.resumable_checkpoint(
            lambda p: load_model(p, "--resume", AdversarialModel))
        recorded = _rebuilt_record(folder, options, model, path)
        config = TrainConfig.resumed(recorded, options)
        check_data_dir(config)
        check_tensorboard(config)
    else:
        recorded, options = data_record.resolved(folder.read_record(),
                                                 options)
        config = TrainConfig.resumed(recorded, options)
        check_data_dir(config)
        check_tensorboard(config)
        data_record.check_out_outside(config)
        completed, path, model, skipped = folder.resumable_checkpoint(
            lambda p: load_model(p, "--resume", model_class(config),
                                 exact=True))
    if config.epochs <= completed:
        raise UsageError(
            f"--epochs must be > {completed} to resume: the run in "
            f"{config.out} has completed {completed} epochs, got --epochs "
            f"{config.epochs}."
        )
    if (config.lr_decay == "linear" and "epochs" in config.explicit
            and config.epochs != recorded.get("epochs")):
        raise UsageError(
            f"--epochs must stay {recorded.get('epochs')} to resume a run "
            "with --lr-decay linear: its learning rate reaches 0 at the "
            f"recorded last epoch, got --epochs {config.epochs}."
        )
    keras.utils.set_random_seed(config.seed)
    training_data = load_training_data(config)
    if len(training_data) != recorded.get("num_images"):
        raise UsageError(
            f"--data-dir: the run was trained on {recorded.get('num_images')} "
            f"images, the data now gives {len(training_data)}; resume with "
            "the same data."
        )
    data_record.check_unchanged(recorded, config, training_data)
    if not rebuilt:
        check_record_matches(recorded, config, model, path, training_data)
    if "learning_rate" in config.explicit and (
            config.critic_learning_rate is not None
            or config.generator_learning_rate is not None):
        raise UsageError(
            "--learning-rate would give both players one rate, but the run "
            "has --critic-learning-rate or --generator-learning-rate (TTUR); "
            "a resume keeps them."
        )
    if "learning_rate" in config.explicit:
        # A new rate for the optimizers as loaded (their state kept); under
        # --lr-decay linear, the same decay to 0 at the same last iteration,
        # from the new initial rate.
        iterations = config.epochs * steps_per_epoch(config,
                                                     len(training_data))
        rate = learning_rate(config, model, iterations)
        model.critic_optimizer.learning_rate = critic_rate(rate,
                                                           model.n_critic)
        model.generator_optimizer.learning_rate = rate
    note = "".join(
        f"; passed over {os.path.basename(newer)}: {reason}"
        for newer, reason in skipped
    )
    return Job(
        lambda: train(config, model, training_data, initial_epoch=completed,
                      record=recorded, resumed_from=path, note=note),
        "resume from " + path + ": "
        + describe(config, model, training_data, completed))


def check_record_matches(record: dict[str, Any], config: TrainConfig,
                         model: AdversarialModel, path: str,
                         training_data: TrainingData) -> None:
    """Raises `UsageError` if run.json disagrees with the checkpoint.

    A hand-edited record (say `width` or `image_shape`) would otherwise be
    kept and rewritten while the checkpoint trains on as it was.
    """
    where = f"--resume: {os.path.join(config.out, 'run.json')}"
    found: dict[str, Any] = {
        "latent_dim": model.latent_dim, "n_critic": model.n_critic,
        "seed": model.seed,
        "num_classes": getattr(model, "num_classes", None),
        "image_shape": list(model.generator.output_shape[1:])}
    for name, value in found.items():
        if name in record and record[name] != value and not (
                name == "num_classes" and not config.conditional):
            raise UsageError(
                f"{where} records {name} {record[name]!r}, but its checkpoint "
                f"{path} has {value!r}; restore the record.")
    if list(training_data.image_shape) != found["image_shape"]:
        raise UsageError(
            f"--dataset: the images are {training_data.image_shape} but the "
            f"checkpoint {path} makes {tuple(found['image_shape'])}; resume "
            "with the same --image-size and --channels.")
    architecture = record.get("architecture") or default_architecture(
        training_data.image_shape)
    try:
        built = build_model(dataclasses.replace(
            config, architecture=architecture), training_data)
    except UsageError:
        built = None

    def shapes(gan):
        return [[tuple(weight.shape) for weight in network.weights]
                for network in (gan.critic, gan.generator)]

    if built is None or shapes(built) != shapes(model):
        raise UsageError(
            f"{where} records width {config.width} and architecture "
            f"{architecture}, but the networks of its checkpoint {path} "
            "have other shapes; restore the record.")


def _rebuilt_record(folder, options, model, path):
    """The run record of a folder without run.json, from `model` (loaded
    from the checkpoint `path`) and the options given."""
    missing = [name for name in NOT_IN_CHECKPOINT if name not in options]
    if missing:
        command = shlex.join(["python", "-m", "keras_wgan", "train", "--out",
                              folder.out, "--resume"])
        raise UsageError(
            f"--resume: {folder.out} holds no run.json, but its checkpoints "
            "are there; to continue from them give the options that a "
            f"checkpoint does not record: {command} "
            + " ".join(f"{flag(name)} ..." for name in NOT_IN_CHECKPOINT)
            + " (and --dataset, --image-size and --channels if the run "
            "had them)."
        )
    conditional = type(model) is ConditionalWGANGP
    names = ["wgan-gp"] if conditional else [
        name for name in TRAIN_MODELS
        if type(model) is VARIANTS[name].model_class]
    if not names:
        raise UsageError(f"--resume: {path} holds a {type(model).__name__}, "
                         "not a model 'train' writes.")
    variant = VARIANTS[names[0]]
    known = {
        "model": names[0],
        "n_critic": model.n_critic,
        "latent_dim": model.latent_dim,
        # The first convolution of the MNIST critic has `width` filters,
        # one bias each.
        "width": next(int(weight.shape[0]) for weight in model.critic.weights
                      if weight.path.endswith("bias")),
        "seed": model.seed,
        "conditional": conditional,
    }
    if variant.lipschitz_argument in ("clip_value", "gp_weight"):
        # Spectral normalisation's power_iterations has no option.
        known[variant.lipschitz_argument] = float(
            getattr(model, variant.lipschitz_argument))
    for name, value in known.items():
        if name in options and options[name] != value:
            raise UsageError(
                f"{flag(name)} {options[name]} differs from the checkpoint's "
                f"{flag(name)} {value} ({path})."
            )
    given = {name: value for name, value in options.items()
             if name not in ("out", "resume")}
    config = TrainConfig.from_options({**known, **given, "out": folder.out})
    record = config.record(num_images=options["num_images"])
    record["recreated_from"] = os.path.relpath(path, folder.out)
    return record
