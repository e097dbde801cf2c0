"""The figures of the comparison report: curves, samples, weights, norms.

Each `plot_*` function draws one PNG of the report folder from the
results of `keras_wgan.studies.compare.run_comparison` (and, for samples
and weights, the arrays it returns); `keras_wgan.studies.report` calls
them. Every variant has the same colour in every figure, its `colour` in
the registry `keras_wgan.models.registry.VARIANTS`.
"""

import math
import os
import re
from typing import Any

import numpy as np

from keras_wgan.models.registry import VARIANTS

#: The figures by key, and their file names in the report folder.
FIGURES = {
    "curves": "curves.png",
    "samples": "samples.png",
    "weights": "weights.png",
    "gradient_norms": "gradient_norms.png",
}
#: Short names of the primary metrics, for table headers and titles.
SHORT_NAMES = {"classifier_fid": "FID", "energy_distance": "energy dist."}
_METRIC_TITLES = {
    "classifier_fid": "classifier FID (lower is better)",
    "energy_distance": "energy distance (lower is better)",
    "classifier_score": "classifier score (higher is better)",
    "high_quality": "high-quality fraction (higher is better)",
}


def colour(row: dict[str, Any]) -> str | None:
    """Returns the registered colour of a result's variant, or `None`.

    Example:

    >>> colour({"name": "wgan-gp"}), colour({"name": "unregistered"})
    ('tab:red', None)
    """
    variant = VARIANTS.get(row["name"])
    return None if variant is None else variant.colour


def draw_figures(out: str | os.PathLike, results: dict[str, Any], arrays: dict[str, dict[str, np.ndarray]],
                 reference: np.ndarray, is_toy: bool) -> dict[str, str]:
    """Draws every figure of `FIGURES` into the folder `out`.

    Args:
        out: An existing folder.
        results: The results dict of `compare.run_comparison`.
        arrays: `{variant name: {"samples": array, "weights": array}}`.
        reference: Real samples drawn under the toy samples.
        is_toy: Whether the samples are 2D points rather than images.

    Returns:
        A dict of the written paths, by the keys of `FIGURES`.
    """
    import matplotlib

    matplotlib.use("Agg")
    paths = {key: os.path.join(out, name) for key, name in FIGURES.items()}
    plot_curves(results, paths["curves"])
    plot_samples(results, arrays, reference, is_toy, paths["samples"])
    plot_weights(results, arrays, paths["weights"])
    plot_gradient_norms(results, paths["gradient_norms"])
    return paths


def plot_curves(results: dict[str, Any], path: str | os.PathLike) -> None:
    """Plots quality, secondary metric and critic gap over training."""
    from matplotlib import pyplot as plt

    primary = results["primary_metric"]
    secondary = ("classifier_score" if primary == "classifier_fid"
                 else "high_quality" if results["num_modes"] else None)
    panels = [("iteration", primary), ("train_seconds", primary)]
    if secondary:
        panels.append(("iteration", secondary))
    panels.append(("iteration", "critic_gap"))
    figure, axes = plt.subplots(1, len(panels),
                                figsize=(4.6 * len(panels), 3.8))
    for axis, (x_key, y_key) in zip(axes, panels):
        for row in results["variants"]:
            points = [(r[x_key], r[y_key]) for r in row["history"]
                      if r.get(y_key) is not None]
            if points:
                xs, ys = zip(*points)
                axis.plot(xs, ys, marker=".", label=row["label"],
                          color=colour(row))
        title = _METRIC_TITLES.get(y_key, y_key)
        if y_key == primary:
            _real_line(axis, results["real_data"].get(primary), results)
            real = results["real_data"].get(primary)
            if real is not None:
                title += f"\nreal data: {real:.3g}"
        if y_key == "critic_gap":
            axis.set_yscale("symlog", linthresh=1e-2)
            axis.set_title("critic gap mean D(real) - mean D(fake)\n"
                           "(Wasserstein estimate for the WGANs)", fontsize=9)
        else:
            axis.set_title(title, fontsize=10)
        axis.set_xlabel("generator iteration" if x_key == "iteration"
                        else "training time (s)")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _real_line(axis, real, results):
    """Draws the real-data level, on a log scale where values span decades.

    Far below the generators' values (FID 0.2 against 300), the line would
    squash their curves into the top of the panel; the title gives it then.
    A scale that must show 0 (a perfect score) stays linear.
    """
    values = primary_values(results)
    if not values:
        return
    low, high = min(values), max(values)
    if real is not None and real > low / 20:
        axis.axhline(real, color="grey", linestyle=":", label="real data")
        low = min(low, real)
    if low > 0 and high > 20 * low:
        axis.set_yscale("log")


