"""`python -m keras_wgan train`: train a WGAN or WGAN-GP on any images.

`prepare` checks the options, loads the data and builds (or, with
`--resume`, loads) the model, writing nothing; the function it returns
trains.
"""

import contextlib
import dataclasses
import math
import os
import re
import signal
import sys

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan import data
from keras_wgan import distribute
from keras_wgan.callbacks import Checkpoint
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TensorBoard
from keras_wgan.callbacks import TerminateOnNonFinite
from keras_wgan.cli import data_record
from keras_wgan.cli import paths
from keras_wgan.cli import signals
from keras_wgan.cli.config import RESUME_MAY_CHANGE
from keras_wgan.cli.config import TrainConfig
from keras_wgan.cli.config import given_options
from keras_wgan.cli.parser import UsageError
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.data import batches
from keras_wgan.errors import NonFiniteError
from keras_wgan.models import linear_decay
from keras_wgan.models.registry import get_variant
from keras_wgan.nets.registry import build_networks
from keras_wgan.nets.registry import default_architecture
from keras_wgan.zoo import PRETRAINED_MODELS


def prepare(args):
    """Checks the options, builds or loads the model, loads the data.

    Writes nothing, but holds the lock of `--out` (`RunFolder.lock`) until
    the training it returns ends; a refusal lets it go at once.

    With `--devices`, or in processes started by `torchrun`, the model is
    built and trained inside `keras_wgan.distribute.data_parallel`, and only
    the chief process (`distribute.is_chief`) locks and writes `--out`.

    Args:
        args: The parsed `train` options (`build_parser().parse_args`).

    Returns:
        A function that runs the training and returns the fit history.
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

    def run():
        with scope:
            return job()

    def cancel():
        with scope:
            job.cancel()

    run.summary = job.summary
    run.cancel = cancel
    return run


def _recorded_devices(out):
    """The `--devices` of the run in `out` that `--resume` continues.

    `None` where nothing readable is recorded: the resume itself then
    says what is wrong with the folder.
    """
    try:
        return RunFolder(out).read_record().get("devices")
    except (UsageError, OSError):
        return None


def _prepare(options):
    if options.get("resume"):
        from keras_wgan.cli import resume  # it builds on this module

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

    def run():
        try:
            return train(config, model, training_data)
        finally:
            lock.release()

    run.summary = describe(config, model, training_data) + (
        "" if config.init_from is None
        else f", starting from the weights of {config.init_from}")
    run.cancel = lambda: lock.release(remove_created=True)
    return run


def check_tensorboard(config):
    """Raises `UsageError` if `--tensorboard` is given without the
    tensorboard package."""
    if not config.tensorboard:
        return
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise UsageError("--tensorboard needs the tensorboard package: pip "
                         "install keras-wgan[tensorboard] (TensorFlow is "
                         "not needed).") from None


def check_run_folder(folder, overwrite):
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


def describe(config, model, training_data, initial_epoch=0):
    """One line on what `train` would do: the `--dry-run` output.

    Example:

    >>> config = TrainConfig(out="runs/a", model="wgan", width=2,
    ...                      latent_dim=4, epochs=2)
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> describe(config, model, TrainingData(images))
    'train WGAN on 640 images of shape 28x28x1 for epochs 1 to 2 (2 steps of 5 critic batches of 64 an epoch, 4 generator iterations) into runs/a'
    """
    steps = steps_per_epoch(config, len(training_data))
    epochs = config.epochs - initial_epoch
    shape = "x".join(map(str, training_data.image_shape))
    return (f"train {type(model).__name__} on {len(training_data)} images of "
            f"shape {shape} for epochs {initial_epoch + 1} to {config.epochs}"
            f" ({steps} steps of {config.n_critic} critic batches of "
            f"{config.batch_size} an epoch, {steps * max(epochs, 0)} "
            f"generator iterations) into {config.out}")


def check_data_dir(config):
    """Raises `UsageError` if `--data-dir` is given and not a folder."""
    if config.data_dir is not None and not os.path.isdir(config.data_dir):
        raise UsageError(f"--data-dir: {config.data_dir} is not a folder.")


@dataclasses.dataclass(frozen=True)
class TrainingData:
    """The training images of a run, with their labels when it is
    conditional.

    Attributes:
        images: float32 array `(N, H, W, C)` in [-1, 1].
        labels: int array `(N,)`, or `None` for an unconditional run.
        num_classes: The number of classes of a conditional run, else
            `None`.
    """

    images: np.ndarray
    labels: np.ndarray = None
    num_classes: int = None

    @property
    def image_shape(self):
        return tuple(self.images.shape[1:])

    def __len__(self):
        return len(self.images)


def load_training_data(config):
    """Returns the `TrainingData` of `config`: `--dataset` and its options.

    Raises:
        UsageError: if `--dataset` names nothing there is, `--num-images`
            asks for more images than there are, or the last step would
            leave a critic update without images.
    """
    source = config.dataset
    if (source not in data.DATASETS and not source.startswith("tfds:")
            and not os.path.exists(source)):
        raise UsageError(
            f"--dataset must be a dataset name ({', '.join(data.DATASETS)}), "
            "tfds:NAME, or an existing folder of images or .npy/.npz file, "
            f"got {source}."
        )
    try:
        loaded = data.load_images(
            source, image_size=config.image_size, channels=config.channels,
            split=config.split, return_labels=config.conditional,
            data_dir=config.data_dir, download=config.download,
            verbose=config.verbose == 1,
            # The images are taken before they are resized.
            limit=config.num_images,
        )
    except ValueError as error:
        if str(error).startswith("image_size "):
            raise UsageError(str(error).replace(
                "image_size", "--image-size").replace(
                "fewer images", "a smaller --num-images")) from None
        if config.conditional and str(error).startswith("return_labels"):
            raise UsageError(
                f"--conditional needs labels, and --dataset {source} has "
                "none: put the images in one subfolder per class, or pass "
                "an .npz file with labels under y."
            ) from None
        raise
    images, labels = loaded if config.conditional else (loaded, None)
    named = None
    if labels is not None:
        named = _class_count(config)
        _check_classes(config, labels, named)
    if config.num_images is not None:
        if config.num_images > len(images):
            raise UsageError(
                f"--num-images must be <= {len(images)} (the images "
                f"available), got {config.num_images}."
            )
        images = images[: config.num_images]
        labels = None if labels is None else labels[: config.num_images]
    num_classes = None
    if config.conditional:
        num_classes = _num_classes(config, labels, named)
    # Raises here, before anything is written, if the batch size cannot
    # give every critic update of the last step at least one image.
    replicas = distribute.replicas()
    if config.batch_size % replicas:
        raise UsageError(
            f"--batch-size must be a multiple of the {replicas} devices (it "
            f"is the global batch), got {config.batch_size}."
        )
    remainder = batches.short_last_step(len(images), config.batch_size,
                                        config.n_critic, replicas)
    if remainder is not None:
        raise UsageError(
            f"--batch-size {config.batch_size} with --n-critic "
            f"{config.n_critic} leaves a last step of {remainder} of "
            f"{len(images)} images, fewer than one per critic update"
            + (f" of each of {replicas} devices or not a multiple of them"
               if replicas > 1 else "")
            + "; choose another --batch-size or --num-images."
        )
    return TrainingData(images, labels, num_classes)


def _class_count(config):
    """The number of the source's class names, or `None` if it has none."""
    try:
        return len(data.class_names(config.dataset, split=config.split))
    except ValueError:
        return None


