"""`python -m keras_wgan train`: train a WGAN or WGAN-GP on MNIST.

`prepare` checks the options, builds (or, with `--resume`, loads) the model
and loads the data, writing nothing; the function it returns trains.
"""

import os

import keras

from keras_wgan import argument_validation
from keras_wgan import data
from keras_wgan.callbacks import Checkpoint
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TerminateOnNonFinite
from keras_wgan.cli.checkpoint import load_model
from keras_wgan.cli.config import RESUME_MAY_CHANGE
from keras_wgan.cli.config import TrainConfig
from keras_wgan.cli.config import given_options
from keras_wgan.cli.parser import UsageError
from keras_wgan.cli.run_folder import CHECKPOINTS_DIR
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.data import batches
from keras_wgan.errors import NonFiniteError
from keras_wgan.models.registry import get_variant
from keras_wgan.nets import architectures


def prepare(args):
    """Checks the options, builds or loads the model, loads the data.

    Writes nothing.

    Args:
        args: The parsed `train` options (`build_parser().parse_args`).

    Returns:
        A function that runs the training and returns the fit history.
    """
    options = given_options(args)
    if options.get("resume"):
        return _prepare_resume(options)
    config = TrainConfig.from_options(options)
    folder = RunFolder(config.out)
    if folder.holds_run() and not config.overwrite:
        raise UsageError(
            f"--out: {config.out} already holds a run; pass --resume to "
            "continue it, --overwrite to start over, or choose a new folder."
        )
    _check_data_dir(config)
    keras.utils.set_random_seed(config.seed)
    model = build_model(config)
    images = load_images(config, model)
    return lambda: train(config, model, images)


def _prepare_resume(options):
    if options.get("overwrite"):
        raise UsageError("--resume and --overwrite exclude each other.")
    folder = RunFolder(options["out"])
    recorded = folder.read_record()
    config = TrainConfig.resumed(recorded, options)
    _check_data_dir(config)
    latest = folder.latest_checkpoint()
    if latest is None:
        raise UsageError(
            f"--resume: {config.out} has no checkpoint in {CHECKPOINTS_DIR}/ "
            "(the run stopped before its first epoch ended); start it again "
            "with --overwrite."
        )
    completed, path = latest
    if config.epochs <= completed:
        raise UsageError(
            f"--epochs must be > {completed} to resume: the run in "
            f"{config.out} has completed {completed} epochs, got --epochs "
            f"{config.epochs}."
        )
    model = load_model(path, "--resume", get_variant(config.model).model_class,
                       exact=True)
    if "learning_rate" in config.explicit:
        model.critic_optimizer.learning_rate = config.learning_rate
        model.generator_optimizer.learning_rate = config.learning_rate
    keras.utils.set_random_seed(config.seed)
    images = load_images(config, model)
    if len(images) != recorded.get("num_images"):
        raise UsageError(
            f"--data-dir: the run was trained on {recorded.get('num_images')} "
            f"images, the data now gives {len(images)}; resume with the "
            "same data."
        )
    return lambda: train(config, model, images, initial_epoch=completed,
                         record=recorded, resumed_from=path)


def _check_data_dir(config):
    if config.data_dir is not None and not os.path.isdir(config.data_dir):
        raise UsageError(f"--data-dir: {config.data_dir} is not a folder.")


def build_model(config):
    """Returns the compiled model of `config`, MNIST networks of its width.

    Example:

    >>> config = TrainConfig(out="run", model="wgan", width=2, latent_dim=4)
    >>> model = build_model(config)
    >>> type(model).__name__, model.n_critic, model.clip_value
    ('WGAN', 5, 0.01)
    """
    variant = get_variant(config.model)
    critic = architectures.mnist_critic(width=config.width)
    generator = architectures.mnist_generator(
        latent_dim=config.latent_dim, width=config.width
    )
    # Only the option of the chosen model's Lipschitz method (the config
    # rejects the other's); None keeps the model's default.
    argument = variant.lipschitz_argument
    value = getattr(config, argument)
    extra = {} if value is None else {argument: value}
    model = variant.model_class(critic, generator, n_critic=config.n_critic,
                                seed=config.seed, **extra)
    model.compile(learning_rate=config.learning_rate)
    return model


def load_images(config, model):
    """Returns the training images of `config`, checked against `model`.

    Raises:
        UsageError: if `--num-images` asks for more images than there are,
            or the last step would leave a critic update without images.
    """
    load = data.IMAGE_DATASETS[config.dataset]
    images = load(split=config.split, data_dir=config.data_dir,
                  download=config.download)
    if config.num_images is not None:
        if config.num_images > len(images):
            raise UsageError(
                f"--num-images must be <= {len(images)} (the images "
                f"available), got {config.num_images}."
            )
        images = images[: config.num_images]
    argument_validation.check_images(images, "images", model.image_shape)
    # Raises here, before anything is written, if the batch size cannot
    # give every critic update of the last step at least one image.
    remainder = batches.short_last_step(len(images), config.batch_size,
                                        config.n_critic)
    if remainder is not None:
        raise UsageError(
            f"--batch-size {config.batch_size} with --n-critic "
            f"{config.n_critic} leaves a last step of {remainder} of "
            f"{len(images)} images, fewer than one per critic update; choose "
            "another --batch-size or --num-images."
        )
    return images


def train(config, model, images, initial_epoch=0, record=None,
          resumed_from=None):
    """Trains `model` and writes the run folder `config.out`.

    Args:
        config: A `TrainConfig`.
        model: The compiled (or loaded) model.
        images: The training images.
        initial_epoch: The epochs already done (a resume).
        record: The run record of a resumed run, updated and rewritten.
        resumed_from: The checkpoint a resumed run continues, or `None` for
            a new run (which first deletes what an earlier run left).

    Returns:
        The fit history.

    Raises:
        NonFiniteError: if a NaN or an infinity stopped the training; its
            message names the last good checkpoint.
    """
    folder = RunFolder(config.out)
    os.makedirs(config.out, exist_ok=True)
    if resumed_from is None:
        folder.clear_previous_run()
        record = config.record(num_images=len(images))
    else:
        record = dict(record, **{name: getattr(config, name)
                                 for name in RESUME_MAY_CHANGE})
        record.setdefault("resumed", []).append(
            {"checkpoint": os.path.relpath(resumed_from, config.out),
             "initial_epoch": initial_epoch}
        )
        folder.truncate_metrics(initial_epoch)
        print(f"resuming from {resumed_from} ({initial_epoch} epochs done)")
    folder.write_record(record)
    samples = SampleGrid(folder.samples, num_samples=config.samples,
                         every=config.sample_every, seed=config.seed)
    # Order matters. The NaN check comes first so that nothing after it
    # runs on a broken step. The metrics row of an epoch is written before
    # its checkpoint: a kill between the two leaves a row that the resume
    # rewrites, never a checkpoint without its row.
    callbacks = [
        TerminateOnNonFinite(),
        keras.callbacks.CSVLogger(folder.metrics, append=initial_epoch > 0),
        samples,
        Checkpoint(folder.checkpoints, keep=config.keep_checkpoints,
                   latest=folder.model),
    ]
    try:
        history = model.fit(images, batch_size=config.batch_size,
                            epochs=config.epochs, initial_epoch=initial_epoch,
                            callbacks=callbacks, verbose=config.verbose)
    except NonFiniteError as error:
        raise NonFiniteError(f"{error} {folder.last_good()}") from None
    print(f"wrote {folder.model}, {folder.metrics} and {len(samples.paths)} "
          f"sample grid(s) in {folder.samples}")
    return history
