"""The argument parser of `python -m keras_wgan`, and its one-line errors.

Every option's parser default is `None`, so one parse tells which options
were given (`config.given_options`); the real defaults live in the configs
that the commands build from the parsed options (`TrainConfig` for
`train`). The help texts name those defaults by reading them from there.
"""

import argparse
import inspect

from keras_wgan import argument_validation
from keras_wgan.cli.config import LR_DECAYS
from keras_wgan.cli.config import TRAIN_MODELS
from keras_wgan.cli.config import MAX_SAMPLES
from keras_wgan.cli.config import SampleConfig
from keras_wgan.cli.config import TrainConfig
from keras_wgan.cli.recipes import RECIPES
from keras_wgan.data import DATASETS
from keras_wgan.models.registry import VARIANTS
from keras_wgan.nets.registry import ARCHITECTURES
from keras_wgan.zoo import PRETRAINED_MODELS

#: Exit status of a bad argument (argparse's own).
USAGE_STATUS = 2
#: Exit status of a run stopped by a NaN or an infinity.
NON_FINITE_STATUS = 3
#: Exit status of a process of a `torchrun` run that lost another one.
REPLICA_LOST_STATUS = 1


class UsageError(Exception):
    """A bad argument, reported as one line without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse's default prints the whole usage block first; one line is
        # easier to read in a log and is what every other error here gives.
        raise UsageError(f"{self.prog}: {message}")


def number(kind, minimum, inclusive=True):
    """Returns an argparse `type` that accepts numbers from `minimum` on.

    Args:
        kind: `int` or `float`.
        minimum: The smallest value accepted.
        inclusive: For floats, whether `minimum` itself is accepted.

    Returns:
        A function from the option's text to the number, raising
        `argparse.ArgumentTypeError` with the expected value.

    Example:

    >>> number(int, 1)("3")
    3
    >>> number(float, 0.0, inclusive=False)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number > 0.0, got 0.0.
    """

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            if kind is int:
                return argument_validation.check_int("value", value, minimum)
            return argument_validation.check_float("value", value, minimum,
                                                   inclusive)
        except ValueError as error:
            raise argparse.ArgumentTypeError(
                str(error).replace("value must be", "must be", 1)
            ) from None

    parse.__name__ = kind.__name__
    return parse


def class_list(text):
    """The argparse `type` of `--classes`: comma-separated class numbers.

    Example:

    >>> class_list("3,7")
    (3, 7)
    >>> class_list("3,x")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be class numbers >= 0 separated by commas, e.g. 3,7, got '3,x'.
    """
    try:
        classes = tuple(int(part) for part in text.split(","))
    except ValueError:
        classes = ()
    if not classes or min(classes) < 0:
        raise argparse.ArgumentTypeError(
            "must be class numbers >= 0 separated by commas, e.g. 3,7, got "
            f"{text!r}.")
    return classes


#: Python keyword arguments a command-line user knows by another flag.
_KEYWORD_FLAGS = {"return_labels": "--conditional"}


def cli_words(message, command_parser):
    """Says `message` in a command-line user's words: flags for keywords.

    The library's errors name its keyword arguments (`pass image_size=`,
    `download=True`); a command-line user gave flags, so each keyword of an
    option of `command_parser` becomes its flag.

    Args:
        message: An error message of the library.
        command_parser: The parser of the command that ran
            (`build_parser().command_parsers[name]`).

    Returns:
        The message with the command's flags for the keywords.

    Example:

    >>> train = build_parser().command_parsers["train"]
    >>> cli_words("images differ in size; pass image_size= to resize them, "
    ...           "or download=True.", train)
    'images differ in size; pass --image-size to resize them, or --download.'
    >>> cli_words("image_size must be an int >= 1, got 0.", train)
    '--image-size must be an int >= 1, got 0.'
    """
    import re

    flags = dict(_KEYWORD_FLAGS)
    for action in command_parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest != "help":
            flags[action.dest] = longs[0]
    for keyword, flag in flags.items():
        message = re.sub(rf"(?<![\w.-]){keyword}=True\b", flag, message)
        message = re.sub(rf"(?<![\w.-]){keyword}=(?=[\s,;.)]|$)", flag,
                         message)
        message = re.sub(rf"(?<![\w.`'-]){keyword}(?= must | is )", flag,
                         message)
    return message


def add_dry_run(parser):
    """Adds `--dry-run` to a command's parser.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> add_dry_run(parser)
    >>> parser.parse_args(["--dry-run"]).dry_run
    True
    """
    parser.add_argument("--dry-run", action="store_true", default=None,
                        help="check every option and the data source, say "
                        "what would run, and exit without writing anything")


def build_parser():
    """Returns the argument parser of `python -m keras_wgan`.

    Its `command_parsers` attribute maps each command name to its
    subparser.

    Example:

    >>> args = build_parser().parse_args(["train", "--out", "runs/a",
    ...                                   "--epochs", "3"])
    >>> args.command, args.epochs, args.batch_size
    ('train', 3, None)
    """
    parser = _Parser(
        prog="python -m keras_wgan",
        description="Train Wasserstein GANs on MNIST and draw samples.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    parser.command_parsers = {
        "train": _add_train_parser(commands),
        "sample": _add_sample_parser(commands),
        "compare": _add_compare_parser(commands),
        "evaluate": _add_evaluate_parser(commands),
        "explore": _add_explore_parser(commands),
    }
    return parser


def _add_train_parser(commands):
    default = TrainConfig.default
    train = commands.add_parser(
        "train",
        help="train a WGAN or WGAN-GP on MNIST, another dataset or your "
        "own images",
        description=(
            "Train on --dataset (MNIST by default) and write into --out: checkpoints/epoch_NNNN.keras "
            "(the model after NNNN epochs, written atomically every epoch, the "
            "last --keep-checkpoints kept), model.keras (the newest of them), "
            "samples/epoch_NNN.png (sample grids), metrics.csv (logged metrics "
            "per epoch) and run.json (the arguments and the number of training "
            "images). A run stopped by a NaN or an infinity exits with status "
            f"{NON_FINITE_STATUS} and leaves its last good checkpoint as the "
            "newest; an interrupted run continues with --resume."
        ),
    )
    clip_value = VARIANTS["wgan"].default("clip_value")
    gp_weight = VARIANTS["wgan-gp"].default("gp_weight")
    train.add_argument("--model", choices=TRAIN_MODELS, default=None,
                       help="wgan: weight clipping; wgan-gp: gradient "
                       "penalty (default); wgan-lp, dragan, wgan-r1, wgan-sn, "
                       "sngan-hinge: see the guide 'Choosing a Lipschitz method'")
    train.add_argument("--out", required=True,
                       help="output folder, e.g. runs/mnist")
    train.add_argument("--recipe", choices=tuple(RECIPES), default=None,
                       help="a paper's setting: sets the options it names "
                       "(options given as well win); cifar10-resnet is the "
                       "WGAN-GP paper's CIFAR-10 ResNet")
    train.add_argument("--dataset", default=None, metavar="SOURCE",
                       help="training images: a dataset name ("
                       + ", ".join(DATASETS) + "), tfds:NAME (a prepared "
                       "tensorflow-datasets set), a folder of images (class "
                       "subfolders give labels) or an .npy/.npz file "
                       f"(default {default('dataset')})")
    train.add_argument("--image-size", type=number(int, 1), default=None,
                       help="resize (and centre-crop) images to this square "
                       "size (default: keep their size)")
    train.add_argument("--channels", type=int, choices=(1, 3), default=None,
                       help="convert images to grey (1) or RGB (3) "
                       "(default: keep them)")
    train.add_argument("--architecture", choices=tuple(ARCHITECTURES),
                       default=None,
                       help="the networks: " + "; ".join(
                           f"{name}: {family.description}"
                           for name, family in ARCHITECTURES.items())
                       + " (default: mnist for 28x28x1 images, else dcgan)")
    train.add_argument("--conditional", action="store_true", default=None,
                       help="train a class-conditional WGAN-GP on the "
                       "dataset's labels (projection critic); sample grids "
                       "get one row per class")
    train.add_argument("--epochs", type=number(int, 1), default=None,
                       help=f"passes over the data (default {default('epochs')})")
    train.add_argument("--batch-size", type=number(int, 1), default=None,
                       help="images per critic update (default "
                       f"{default('batch_size')}); a step draws n-critic "
                       "batches")
    train.add_argument("--n-critic", type=number(int, 1), default=None,
                       help="critic updates per generator update (default "
                       f"{default('n_critic')})")
    train.add_argument("--clip-value", type=number(float, 0.0, False),
                       default=None,
                       help="wgan only: clip critic weights to [-c, c] "
                       f"(default {clip_value:g})")
    train.add_argument("--gp-weight", type=number(float, 0.0), default=None,
                       help="wgan-gp, wgan-lp, dragan: penalty weight "
                       "lambda; wgan-r1: gamma (default "
                       f"{gp_weight:g})")
    train.add_argument("--learning-rate", type=number(float, 0.0, False),
                       default=None,
                       help="learning rate of both optimizers (default: "
                       "5e-5 RMSprop for wgan, 1e-4 Adam(0, 0.9) for wgan-gp)")
    train.add_argument("--critic-learning-rate",
                       type=number(float, 0.0, False), default=None,
                       help="the critic's learning rate alone (TTUR), "
                       "instead of --learning-rate")
    train.add_argument("--generator-learning-rate",
                       type=number(float, 0.0, False), default=None,
                       help="the generator's learning rate alone (TTUR), "
                       "instead of --learning-rate")
    train.add_argument("--generator-ema", type=number(float, 0.0, False),
                       default=None,
                       help="keep a moving average of the generator's "
                       "weights with this decay (e.g. 0.999); samples and "
                       "sample grids come from it")
    train.add_argument("--lr-decay", choices=LR_DECAYS, default=None,
                       help="none: a constant learning rate (default); "
                       "linear: decay both to 0 at the last generator "
                       "iteration (the paper's CIFAR-10 setting)")
    train.add_argument("--latent-dim", type=number(int, 1), default=None,
                       help="size of the noise vector (default "
                       f"{default('latent_dim')})")
    train.add_argument("--width", type=number(int, 1), default=None,
                       help="network width: critic filters width-2w-4w "
                       f"(default {default('width')}, the WGAN-GP paper's)")
    train.add_argument("--data-dir", default=None,
                       help="for a named dataset: the folder of its files "
                       "(MNIST's IDX files, CIFAR's python batches); "
                       "default: a prepared tensorflow-datasets copy, else "
                       "the keras.datasets cache, else (MNIST) the embedded "
                       "copy")
    train.add_argument("--download", action="store_true", default=None,
                       help="let keras.datasets download a named dataset "
                       "when no local source has it (needs network, not "
                       "TensorFlow; MNIST is embedded)")
    train.add_argument("--split", default=None,
                       help="the split of a named or tfds dataset, or the "
                       "x_SPLIT arrays of an .npz (default "
                       f"{default('split')}; MNIST-like sets: train or test)")
    train.add_argument("--num-images", type=number(int, 1), default=None,
                       help="train on the first N images only")
    train.add_argument("--seed", type=number(int, 0), default=None,
                       help=f"random seed (default {default('seed')})")
    train.add_argument("--init-from", default=None, metavar="SOURCE",
                       help="start from the critic's and generator's "
                       "weights of a pretrained model (" + ", ".join(
                           PRETRAINED_MODELS) + ") or a model.keras file "
                       "(fresh optimizers; the networks must match)")
    train.add_argument("--samples", type=number(int, 1), default=None,
                       help="images per sample grid (default "
                       f"{default('samples')})")
    train.add_argument("--sample-every", type=number(int, 1), default=None,
                       help="write a sample grid every N epochs (default "
                       f"{default('sample_every')})")
    train.add_argument("--overwrite", action="store_true", default=None,
                       help="start over in an --out that already holds a run "
                       "(its checkpoints are deleted)")
    train.add_argument("--resume", action="store_true", default=None,
                       help="continue the run in --out from its newest "
                       "checkpoint, with the arguments recorded in run.json; "
                       "only --epochs (to train longer), --learning-rate, "
                       "--verbose, --data-dir, --download, --devices and "
                       "--tensorboard may be given again")
    train.add_argument("--keep-checkpoints", type=number(int, 1),
                       default=None,
                       help="number of epoch checkpoints kept (default "
                       f"{default('keep_checkpoints')})")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=None,
                       help="Keras fit verbosity: 1 progress bar (default), "
                       "2 one line per epoch, 0 silent")
    train.add_argument("--tensorboard", action="store_true", default=None,
                       help="also log the scalars and sample grids for "
                       "TensorBoard into OUT/tensorboard (pip install "
                       "keras-wgan[tensorboard]; TensorFlow not needed)")
    train.add_argument("--devices", type=number(int, 1), default=None,
                       help="train data-parallel on this many devices (JAX "
                       "and TensorFlow; on torch start one process a device "
                       "with torchrun --nproc-per-node N instead); "
                       "--batch-size is the global batch")
    add_dry_run(train)
    return train


def _add_sample_parser(commands):
    default = SampleConfig.default
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
    sample.add_argument("--n", type=number(int, 1), default=None,
                        help=f"number of samples, at most {MAX_SAMPLES} "
                        f"(default {default('n')})")
    sample.add_argument("--out", required=True, help="output PNG file")
    sample.add_argument("--seed", type=number(int, 0), default=None,
                        help=f"noise seed (default {default('seed')})")
    sample.add_argument("--columns", type=number(int, 1), default=None,
                        help="images per row (default: square grid; a "
                        "conditional model's grid has one row per class)")
    sample.add_argument("--classes", type=class_list, default=None,
                        help="conditional models: the classes of the grid's "
                        "rows, e.g. 3,7 (default: every class)")
    sample.add_argument("--raw", action="store_true", default=None,
                        help="a model trained with --generator-ema: sample "
                        "from the trained generator, not its moving average")
    add_dry_run(sample)
    return sample


def _add_compare_parser(commands):
    from keras_wgan.studies import compare

    defaults = inspect.signature(compare.CompareConfig).parameters

    def default(name):
        return defaults[name].default

    compare_parser = commands.add_parser(
        "compare",
        help="train GAN, non-saturating GAN, WGAN, WGAN-GP and the other "
        "Lipschitz variants on one budget and write a report",
        description=(
            "Train the variants with the same networks, data and budget "
            "(--iterations and/or --seconds per variant), evaluate every "
            "--eval-every generator iterations, and write into --out: "
            "report.md (summary table, settings, machine), results.json "
            "(every number), curves.png, samples.png, weights.png and "
            "gradient_norms.png."
        ),
    )
    add = compare_parser.add_argument
    add("--dataset", required=True, choices=compare.DATASETS)
    add("--out", required=True, help="report folder")
    add("--variants", default=None,
        help=f"comma-separated subset of {','.join(VARIANTS)} (default: all)")
    add("--iterations", type=number(int, 1), default=None,
        help="generator iterations per variant")
    add("--seconds", type=number(float, 0.0, False), default=None,
        help="training seconds per variant (evaluation not counted); with "
        "--iterations, whichever comes first")
    add("--eval-every", type=number(int, 1), default=None,
        help="evaluate every N generator iterations (default "
        f"{default('eval_every')})")
    add("--eval-samples", type=number(int, 2), default=None,
        help=f"samples per evaluation (default {default('eval_samples')})")
    add("--width", type=number(int, 1), default=None,
        help="network width (default 32 for images, 128 for toy data)")
    add("--batch-size", type=number(int, 1), default=None,
        help=f"samples per critic update (default {default('batch_size')})")
    add("--learning-rate", type=number(float, 0.0, False), default=None,
        help="learning rate of every optimizer (default: each variant's "
        "paper default)")
    add("--critic-learning-rate", type=number(float, 0.0, False),
        default=None, help="the critics' learning rate alone (TTUR)")
    add("--generator-learning-rate", type=number(float, 0.0, False),
        default=None, help="the generators' learning rate alone (TTUR)")
    add("--generator-ema", type=number(float, 0.0, False), default=None,
        help="keep a moving average of each generator's weights with this "
        "decay and score its samples too (Wasserstein variants only)")
    add("--latent-dim", type=number(int, 1), default=None,
        help="noise size (default 128 for images, 2 for toy data)")
    add("--seed", type=number(int, 0), default=None,
        help=f"random seed (default {default('seed')})")
    add("--seeds", default=None,
        help="comma-separated seeds, e.g. 0,1,2: one report per seed in "
        "OUT/seed_N and their mean and spread in OUT/summary.md (instead "
        "of --seed)")
    add("--overwrite", action="store_true", default=None,
        help="write into an --out that is not empty")
    add_dry_run(compare_parser)
    return compare_parser


def _add_evaluate_parser(commands):
    from keras_wgan.cli import evaluate
    from keras_wgan.quality import CLASSIFIER_DATASETS

    parser = commands.add_parser(
        "evaluate",
        help="measure a model's samples against its dataset's test split: "
        "classifier FID, score, classes covered, with the real-data floor",
        description=(
            "Generate --samples images (seed --seed) and measure them in the "
            "logits of the dataset's shipped classifier against its test "
            "split: classifier FID, score, classes covered and, for a "
            "conditional model, class accuracy, with the same numbers of "
            "as many real training images beside them (the floor). Writes "
            "--out (JSON) and prints one line. --every-checkpoint scores "
            "every checkpoint of a run into RUN/quality.csv."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pretrained", choices=PRETRAINED_MODELS,
                        help="a shipped model (see keras_wgan.pretrained)")
    source.add_argument("--run", metavar="DIR",
                        help="a folder written by 'train' (its "
                        "model.keras; its checkpoints with "
                        "--every-checkpoint)")
    source.add_argument("--checkpoint", metavar="FILE",
                        help="a .keras file written by 'train'")
    parser.add_argument("--dataset", choices=CLASSIFIER_DATASETS,
                        default=None, help="--checkpoint outside a run "
                        "folder: the dataset it was trained on")
    parser.add_argument("--samples", type=number(int, 2), default=None,
                        metavar="N", help="images generated (and real images of the "
                        f"floor) (default {evaluate.DEFAULT_SAMPLES})")
    parser.add_argument("--seed", type=number(int, 0), default=None,
                        help="noise seed (default 0)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="JSON file to write (default: RUN/"
                        f"{evaluate.EVALUATION_NAME} for --run, else "
                        f"{evaluate.EVALUATION_NAME})")
    parser.add_argument("--every-checkpoint", action="store_true",
                        default=None,
                        help="--run: score each checkpoints/epoch_NNNN.keras "
                        f"not yet in RUN/{evaluate.QUALITY_NAME} and append "
                        "a row each (the curve over the run)")
    parser.add_argument("--every", type=number(int, 1), default=None,
                        metavar="N", help="--every-checkpoint: only the epochs that are "
                        "multiples of N (default 1)")
    parser.add_argument("--watch", action="store_true", default=None,
                        help="--every-checkpoint: keep scoring new "
                        "checkpoints while the run trains, until its last "
                        "epoch (train keeps only the newest checkpoints)")
    parser.add_argument("--inception", action="store_true", default=None,
                        help="also the Inception score, FID and KID through "
                        "torch-fidelity (pip install keras-wgan[inception]; "
                        "its Inception weights are downloaded at first use)")
    return parser


def _add_explore_parser(commands):
    parser = commands.add_parser(
        "explore",
        help="a local web page to look at a model: samples, latent walks, "
        "classes, critic scores, nearest training images, a run's curves",
        description=(
            "Serve a Gradio web page (pip install keras-wgan[explore]) on "
            "--host:--port that shows a model's samples for a seed, a walk "
            "between two seeds, the classes of a conditional model, the "
            "critic's scores and the nearest training images, and for --run "
            "its training curves and sample grids. Binds to 127.0.0.1 "
            "unless --host says otherwise; Ctrl-C stops it."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pretrained", choices=PRETRAINED_MODELS,
                        help="a shipped model (see keras_wgan.pretrained)")
    source.add_argument("--run", metavar="DIR",
                        help="a folder written by 'train'")
    source.add_argument("--checkpoint", metavar="FILE",
                        help="a .keras file written by 'train'")
    parser.add_argument("--dataset", default=None,
                        help="--checkpoint outside a run folder: the "
                        "dataset name whose training images are searched "
                        "for the nearest ones (default: none shown)")
    parser.add_argument("--host", default=None,
                        help="address to listen on (default 127.0.0.1, "
                        "this machine only; 0.0.0.0 opens it to the "
                        "network)")
    parser.add_argument("--port", type=number(int, 1), default=None,
                        help="port (default 7860)")
    return parser