def _check_classes(config, labels, count):
    """Raises `UsageError` unless the labels are classes 0..K-1, each one
    present (or below the source's count of class names).

    Checked before anything is built: a label such as 999999 would
    otherwise make a model of a million classes. With `--num-images`, the
    labels are those of the images taken.
    """
    present = np.unique(labels)
    if count is not None and present[-1] < count:
        return
    if count is None and np.array_equal(present, np.arange(len(present))):
        return
    expected = (f"below the {count} class names" if count is not None
                else "the classes 0..K-1, each one present")
    missing = np.setdiff1d(np.arange(min(int(present[-1]), len(labels)) + 1),
                           present)
    raise UsageError(
        f"--conditional needs labels {expected}; --dataset {config.dataset} "
        f"has {len(present)} distinct labels from {present[0]} to "
        f"{present[-1]}" + (f" (none is {missing[0]})" if len(missing) else "")
        + "; number the classes 0, 1, 2, ... without gaps."
    )


def _num_classes(config, labels, named):
    """The classes of a conditional run: the source's `named` class names,
    else one more than the largest label."""
    count = named if named is not None else int(labels.max()) + 1
    if count < 2:
        raise UsageError(
            f"--conditional needs labels of at least 2 classes; "
            f"{config.dataset} has {count}."
        )
    return count


#: Fewer generator iterations an epoch than this get `small_data_warning`.
FEW_STEPS = 10
#: The generator iterations `small_data_warning` suggests at least.
SUGGESTED_ITERATIONS = 2000


