"""The report folder of `python -m keras_wgan compare`: markdown, PNG, JSON.

`write_report` writes, from the results of `keras_wgan.compare`:

- `report.md`: the summary table, the settings, the command, budget,
  machine and date, the data notes, and links to the figures;
- `results.json`: every number (each evaluation of each variant);
- `curves.png`: sample quality against generator iterations and training
  time, and the critic's gap (the Wasserstein estimate of the WGANs);
- `samples.png`: the final samples of each variant side by side;
- `weights.png`: histograms of the critics' weights;
- `gradient_norms.png`: per-layer gradient norms of the critic loss;
- `arrays.npz`: the final samples, critic weights and reference samples,
  from which `rerender` draws the figures again.
"""

import json
import math
import os
import re

import numpy as np

from keras_wgan._atomic import write_atomically

FIGURES = {
    "curves": "curves.png",
    "samples": "samples.png",
    "weights": "weights.png",
    "gradient_norms": "gradient_norms.png",
}
# One colour per variant, the same in every figure.
COLOURS = {"gan": "tab:orange", "nsgan": "tab:green", "wgan": "tab:blue",
           "wgan-gp": "tab:red"}
ARRAYS_NAME = "arrays.npz"
_SHORT = {"classifier_fid": "FID", "energy_distance": "energy dist."}
_METRIC_TITLES = {
    "classifier_fid": "classifier FID (lower is better)",
    "energy_distance": "energy distance (lower is better)",
    "classifier_score": "classifier score (higher is better)",
    "high_quality": "high-quality fraction (higher is better)",
}


def write_report(out, results, arrays, reference, is_toy):
    """Writes the report folder.

    Args:
        out: Folder to write into (created if missing).
        results: The results dict of `compare.run_comparison`.
        arrays: `{variant name: {"samples": array, "weights": array}}`.
        reference: Real samples drawn under the toy samples.
        is_toy: Whether the samples are 2D points rather than images.

    Returns:
        A dict of the written paths: `report`, `results` and one per figure.

    Example:

    ```python
    write_report("runs/cmp", results, arrays, data.reference, False)
    ```
    """
    import matplotlib

    matplotlib.use("Agg")
    os.makedirs(out, exist_ok=True)
    paths = {key: os.path.join(out, name) for key, name in FIGURES.items()}
    # The data first: a figure that fails to draw can be drawn again later
    # from them with `rerender`.
    paths["arrays"] = os.path.join(out, ARRAYS_NAME)
    save_arrays(paths["arrays"], arrays, reference)
    paths["results"] = os.path.join(out, "results.json")
    _write_text(paths["results"], json.dumps(results, indent=1,
                                             default=_plain) + "\n")
    plot_curves(results, paths["curves"])
    plot_samples(results, arrays, reference, is_toy, paths["samples"])
    plot_weights(results, arrays, paths["weights"])
    plot_gradient_norms(results, paths["gradient_norms"])
    paths["report"] = os.path.join(out, "report.md")
    _write_text(paths["report"], markdown_report(results))
    return paths


def save_arrays(path, arrays, reference):
    """Writes the samples, critic weights and reference to an `.npz` file.

    With `results.json` they are all `rerender` needs to draw the report
    again without training.
    """
    flat = {f"{name}/{key}": value for name, values in arrays.items()
            for key, value in values.items()}
    write_atomically(path, lambda temporary: np.savez_compressed(
        temporary, reference=np.asarray(reference), **flat))


def rerender(out):
    """Draws the report in `out` again from its results and arrays.

    Args:
        out: A folder written by `write_report`.

    Returns:
        The paths dict of `write_report`.

    Example:

    >>> rerender("docs/compare/mnist")
    """
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    arrays = {}
    with np.load(os.path.join(out, ARRAYS_NAME)) as stored:
        reference = stored["reference"]
        for key in stored.files:
            if "/" in key:
                name, kind = key.split("/")
                arrays.setdefault(name, {})[kind] = stored[key]
    is_toy = results["config"]["dataset"].startswith("toy-")
    return write_report(out, results, arrays, reference, is_toy)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write_text(path, text):
    def write(temporary):
        with open(temporary, "w") as f:
            f.write(text)

    write_atomically(path, write)


# --------------------------------------------------------------- markdown


