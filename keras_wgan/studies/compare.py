"""GAN, non-saturating GAN, WGAN and WGAN-GP side by side, one budget.

`run_comparison` trains each variant with the same networks (the same
initial weights: the seed is reset before each model is built), the same
data and the same budget of generator iterations and/or training seconds
(`keras_wgan.studies.training`), evaluates the samples every `eval_every`
generator iterations (`keras_wgan.studies.measures` says what is
measured: classifier FID, score and classes for images; energy distance,
high-quality samples and modes for the toy sets; the critic's gap and
gradient norms for all) and writes a report folder
(`keras_wgan.studies.report`).

This module holds what the command line calls: `CompareConfig`,
`load_data`, `run_comparison` and `DATASETS`.
"""

import dataclasses
import datetime
import importlib
import os
import platform
import shutil
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.data import IMAGE_DATASETS as _IMAGE_LOADERS
from keras_wgan.models.registry import VARIANTS
from keras_wgan.models.wasserstein import WassersteinGAN
from keras_wgan.studies import measures
from keras_wgan.studies import report
from keras_wgan.studies import toy
from keras_wgan.studies import training
from keras_wgan.studies import variant_state
from keras_wgan.version import __version__

IMAGE_DATASETS = tuple(_IMAGE_LOADERS)
#: Toy data sets by command-line name: the key of `toy.DISTRIBUTIONS_2D`.
TOY_DATASETS = {
    "toy-8gaussians": "8gaussians",
    "toy-25gaussians": "25gaussians",
    "toy-swissroll": "swissroll",
}
DATASETS = IMAGE_DATASETS + tuple(TOY_DATASETS)
TOY_TRAIN_SIZE = 100_000


@dataclasses.dataclass(frozen=True)
class CompareConfig:
    """What `run_comparison` trains and how long.

    Args:
        dataset: One of `DATASETS`.
        out: Folder of the report.
        variants: Names from `VARIANTS` (the registry of variants,
            `keras_wgan.models.registry`), in report order.
        iterations: Generator iterations per variant, or `None`.
        seconds: Training seconds per variant (evaluation not counted), or
            `None`. At least one of `iterations` and `seconds` is required;
            with both, a variant stops at whichever comes first.
        eval_every: Evaluate every this many generator iterations.
        eval_samples: Samples generated per evaluation (the same noise at
            every evaluation).
        width: Network width; `None` gives 32 for images (`mnist_critic`,
            `mnist_generator`) and 128 for toy data (`toy_critic`,
            `toy_generator`, 3 hidden layers).
        batch_size: Real samples per critic update.
        learning_rate: Learning rate of both optimizers of every variant,
            replacing each paper's default; `None` keeps the defaults.
        critic_learning_rate: The critic's learning rate alone (TTUR,
            Heusel et al., 2017), replacing `learning_rate` there; `None`
            keeps it.
        generator_learning_rate: The generator's alone, likewise.
        generator_ema: `None`, or the decay of a moving average of each
            generator's weights (`keras_wgan.WassersteinGAN`'s
            `generator_ema`); each evaluation then also scores the
            average's samples (`ema_<primary metric>`). Wasserstein
            variants only.
        latent_dim: Noise size; `None` gives 128 for images, 2 for toys.
        seed: Seed of the weights, the noise and the data order.

    Example:

    >>> CompareConfig("toy-8gaussians", "runs/cmp", iterations=500)
    CompareConfig(dataset='toy-8gaussians', out='runs/cmp',
    variants=('gan', 'nsgan', 'wgan', 'wgan-gp', 'wgan-lp', 'dragan',
    'wgan-r1', 'wgan-sn', 'sngan-hinge'), iterations=500,
    seconds=None, eval_every=50, eval_samples=2000, width=128,
    batch_size=64, learning_rate=None, critic_learning_rate=None,
    generator_learning_rate=None, generator_ema=None, latent_dim=2, seed=0)
    """

    dataset: str
    out: str
    variants: tuple = tuple(VARIANTS)
    iterations: int | None = None
    seconds: float | None = None
    eval_every: int = 50
    eval_samples: int = 2000
    # None: the dataset's default, which __post_init__ sets.
    width: int = None  # type: ignore[assignment]
    batch_size: int = 64
    learning_rate: float | None = None
    critic_learning_rate: float | None = None
    generator_learning_rate: float | None = None
    generator_ema: float | None = None
    # None: the dataset's default, which __post_init__ sets.
    latent_dim: int = None  # type: ignore[assignment]
    seed: int = 0

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(
                f"dataset must be one of {', '.join(DATASETS)}, got "
                f"{self.dataset!r}."
            )
        variants = tuple(self.variants)
        if not variants or len(set(variants)) != len(variants) or any(
            v not in VARIANTS for v in variants
        ):
            raise ValueError(
                "variants must be distinct names from "
                f"{', '.join(VARIANTS)}, got {list(variants)}."
            )
        object.__setattr__(self, "variants", variants)
        if self.iterations is None and self.seconds is None:
            raise ValueError(
                "give iterations (generator iterations per variant) or "
                "seconds (training seconds per variant), or both."
            )
        if self.iterations is not None:
            argument_validation.check_int("iterations", self.iterations)
        if self.seconds is not None:
            argument_validation.check_float("seconds", self.seconds, inclusive=False)
        argument_validation.check_int("eval_every", self.eval_every)
        argument_validation.check_int("eval_samples", self.eval_samples, minimum=2)
        argument_validation.check_int("batch_size", self.batch_size)
        argument_validation.check_int("seed", self.seed, minimum=0)
        for name in ("learning_rate", "critic_learning_rate",
                     "generator_learning_rate"):
            if getattr(self, name) is not None:
                argument_validation.check_float(
                    name, getattr(self, name), inclusive=False)
        if self.generator_ema is not None:
            argument_validation.check_float(
                "generator_ema", self.generator_ema, inclusive=False)
            others = [v for v in variants if not issubclass(
                VARIANTS[v].model_class, WassersteinGAN)]
            if self.generator_ema >= 1.0 or others:
                raise ValueError(
                    "generator_ema must be a decay in (0, 1) for Wasserstein "
                    f"variants only, got {self.generator_ema!r} with "
                    f"{list(variants)}."
                )
        image = self.dataset in IMAGE_DATASETS
        for name, default in (("width", 32 if image else 128),
                              ("latent_dim", 128 if image else 2)):
            value = getattr(self, name)
            value = default if value is None else argument_validation.check_int(
                name, value)
            object.__setattr__(self, name, value)

    @property
    def is_toy(self) -> bool:
        """Whether the dataset is one of the 2D `TOY_DATASETS`."""
        return self.dataset in TOY_DATASETS


