"""`python -m keras_wgan train`: train a WGAN or WGAN-GP on MNIST.

`prepare` checks the options, builds (or, with `--resume`, loads) the model
and loads the data, writing nothing; the function it returns trains.
"""

import os
import signal

import keras

from keras_wgan import argument_validation
from keras_wgan import data
from keras_wgan.callbacks import Checkpoint
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TerminateOnNonFinite
from keras_wgan.cli import paths
from keras_wgan.cli import signals
from keras_wgan.cli.config import RESUME_MAY_CHANGE
from keras_wgan.cli.config import TrainConfig
from keras_wgan.cli.config import given_options
from keras_wgan.cli.parser import UsageError
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.data import batches
from keras_wgan.errors import NonFiniteError
from keras_wgan.models.registry import get_variant
from keras_wgan.nets import architectures


def prepare(args):
    """Checks the options, builds or loads the model, loads the data.

    Writes nothing, but holds the lock of `--out` (`RunFolder.lock`) until
    the training it returns ends; a refusal lets it go at once.

    Args:
        args: The parsed `train` options (`build_parser().parse_args`).

    Returns:
        A function that runs the training and returns the fit history.
    """
    options = given_options(args)
    if options.get("resume"):
        from keras_wgan.cli import resume  # it builds on this module

        return resume.prepare(options)
    config = TrainConfig.from_options(options)
    # Before any work: a folder that cannot be written is one line now,
    # not a traceback after the model is built and the data loaded.
    paths.check_folder(config.out, "--out")
    folder = RunFolder(config.out)
    lock = folder.lock()
    try:
        if folder.holds_run() and not config.overwrite:
            raise UsageError(
                f"--out: {config.out} already holds a run; pass --resume to "
                "continue it, --overwrite to start over, or choose a new "
                "folder."
            )
        check_data_dir(config)
        keras.utils.set_random_seed(config.seed)
        model = build_model(config)
        images = load_images(config, model)
    except BaseException:
        lock.release(remove_created=True)
        raise

    def run():
        try:
            return train(config, model, images)
        finally:
            lock.release()

    return run


def check_data_dir(config):
    """Raises `UsageError` if `--data-dir` is given and not a folder."""
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
          resumed_from=None, note=""):
    """Trains `model` and writes the run folder `config.out`.

    Args:
        config: A `TrainConfig`.
        model: The compiled (or loaded) model.
        images: The training images.
        initial_epoch: The epochs already done (a resume).
        record: The run record of a resumed run, updated and rewritten.
        resumed_from: The checkpoint a resumed run continues, or `None` for
            a new run (which first deletes what an earlier run left).
        note: Added to the line that says where a resumed run continues
            from (e.g. which newer checkpoints were damaged).

    Returns:
        The fit history.

    Raises:
        NonFiniteError: if a NaN or an infinity stopped the training; its
            message names the last good checkpoint.
        signals.Interrupted: if Ctrl-C or SIGTERM stopped it (at a safe
            point); its message says how to continue.
    """
    with signals.deferred():
        try:
            return _train(config, model, images, initial_epoch, record,
                          resumed_from, note)
        except KeyboardInterrupt as stop:
            signum = getattr(stop, "signum", signal.SIGINT)
            raise signals.Interrupted(
                signum, f"{signal.Signals(signum).name}: training stopped; "
                f"{RunFolder(config.out).resume_hint()}") from None


def _train(config, model, images, initial_epoch, record, resumed_from, note):
    folder = RunFolder(config.out)
    os.makedirs(config.out, exist_ok=True)
    # Left by writes that a kill interrupted; the lock says none is running.
    folder.remove_temporaries()
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
        from keras_wgan.cli import resume

        resume.adopt(folder, resumed_from)
        print(f"resuming from {resumed_from} ({initial_epoch} epochs "
              f"done){note}")
    folder.write_record(record)
    samples = SampleGrid(folder.samples, num_samples=config.samples,
                         every=config.sample_every, seed=config.seed)
    # Order matters. The NaN check comes first so that nothing after it
    # runs on a broken step. The metrics row of an epoch is written before
    # its checkpoint: a kill between the two leaves a row that the resume
    # rewrites, never a checkpoint without its row.
    callbacks = [
        TerminateOnNonFinite(),
        folder.metrics_logger(append=initial_epoch > 0),
        samples,
        Checkpoint(folder.checkpoints, keep=config.keep_checkpoints,
                   latest=folder.model),
        signals.StopAtSafePoint(),  # last: after the epoch's checkpoint
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
