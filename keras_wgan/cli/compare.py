"""`python -m keras_wgan compare`: train several variants on one budget and
write a report (see `keras_wgan.studies.compare`).
"""

import argparse
import dataclasses
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
from keras_wgan.studies import variant_state

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


def check_resumable(config: compare.CompareConfig,
                    seed_list: Sequence[int] | None) -> None:
    """Checks that `--resume` can continue the comparison in `--out`.

    Args:
        config: The comparison the options describe.
        seed_list: The `--seeds`, or `None` for one `--seed`.

    Raises:
        UsageError: `--out` holds no saved comparison, or one with other
            settings, or more iterations than `--iterations`.
    """
    configs = [config] if seed_list is None else [
        dataclasses.replace(config, seed=seed,
                            out=os.path.join(config.out, f"seed_{seed}"))
        for seed in seed_list]
    if not any(variant_state.has_state(c.out) for c in configs):
        raise UsageError(f"--resume: {config.out} holds no saved comparison; "
                         "run without --resume to start one.")
    for seed_config in configs:
        changed = variant_state.changed_settings(seed_config)
        if changed:
            raise UsageError(
                f"--resume: {seed_config.out} was run with other settings "
                f"({'; '.join(changed)}); give its options again.")
        if config.iterations is None:
            continue
        for name in config.variants:
            done = variant_state.VariantState(
                seed_config.out, name).iterations_done()
            if done > config.iterations:
                raise UsageError(
                    f"--iterations must be at least the {done} iterations "
                    f"{name} has run in {seed_config.out}, got "
                    f"{config.iterations}.")


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
    resume = bool(options.get("resume"))
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out: {out} is a file, not a folder.")
    if resume and options.get("overwrite"):
        raise UsageError("--resume and --overwrite exclude each other.")
    if (os.path.isdir(out) and os.listdir(out) and not resume
            and not options.get("overwrite")):
        raise UsageError(f"--out: {out} is not empty; pass --resume to "
                         "continue it, --overwrite to start afresh, or "
                         "choose a new folder.")
    config = compare.CompareConfig(
        options["dataset"], out, variants,
        **{name: options[name] for name in _CONFIG_OPTIONS if name in options})
    data = compare.load_data(config)
    seed_list = None
    if "seeds" in options:
        try:
            seed_list = seeds.parse_seeds(options["seeds"])
        except ValueError as error:
            raise UsageError(f"--{error}") from None
        if "seed" in options:
            raise UsageError("give --seed or --seeds, not both.")
    if resume:
        check_resumable(config, seed_list)
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
    if seed_list is not None:
        index = flags.index("--seed")
        flags[index:index + 2] = ["--seeds", ",".join(map(str, seed_list))]
        command = "python -m keras_wgan compare " + shlex.join(flags)
        return Job(
            lambda: seeds.run_seeds(config, seed_list, command=command,
                                    resume=resume),
            f"compare {', '.join(variants)} on "
                       f"{len(data.train)} {config.dataset} samples for "
                       f"seeds {','.join(map(str, seed_list))} into {out}")
    command = "python -m keras_wgan compare " + shlex.join(flags)
    return Job(lambda: compare.run_comparison(config, data, command=command,
                                              resume=resume),
               f"compare {', '.join(variants)} on {len(data.train)} "
               f"{config.dataset} samples into {out}")
