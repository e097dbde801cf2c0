"""The `train` command's options: the largest parser of the command line,
in a module of its own. `parser.build_parser` adds it.
"""

import argparse

from keras_wgan.cli.arguments import add_dry_run
from keras_wgan.cli.arguments import factor_list
from keras_wgan.cli.arguments import number
from keras_wgan.cli.errors import NON_FINITE_STATUS
from keras_wgan.cli.recipes import RECIPES
from keras_wgan.cli.train_config import LR_DECAYS
from keras_wgan.cli.train_config import TRAIN_MODELS
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.data import DATASETS
from keras_wgan.models.registry import VARIANTS
from keras_wgan.nets.registry import ARCHITECTURES
from keras_wgan.zoo import PRETRAINED_MODELS


def add_train_parser(commands: argparse._SubParsersAction
                     ) -> argparse.ArgumentParser:
    """Adds the `train` command and its options to `commands`.

    Every option's default is `None`, so that one parse tells which options
    were given; the help texts name the defaults of `TrainConfig`.

    Args:
        commands: What `ArgumentParser.add_subparsers` returned.

    Returns:
        The parser of `train`.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> train = add_train_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["train", "--out", "runs/a"])
    >>> args.out, args.epochs
    ('runs/a', None)
    """
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
                       help="a named setting: sets the options it names "
                       "(options given as well win); cifar10-resnet is the "
                       "WGAN-GP paper's CIFAR-10 ResNet, mnist-cpu the MNIST "
                       "WGAN-GP that reached each FID soonest per CPU second")
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
    train.add_argument("--class-factors", type=factor_list, default=None,
                       metavar="N,M",
                       help="with --conditional: the classes are "
                       "combinations, class = n * M + m for N x M classes "
                       "(e.g. 10,20 for coloured_mnist_joint's digit and "
                       "colour pair); the networks learn one embedding per "
                       "digit and per pair instead of one per class")
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