def table_columns(results):
    """Returns the summary table's `(header, function of a row)` pairs.

    A row is a variant's result or the real-data baseline; the columns
    depend on the data (FID and classifier for images, energy distance and
    mode statistics for toy sets).
    """
    primary = results["primary_metric"]
    modes = results["num_modes"]
    columns = [
        (f"final {_SHORT[primary]}", lambda r: _fmt(_final(r, primary))),
        (f"best {_SHORT[primary]} (iter.)", lambda r: _best(r, primary)),
    ]
    if primary == "classifier_fid":
        columns += [
            ("classifier score", lambda r: _fmt(_final(r, "classifier_score"),
                                                 ".2f")),
            ("classes covered", lambda r: _count(r, "classes_covered",
                                                 modes)),
        ]
    elif modes is not None:
        columns += [
            ("high-quality samples", lambda r: _percent(
                _final(r, "high_quality"))),
            ("modes covered", lambda r: _count(r, "modes_covered", modes)),
        ]
    columns += [
        ("wall time (s)", lambda r: _fmt(r.get("train_seconds"), ".1f")),
        ("s / iter.", lambda r: _fmt(r.get("seconds_per_iteration"), ".3f")),
        ("generator iter.", lambda r: str(r.get("iterations", "–"))),
    ]
    return columns


def _final(row, key):
    final = row.get("final", row)
    return None if final is None else final.get(key)


def _best(row, key):
    best = row.get("best")
    if not best:
        return "–"
    return f"{_fmt(best[key])} ({best['iteration']})"


def _fmt(value, spec=".3g"):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return format(value, spec)


def _percent(value):
    return "–" if value is None else f"{100 * value:.1f}%"


def _count(row, key, total):
    value = _final(row, key)
    return "–" if value is None else f"{value}/{total}"


