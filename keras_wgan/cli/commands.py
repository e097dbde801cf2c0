"""Command line: `python -m keras_wgan train|sample|compare ...`.

Every bad argument ends in one line on stderr that names the argument and
the expected value, exit status 2, and nothing written.
"""

import argparse
import json
import os
import sys

from keras_wgan.zoo import PRETRAINED_MODELS

MODELS = ("wgan", "wgan-gp")
CHECKPOINT_NAME = "model.keras"
CHECKPOINTS_DIR = "checkpoints"
METRICS_NAME = "metrics.csv"
RUN_NAME = "run.json"
SAMPLES_DIR = "samples"
# What a resumed run may change: how long it trains, how it reports, where
# the (same) data is read from, and the learning rate (the way out of a run
# stopped by a NaN). Anything else would make it another run.
RESUME_MAY_CHANGE = ("epochs", "verbose", "data_dir", "download",
                     "learning_rate")
# Exit status of a run stopped by a NaN or an infinity.
NON_FINITE_STATUS = 3


class UsageError(Exception):
    """A bad argument, reported as one line without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse's default prints the whole usage block first; one line is
        # easier to read in a log and is what every other error here gives.
        raise UsageError(f"{self.prog}: {message}")


def _number(kind, minimum, inclusive=True):
    from keras_wgan import argument_validation

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            if kind is int:
                return argument_validation.check_int("value", value, minimum)
            return argument_validation.check_float("value", value, minimum, inclusive)
        except ValueError as error:
            raise argparse.ArgumentTypeError(
                str(error).replace("value must be", "must be", 1)
            ) from None

    parse.__name__ = kind.__name__
    return parse


def build_parser():
    """Returns the argument parser of `python -m keras_wgan`."""
    parser = _Parser(
        prog="python -m keras_wgan",
        description="Train Wasserstein GANs on MNIST and draw samples.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train a WGAN or WGAN-GP on MNIST",
        description=(
            "Train on MNIST and write into --out: checkpoints/epoch_NNNN.keras "
            "(the model after NNNN epochs, written atomically every epoch, the "
            "last --keep-checkpoints kept), model.keras (the newest of them), "
            "samples/epoch_NNN.png (sample grids), metrics.csv (logged metrics "
            "per epoch) and run.json (the arguments and the number of training "
            "images). A run stopped by a NaN or an infinity exits with status "
            f"{NON_FINITE_STATUS} and leaves its last good checkpoint as the "
            "newest; an interrupted run continues with --resume."
        ),
    )
    train.add_argument("--model", choices=MODELS, default="wgan-gp",
                       help="wgan: weight clipping; wgan-gp: gradient "
                       "penalty (default)")
    train.add_argument("--out", required=True,
                       help="output folder, e.g. runs/mnist")
    train.add_argument("--epochs", type=_number(int, 1), default=10,
                       help="passes over the data (default 10)")
    train.add_argument("--batch-size", type=_number(int, 1), default=64,
                       help="images per critic update (default 64); a step "
                       "draws n-critic batches")
    train.add_argument("--n-critic", type=_number(int, 1), default=5,
                       help="critic updates per generator update (default 5)")
    train.add_argument("--clip-value", type=_number(float, 0.0, False),
                       default=None,
                       help="wgan only: clip critic weights to [-c, c] "
                       "(default 0.01)")
    train.add_argument("--gp-weight", type=_number(float, 0.0), default=None,
                       help="wgan-gp only: penalty weight lambda (default 10)")
    train.add_argument("--learning-rate", type=_number(float, 0.0, False),
                       default=None,
                       help="learning rate of both optimizers (default: "
                       "5e-5 RMSprop for wgan, 1e-4 Adam(0, 0.9) for wgan-gp)")
    train.add_argument("--latent-dim", type=_number(int, 1), default=128,
                       help="size of the noise vector (default 128)")
    train.add_argument("--width", type=_number(int, 1), default=64,
                       help="network width: critic filters width-2w-4w "
                       "(default 64, the WGAN-GP paper's)")
    train.add_argument("--data-dir", default=None,
                       help="folder with the MNIST IDX files (official "
                       "names, .gz or raw); default: tensorflow-datasets, "
                       "else the embedded MNIST test digits")
    train.add_argument("--download", action="store_true",
                       help="let tensorflow-datasets download and prepare "
                       "MNIST (60k train digits; needs network and "
                       "TensorFlow); without it, tfds is used only when "
                       "MNIST is already prepared")
    train.add_argument("--split", choices=("train", "test"), default="train",
                       help="MNIST split (default train)")
    train.add_argument("--num-images", type=_number(int, 1), default=None,
                       help="train on the first N images only")
    train.add_argument("--seed", type=_number(int, 0), default=0,
                       help="random seed (default 0)")
    train.add_argument("--samples", type=_number(int, 1), default=64,
                       help="images per sample grid (default 64)")
    train.add_argument("--sample-every", type=_number(int, 1), default=1,
                       help="write a sample grid every N epochs (default 1)")
    train.add_argument("--overwrite", action="store_true",
                       help="start over in an --out that already holds a run "
                       "(its checkpoints are deleted)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its newest "
                       "checkpoint, with the arguments recorded in run.json; "
                       "only --epochs (to train longer), --learning-rate, "
                       "--verbose, --data-dir and --download may be given "
                       "again")
    train.add_argument("--keep-checkpoints", type=_number(int, 1), default=3,
                       help="number of epoch checkpoints kept (default 3)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="Keras fit verbosity: 1 progress bar (default), "
                       "2 one line per epoch, 0 silent")
    train.set_defaults(prepare=prepare_train)

    sample = commands.add_parser(
        "sample",
        help="draw a grid of samples from a checkpoint or a pretrained model",
        description="Load a .keras checkpoint or a pretrained model shipped "
                    "with keras_wgan and write a PNG sample grid.",
    )
    source = sample.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint",
                        help="a model.keras written by 'train'")
    source.add_argument("--pretrained", choices=PRETRAINED_MODELS,
                        help="a shipped model (see keras_wgan.pretrained)")
    sample.add_argument("--n", type=_number(int, 1), default=64,
                        help="number of samples (default 64)")
    sample.add_argument("--out", required=True, help="output PNG file")
    sample.add_argument("--seed", type=_number(int, 0), default=0,
                        help="noise seed (default 0)")
    sample.add_argument("--columns", type=_number(int, 1), default=None,
                        help="images per row (default: square grid)")
    sample.set_defaults(prepare=prepare_sample)
    compare = _add_compare_parser(commands)
    parser.command_parsers = {"train": train, "sample": sample,
                              "compare": compare}
    return parser


def _add_compare_parser(commands):
    from keras_wgan.studies import compare as comparison

    compare = commands.add_parser(
        "compare",
        help="train GAN, non-saturating GAN, WGAN and WGAN-GP on one budget "
        "and write a report",
        description=(
            "Train the variants with the same networks, data and budget "
            "(--iterations and/or --seconds per variant), evaluate every "
            "--eval-every generator iterations, and write into --out: "
            "report.md (summary table, settings, machine), results.json "
            "(every number), curves.png, samples.png, weights.png and "
            "gradient_norms.png."
        ),
    )
    compare.add_argument("--dataset", required=True,
                         choices=comparison.DATASETS)
    compare.add_argument("--out", required=True, help="report folder")
    compare.add_argument("--variants", default=",".join(comparison.VARIANTS),
                         help="comma-separated subset of "
                         f"{','.join(comparison.VARIANTS)} (default: all)")
    compare.add_argument("--iterations", type=_number(int, 1), default=None,
                         help="generator iterations per variant")
    compare.add_argument("--seconds", type=_number(float, 0.0, False),
                         default=None,
                         help="training seconds per variant (evaluation not "
                         "counted); with --iterations, whichever comes first")
    compare.add_argument("--eval-every", type=_number(int, 1), default=50,
                         help="evaluate every N generator iterations "
                         "(default 50)")
    compare.add_argument("--eval-samples", type=_number(int, 2), default=2000,
                         help="samples per evaluation (default 2000)")
    compare.add_argument("--width", type=_number(int, 1), default=None,
                         help="network width (default 32 for images, 128 "
                         "for toy data)")
    compare.add_argument("--batch-size", type=_number(int, 1), default=64,
                         help="samples per critic update (default 64)")
    compare.add_argument("--learning-rate", type=_number(float, 0.0, False),
                         default=None,
                         help="learning rate of every optimizer (default: "
                         "each variant's paper default)")
    compare.add_argument("--latent-dim", type=_number(int, 1), default=None,
                         help="noise size (default 128 for images, 2 for toy "
                         "data)")
    compare.add_argument("--seed", type=_number(int, 0), default=0,
                         help="random seed (default 0)")
    compare.add_argument("--overwrite", action="store_true",
                         help="write into an --out that is not empty")
    compare.set_defaults(prepare=prepare_compare)
    return compare


def prepare_compare(args):
    """Checks `args` and loads the data; writes nothing.

    Returns:
        A function that runs the comparison and returns its results.
    """
    import shlex

    from keras_wgan.studies import compare

    variants = tuple(v.strip() for v in args.variants.split(","))
    if not variants or any(v not in compare.VARIANTS for v in variants) or (
            len(set(variants)) != len(variants)):
        raise UsageError(
            "--variants must be distinct names from "
            f"{','.join(compare.VARIANTS)} separated by commas, got "
            f"{args.variants!r}."
        )
    if args.iterations is None and args.seconds is None:
        raise UsageError("give --iterations N or --seconds S (or both): the "
                         "budget of each variant.")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UsageError(f"--out: {args.out} is a file, not a folder.")
    if os.path.isdir(args.out) and os.listdir(args.out) and not args.overwrite:
        raise UsageError(f"--out: {args.out} is not empty; pass --overwrite "
                         "or choose a new folder.")
    config = compare.CompareConfig(
        args.dataset, args.out, variants, iterations=args.iterations,
        seconds=args.seconds, eval_every=args.eval_every,
        eval_samples=args.eval_samples, width=args.width,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        latent_dim=args.latent_dim, seed=args.seed)
    data = compare.load_data(config)
    # Each step of a WGAN draws n_critic = 5 batches.
    needed = args.batch_size * (5 if {"wgan", "wgan-gp"} & set(variants)
                                else 1)
    if len(data.train) < needed:
        raise UsageError(
            f"--batch-size {args.batch_size} needs at least {needed} training "
            f"samples per step, the data has {len(data.train)}."
        )
    flags = ["--dataset", args.dataset, "--out", args.out,
             "--variants", ",".join(variants)]
    for name in ("iterations", "seconds", "eval_every", "eval_samples",
                 "width", "batch_size", "learning_rate", "latent_dim", "seed"):
        value = getattr(config, name)
        if value is not None:
            flags += ["--" + name.replace("_", "-"), f"{value:g}"
                      if isinstance(value, float) else str(value)]
    command = "python -m keras_wgan compare " + shlex.join(flags)
    return lambda: compare.run_comparison(config, data, command=command)


def _build_model(args):
    import keras_wgan
    from keras_wgan.nets import architectures

    critic = architectures.mnist_critic(width=args.width)
    generator = architectures.mnist_generator(
        latent_dim=args.latent_dim, width=args.width
    )
    # Each model has one Lipschitz hyperparameter; the other one's flag is
    # an error rather than silently ignored.
    model_class, own, other, other_model = {
        "wgan": (keras_wgan.WGAN, "clip_value", "gp_weight", "wgan-gp"),
        "wgan-gp": (keras_wgan.WGANGP, "gp_weight", "clip_value", "wgan"),
    }[args.model]
    if getattr(args, other) is not None:
        raise UsageError(
            f"--{other.replace('_', '-')} applies to --model {other_model} "
            "only."
        )
    extra = {} if getattr(args, own) is None else {own: getattr(args, own)}
    model = model_class(critic, generator, n_critic=args.n_critic,
                        seed=args.seed, **extra)
    model.compile(learning_rate=args.learning_rate)
    return model


def prepare_train(args):
    """Checks `args`, builds or loads the model and the data; writes nothing.

    Returns:
        A function that runs the training and returns the fit history.
    """
    import keras

    if args.resume:
        return _prepare_resume(args)
    if _holds_run(args.out) and not args.overwrite:
        raise UsageError(
            f"--out: {args.out} already holds a run; pass --resume to "
            "continue it, --overwrite to start over, or choose a new folder."
        )
    _check_data_flags(args)
    keras.utils.set_random_seed(args.seed)
    model = _build_model(args)
    images = _load_images(args, model)
    return lambda: _train(args, model, images)


def _prepare_resume(args):
    import keras

    import keras_wgan
    from keras_wgan import checkpoints

    if args.overwrite:
        raise UsageError("--resume and --overwrite exclude each other.")
    recorded = _read_run_record(args.out)
    args = _resumed_args(args, recorded)
    _check_data_flags(args)
    latest = checkpoints.latest_checkpoint(
        os.path.join(args.out, CHECKPOINTS_DIR)
    )
    if latest is None:
        raise UsageError(
            f"--resume: {args.out} has no checkpoint in {CHECKPOINTS_DIR}/ "
            "(the run stopped before its first epoch ended); start it again "
            "with --overwrite."
        )
    completed, path = latest
    if args.epochs <= completed:
        raise UsageError(
            f"--epochs must be > {completed} to resume: the run in {args.out} "
            f"has completed {completed} epochs, got --epochs {args.epochs}."
        )
    expected = {"wgan": keras_wgan.WGAN, "wgan-gp": keras_wgan.WGANGP}
    model = _load_model(path, "--resume", expected[args.model], exact=True)
    if "learning_rate" in getattr(args, "explicit", ()):
        model.critic_optimizer.learning_rate = args.learning_rate
        model.generator_optimizer.learning_rate = args.learning_rate
    keras.utils.set_random_seed(args.seed)
    images = _load_images(args, model)
    if len(images) != recorded.get("num_images"):
        raise UsageError(
            f"--data-dir: the run was trained on {recorded.get('num_images')} "
            f"images, the data now gives {len(images)}; resume with the "
            "same data."
        )
    return lambda: _train(args, model, images, initial_epoch=completed,
                          record=recorded, resumed_from=path)


def _read_run_record(out):
    path = os.path.join(out, RUN_NAME)
    try:
        with open(path) as f:
            record = json.load(f)
    except FileNotFoundError:
        raise UsageError(
            f"--resume: {out} holds no {RUN_NAME}, so no run to continue."
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(
            f"--resume: {path} is not a run record written by 'train' "
            f"({type(error).__name__})."
        ) from None
    if not isinstance(record, dict) or record.get("command") != "train":
        raise UsageError(
            f"--resume: {path} is not a run record written by 'train'."
        )
    return record


def _resumed_args(args, recorded):
    """Returns the recorded arguments, with the few a resume may change."""
    import argparse

    explicit = getattr(args, "explicit", set())
    merged = dict(vars(args))
    for name, value in recorded.items():
        if name not in merged or name in ("out", "resume", "explicit"):
            continue
        if name in explicit and name in RESUME_MAY_CHANGE:
            continue  # the value given now wins
        if name in explicit and merged[name] != value:
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"{flag} {merged[name]} differs from the run's recorded "
                f"{flag} {value}; --resume continues the run as recorded "
                f"in {RUN_NAME} (it may change only "
                + ", ".join("--" + n.replace("_", "-")
                            for n in RESUME_MAY_CHANGE) + ")."
            )
        merged[name] = value
    return argparse.Namespace(**merged)


def _check_data_flags(args):
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        raise UsageError(f"--data-dir: {args.data_dir} is not a folder.")
    if args.data_dir is not None and args.download:
        raise UsageError("--download applies only without --data-dir.")


def _load_images(args, model):
    from keras_wgan import data
    from keras_wgan import argument_validation

    images = data.load_mnist(split=args.split, data_dir=args.data_dir,
                             download=args.download)
    if args.num_images is not None:
        if args.num_images > len(images):
            raise UsageError(
                f"--num-images must be <= {len(images)} (the images "
                f"available), got {args.num_images}."
            )
        images = images[: args.num_images]
    argument_validation.check_images(images, "images", model.image_shape)
    # Raises here, before anything is written, if the batch size cannot
    # give every critic update of the last step at least one image.
    _check_step_sizes(len(images), args.batch_size, args.n_critic)
    return images


def _holds_run(out):
    from keras_wgan import checkpoints

    return (
        os.path.exists(os.path.join(out, CHECKPOINT_NAME))
        or os.path.exists(os.path.join(out, RUN_NAME))
        or bool(checkpoints.list_checkpoints(os.path.join(out, CHECKPOINTS_DIR)))
    )


def _train(args, model, images, initial_epoch=0, record=None,
           resumed_from=None):
    import keras

    from keras_wgan.callbacks import Checkpoint
    from keras_wgan.callbacks import SampleGrid
    from keras_wgan.callbacks import TerminateOnNonFinite
    from keras_wgan.errors import NonFiniteError

    metrics_path = os.path.join(args.out, METRICS_NAME)
    os.makedirs(args.out, exist_ok=True)
    if resumed_from is None:
        _clear_previous_run(args.out)
        record = {"command": "train", **_plain(vars(args)),
                  "num_images": len(images)}
    else:
        record = dict(record, **{name: getattr(args, name)
                                 for name in RESUME_MAY_CHANGE})
        record.setdefault("resumed", []).append(
            {"checkpoint": os.path.relpath(resumed_from, args.out),
             "initial_epoch": initial_epoch}
        )
        _truncate_metrics(metrics_path, initial_epoch)
        print(f"resuming from {resumed_from} ({initial_epoch} epochs done)")
    _write_json_atomically(os.path.join(args.out, RUN_NAME), record)
    samples = SampleGrid(os.path.join(args.out, SAMPLES_DIR),
                         num_samples=args.samples, every=args.sample_every,
                         seed=args.seed)
    # Order matters. The NaN check comes first so that nothing after it
    # runs on a broken step. The metrics row of an epoch is written before
    # its checkpoint: a kill between the two leaves a row that the resume
    # rewrites, never a checkpoint without its row.
    callbacks = [
        TerminateOnNonFinite(),
        keras.callbacks.CSVLogger(metrics_path, append=initial_epoch > 0),
        samples,
        Checkpoint(os.path.join(args.out, CHECKPOINTS_DIR),
                   keep=args.keep_checkpoints,
                   latest=os.path.join(args.out, CHECKPOINT_NAME)),
    ]
    try:
        history = model.fit(images, batch_size=args.batch_size,
                            epochs=args.epochs, initial_epoch=initial_epoch,
                            callbacks=callbacks, verbose=args.verbose)
    except NonFiniteError as error:
        raise NonFiniteError(f"{error} {_last_good(args.out)}") from None
    print(f"wrote {os.path.join(args.out, CHECKPOINT_NAME)}, {metrics_path} "
          f"and {len(samples.paths)} sample grid(s) in "
          f"{os.path.join(args.out, SAMPLES_DIR)}")
    return history


def _last_good(out):
    """Says which checkpoint a run stopped by a NaN can continue from."""
    from keras_wgan import checkpoints

    latest = checkpoints.latest_checkpoint(os.path.join(out, CHECKPOINTS_DIR))
    if latest is None:
        return "No checkpoint was written before it."
    epoch, path = latest
    return (f"The last good checkpoint is {path} (epoch {epoch}): --resume "
            "with a lower --learning-rate continues from it.")


def _clear_previous_run(out):
    """Deletes what an earlier run in `out` wrote that this one would not."""
    import glob

    from keras_wgan import checkpoints

    stale = [path for _, path in checkpoints.list_checkpoints(
        os.path.join(out, CHECKPOINTS_DIR))]
    stale += glob.glob(os.path.join(out, SAMPLES_DIR, "epoch_*.png"))
    stale.append(os.path.join(out, CHECKPOINT_NAME))
    for path in stale:
        if os.path.exists(path):
            os.remove(path)


def _truncate_metrics(path, initial_epoch):
    """Keeps the header and the rows of the epochs before `initial_epoch`.

    Rows of epochs after the checkpoint were written by the interrupted run
    and will be written again.
    """
    import csv

    from keras_wgan._atomic import write_atomically

    if not os.path.exists(path):
        return
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    column = rows[0].index("epoch") if "epoch" in rows[0] else 0
    kept = [rows[0]] + [
        row for row in rows[1:] if row and int(row[column]) < initial_epoch
    ]

    def write(temporary):
        with open(temporary, "w", newline="") as f:
            csv.writer(f).writerows(kept)

    write_atomically(path, write)


def _write_json_atomically(path, record):
    from keras_wgan._atomic import write_atomically

    def write(temporary):
        with open(temporary, "w") as f:
            json.dump(record, f, indent=2)

    write_atomically(path, write)


def _check_step_sizes(count, batch_size, n_critic):
    from keras_wgan import argument_validation

    from keras_wgan.data import batches

    remainder = batches.short_last_step(count, batch_size, n_critic)
    if remainder is not None:
        raise UsageError(
            f"--batch-size {batch_size} with --n-critic {n_critic} leaves a "
            f"last step of {remainder} of {count} images, fewer than one per "
            "critic update; choose another --batch-size or --num-images."
        )


def prepare_sample(args):
    """Checks `args` and loads the checkpoint; writes nothing.

    Returns:
        A function that writes the sample grid and returns its path.
    """
    import keras_wgan

    if args.checkpoint is not None and not os.path.isfile(args.checkpoint):
        raise UsageError(f"--checkpoint: no such file {args.checkpoint}.")
    if not args.out.endswith(".png"):
        raise UsageError(f"--out must name a .png file, got {args.out}.")
    if args.pretrained is not None:
        model = keras_wgan.pretrained(args.pretrained)
    else:
        model = _load_model(args.checkpoint, "--checkpoint",
                            keras_wgan.AdversarialModel)
    return lambda: _sample(args, model)


def _load_model(path, flag, expected, exact=False):
    """Loads a `.keras` model of class `expected` (a subclass unless exact)."""
    import keras

    try:
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - any failure means unreadable
        first_line = str(error).strip().splitlines()[0] if str(error) else ""
        raise UsageError(
            f"{flag}: {path} is not a readable .keras model "
            f"({type(error).__name__}: {first_line[:200]})."
        ) from None
    if not isinstance(model, expected) or (exact and type(model) is not expected):
        raise UsageError(
            f"{flag}: {path} holds a {type(model).__name__}, expected a "
            f"keras_wgan {expected.__name__}."
        )
    return model


def _sample(args, model):
    from keras_wgan.images import save_image_grid

    images = model.generate(args.n, seed=args.seed)
    parent = os.path.dirname(args.out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    save_image_grid(images, args.out, columns=args.columns)
    print(f"wrote {args.n} samples to {args.out}")
    return args.out


def _plain(arguments):
    return {k: v for k, v in arguments.items()
            if k not in ("prepare", "explicit", "resume")}


def main(argv=None):
    """Runs the command line; returns the exit status."""
    from keras_wgan.errors import NonFiniteError

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args.explicit = _explicit_options(argv, args)
        job = args.prepare(args)
    except (UsageError, ValueError, FileNotFoundError) as error:
        # Only the checks before any work is done end in one line: an error
        # during training is a bug or a data fault and keeps its traceback.
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        job()
    except NonFiniteError as error:
        print(f"error: {error}", file=sys.stderr)
        return NON_FINITE_STATUS
    return 0


def _explicit_options(argv, args):
    """Returns the names of the options given on the command line."""
    parser = build_parser()
    # Parsed again with a marker as every default, only the options given
    # have another value. (argparse.SUPPRESS would be passed to `type`.)
    unset = object()
    parser.command_parsers[args.command].set_defaults(
        **{name: unset for name in vars(args)}
    )
    parsed = vars(parser.parse_args(argv))
    return {name for name, value in parsed.items()
            if value is not unset and name not in ("command", "prepare")}


def console_main():
    """Entry point of the `keras-wgan` console script."""
    sys.exit(main())