def small_data_warning(config, num_images):
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


def steps_per_epoch(config, num_images):
    """The generator iterations of one epoch over `num_images` images.

    Example:

    >>> steps_per_epoch(TrainConfig(out="run"), 60_000)  # 5 batches of 64
    188
    """
    return math.ceil(num_images / (config.batch_size * config.n_critic))


def model_class(config):
    """Returns the model class `config` trains.

    Example:

    >>> model_class(TrainConfig(out="run", conditional=True)).__name__
    'ConditionalWGANGP'
    """
    if config.conditional:
        from keras_wgan.models import ConditionalWGANGP

        return ConditionalWGANGP
    return get_variant(config.model).model_class


def build_model(config, training_data):
    """Returns the compiled model of `config` for `training_data`.

    The networks are those of `--architecture` (by default chosen by the
    images' shape), of `--width` and `--latent-dim`.

    Example:

    >>> config = TrainConfig(out="run", model="wgan", width=2, latent_dim=4)
    >>> images = np.zeros((10, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> type(model).__name__, model.n_critic, model.clip_value
    ('WGAN', 5, 0.01)
    """
    variant = get_variant(config.model)
    architecture = (config.architecture
                    or default_architecture(training_data.image_shape))
    try:
        critic, generator = build_networks(
            architecture, training_data.image_shape,
            latent_dim=config.latent_dim, width=config.width,
            num_classes=training_data.num_classes,
        )
    except ValueError as error:
        raise UsageError(f"--architecture {architecture} does not fit the "
                         f"images of --dataset: {error}") from None
    # Only the option of the chosen model's Lipschitz method (the config
    # rejects the other's); None keeps the model's default.
    argument = variant.lipschitz_argument
    value = getattr(config, argument, None)  # no option for every one
    extra = {} if value is None else {argument: value}
    if training_data.num_classes is not None:
        extra["num_classes"] = training_data.num_classes
    if config.generator_ema is not None:
        extra["generator_ema"] = config.generator_ema
    model = model_class(config)(critic, generator, n_critic=config.n_critic,
                                seed=config.seed, **extra)
    iterations = config.epochs * steps_per_epoch(config, len(training_data))
    model.compile(
        learning_rate=learning_rate(config, model, iterations),
        critic_learning_rate=learning_rate(config, model, iterations,
                                           "critic"),
        generator_learning_rate=learning_rate(config, model, iterations,
                                              "generator"))
    return model


def init_from(model, source):
    """Copies the critic's and generator's weights of `source` into `model`.

    The optimizers stay fresh, and a moving average of the generator
    (`--generator-ema`) starts from the copied generator. This continues a
    trained model with other settings (a learning-rate decay, a moving
    average) as a new run.

    Args:
        model: A built model of the run.
        source: The name of a pretrained model (`keras_wgan.pretrained`)
            or a `.keras` file written by `train`.

    Raises:
        UsageError: naming `--init-from`, if the file does not load or its
            networks' weights differ in number or shape from `model`'s.

    Example:

    >>> config = TrainConfig(out="run", width=32, latent_dim=128)
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> init_from(model, "mnist-wgan-gp")
    >>> pretrained = keras_wgan.pretrained("mnist-wgan-gp")
    >>> bool(np.allclose(model.generate(4, seed=0), pretrained.generate(4, seed=0)))
    True
    """
    from keras_wgan.cli.checkpoint import load_model
    from keras_wgan.models.adversarial import AdversarialModel
    from keras_wgan.zoo import pretrained

    if source in PRETRAINED_MODELS:
        donor = pretrained(source)
    else:
        donor = load_model(source, "--init-from", AdversarialModel)
    for player in ("critic", "generator"):
        ours = getattr(model, player).weights
        theirs = getattr(donor, player, None)
        theirs = [] if theirs is None else theirs.weights
        shapes = [tuple(w.shape) for w in ours]
        if shapes != [tuple(w.shape) for w in theirs]:
            raise UsageError(
                f"--init-from: the {player} of {source} does not match this "
                "run's networks (weight shapes differ); give the --width, "
                "--latent-dim, --architecture and data it was trained with.")
        for variable, value in zip(ours, theirs):
            variable.assign(value)
    average = getattr(model, "ema_generator", None)
    if average is not None:
        average.set_weights(model.generator.get_weights())


