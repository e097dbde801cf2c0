"""The model comparison repeated over seeds: mean and spread per variant.

`run_seeds` runs `keras_wgan.studies.compare.run_comparison` once per seed
(each seed its own report folder `seed_<n>` under the output folder: its
own initial weights, noise, data order and, for toy data, its own training
points) and writes `summary.json` and `summary.md`, which give for every
variant the mean and the spread over the seeds of the final and the best
value of the primary metric (classifier FID for images, energy distance
for toy data), of the modes or classes covered, and of the training
seconds per generator iteration.
"""

import dataclasses
import json
import os
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import numpy as np

from keras_wgan.studies import compare

# The numbers of each seed's results that the summary aggregates, besides
# the primary metric: (key of the final evaluation, column title).
_COVERAGE = (("modes_covered", "modes"), ("classes_covered", "classes"),
             ("high_quality", "high quality"))


def parse_seeds(text: str) -> tuple[int, ...]:
    """Returns the seeds of a comma-separated list, as distinct ints >= 0.

    Example:

    >>> parse_seeds("0, 1,2")
    (0, 1, 2)
    """
    try:
        seeds = tuple(int(part) for part in str(text).split(","))
    except ValueError:
        seeds = ()
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(
            f"seeds must be distinct ints >= 0 separated by commas, got "
            f"{text!r}."
        )
    return seeds


