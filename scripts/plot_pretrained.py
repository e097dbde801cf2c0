"""Plots the quality curves of the shipped pretrained models.

For each record in `keras_wgan/resources/pretrained/` that holds a
`quality_history` (the FID of checkpoints scored during training by
`python -m keras_wgan evaluate --every-checkpoint`), plots the classifier FID against generator
iterations on a log scale, with the record's floor as a dashed line, and
writes `docs/images/pretrained_quality.png`. A model continued from an
earlier shipped one (`--init-from`) is drawn after its parent's curve, at
the iterations counted from the first run:

    python scripts/plot_pretrained.py
"""

import argparse
import os
import sys

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from keras_wgan import zoo  # noqa: E402


def full_curve(info):
    """`(iterations, fids, start)`: the record's FID curve after its
    parents', iterations counted from the first run; `start` is where the
    record's own command began (0 for a run from scratch)."""
    parent = info.get("continued_from")
    own = info.get("quality_history") or {"generator_iterations": [],
                                          "classifier_fid": []}
    if parent is None:
        return own["generator_iterations"], own["classifier_fid"], 0
    before = parent.get("quality_history") or {"generator_iterations": [],
                                               "classifier_fid": []}
    start = parent["generator_iterations"]
    return (list(before["generator_iterations"])
            + [start + i for i in own["generator_iterations"]],
            list(before["classifier_fid"]) + list(own["classifier_fid"]),
            start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(
        _ROOT, "docs", "images", "pretrained_quality.png"))
    args = parser.parse_args(argv)
    figure, axes = plt.subplots(figsize=(7, 4))
    for name in zoo.PRETRAINED_MODELS:
        info = zoo.pretrained_info(name)
        iterations, fids, start = full_curve(info)
        if not fids:
            continue
        line, = axes.plot(iterations, fids, ".-", label=name)
        if start:
            axes.axvline(start, color=line.get_color(), ls=":", lw=1,
                         label=f"{name}: continued (new settings)")
        axes.axhline(info["quality"]["floor"]["fid"], color=line.get_color(),
                     ls="--", lw=1, label=f"{name}: floor")
    axes.set_yscale("log")
    axes.set_xlabel("generator iterations")
    axes.set_ylabel("classifier FID against the test split")
    axes.set_title("Pretrained models: FID during training (10,000 samples)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(args.out, dpi=100)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
