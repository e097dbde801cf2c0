"""`TrainConfig`: the options of `train`, with their defaults, checked.

A config is built from the options given on the command line (the parser's
defaults are all `None`, so `given_options` tells them from one parse) and
fills in the rest with its documented defaults. `TrainConfig` also records
which options were given, which a resumed run needs: it may change only
`RESUME_MAY_CHANGE`.
"""

import argparse
import dataclasses
from typing import Any

from keras_wgan.argument_validation import check_choice
from keras_wgan.argument_validation import check_float
from keras_wgan.argument_validation import check_int
from keras_wgan.cli.options import MAX_SAMPLES
from keras_wgan.cli.options import check_bool
from keras_wgan.cli.options import check_path
from keras_wgan.cli.options import flag
from keras_wgan.cli.options import given_options
from keras_wgan.cli.options import set_checked
from keras_wgan.cli.recipes import RECIPES
from keras_wgan.cli.recipes import recipe_options
from keras_wgan.models.registry import VARIANTS
from keras_wgan.nets.registry import ARCHITECTURES
from keras_wgan.zoo import PRETRAINED_MODELS

#: The `train --model` choices: the Wasserstein variants, those with a
#: Lipschitz argument (weight clipping, gradient penalty).
TRAIN_MODELS = tuple(
    name for name, variant in VARIANTS.items()
    if variant.lipschitz_argument is not None
)
# What a resumed run may change: how long it trains, how it reports, where
# the (same) data is read from, and the learning rate (the way out of a run
# stopped by a NaN). Anything else would make it another run.
RESUME_MAY_CHANGE = ("epochs", "verbose", "data_dir", "download",
                     "learning_rate", "devices", "tensorboard")
# Options of the command line that are not part of what a run is.
_NOT_RECORDED = ("resume", "explicit")
#: The `--lr-decay` choices: a constant learning rate, or the WGAN-GP
#: paper's CIFAR-10 schedule, linear to 0 at the last generator iteration.
LR_DECAYS = ("none", "linear")
#: The models `--conditional` applies to.
CONDITIONAL_MODELS = ("wgan-gp",)