def markdown_table(results):
    """Returns the summary table: one row per variant, then the real data."""
    columns = table_columns(results)
    lines = ["| variant | " + " | ".join(h for h, _ in columns) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for row in results["variants"]:
        lines.append(f"| {row['label']} | "
                     + " | ".join(f(row) for _, f in columns) + " |")
    real = {"final": results["real_data"]}
    cells = [f(real) if header.startswith(("final", "classifier", "classes",
                                           "high", "modes")) else "–"
             for header, f in columns]
    lines.append("| real data (held-out check) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_report(results):
    """Returns the text of `report.md`."""
    config = results["config"]
    machine = results["machine"]
    budget = []
    if config["iterations"] is not None:
        budget.append(f"{config['iterations']} generator iterations")
    if config["seconds"] is not None:
        budget.append(f"{config['seconds']:g} s of training")
    lr = ("each variant's default (below)" if config["learning_rate"] is None
          else f"{config['learning_rate']:g} for every optimizer")
    lines = [
        f"# GAN vs WGAN vs WGAN-GP on {config['dataset']}",
        "",
        markdown_table(results),
        "",
        _table_legend(results),
        "",
        "## Run",
        "",
        f"- Command: `{results['command'] or '(library call)'}`",
        f"- Budget per variant: {' or '.join(budget)}"
        + (", whichever first" if len(budget) > 1 else "") + "; "
        f"evaluated every {config['eval_every']} iterations on "
        f"{config['eval_samples']} samples from fixed noise.",
        f"- Networks: width {config['width']}, latent size "
        f"{config['latent_dim']}, batch {config['batch_size']} per critic "
        f"update, seed {config['seed']} (same initial weights for every "
        "variant); learning rate: " + lr + ".",
        f"- Machine: {machine['cpu_count']} CPU cores "
        f"({machine['processor']}, {machine['platform']})"
        + (f", load average {machine['load_average']:.1f} at the start"
           if machine.get("load_average") is not None else "")
        + "; Keras backend "
        f"{machine['backend']}"
        + (f" ({machine['torch_threads']} torch thread(s))"
           if machine.get("torch_threads") else "") + "; "
        + ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
        + f"; Python {machine['python']}.",
        f"- Date: {results['date']}; whole run {results['total_seconds']} s "
        "(training and evaluation).",
        "",
        "| variant | model | n_critic | Lipschitz / loss | optimizer | status |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["variants"]:
        lipschitz = (f"clip {row['clip_value']:g}" if "clip_value" in row
                     else f"penalty {row['gp_weight']:g}" if "gp_weight" in row
                     else "cross-entropy")
        lines.append(f"| {row['label']} | `{row['class']}` | "
                     f"{row['n_critic']} | {lipschitz} | {row['optimizer']} | "
                     f"{row['status']} |")
    lines += ["", "## Data", ""] + [f"- {n}" for n in results["data"]["notes"]]
    lines += ["", "## Figures", ""]
    captions = {
        "curves": "Sample quality against generator iterations and training "
                  "time; the critic's gap `mean D(real) - mean D(fake)` on "
                  "fixed held-out data (the Wasserstein estimate for the "
                  "WGANs, the logit gap for the GANs).",
        "samples": "Final samples from fixed noise.",
        "weights": "Histograms of the final critic weights (kernels).",
        "gradient_norms": "Gradient norm of the critic loss "
                          "`mean D(fake) - mean D(real)` at each layer: "
                          "at the end (input to output) and over training.",
    }
    for key, name in FIGURES.items():
        lines += [f"![{key}]({name})", "", captions[key], ""]
    lines.append("Every number is in [results.json](results.json).")
    return "\n".join(lines) + "\n"


def _table_legend(results):
    primary = results["primary_metric"]
    if primary == "classifier_fid":
        text = ("FID, classifier score and classes covered use the classifier "
                "shipped for the dataset (`keras_wgan.quality`); a class is "
                "covered when at least one sample is labelled with it.")
    else:
        text = ("Energy distance `2E|X-Y| - E|X-X'| - E|Y-Y'|` between the "
                "samples and held-out real points (0 for equal "
                "distributions).")
        if results["num_modes"] is not None:
            text += (" A sample is high quality within 3 standard deviations "
                     "of its nearest mode; a mode is covered when it gets at "
                     "least a quarter of its fair share of high-quality "
                     "samples.")
    return (text + " *Final* is the last evaluation, *best* the best one "
            "(at that generator iteration). Wall time is training time "
            "without the evaluations (the first steps' compilation "
            "included). The last row scores real training "
            "samples the same way: the floor of the finite-sample estimate.")


# ---------------------------------------------------------------- figures


def _colour(row):
    return COLOURS.get(row["name"])


def plot_curves(results, path):
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
                          color=_colour(row))
        title = _METRIC_TITLES.get(y_key)
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
    """
    primary = results["primary_metric"]
    values = [r[primary] for row in results["variants"]
              for r in row["history"] if r.get(primary)]
    if not values:
        return
    low, high = min(values), max(values)
    if real is not None and real > low / 20:
        axis.axhline(real, color="grey", linestyle=":", label="real data")
        low = min(low, real)
    if high > 20 * low:
        axis.set_yscale("log")


def plot_samples(results, arrays, reference, is_toy, path):
    """Plots each variant's final samples side by side."""
    from matplotlib import pyplot as plt

    from keras_wgan.images import image_grid

    rows = results["variants"]
    figure, axes = plt.subplots(1, len(rows), figsize=(3.6 * len(rows), 4.1),
                                squeeze=False, layout="constrained")
    primary = results["primary_metric"]
    for axis, row in zip(axes[0], rows):
        samples = np.nan_to_num(np.asarray(arrays[row["name"]]["samples"]))
        final = row["final"] or {}
        title = f"{row['label']}\n{row['iterations']} iter."
        if final.get(primary) is not None:
            title += f", {_SHORT[primary]} {final[primary]:.3g}"
        axis.set_title(title, fontsize=9)
        if is_toy:
            axis.scatter(reference[:, 0], reference[:, 1], s=2, c="grey",
                         alpha=0.4, label="real")
            shown = samples[:1000]
            axis.scatter(shown[:, 0], shown[:, 1], s=2, color=_colour(row),
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


def plot_weights(results, arrays, path):
    """Plots a histogram of each variant's final critic weights."""
    from matplotlib import pyplot as plt

    rows = results["variants"]
    figure, axes = plt.subplots(1, len(rows), figsize=(3.6 * len(rows), 3.2),
                                squeeze=False)
    for axis, row in zip(axes[0], rows):
        weights = np.asarray(arrays[row["name"]]["weights"])
        weights = weights[np.isfinite(weights)]
        axis.hist(weights, bins=100, color=_colour(row))
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


def plot_gradient_norms(results, path):
    """Plots per-layer critic gradient norms: final, and total over time."""
    from matplotlib import pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for row in results["variants"]:
        history = [r for r in row["history"] if r.get("gradient_norms")]
        if not history:
            continue
        final = history[-1]["gradient_norms"]
        left.plot(range(len(final)), list(final.values()), marker="o",
                  label=row["label"], color=_colour(row))
        totals = [math.sqrt(sum(v * v for v in r["gradient_norms"].values()))
                  for r in history]
        right.plot([r["iteration"] for r in history], totals, marker=".",
                   label=row["label"], color=_colour(row))
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
    left.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