def spread(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Returns `{"mean", "std", "min", "max", "n"}` of the finite values.

    `std` is the sample standard deviation (`ddof=1`), `None` for fewer
    than two values; every entry is `None` without finite values.

    Example:

    >>> spread([1.0, 2.0, 3.0, None])
    {'mean': 2.0, 'std': 1.0, 'min': 1.0, 'max': 3.0, 'n': 3}
    """
    finite = [float(v) for v in values
              if v is not None and np.isfinite(v)]
    if not finite:
        return {"mean": None, "std": None, "min": None, "max": None, "n": 0}
    return {"mean": float(np.mean(finite)),
            "std": float(np.std(finite, ddof=1)) if len(finite) > 1 else None,
            "min": min(finite), "max": max(finite), "n": len(finite)}


def summarize_seeds(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregates the `run_comparison` results of several seeds per variant.

    Args:
        results: A list of results dicts, one per seed, of the same
            variants.

    Returns:
        A dict: `"primary_metric"`, `"seeds"`, and `"variants"`, a list of
        dicts with `name`, `label`, `final` and `best` (each a `spread` of
        the primary metric), `final_ema` (of the generators' moving
        averages, when the runs kept one), `seconds_per_iteration`, `iterations`, one
        `spread` per coverage measure present, and `statuses`.

    Example:

    >>> one = {"primary_metric": "fid", "config": {"seed": 0},
    ...        "real_data": {"fid": 0.5},
    ...        "variants": [{"name": "wgan", "label": "WGAN",
    ...                      "final": {"fid": 3.0}, "best": {"fid": 2.0},
    ...                      "seconds_per_iteration": 0.1,
    ...                      "iterations": 10, "status": "completed"}]}
    >>> two = json.loads(json.dumps(one))
    >>> two["config"]["seed"], two["variants"][0]["final"]["fid"] = 1, 5.0
    >>> summarize_seeds([one, two])["variants"][0]["final"]
    {'mean': 4.0, 'std': 1.4142135623730951, 'min': 3.0, 'max': 5.0, 'n': 2}
    """
    primary = results[0]["primary_metric"]
    summary = {
        "primary_metric": primary,
        "seeds": [r["config"]["seed"] for r in results],
        "real_data": spread([r["real_data"].get(primary) for r in results]),
        "variants": [],
    }
    for index, first in enumerate(results[0]["variants"]):
        runs = [r["variants"][index] for r in results]
        finals = [run["final"] or {} for run in runs]
        entry = {
            "name": first["name"],
            "label": first["label"],
            "final": spread([f.get(primary) for f in finals]),
            "best": spread([(run["best"] or {}).get(primary)
                            for run in runs]),
            "seconds_per_iteration": spread(
                [run["seconds_per_iteration"] for run in runs]),
            "iterations": spread([run["iterations"] for run in runs]),
            "statuses": [run["status"] for run in runs],
        }
        if f"ema_{primary}" in finals[0]:
            entry["final_ema"] = spread([f.get(f"ema_{primary}")
                                         for f in finals])
        for key, _ in _COVERAGE:
            if key in finals[0]:
                entry[key] = spread([f.get(key) for f in finals])
        summary["variants"].append(entry)
    return summary


def _cell(stats, digits=4):
    if stats["mean"] is None:
        return "not finite"
    text = f"{stats['mean']:.{digits}g}"
    if stats["std"] is not None:
        text += f" ± {stats['std']:.2g}"
    return text


def summary_table(summary: dict[str, Any]) -> str:
    """Returns the Markdown table of a `summarize_seeds` summary.

    Example:

    >>> print(summary_table({"primary_metric": "fid", "seeds": [0, 1],
    ...     "real_data": spread([0.5, 0.7]),
    ...     "variants": [{"name": "wgan", "label": "WGAN",
    ...                   "final": spread([3.0, 5.0]),
    ...                   "best": spread([2.0, 2.0]),
    ...                   "seconds_per_iteration": spread([0.1, 0.1]),
    ...                   "iterations": spread([10, 10]),
    ...                   "statuses": ["completed"] * 2}]}))
    | variant | final fid | best fid | s / iteration | iterations | runs |
    |---|---|---|---|---|---|
    | WGAN (`wgan`) | 4 ± 1.4 | 2 ± 0 | 0.1 ± 0 | 10 ± 0 | 2/2 completed |
    | real data (floor) | 0.6 ± 0.14 | | | | |
    """
    primary = summary["primary_metric"]
    coverage = [(key, title) for key, title in _COVERAGE
                if summary["variants"] and key in summary["variants"][0]]
    ema = bool(summary["variants"]) and "final_ema" in summary["variants"][0]
    header = ([f"final {primary}"] + ([f"final EMA {primary}"] if ema else [])
              + [f"best {primary}"]
              + [f"final {title}" for _, title in coverage]
              + ["s / iteration", "iterations", "runs"])
    lines = ["| variant | " + " | ".join(header) + " |",
             "|---|" + "---|" * len(header)]
    for entry in summary["variants"]:
        completed = sum(s == "completed" for s in entry["statuses"])
        cells = ([_cell(entry["final"])]
                 + ([_cell(entry["final_ema"])] if ema else [])
                 + [_cell(entry["best"])]
                 + [_cell(entry[key], 3) for key, _ in coverage]
                 + [_cell(entry["seconds_per_iteration"], 3),
                    _cell(entry["iterations"]),
                    f"{completed}/{len(entry['statuses'])} completed"])
        lines.append(f"| {entry['label']} (`{entry['name']}`) | "
                     + " | ".join(cells) + " |")
    lines.append("| real data (floor) | " + _cell(summary["real_data"])
                 + " |" + " |" * (len(header) - 1))
    return "\n".join(lines)


def run_seeds(config: compare.CompareConfig, seeds: Sequence[int],
              command: str | None = None,
              log: Callable[[str], object] = print,
              resume: bool = False) -> dict[str, Any]:
    """Runs the comparison of `config` once per seed and summarises it.

    Args:
        config: A `compare.CompareConfig`; its `seed` and `out` are
            replaced by each seed and `<out>/seed_<seed>`.
        seeds: Distinct ints >= 0.
        command: The command line to record, or `None`.
        log: Function called with each progress line.
        resume: Continue each seed's comparison from its saved state
            (`run_comparison`'s `resume`).

    Returns:
        The summary dict also written to `<out>/summary.json`.
    """
    seeds = parse_seeds(",".join(str(s) for s in seeds))
    results = []
    for seed in seeds:
        log(f"seed {seed}")
        seed_config = dataclasses.replace(
            config, seed=seed, out=os.path.join(config.out, f"seed_{seed}"))
        results.append(compare.run_comparison(seed_config, command=command,
                                              log=log, resume=resume))
    summary = summarize_seeds(results)
    summary["command"] = command
    summary["config"] = dataclasses.asdict(config)
    os.makedirs(config.out, exist_ok=True)
    with open(os.path.join(config.out, "summary.json"), "w") as file:
        json.dump(summary, file, indent=1)
    with open(os.path.join(config.out, "summary.md"), "w") as file:
        file.write(
            f"# {config.dataset}: {len(seeds)} seeds\n\n"
            f"Command: `{command}`\n\n"
            "Mean ± sample standard deviation over the seeds "
            f"{', '.join(map(str, seeds))}; each seed's report is in "
            "`seed_<n>/`.\n\n" + summary_table(summary) + "\n")
    log(f"wrote the summary to {os.path.join(config.out, 'summary.md')}")
    return summary