#: The widest networks `train --width` builds: a DCGAN critic and generator
#: of this width have about 670 million weights, 2.7 GB in float32.
MAX_WIDTH = 1024


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The options of `train`, defaults filled in and checked.

    Every field is the `train` option of the same name (`batch_size` is
    `--batch-size`); see `python -m keras_wgan train --help`. `None` for
    `clip_value`, `gp_weight` and `learning_rate` keeps the model's own
    default; `n_critic=None` becomes the model's default. `dataset` is a
    name of `keras_wgan.data.DATASETS`, `"tfds:<name>"`, or the path of a
    folder of images or of an `.npy`/`.npz` file (see
    `keras_wgan.data.load_images`); `architecture=None` chooses by the
    images' shape (`keras_wgan.nets.registry.default_architecture`). With
    `recipe`, the recipe's options (`keras_wgan.cli.recipes`) replace the
    defaults, and options given as well replace the recipe's.

    Attributes:
        explicit: The names of the options given on the command line (a
            frozenset); the others hold their defaults.

    Raises:
        ValueError: in one line, naming the option and the expected value.

    Example:

    >>> config = TrainConfig.from_options({"out": "runs/a", "epochs": 3})
    >>> config.epochs, config.batch_size, config.n_critic, config.model
    (3, 64, 5, 'wgan-gp')
    >>> sorted(config.explicit)
    ['epochs', 'out']
    >>> TrainConfig(out="runs/a", epochs=0)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer >= 1, got 0.
    """

    # The order of the fields is the order of the keys in run.json.
    model: str = "wgan-gp"
    out: str
    recipe: str | None = None
    dataset: str = "mnist"
    image_size: int | None = None
    channels: int | None = None
    architecture: str | None = None
    conditional: bool = False
    class_factors: tuple[int, ...] | None = None
    epochs: int = 10
    batch_size: int = 64
    # None until __post_init__ sets the model's default.
    n_critic: int = None  # type: ignore[assignment]
    clip_value: float | None = None
    gp_weight: float | None = None
    learning_rate: float | None = None
    critic_learning_rate: float | None = None
    generator_learning_rate: float | None = None
    generator_ema: float | None = None
    lr_decay: str = "none"
    latent_dim: int = 128
    width: int = 64
    data_dir: str | None = None
    download: bool = False
    split: str = "train"
    num_images: int | None = None
    seed: int = 0
    init_from: str | None = None
    samples: int = 64
    sample_every: int = 1
    overwrite: bool = False
    resume: bool = False
    keep_checkpoints: int = 3
    verbose: int = 1
    devices: int | None = None
    tensorboard: bool = False
    explicit: frozenset = dataclasses.field(default=frozenset(), repr=False,
                                            compare=False)

    def __post_init__(self) -> None:
        variant = VARIANTS[check_choice("model", self.model, TRAIN_MODELS)]
        if self.n_critic is None:
            set_checked(self, "n_critic", variant.default("n_critic"))
        set_checked(self, "out", check_path("out", self.out))
        for name in ("epochs", "batch_size", "n_critic", "latent_dim", "width",
                     "samples", "sample_every", "keep_checkpoints"):
            set_checked(self, name, check_int(name, getattr(self, name)))
        set_checked(self, "seed", check_int("seed", self.seed, minimum=0))
        for name, most, what in (
                ("samples", MAX_SAMPLES, "one grid of at most 100 x 100 "
                 "images"),
                ("width", MAX_WIDTH, "16 times the default; wider networks "
                 "take tens of GB")):
            if getattr(self, name) > most:
                raise ValueError(f"{flag(name)} must be <= {most} ({what}), "
                                 f"got {getattr(self, name)}.")
        if self.num_images is not None:
            set_checked(self, "num_images", check_int("num_images", self.num_images))
        if self.devices is not None:
            set_checked(self, "devices", check_int("devices", self.devices))
        for name, minimum, inclusive in (("clip_value", 0.0, False),
                                         ("gp_weight", 0.0, True),
                                         ("learning_rate", 0.0, False),
                                         ("critic_learning_rate", 0.0, False),
                                         ("generator_learning_rate", 0.0,
                                          False)):
            if getattr(self, name) is not None:
                set_checked(self, name, check_float(name, getattr(self, name),
                                            minimum, inclusive))
        if self.generator_ema is not None:
            set_checked(self, "generator_ema", check_float(
                "generator_ema", self.generator_ema, 0.0, False))
            if self.generator_ema >= 1.0:
                raise ValueError(
                    "generator_ema must be a decay in (0, 1), got "
                    f"{self.generator_ema!r}.")
        if self.data_dir is not None:
            set_checked(self, "data_dir", check_path("data_dir", self.data_dir))
        if self.init_from is not None:
            set_checked(self, "init_from", _check_init_from(self.init_from))
        for name in ("download", "overwrite", "resume", "conditional",
                     "tensorboard"):
            check_bool(name, getattr(self, name))
        set_checked(self, "dataset", check_path("dataset", self.dataset))
        if self.image_size is not None:
            set_checked(self, "image_size", check_int("image_size", self.image_size))
        check_choice("channels", self.channels, (None, 1, 3))
        if self.architecture is not None:
            check_choice("architecture", self.architecture,
                         tuple(ARCHITECTURES))
        if self.recipe is not None:
            check_choice("recipe", self.recipe, tuple(RECIPES))
        check_choice("lr_decay", self.lr_decay, LR_DECAYS)
        if not isinstance(self.split, str) or not self.split:
            raise ValueError(f"split must be a split name such as 'train', "
                             f"got {self.split!r}.")
        check_choice("verbose", self.verbose, (0, 1, 2))
        if self.conditional and self.model not in CONDITIONAL_MODELS:
            raise ValueError(
                "--conditional applies to --model "
                + " or ".join(CONDITIONAL_MODELS) + f" only, got --model "
                f"{self.model}."
            )
        if self.class_factors is not None:
            if not self.conditional:
                raise ValueError("--class-factors applies to --conditional "
                                 "runs.")
            factors = self.class_factors
            if (not isinstance(factors, (list, tuple)) or not factors
                    or any(isinstance(f, bool) or not isinstance(f, int)
                           or f < 2 for f in factors)):
                raise ValueError("class_factors must be class counts >= 2, "
                                 f"got {factors!r}.")
            set_checked(self, "class_factors", tuple(factors))
        set_checked(self, "explicit", frozenset(self.explicit))
        # Each model has one Lipschitz hyperparameter; the other one's option
        # is an error rather than silently ignored.
        for other in TRAIN_MODELS:
            argument = VARIANTS[other].lipschitz_argument
            # Spectral normalisation's power_iterations has no option.
            if (argument is not None
                    and argument != variant.lipschitz_argument
                    and getattr(self, argument, None) is not None):
                raise ValueError(
                    f"{flag(argument)} applies to --model {other} only."
                )
        if self.data_dir is not None and self.download:
            raise ValueError("--download applies only without --data-dir.")

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> "TrainConfig":
        """Returns the config of a parsed `train` command line.

        Args:
            namespace: What `build_parser().parse_args(["train", ...])`
                returned.

        Example:

        >>> from keras_wgan.cli import build_parser
        >>> args = build_parser().parse_args(["train", "--out", "runs/a",
        ...                                   "--model", "wgan"])
        >>> config = TrainConfig.from_namespace(args)
        >>> config.model, config.clip_value, sorted(config.explicit)
        ('wgan', None, ['model', 'out'])
        """
        return cls.from_options(given_options(namespace))

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "TrainConfig":
        """Returns the config of the options given on the command line.

        Args:
            options: A dict from option name to value, without the options
                not given (`given_options`).

        Returns:
            A `TrainConfig` whose `explicit` holds the names in `options`
            (not those a recipe set).

        Example:

        >>> config = TrainConfig.from_options(
        ...     {"out": "runs/c", "recipe": "cifar10-resnet", "width": 64})
        >>> config.dataset, config.width, config.lr_decay, config.epochs
        ('cifar10', 64, 'linear', 637)
        """
        merged = dict(options)
        if options.get("recipe") is not None:
            recipe = recipe_options(options["recipe"])
            if options.get("model", recipe["model"]) != recipe["model"]:
                # Else the recipe's --gp-weight would be blamed, which the
                # user did not give.
                raise ValueError(
                    f"--model {options['model']} does not fit --recipe "
                    f"{options['recipe']}, which trains --model "
                    f"{recipe['model']}; leave out --model or --recipe.")
            merged = {**recipe, **options}
        return cls(**merged, explicit=frozenset(options))

    @classmethod
    def resumed(cls, record: dict[str, Any],
                options: dict[str, Any]) -> "TrainConfig":
        """Returns the config of a resumed run.

        Args:
            record: The run's recorded options (run.json as a dict).
            options: The options given now, as for `from_options`. Those in
                `RESUME_MAY_CHANGE` replace the recorded ones; any other
                must equal its recorded value.

        Returns:
            A `TrainConfig`: the recorded options, the few given now, and
            the defaults of options missing from the record.

        Raises:
            ValueError: if an option given now differs from the record.

        Example:

        >>> record = TrainConfig(out="runs/a").record(num_images=100)
        >>> TrainConfig.resumed(record, {"out": "runs/a", "epochs": 20,
        ...                              "resume": True}).epochs
        20
        >>> TrainConfig.resumed(record, {"out": "runs/a", "width": 32})
        Traceback (most recent call last):
        ...
        ValueError: --width 32 differs from the run's recorded --width 64; ...
        """
        names = {field.name for field in dataclasses.fields(cls)}
        merged = dict(options)
        for name, value in record.items():
            if name not in names or name in ("out", *_NOT_RECORDED):
                continue
            if name in options and name in RESUME_MAY_CHANGE:
                continue  # the value given now wins
            # JSON has no tuples: a list of run.json is the tuple given now.
            recorded = tuple(value) if isinstance(value, list) else value
            if name in options and options[name] != recorded:
                raise ValueError(
                    f"{flag(name)} {options[name]} differs from the run's "
                    f"recorded {flag(name)} {value}; --resume continues the "
                    "run as recorded in run.json (it may change only "
                    + ", ".join(map(flag, RESUME_MAY_CHANGE)) + ")."
                )
            merged[name] = value
        return cls(**merged, explicit=frozenset(options))

    @classmethod
    def default(cls, name: str) -> Any:
        """Returns the default of an option.

        Example:

        >>> TrainConfig.default("n_critic")
        5
        """
        return getattr(cls(out="."), name)

    def record(self, num_images: int | None) -> dict[str, Any]:
        """Returns what run.json records of a new run.

        Args:
            num_images: The number of training images, recorded in place
                of `num_images` (which may be `None`: all of them).

        Returns:
            A dict, in the order of run.json's keys.

        Example:

        >>> record = TrainConfig(out="runs/a").record(num_images=100)
        >>> record["command"], record["num_images"], "resume" in record
        ('train', 100, False)
        """
        record: dict[str, Any] = {"command": "train"}
        for field in dataclasses.fields(self):
            if field.name not in _NOT_RECORDED:
                record[field.name] = getattr(self, field.name)
        record["num_images"] = num_images
        return record


def _check_init_from(source: Any) -> str:
    """Returns `--init-from`: a pretrained model's name or a `.keras` file.

    Example:

    >>> _check_init_from("mnist-wgan-gp")
    'mnist-wgan-gp'
    >>> _check_init_from("weights.h5")
    Traceback (most recent call last):
    ...
    ValueError: init_from must be a pretrained model (mnist-wgan-gp, mnist-wgan, fashion-mnist-wgan-gp) or a .keras file, got 'weights.h5'.
    """
    if source in PRETRAINED_MODELS:
        return source
    if not isinstance(source, str) or not source.endswith(".keras"):
        raise ValueError(
            "init_from must be a pretrained model ("
            + ", ".join(PRETRAINED_MODELS) + f") or a .keras file, got "
            f"{source!r}.")
    return check_path("init_from", source)
