"""The report folder of `python -m keras_wgan compare`: markdown, PNG, JSON.

`write_report` writes, from the results of
`keras_wgan.studies.compare.run_comparison`:

- `report.md`: the summary table, the settings, the command, budget,
  machine and date, the data notes, and links to the figures;
- `results.json`: every number (each evaluation of each variant);
- the figures of `keras_wgan.studies.figures`: `curves.png` (sample
  quality against generator iterations and training time, and the
  critic's gap, the Wasserstein estimate of the WGANs), `samples.png` (the
  final samples of each variant side by side), `weights.png` (histograms
  of the critics' weights) and `gradient_norms.png` (per-layer gradient
  norms of the critic loss);
- `arrays.npz`: the final samples, critic weights and reference samples.

`results.json` and `arrays.npz` are written first: from them `rerender`
draws the figures and `report.md` again, without training.
"""

import json
import math
import os
from collections.abc import Callable
from typing import Any
from typing import cast

import numpy as np

from keras_wgan._atomic import write_atomically
from keras_wgan.studies import figures
from keras_wgan.studies.figures import SHORT_NAMES

RESULTS_NAME = "results.json"
REPORT_NAME = "report.md"
ARRAYS_NAME = "arrays.npz"


def write_report(out: str | os.PathLike, results: dict[str, Any], arrays: dict[str, dict[str, np.ndarray]],
                 reference: np.ndarray, is_toy: bool) -> dict[str, str]:
    """Writes the report folder.

    Args:
        out: Folder to write into (created if missing).
        results: The results dict of `compare.run_comparison`.
        arrays: `{variant name: {"samples": array, "weights": array}}`.
        reference: Real samples drawn under the toy samples.
        is_toy: Whether the samples are 2D points rather than images.

    Returns:
        A dict of the written paths: `report`, `results`, `arrays` and one
        per figure.

    Example:

    ```python
    write_report("runs/cmp", results, arrays, data.reference, False)
    ```
    """
    os.makedirs(out, exist_ok=True)
    # The data first: a figure that fails to draw can be drawn again later
    # from them with `rerender`.
    paths = {"arrays": os.path.join(out, ARRAYS_NAME),
             "results": os.path.join(out, RESULTS_NAME)}
    save_arrays(paths["arrays"], arrays, reference)
    _write_text(paths["results"], json.dumps(results, indent=1,
                                             default=_plain) + "\n")
    paths.update(_render(out, results, arrays, reference, is_toy))
    return paths


def rerender(out: str | os.PathLike) -> dict[str, str]:
    """Draws the figures and `report.md` of a report folder again.

    Reads `results.json` and `arrays.npz`, which `write_report` wrote
    first, and writes the rest of the folder from them: after a figure
    failed to draw, or to draw the figures of an older run with today's
    code.

    Args:
        out: A folder written by `write_report`.

    Returns:
        A dict of the written paths: `report` and one per figure.

    Example:

    ```python
    rerender("runs/cmp")
    ```
    """
    with open(os.path.join(out, RESULTS_NAME)) as f:
        results = json.load(f)
    arrays, reference = load_arrays(os.path.join(out, ARRAYS_NAME))
    # Toy samples are 2D points, (n, 2); images are (n, 28, 28, 1).
    is_toy = np.ndim(reference) == 2
    return _render(out, results, arrays, reference, is_toy)


def _render(out, results, arrays, reference, is_toy):
    paths = figures.draw_figures(out, results, arrays, reference, is_toy)
    paths["report"] = os.path.join(out, REPORT_NAME)
    _write_text(paths["report"], markdown_report(results))
    return paths


def save_arrays(path: str | os.PathLike, arrays: dict[str, dict[str, np.ndarray]],
                reference: np.ndarray) -> None:
    """Writes the samples, critic weights and reference to an `.npz` file.

    With `results.json` they are all `rerender` needs to draw the report
    again without training; `load_arrays` reads them back.
    """
    flat = {f"{name}/{key}": value for name, values in arrays.items()
            for key, value in values.items()}
    flat["reference"] = np.asarray(reference)
    write_atomically(path, lambda temporary: np.savez_compressed(
        temporary, **cast(dict[str, Any], flat)))


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, dict[str, np.ndarray]], np.ndarray]:
    """Reads an `.npz` file of `save_arrays`.

    Returns:
        `(arrays, reference)`, as `save_arrays` took them.

    Example:

    >>> save_arrays("arrays.npz", {"wgan": {"weights": np.ones(3)}},
    ...             np.zeros((2, 2)))
    >>> arrays, reference = load_arrays("arrays.npz")
    >>> arrays["wgan"]["weights"].tolist(), reference.shape
    ([1.0, 1.0, 1.0], (2, 2))
    """
    arrays: dict[str, dict[str, np.ndarray]] = {}
    with np.load(path) as stored:
        reference = stored["reference"]
        for key in stored.files:
            if "/" in key:
                name, kind = key.split("/")
                arrays.setdefault(name, {})[kind] = stored[key]
    return arrays, reference


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


