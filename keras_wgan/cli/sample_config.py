"""`SampleConfig`: the options of `sample`, with their defaults, checked."""

import dataclasses
from typing import Any

from keras_wgan.argument_validation import check_choice
from keras_wgan.argument_validation import check_int
from keras_wgan.cli.options import MAX_SAMPLES
from keras_wgan.cli.options import check_bool
from keras_wgan.cli.options import check_path
from keras_wgan.cli.options import set_checked
from keras_wgan.zoo import PRETRAINED_MODELS


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleConfig:
    """The options of `sample`, defaults filled in and checked.

    Example:

    >>> SampleConfig(pretrained="mnist-wgan", out="g.png").n
    64
    >>> SampleConfig(pretrained="mnist-wgan", out="g.jpg")
    Traceback (most recent call last):
    ...
    ValueError: --out must name a .png file, got g.jpg.
    """

    checkpoint: str | None = None
    pretrained: str | None = None
    n: int = 64
    out: str
    seed: int = 0
    columns: int | None = None
    classes: tuple | None = None
    raw: bool = False

    def __post_init__(self) -> None:
        if (self.checkpoint is None) == (self.pretrained is None):
            raise ValueError("give one of --checkpoint and --pretrained.")
        if self.checkpoint is not None:
            set_checked(self, "checkpoint", check_path("checkpoint", self.checkpoint))
        else:
            check_choice("pretrained", self.pretrained, PRETRAINED_MODELS)
        set_checked(self, "out", check_path("out", self.out))
        if not self.out.endswith(".png"):
            raise ValueError(f"--out must name a .png file, got {self.out}.")
        set_checked(self, "n", check_int("n", self.n))
        if self.n > MAX_SAMPLES:
            raise ValueError(f"--n must be <= {MAX_SAMPLES} (one grid of "
                             f"at most 100 x 100 images), got {self.n}.")
        set_checked(self, "seed", check_int("seed", self.seed, minimum=0))
        if self.columns is not None:
            set_checked(self, "columns", check_int("columns", self.columns))
        if self.classes is not None:
            if self.columns is not None:
                raise ValueError("--columns and --classes exclude each other "
                                 "(a conditional grid has one row per class).")
            set_checked(self, "classes", tuple(check_int("classes", value, 0)
                                        for value in self.classes))
        check_bool("raw", self.raw)

    @classmethod
    def default(cls, name: str) -> Any:
        """Returns the default of an option.

        Example:

        >>> SampleConfig.default("n")
        64
        """
        return getattr(cls(pretrained=PRETRAINED_MODELS[0], out=".png"), name)
