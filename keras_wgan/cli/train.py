"""`python -m keras_wgan train`: train a WGAN or WGAN-GP on any images.

`prepare` checks the options, loads the data and builds (or, with
`--resume`, loads) the model, writing nothing; the function it returns
trains. The data is loaded by `training_data`, the model built by
`model_setup`, the training run by `trainer`; `resume` continues a run.
"""

import argparse
import contextlib
import dataclasses
import math
import os
import sys
from typing import Any

import keras

from keras_wgan import distribute
from keras_wgan.cli import data_record
from keras_wgan.cli import paths
from keras_wgan.cli import resume
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.model_setup import build_model
from keras_wgan.cli.model_setup import init_from
from keras_wgan.cli.options import given_options
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.trainer import check_tensorboard
from keras_wgan.cli.trainer import describe
from keras_wgan.cli.trainer import train
from keras_wgan.cli.training_data import check_data_dir
from keras_wgan.cli.training_data import load_training_data
from keras_wgan.cli.training_data import steps_per_epoch
from keras_wgan.zoo import PRETRAINED_MODELS


def prepare(args: argparse.Namespace) -> Job:
    """Checks the options, builds or loads the model, loads the data.

    Writes nothing, but holds the lock of `--out` (`RunFolder.lock`) until
    the training it returns ends; a refusal lets it go at once.

    With `--devices`, or in processes started by `torchrun`, the model is
    built and trained inside `keras_wgan.distribute.data_parallel`, and only
    the chief process (`distribute.is_chief`) locks and writes `--out`.

    Args:
        args: The parsed `train` options (`build_parser().parse_args`).

    Returns:
        A `Job` that runs the training and returns the fit history.
    """
    options = given_options(args)
    devices = options.get("devices")
    if devices is None and options.get("resume"):
        devices = _recorded_devices(options["out"])
    with contextlib.ExitStack() as stack:
        # torchrun sets WORLD_SIZE in each process it starts.
        if devices is not None or "WORLD_SIZE" in os.environ:
            stack.enter_context(distribute.data_parallel(devices))
        job = _prepare(dict(options, devices=devices) if devices else options)
        scope = stack.pop_all()

    def run() -> Any:
        with scope:
            return job()

    def cancel() -> None:
        with scope:
            job.cancel()

    return Job(run, job.summary, cancel)


def _recorded_devices(out):
    """The `--devices` of the run in `out` that `--resume` continues.

    `None` where nothing readable is recorded: the resume itself then
    says what is wrong with the folder.
    """
    try:
        return RunFolder(out).read_record().get("devices")
    except (UsageError, OSError):
        return None


def _prepare(options: dict[str, Any]) -> Job:
    if options.get("resume"):
        return resume.prepare(options)
    config = TrainConfig.from_options(options)
    # Before any work: a folder that cannot be written is one line now,
    # not a traceback after the model is built and the data loaded.
    paths.check_folder(config.out, "--out")
    check_tensorboard(config)
    data_record.check_out_outside(config)
    folder = RunFolder(config.out)
    lock = folder.lock()
    try:
        if (folder.holds_run() and not config.overwrite
                and distribute.is_chief()):
            raise UsageError(
                f"--out: {config.out} already holds a run; pass --resume to "
                "continue it, --overwrite to start over, or choose a new "
                "folder."
            )
        if distribute.is_chief():
            check_run_folder(folder, config.overwrite)
        check_data_dir(config)
        keras.utils.set_random_seed(config.seed)
        if config.init_from is not None and \
                config.init_from not in PRETRAINED_MODELS and \
                not os.path.isfile(config.init_from):
            raise UsageError(f"--init-from: {config.init_from} is not a "
                             "file or a pretrained model's name.")
        training_data = load_training_data(config)
        model = build_model(config, training_data)
        if config.init_from is not None:
            init_from(model, config.init_from)
        # After every check, so that a refused run says only why.
        warning = small_data_warning(config, len(training_data))
        if warning and distribute.is_chief():
            print(f"warning: {warning}", file=sys.stderr)
    except BaseException:
        lock.release(remove_created=True)
        raise

    def run() -> keras.callbacks.History:
        try:
            return train(config, model, training_data)
        finally:
            lock.release()

    summary = describe(config, model, training_data) + (
        "" if config.init_from is None
        else f", starting from the weights of {config.init_from}")
    return Job(run, summary, lambda: lock.release(remove_created=True))



def check_run_folder(folder: RunFolder, overwrite: bool) -> None:
    """Raises `UsageError` unless a new run can write all of `folder`.

    With `overwrite`, also unless every file of the earlier run that the
    new one deletes or replaces can go: checked before any is deleted, so
    that a refusal keeps the earlier run whole.
    """
    for inside in (folder.checkpoints, folder.samples):
        if os.path.exists(inside):
            paths.check_folder(inside, "--out")
    if overwrite:
        paths.check_removable(folder.previous_run_files()
                              + [folder.record_path, folder.metrics],
                              "--overwrite")



FEW_STEPS = 10
#: The generator iterations `small_data_warning` suggests at least.
SUGGESTED_ITERATIONS = 2000


def small_data_warning(config: TrainConfig, num_images: int) -> str | None:
    """Says what to do when an epoch is only a few generator iterations.

    A few hundred images at the default batch size make one step an epoch,
    so a run of the default epochs trains a few dozen iterations and draws
    grey blurs; this names the numbers and suggests a smaller
    `--batch-size` and more `--epochs`.

    Returns:
        The warning, or `None` when an epoch has `FEW_STEPS` steps or more.

    Example:

    >>> print(small_data_warning(TrainConfig(out="run"), 300))
    --dataset has 300 images, so with --batch-size 64 and --n-critic 5 an epoch is 1 generator iteration (each iteration draws 5 batches) and --epochs 10 trains 10; GANs need thousands of iterations, and so few draw grey blurs. Try --batch-size 4 --epochs 134: 15 iterations an epoch, 2010 in all.
    >>> small_data_warning(TrainConfig(out="run"), 60_000) is None
    True
    """
    steps = steps_per_epoch(config, num_images)
    if steps >= FEW_STEPS:
        return None
    per_step = num_images / (config.n_critic * FEW_STEPS)
    batch = 2 ** max(0, math.floor(math.log2(max(per_step, 1))))
    batch = min(batch, config.batch_size)
    suggested = dataclasses.replace(config, batch_size=batch)
    new_steps = steps_per_epoch(suggested, num_images)
    epochs = math.ceil(SUGGESTED_ITERATIONS / new_steps)
    return (f"--dataset has {num_images} images, so with --batch-size "
            f"{config.batch_size} and --n-critic {config.n_critic} an epoch "
            f"is {steps} generator iteration{'s' * (steps != 1)} (each "
            f"iteration draws {config.n_critic} batches) and --epochs "
            f"{config.epochs} trains {steps * config.epochs}; GANs need "
            "thousands of iterations, and so few draw grey blurs. Try "
            f"--batch-size {batch} --epochs {epochs}: {new_steps} iterations "
            f"an epoch, {new_steps * epochs} in all.")