def table_columns(results: dict[str, Any]
                  ) -> list[tuple[str, Callable[[dict[str, Any]], str], bool]]:
    """Returns the summary table's columns.

    A row is a variant's result or the real-data baseline; the columns
    depend on the data (FID and classifier for images, energy distance,
    the exact W1 beside the critic's gap, and mode statistics for toy
    sets).

    Args:
        results: The results dict of `compare.run_comparison`.

    Returns:
        A list of `(header, cell, real)` triples: `cell` is a function of
        a row returning its text, and `real` says whether the column has
        a value for the real-data row (sample quality does; training
        time, iterations and the best evaluation do not).

    Example:

    >>> columns = table_columns({"primary_metric": "energy_distance",
    ...                          "num_modes": None})
    >>> [(header, real) for header, _, real in columns]
    [('final energy dist.', True), ('best energy dist. (iter.)', False),
     ('wall time (s)', False), ('s / iter.', False),
     ('generator iter.', False)]
    """
    primary = results["primary_metric"]
    modes = results["num_modes"]
    columns = [
        (f"final {SHORT_NAMES[primary]}", lambda r: _fmt(_final(r, primary)),
         True),
        (f"best {SHORT_NAMES[primary]} (iter.)", lambda r: _best(r, primary),
         False),
    ]
    if results.get("config", {}).get("generator_ema") is not None:
        columns.insert(1, (f"final EMA {SHORT_NAMES[primary]}",
                           lambda r: _fmt(_final(r, f"ema_{primary}")),
                           False))
    if primary == "classifier_fid":
        columns += [
            ("classifier score", lambda r: _fmt(_final(r, "classifier_score"),
                                                 ".2f"), True),
            ("classes covered", lambda r: _count(r, "classes_covered",
                                                 modes), True),
        ]
    elif "exact_w1" in (results.get("real_data") or {}):
        # The exact distance beside the critic's estimate of it (results
        # written before it was measured have neither column).
        columns += [
            ("final W1 (exact)", lambda r: _fmt(_final(r, "exact_w1")), True),
            ("final critic gap", lambda r: _fmt(_final(r, "critic_gap")),
             False),
        ]
    if primary != "classifier_fid" and modes is not None:
        columns += [
            ("high-quality samples", lambda r: _percent(
                _final(r, "high_quality")), True),
            ("modes covered", lambda r: _count(r, "modes_covered", modes),
             True),
        ]
    columns += [
        ("wall time (s)", lambda r: _fmt(r.get("train_seconds"), ".1f"),
         False),
        ("s / iter.", lambda r: _fmt(r.get("seconds_per_iteration"), ".3f"),
         False),
        ("generator iter.", lambda r: str(r.get("iterations", "–")), False),
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


def markdown_table(results: dict[str, Any]) -> str:
    """Returns the summary table: one row per variant, then the real data."""
    columns = table_columns(results)
    lines = ["| variant | " + " | ".join(h for h, _, _ in columns) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for row in results["variants"]:
        lines.append(f"| {row['label']} | "
                     + " | ".join(cell(row) for _, cell, _ in columns) + " |")
    real = {"final": results["real_data"]}
    cells = [cell(real) if for_real else "–" for _, cell, for_real in columns]
    lines.append("| real data (held-out check) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_report(results: dict[str, Any]) -> str:
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
    for player in ("critic", "generator"):
        if config.get(f"{player}_learning_rate") is not None:
            lr += (f"; {config[f'{player}_learning_rate']:g} for every "
                   f"{player} (TTUR)")
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
        f"- Date: {results['date']}; "
        + (f"whole run {results['total_seconds']} s (training and evaluation)."
           if not results.get("continued") else
           f"continued from saved state; this part {results['total_seconds']} s "
           "(each variant's training seconds are in its results)."),
        "",
        "| variant | model | n_critic | Lipschitz / loss | optimizer | status |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["variants"]:
        lipschitz = (f"clip {row['clip_value']:g}" if "clip_value" in row
                     else f"penalty {row['gp_weight']:g}" if "gp_weight" in row
                     else "spectral norm" if "power_iterations" in row
                     else "cross-entropy")
        if row.get("loss") == "hinge_loss":
            lipschitz += ", hinge loss"
        optimizer = row["optimizer"]
        if "generator_optimizer" in row:
            optimizer = (f"critic {optimizer}, generator "
                         f"{row['generator_optimizer']}")
        lines.append(f"| {row['label']} | `{row['class']}` | "
                     f"{row['n_critic']} | {lipschitz} | {optimizer} | "
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
    for key, name in figures.FIGURES.items():
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