def primary_values(results: dict[str, Any]) -> list[float]:
    """Returns every finite value of the primary metric in the histories.

    Example:

    >>> primary_values({"primary_metric": "fid", "variants": [
    ...     {"history": [{"fid": 0.0}, {"fid": None}, {"fid": 3.5}, {}]}]})
    [0.0, 3.5]
    """
    primary = results["primary_metric"]
    return [r[primary] for row in results["variants"]
            for r in row["history"]
            if r.get(primary) is not None and math.isfinite(r[primary])]


def plot_samples(results: dict[str, Any], arrays: dict[str, dict[str, np.ndarray]],
                 reference: np.ndarray, is_toy: bool, path: str | os.PathLike) -> None:
    """Plots each variant's final samples side by side."""
    from matplotlib import pyplot as plt

    from keras_wgan.image_grids import image_grid

    rows = results["variants"]
    figure, axes = plt.subplots(1, len(rows), figsize=(3.6 * len(rows), 4.1),
                                squeeze=False, layout="constrained")
    primary = results["primary_metric"]
    for axis, row in zip(axes[0], rows):
        samples = np.nan_to_num(np.asarray(arrays[row["name"]]["samples"]))
        final = row["final"] or {}
        title = f"{row['label']}\n{row['iterations']} iter."
        if final.get(primary) is not None:
            title += f", {SHORT_NAMES[primary]} {final[primary]:.3g}"
        axis.set_title(title, fontsize=9)
        if is_toy:
            axis.scatter(reference[:, 0], reference[:, 1], s=2, c="grey",
                         alpha=0.4, label="real")
            shown = samples[:1000]
            axis.scatter(shown[:, 0], shown[:, 1], s=2, color=colour(row),
                         label="generated")
            axis.set_xlim(-2.5, 2.5)
            axis.set_ylim(-2.5, 2.5)
            axis.set_aspect("equal")
        else:
            grid = image_grid(np.clip(samples, -1.0, 1.0), columns=8)
            axis.imshow(grid[..., 0], cmap="gray", vmin=0, vmax=255)
            axis.set_xticks([])
            axis.set_yticks([])
    if is_toy:
        axes[0][0].legend(fontsize=7, loc="lower left", markerscale=3)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def plot_weights(results: dict[str, Any], arrays: dict[str, dict[str, np.ndarray]],
                 path: str | os.PathLike) -> None:
    """Plots a histogram of each variant's final critic weights."""
    from matplotlib import pyplot as plt

    rows = results["variants"]
    figure, axes = plt.subplots(1, len(rows), figsize=(3.6 * len(rows), 3.2),
                                squeeze=False)
    for axis, row in zip(axes[0], rows):
        weights = np.asarray(arrays[row["name"]]["weights"])
        weights = weights[np.isfinite(weights)]
        axis.hist(weights, bins=100, color=colour(row))
        axis.set_yscale("log")
        title = row["label"]
        if "clip_value" in row:
            title += f" (clip ±{row['clip_value']:g})"
        axis.set_title(title, fontsize=9)
        axis.set_xlabel("critic weight")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("count")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_gradient_norms(results: dict[str, Any], path: str | os.PathLike) -> None:
    """Plots per-layer critic gradient norms: final, and total over time."""
    from matplotlib import pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    # The layers of the last variant with norms; the critics share their
    # architecture, so only Keras's global numbering of names differs.
    names = []
    for row in results["variants"]:
        history = [r for r in row["history"] if r.get("gradient_norms")]
        if not history:
            continue
        final = history[-1]["gradient_norms"]
        left.plot(range(len(final)), list(final.values()), marker="o",
                  label=row["label"], color=colour(row))
        totals = [math.sqrt(sum(v * v for v in r["gradient_norms"].values()))
                  for r in history]
        right.plot([r["iteration"] for r in history], totals, marker=".",
                   label=row["label"], color=colour(row))
        names = list(final)
    left.set_xticks(range(len(names)))
    # Keras numbers layer names globally (conv2d_7): keep position and kind.
    left.set_xticklabels(
        [f"{i + 1}. {re.sub(r'_[0-9]+$', '', n)}" for i, n in enumerate(names)],
        rotation=30, fontsize=7, ha="right")
    left.set_title("per layer, end of training (input to output)",
                   fontsize=10)
    right.set_title("all layers, over training", fontsize=10)
    right.set_xlabel("generator iteration")
    for axis in (left, right):
        axis.set_yscale("log")
        axis.set_ylabel("gradient norm")
        axis.grid(alpha=0.3)
    if names:
        left.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
