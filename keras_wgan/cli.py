"""Command line: `python -m keras_wgan train|sample ...`.

Every bad argument ends in one line on stderr that names the argument and
the expected value, exit status 2, and nothing written.
"""

import argparse
import json
import os
import sys

MODELS = ("wgan", "wgan-gp")
CHECKPOINT_NAME = "model.keras"
METRICS_NAME = "metrics.csv"
SAMPLES_DIR = "samples"


class UsageError(Exception):
    """A bad argument, reported as one line without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse's default prints the whole usage block first; one line is
        # easier to read in a log and is what every other error here gives.
        raise UsageError(f"{self.prog}: {message}")


def _number(kind, minimum, inclusive=True):
    from keras_wgan import validation

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            if kind is int:
                return validation.check_int("value", value, minimum)
            return validation.check_float("value", value, minimum, inclusive)
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
            "Train on MNIST and write into --out: model.keras (checkpoint, "
            "saved every epoch), samples/epoch_NNN.png (sample grids), "
            "metrics.csv (logged metrics per epoch) and run.json (the "
            "arguments and the number of training images)."
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
                       help="allow an --out that already holds a checkpoint")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="Keras fit verbosity: 1 progress bar (default), "
                       "2 one line per epoch, 0 silent")
    train.set_defaults(prepare=prepare_train)

    sample = commands.add_parser(
        "sample",
        help="draw a grid of samples from a checkpoint",
        description="Load a .keras checkpoint and write a PNG sample grid.",
    )
    sample.add_argument("--checkpoint", required=True,
                        help="a model.keras written by 'train'")
    sample.add_argument("--n", type=_number(int, 1), default=64,
                        help="number of samples (default 64)")
    sample.add_argument("--out", required=True, help="output PNG file")
    sample.add_argument("--seed", type=_number(int, 0), default=0,
                        help="noise seed (default 0)")
    sample.add_argument("--columns", type=_number(int, 1), default=None,
                        help="images per row (default: square grid)")
    sample.set_defaults(prepare=prepare_sample)
    return parser


def _build_model(args):
    import keras_wgan
    from keras_wgan import architectures

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
    optimizers = [None, None]
    if args.learning_rate is not None:
        optimizers = []
        for _ in range(2):
            optimizer = model.default_optimizer()
            optimizer.learning_rate = args.learning_rate
            optimizers.append(optimizer)
    model.compile(critic_optimizer=optimizers[0],
                  generator_optimizer=optimizers[1])
    return model


def prepare_train(args):
    """Checks `args`, builds the model and loads the data; writes nothing.

    Returns:
        A function that runs the training and returns the fit history.
    """
    import keras

    from keras_wgan import data
    from keras_wgan import validation

    checkpoint = os.path.join(args.out, CHECKPOINT_NAME)
    if os.path.exists(checkpoint) and not args.overwrite:
        raise UsageError(
            f"--out: {args.out} already holds {CHECKPOINT_NAME}; choose a new "
            "folder or pass --overwrite."
        )
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        raise UsageError(f"--data-dir: {args.data_dir} is not a folder.")
    if args.data_dir is not None and args.download:
        raise UsageError("--download applies only without --data-dir.")
    keras.utils.set_random_seed(args.seed)
    model = _build_model(args)
    images = data.load_mnist(split=args.split, data_dir=args.data_dir,
                             download=args.download)
    if args.num_images is not None:
        if args.num_images > len(images):
            raise UsageError(
                f"--num-images must be <= {len(images)} (the images "
                f"available), got {args.num_images}."
            )
        images = images[: args.num_images]
    validation.check_images(images, "images", model.image_shape)
    # Raises here, before anything is written, if the batch size cannot
    # give every critic update of the last step at least one image.
    _check_step_sizes(len(images), args.batch_size, args.n_critic)
    return lambda: _train(args, model, images)


def _train(args, model, images):
    import keras

    from keras_wgan.callbacks import SampleGrid

    checkpoint = os.path.join(args.out, CHECKPOINT_NAME)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump({"command": "train", **_plain(vars(args)),
                   "num_images": len(images)}, f, indent=2)
    callbacks = [
        keras.callbacks.ModelCheckpoint(checkpoint),
        keras.callbacks.CSVLogger(os.path.join(args.out, METRICS_NAME)),
        SampleGrid(os.path.join(args.out, SAMPLES_DIR),
                   num_samples=args.samples, every=args.sample_every,
                   seed=args.seed),
    ]
    history = model.fit(images, batch_size=args.batch_size,
                        epochs=args.epochs, callbacks=callbacks,
                        verbose=args.verbose)
    print(f"wrote {checkpoint}, {os.path.join(args.out, METRICS_NAME)} and "
          f"{len(callbacks[-1].paths)} sample grid(s) in "
          f"{os.path.join(args.out, SAMPLES_DIR)}")
    return history


def _check_step_sizes(count, batch_size, n_critic):
    from keras_wgan import validation

    remainder = validation.short_last_step(count, batch_size, n_critic)
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
    import keras

    import keras_wgan

    if not os.path.isfile(args.checkpoint):
        raise UsageError(f"--checkpoint: no such file {args.checkpoint}.")
    if not args.out.endswith(".png"):
        raise UsageError(f"--out must name a .png file, got {args.out}.")
    try:
        model = keras.models.load_model(args.checkpoint)
    except Exception as error:  # noqa: BLE001 - any failure means unreadable
        first_line = str(error).strip().splitlines()[0] if str(error) else ""
        raise UsageError(
            f"--checkpoint: {args.checkpoint} is not a readable .keras "
            f"model ({type(error).__name__}: {first_line[:200]})."
        ) from None
    if not isinstance(model, keras_wgan.WGAN):
        raise UsageError(
            f"--checkpoint: {args.checkpoint} holds a "
            f"{type(model).__name__}, expected a keras_wgan WGAN or WGANGP."
        )
    return lambda: _sample(args, model)


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
    return {k: v for k, v in arguments.items() if k != "prepare"}


def main(argv=None):
    """Runs the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        job = args.prepare(args)
    except (UsageError, ValueError, FileNotFoundError) as error:
        # Only the checks before any work is done end in one line: an error
        # during training is a bug or a data fault and keeps its traceback.
        print(f"error: {error}", file=sys.stderr)
        return 2
    job()
    return 0


def console_main():
    """Entry point of the `keras-wgan` console script."""
    sys.exit(main())
