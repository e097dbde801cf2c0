"""Plots the quality curves of the shipped pretrained models.

For each record in `keras_wgan/resources/pretrained/` that holds a
`quality_history` (the FID of checkpoints scored during training by
`python -m keras_wgan evaluate --every-checkpoint`), plots the classifier FID against generator
iterations on a log scale, with the record's floor as a dashed line, and
writes `docs/images/pretrained_quality.png`. A model continued from an
earlier shipped one (`--init-from`) is drawn after its parent's curve, at
the iterations counted from the first run, with a dotted line where each
continuation began:

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
    """`(iterations, fids, starts)`: the record's FID curve after its
    ancestors', iterations counted from the first run
    (`zoo.quality_history`); `starts` are the iterations where each
    continuation began (a command of its `--init-from` lineage: where the
    curve's epochs start again at 1), empty for a run from scratch."""
    history = zoo.quality_history(info) or {
        "epoch": [], "generator_iterations": [], "classifier_fid": []}
    iterations = history["generator_iterations"]
    epochs = history.get("epoch", [])
    starts = [iterations[index - 1] for index in range(1, len(epochs))
              if epochs[index] < epochs[index - 1]]
    parent = info.get("continued_from")
    if parent is not None and parent["generator_iterations"] not in starts:
        starts.append(parent["generator_iterations"])
    return iterations, history["classifier_fid"], sorted(starts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(
        _ROOT, "docs", "images", "pretrained_quality.png"))
    args = parser.parse_args(argv)
    figure, axes = plt.subplots(figsize=(7, 4))
    for name in zoo.PRETRAINED_MODELS:
        info = zoo.pretrained_info(name)
        iterations, fids, starts = full_curve(info)
        if not fids:
            continue
        line, = axes.plot(iterations, fids, ".-", label=name)
        for index, start in enumerate(starts):
            axes.axvline(start, color=line.get_color(), ls=":", lw=1,
                         label=(f"{name}: continued (new settings)"
                                if index == 0 else None))
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
