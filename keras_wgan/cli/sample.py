"""`python -m keras_wgan sample`: a PNG grid of samples from a checkpoint
or a pretrained model; a conditional model's grid has one row per class
(`--classes` chooses them).
"""

import argparse
import os

from keras_wgan.cli import paths
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.model_loading import load_model
from keras_wgan.cli.options import given_options
from keras_wgan.cli.sample_config import SampleConfig
from keras_wgan.image_grids import save_image_grid
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.zoo import pretrained


def prepare(args: argparse.Namespace) -> Job:
    """Checks the options and loads the model; writes nothing.

    Args:
        args: The parsed `sample` options (`build_parser().parse_args`).

    Returns:
        A `Job` that writes the sample grid and returns its path.
    """
    options = given_options(args)
    checkpoint = options.get("checkpoint")
    if checkpoint is not None and os.path.isdir(checkpoint):
        inside = os.path.join(checkpoint, "model.keras")
        hint = (f"; did you mean {inside}?" if os.path.isfile(inside)
                else ", expected a .keras file.")
        raise UsageError(f"--checkpoint: {checkpoint} is a folder{hint}")
    if checkpoint is not None and not os.path.isfile(checkpoint):
        raise UsageError(f"--checkpoint: no such file {checkpoint}.")
    config = SampleConfig(**options)
    paths.check_file(config.out, "--out")
    if config.checkpoint is not None:
        model = load_model(config.checkpoint, "--checkpoint",
                           AdversarialModel)
    else:  # SampleConfig holds exactly one of the two
        assert config.pretrained is not None
        model = pretrained(config.pretrained)
    num_classes = getattr(model, "num_classes", None)
    if config.classes is not None:
        if num_classes is None:
            raise UsageError(
                f"--classes applies to conditional models; the model is an "
                f"unconditional {type(model).__name__}.")
        if max(config.classes) >= num_classes:
            raise UsageError(f"--classes must be in [0, {num_classes}), got "
                             + ",".join(map(str, config.classes)) + ".")
    if num_classes is not None and config.columns is not None:
        raise UsageError("--columns applies to unconditional models; a "
                         "conditional model's grid has one row per class.")
    if num_classes is not None and "n" in options:
        rows = len(config.classes or range(num_classes))
        if config.n % rows:
            below = config.n - config.n % rows
            choices = " or ".join(f"--n {n}" for n in (below, below + rows)
                                  if n > 0)
            raise UsageError(
                f"--n must be a multiple of the {rows} rows of a conditional "
                f"model's grid (one row per class), got {config.n}; e.g. "
                f"{choices}.")
    source = config.checkpoint or f"the pretrained {config.pretrained}"
    return Job(lambda: sample(config, model),
               f"write {config.n} samples of {source} to {config.out}")


def sample(config: SampleConfig, model: AdversarialModel) -> str:
    """Writes `config.n` samples of `model` as a grid to `config.out`.

    Returns:
        The path of the PNG file.

    Example:

    >>> config = SampleConfig(pretrained="mnist-wgan", out="grids/g.png",
    ...                       n=4)
    >>> sample(config, keras_wgan.pretrained("mnist-wgan"))
    wrote 4 samples to grids/g.png
    'grids/g.png'
    """
    columns = config.columns
    if getattr(model, "num_classes", None) is None:
        images = model.generate(config.n, seed=config.seed, raw=config.raw)
    else:
        images, columns = model.class_grid(config.n, seed=config.seed,
                                           classes=config.classes,
                                           raw=config.raw)
    parent = os.path.dirname(config.out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    save_image_grid(images, config.out, columns=columns)
    print(f"wrote {len(images)} samples to {config.out}")
    return config.out