@dataclasses.dataclass
class ComparisonData:
    """Training samples, held-out reference samples, and where they came from.

    Attributes:
        train: Array of training samples.
        reference: Held-out real samples that generated ones are scored
            against.
        notes: Sentences for the report about the data's origin.
    """

    train: np.ndarray
    reference: np.ndarray
    notes: list


def load_data(config: CompareConfig) -> "ComparisonData":
    """Loads the training and reference samples of `config.dataset`.

    MNIST and Fashion-MNIST train on their train split (60,000 images) and
    are scored against their test split (10,000 images). Toy sets draw
    `TOY_TRAIN_SIZE` training points and `eval_samples` reference points
    from different seeds.

    Args:
        config: A `CompareConfig`.

    Returns:
        A `ComparisonData`.

    Example:

    >>> data = load_data(CompareConfig("toy-swissroll", "out", seconds=60))
    >>> data.train.shape
    (100000, 2)
    """
    from keras_wgan import data

    if config.is_toy:
        sampler = toy.DISTRIBUTIONS_2D[TOY_DATASETS[config.dataset]]
        return ComparisonData(
            sampler(TOY_TRAIN_SIZE, seed=config.seed),
            sampler(config.eval_samples, seed=config.seed + 1),
            [f"Training data: {TOY_TRAIN_SIZE} points of "
             f"`keras_wgan.toy.{sampler.__name__}` (seed {config.seed}); "
             f"reference: {config.eval_samples} other points (seed "
             f"{config.seed + 1})."],
        )
    if config.dataset == "fashion_mnist":
        return ComparisonData(
            data.load_fashion_mnist("train"),
            data.load_fashion_mnist("test"),
            ["Training data: the Fashion-MNIST train split (60,000 images); "
             "FID reference: the test split (10,000 images), never trained "
             "on. The classifier was trained on the train split."],
        )
    return ComparisonData(
        data.load_mnist("train"),
        data.load_mnist("test"),
        ["Training data: the MNIST train split (60,000 digits); FID "
         "reference: the test split (10,000 digits), never trained on."],
    )


