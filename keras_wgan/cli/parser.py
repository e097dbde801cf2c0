"""The argument parser of `python -m keras_wgan`: its commands and their
options (`train`'s in `train_parser`), in one-line errors.

Every option's parser default is `None`, so one parse tells which options
were given (`options.given_options`); the real defaults live in the configs
that the commands build from the parsed options (`TrainConfig` for
`train`). The help texts name those defaults by reading them from there.
"""

import argparse
import inspect
import re

from keras_wgan.cli.arguments import add_dry_run
from keras_wgan.cli.arguments import add_model_source
from keras_wgan.cli.arguments import class_list
from keras_wgan.cli.arguments import number
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.options import MAX_SAMPLES
from keras_wgan.cli.sample_config import SampleConfig
from keras_wgan.cli.train_parser import add_train_parser
from keras_wgan.models.registry import VARIANTS
from keras_wgan.zoo import PRETRAINED_MODELS


class _Parser(argparse.ArgumentParser):
    #: Each command's parser, by name (`build_parser` sets it).
    command_parsers: dict[str, argparse.ArgumentParser]

    def error(self, message):
        # argparse's default prints the whole usage block first; one line is
        # easier to read in a log and is what every other error here gives.
        raise UsageError(f"{self.prog}: {message}")


#: Python keyword arguments a command-line user knows by another flag.
_KEYWORD_FLAGS = {"return_labels": "--conditional"}


def cli_words(message: str,
              command_parser: argparse.ArgumentParser) -> str:
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


def build_parser() -> "_Parser":
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
        "train": add_train_parser(commands),
        "sample": _add_sample_parser(commands),
        "compare": _add_compare_parser(commands),
        "evaluate": _add_evaluate_parser(commands),
        "explore": _add_explore_parser(commands),
    }
    return parser


def _add_sample_parser(commands: argparse._SubParsersAction
                       ) -> argparse.ArgumentParser:
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


def _add_compare_parser(commands: argparse._SubParsersAction
                        ) -> argparse.ArgumentParser:
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
    add("--resume", action="store_true", default=None,
        help="continue the comparison saved in --out (give its options "
        "again; --iterations, --seconds and --variants may change): "
        "finished variants are kept, a stopped one continues from its last "
        "evaluation")
    add_dry_run(compare_parser)
    return compare_parser


def _add_evaluate_parser(commands: argparse._SubParsersAction
                         ) -> argparse.ArgumentParser:
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
    add_model_source(parser, run_help="a folder written by 'train' (its "
                     "model.keras; its checkpoints with --every-checkpoint)")
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


def _add_explore_parser(commands: argparse._SubParsersAction
                        ) -> argparse.ArgumentParser:
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
    add_model_source(parser, run_help="a folder written by 'train'")
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