def learning_rate(config, model, iterations, player=None):
    """The `compile(learning_rate=...)` of `config`, or one player's rate.

    Args:
        config: A `TrainConfig`.
        model: The model to compile.
        iterations: The generator iterations of the whole run, over which
            `--lr-decay linear` decays the learning rate to 0.
        player: `None` for `learning_rate`; `"critic"` or `"generator"`
            for `compile(critic_learning_rate=...)` or
            `generator_learning_rate` (TTUR), `None` when that option is
            not given.

    Returns:
        `None` (the model's default), a number, or for `--lr-decay linear`
        the paper's decay (`keras_wgan.models.linear_decay`) from
        `--learning-rate` or the model's default rate.

    Example:

    >>> config = TrainConfig(out="run", lr_decay="linear")
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))  # 2 steps an epoch
    >>> schedule = learning_rate(config, model, iterations=20)
    >>> [round(float(schedule(t)), 8) for t in (0, 10, 20)]
    [0.0001, 5e-05, 0.0]
    """
    rate = (config.learning_rate if player is None
            else getattr(config, f"{player}_learning_rate"))
    if config.lr_decay == "none" or (player is not None and rate is None):
        return rate
    if rate is None:
        rate = float(keras.ops.convert_to_numpy(
            model.default_optimizer().learning_rate))
    return linear_decay(rate, iterations)


def train(config, model, training_data, initial_epoch=0, record=None,
           resumed_from=None, note=""):
    """Trains `model` and writes the run folder `config.out`.

    Args:
        config: A `TrainConfig`.
        model: The compiled (or loaded) model.
        training_data: The `TrainingData`.
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
            return _train(config, model, training_data, initial_epoch,
                          record, resumed_from, note)
        except KeyboardInterrupt as stop:
            signum = getattr(stop, "signum", signal.SIGINT)
            raise signals.Interrupted(
                signum, f"{signal.Signals(signum).name}: training stopped; "
                f"{RunFolder(config.out).resume_hint()}") from None
        except Exception as error:
            if not distribute.lost_replica(error):
                raise
            hint = RunFolder(config.out).resume_hint()
            signum = signals.asked()
            if signum is not None:
                # The run was asked to stop, and another process stopped
                # first: this one stops too, for the same reason.
                raise signals.Interrupted(
                    signum, f"{signal.Signals(signum).name}: training "
                    f"stopped; {hint}") from None
            found = re.search(r"Connection (reset|closed) by peer",
                              str(error))
            reason = (found.group(0).lower() if found
                      else str(error).strip().splitlines()[0][:200])
            raise distribute.ReplicaLost(
                "another process of the data-parallel run stopped, so this "
                f"one cannot go on ({reason}); {hint}") from None


def _train(config, model, training_data, initial_epoch, record, resumed_from,
           note):
    if not distribute.is_chief():
        # The other processes of a data-parallel run train alongside the
        # chief and write nothing; the chief writes the run folder.
        return model.fit(training_data.images, training_data.labels,
                         batch_size=config.batch_size, epochs=config.epochs,
                         initial_epoch=initial_epoch, verbose=0,
                         callbacks=[TerminateOnNonFinite(),
                                    signals.StopAtSafePoint()])
    folder = RunFolder(config.out)
    os.makedirs(config.out, exist_ok=True)
    # Left by writes that a kill interrupted; the lock says none is running.
    folder.remove_temporaries()
    if resumed_from is None:
        folder.clear_previous_run()
        record = config.record(num_images=len(training_data))
        record["architecture"] = (
            config.architecture
            or default_architecture(training_data.image_shape))
        record["image_shape"] = list(training_data.image_shape)
        record["num_classes"] = training_data.num_classes
        record["data"] = data_record.describe(config, training_data)
    else:
        record = dict(record, **{name: getattr(config, name)
                                 for name in RESUME_MAY_CHANGE})
        # A run recorded before fingerprints were kept gets one now.
        record.setdefault("data", data_record.describe(config,
                                                       training_data))
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
    if config.tensorboard:
        # After the sample grid, whose file it logs, and before the
        # checkpoint: what TensorBoard shows of an epoch is never missing
        # from a run that resumes after it.
        callbacks.insert(3, TensorBoard(folder.tensorboard, grids=samples))
    try:
        history = model.fit(training_data.images, training_data.labels,
                            batch_size=config.batch_size,
                            epochs=config.epochs, initial_epoch=initial_epoch,
                            callbacks=callbacks, verbose=config.verbose)
    except NonFiniteError as error:
        raise NonFiniteError(f"{error} {folder.last_good()}") from None
    print(f"wrote {folder.model}, {folder.metrics} and {len(samples.paths)} "
          f"sample grid(s) in {folder.samples}")
    return history