def make_evaluator(config: CompareConfig, data: ComparisonData
                   ) -> measures.Evaluator:
    """Returns the `measures.ImageQuality` or `measures.ToyQuality` of a run.

    Args:
        config: A `CompareConfig`.
        data: A `ComparisonData`; its reference samples are scored against.

    Returns:
        A callable from samples to a dict of numbers, with the attributes
        `primary` (the metric to minimise) and `num_modes`.

    Example:

    >>> config = CompareConfig("toy-25gaussians", "out", iterations=1,
    ...                        eval_samples=100)
    >>> evaluator = make_evaluator(config, load_data(config))
    >>> evaluator.primary, evaluator.num_modes
    ('energy_distance', 25)
    """
    if config.is_toy:
        return measures.ToyQuality(TOY_DATASETS[config.dataset],
                                   data.reference)
    return measures.ImageQuality(config.dataset, data.reference)


def machine_description() -> dict[str, Any]:
    """Returns the machine, backend and versions the report states.

    Example:

    >>> machine = machine_description()
    >>> machine["backend"] == keras.backend.backend()
    True
    >>> machine["versions"]["keras"] == keras.__version__
    True
    """
    backend = keras.backend.backend()
    versions = {"keras": keras.__version__,
                "keras_wgan": __version__,
                "numpy": np.__version__}
    versions[backend] = importlib.import_module(backend).__version__
    threads = None
    if backend == "torch":
        import torch

        threads = torch.get_num_threads()
    return {
        "backend": backend,
        "cpu_count": os.cpu_count(),
        "torch_threads": threads,
        # Other processes slow a shared machine down; this says how busy it
        # was.
        "load_average": (os.getloadavg()[0] if hasattr(os, "getloadavg")
                         else None),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def run_comparison(config: CompareConfig, data: ComparisonData | None = None,
                   command: str | None = None,
                   log: Callable[[str], object] = print,
                   resume: bool = False) -> dict[str, Any]:
    """Trains every variant of `config` and writes the report folder.

    Each variant's progress is saved in `<out>/state/` as it trains
    (`keras_wgan.studies.variant_state`), so that a stopped comparison can
    be continued exactly.

    Args:
        config: A `CompareConfig`.
        data: A `ComparisonData`, or `None` to call `load_data(config)`.
        command: The command line to record in the report, or `None`.
        log: Function called with each progress line.
        resume: Continue from the state in `config.out`: finished variants
            are kept, stopped ones continue from their last evaluation, and
            a larger budget extends them. `False` starts every variant
            afresh, discarding any state there.

    Returns:
        The results dict also written to `results.json`.

    Raises:
        ValueError: `resume` with state of other shared settings (all but
            `out`, `variants`, `iterations` and `seconds`).

    Example:

    ```python
    config = CompareConfig("toy-8gaussians", "runs/toy", iterations=500,
                           batch_size=256)
    results = run_comparison(config)
    results["variants"][0]["final"]["modes_covered"]
    ```
    """
    continued = resume and variant_state.has_state(config.out)
    if continued and (changed := variant_state.changed_settings(config)):
        raise ValueError(
            "resume needs the settings of the comparison in "
            f"{config.out}; changed: {'; '.join(changed)}.")
    data = load_data(config) if data is None else data
    if not resume:
        shutil.rmtree(os.path.join(config.out, variant_state.STATE_FOLDER),
                      ignore_errors=True)
    variant_state.save_settings(config)
    started = datetime.datetime.now(datetime.timezone.utc)
    evaluator = make_evaluator(config, data)
    probe = measures.CriticProbe(data.reference, config.latent_dim,
                                 config.seed + 2)
    results: dict[str, Any] = {
        "command": command,
        "config": dataclasses.asdict(config),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "data": {"train": len(data.train), "reference": len(data.reference),
                 "notes": data.notes},
        "primary_metric": evaluator.primary,
        "num_modes": evaluator.num_modes,
        "real_data": measures.real_baseline(evaluator, data.train,
                                            config.eval_samples, config.seed),
        "variants": [],
        "continued": continued,
    }
    arrays = {}
    for name in config.variants:
        result, arrays[name] = training.train_variant(
            name, config, data, evaluator, probe, log,
            state=variant_state.VariantState(config.out, name))
        results["variants"].append(result)
    results["total_seconds"] = round(
        (datetime.datetime.now(datetime.timezone.utc) - started)
        .total_seconds(), 1)
    paths = report.write_report(config.out, results, arrays,
                                data.reference, config.is_toy)
    log(f"wrote the report to {paths['report']}")
    return results
