"""`python -m keras_wgan compare`: train several variants on one budget and
write a report (see `keras_wgan.studies.compare`).
"""

import argparse
import os
import shlex
from collections.abc import Sequence

from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.options import flag
from keras_wgan.cli.options import given_options
from keras_wgan.models.registry import VARIANTS
from keras_wgan.models.registry import get_variant
from keras_wgan.studies import compare
from keras_wgan.studies import seeds

# The options passed on to `compare.CompareConfig` under the same name.
_CONFIG_OPTIONS = ("iterations", "seconds", "eval_every", "eval_samples",
                   "width", "batch_size", "learning_rate",
                   "critic_learning_rate", "generator_learning_rate",
                   "generator_ema", "latent_dim",
                   "seed")


def parse_variants(text: str | None) -> tuple[str, ...]:
    """Returns the variant names of a `--variants` value, in its order.

    Args:
        text: Comma-separated names from the variant registry, or `None`
            for all of them.

    Raises:
        UsageError: if a name is unknown or repeated.

    Example:

    >>> parse_variants("wgan, gan")
    ('wgan', 'gan')
    >>> parse_variants(None)
    ('gan', 'nsgan', 'wgan', 'wgan-gp', 'wgan-lp', 'dragan', 'wgan-r1',
    'wgan-sn', 'sngan-hinge')
    """
    if text is None:
        return tuple(VARIANTS)
    variants = tuple(v.strip() for v in text.split(","))
    if any(v not in VARIANTS for v in variants) or (
            len(set(variants)) != len(variants)):
        raise UsageError(
            "--variants must be distinct names from "
            f"{','.join(VARIANTS)} separated by commas, got {text!r}."
        )
    return variants


def samples_per_step(variants: Sequence[str], batch_size: int) -> int:
    """Returns the training samples one step of every variant needs.

    A step draws `n_critic` batches, each variant's own default.

    Example:

    >>> samples_per_step(("gan", "wgan"), 64)
    320
    """
    return batch_size * max(get_variant(v).default("n_critic")
                            for v in variants)


def prepare(args: argparse.Namespace) -> Job:
    """Checks the options and loads the data; writes nothing.

    Args:
        args: The parsed `compare` options (`build_parser().parse_args`).

    Returns:
        A `Job` that runs the comparison and returns its results.
    """
    options = given_options(args)
    variants = parse_variants(options.get("variants"))
    out = options["out"]
    if "iterations" not in options and "seconds" not in options:
        raise UsageError("give --iterations N or --seconds S (or both): the "
                         "budget of each variant.")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out: {out} is a file, not a folder.")
    if os.path.isdir(out) and os.listdir(out) and not options.get("overwrite"):
        raise UsageError(f"--out: {out} is not empty; pass --overwrite or "
                         "choose a new folder.")
    config = compare.CompareConfig(
        options["dataset"], out, variants,
        **{name: options[name] for name in _CONFIG_OPTIONS if name in options})
    data = compare.load_data(config)
    needed = samples_per_step(variants, config.batch_size)
    if len(data.train) < needed:
        raise UsageError(
            f"--batch-size {config.batch_size} needs at least {needed} "
            f"training samples per step, the data has {len(data.train)}."
        )
    flags = ["--dataset", config.dataset, "--out", out,
             "--variants", ",".join(variants)]
    for name in _CONFIG_OPTIONS:
        value = getattr(config, name)
        if value is not None:
            flags += [flag(name), f"{value:g}"
                      if isinstance(value, float) else str(value)]
    if "seeds" in options:
        try:
            seed_list = seeds.parse_seeds(options["seeds"])
        except ValueError as error:
            raise UsageError(f"--{error}") from None
        if "seed" in options:
            raise UsageError("give --seed or --seeds, not both.")
        index = flags.index("--seed")
        flags[index:index + 2] = ["--seeds", ",".join(map(str, seed_list))]
        command = "python -m keras_wgan compare " + shlex.join(flags)
        return Job(
            lambda: seeds.run_seeds(config, seed_list, command=command),
            f"compare {', '.join(variants)} on "
                       f"{len(data.train)} {config.dataset} samples for "
                       f"seeds {','.join(map(str, seed_list))} into {out}")
    command = "python -m keras_wgan compare " + shlex.join(flags)
    return Job(lambda: compare.run_comparison(config, data, command=command),
               f"compare {', '.join(variants)} on {len(data.train)} "
               f"{config.dataset} samples into {out}")
