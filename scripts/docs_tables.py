"""The documentation's tables of measured numbers, made from result files.

A page asks for a table with a marker line, which the docs build
(`scripts/mkdocs_hooks.py`) replaces with the table and a line saying where
the numbers come from (file, date, machine, command):

    <!-- table: compare compare/mnist/results.json -->

The first word is the kind of table, the rest are paths under `docs/`, or
the name of a shipped model for `pretrained`. Kinds: `compare` (a
`compare` report's `results.json`), `seeds` (a `compare --seeds`
`summary.json`), `runs` (a `scripts/judge_runs.py` record), `pretrained`
(the records in `keras_wgan/resources/pretrained/`), `bigan` and
`cyclegan` (the records of `scripts/train_bigan.py` and
`scripts/train_cyclegan.py`), `time-to-quality` (the `results.json` of
`scripts/time_to_quality.py`), `suite` (`benchmarks/suite.py` results).

    python scripts/docs_tables.py docs/studies/clipping-vs-gp.md

prints a page with its tables filled in.
"""

import json
import os
import re
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

DOCS = os.path.join(_ROOT, "docs")
PRETRAINED = os.path.join(_ROOT, "keras_wgan", "resources", "pretrained")
MARKER = re.compile(r"^<!-- table: (\S+)((?: \S+)*) -->$", re.MULTILINE)


def _load(path):
    with open(os.path.join(DOCS, path)) as f:
        return json.load(f)


def _machine(machine):
    versions = ", ".join(f"{k} {v}" for k, v in
                         sorted(machine.get("versions", {}).items()))
    return (f"{machine.get('cpu_count')} CPU cores ({machine.get('processor')}), "
            f"Keras backend {machine.get('backend')} "
            f"({machine.get('torch_threads')} thread(s)), load average "
            f"{machine.get('load_average', 0):.1f} at the start; {versions}")


def _source(path, command=None, date=None, machine=None):
    parts = [f"Generated from `docs/{path}`"]
    if date:
        parts.append(f"measured {date}")
    if machine:
        parts.append(f"on {machine}")
    text = "; ".join(parts) + "."
    if command:
        text += f" Command: `{command}`."
    return f"*{text}*"


def compare_table(path):
    """A `compare` report's summary table, as its `report.md` has it."""
    from keras_wgan.studies import report

    results = _load(path)
    return (report.markdown_table(results) + "\n\n"
            + _source(path, results.get("command"), results.get("date"),
                      _machine(results.get("machine", {}))))


def seeds_table(path):
    """A `compare --seeds` summary: mean ± standard deviation over seeds."""
    from keras_wgan.studies import seeds

    summary = _load(path)
    return (seeds.summary_table(summary) + "\n\n"
            + _source(path, summary.get("command")))


def _fid(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def runs_table(path):
    """The runs judged by `scripts/judge_runs.py`, with the data's floor."""
    record = _load(path)
    floor = record["floor"]
    conditional = any(run.get("conditional") for run in record["runs"])
    settings = any("settings" in run for run in record["runs"])
    header = ["run", "networks", "generator iterations", "classifier FID",
              "classifier score", "classes covered"]
    if settings:
        header.insert(2, "settings")
    if conditional:
        header.append("class asked for")
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for run in record["runs"]:
        networks = (f"{run['architecture']}, width {run['width']}"
                    + (", conditional" if run.get("conditional") else ""))
        cells = [run["run"], networks, f"{run['generator_iterations']:,}",
                 _fid(run["classifier_fid"]),
                 f"{run['classifier_score']:.3g}",
                 str(run["classes_covered"])]
        if settings:
            cells.insert(2, f"`{run['settings']}`" if run.get("settings")
                         else "")
        if conditional:
            accuracy = run.get("class_accuracy")
            cells.append("n/a" if accuracy is None else f"{accuracy:.1%}")
        lines.append("| " + " | ".join(cells) + " |")
    cells = [f"floor: {record['samples']:,} real train images", "", "",
             _fid(floor["classifier_fid"]),
             f"{floor['classifier_score']:.3g}",
             str(floor["classes_covered"])]
    if settings:
        cells.insert(2, "")
    if conditional:
        cells.append(f"{floor['class_accuracy']:.1%}")
    lines.append("| " + " | ".join(cells) + " |")
    return ("\n".join(lines) + "\n\n"
            + _source(path, date=record.get("measured")))


def pretrained_table(*names):
    """The shipped models: command, budget and quality against the floor."""
    from keras_wgan.zoo import PRETRAINED_MODELS

    lines = ["| name | model | trained on | command | generator iterations "
             "| wall time | classifier FID | floor | score (real) | classes |",
             "|---" * 10 + "|"]
    for name in names or PRETRAINED_MODELS:
        with open(os.path.join(PRETRAINED, f"{name}.json")) as f:
            record = json.load(f)
        quality = record["quality"]
        measured = quality["float16"]
        floor = quality["floor"]
        budget = record["budget"]
        lines.append(
            f"| `{name}` | `{record['model']}` | "
            f"{record['data']['training']['description']} | "
            f"`{record['command']}` | "
            + (f"{budget['generator_iterations']:,} ({budget['epochs']} "
               "epochs)" if "total_generator_iterations" not in budget else
               f"{budget['total_generator_iterations']:,} in all (the "
               f"last command: {budget['generator_iterations']:,}, "
               f"{budget['epochs']} epochs)") + " | "
            + ("not recorded (resumed)" if budget["wall_seconds"] is None
               else f"{budget['wall_seconds'] / 60:.0f} min") + " | "
            f"{measured['fid']:.3g} | {floor['fid']:.2g} "
            f"({measured['fid'] / floor['fid']:.0f}x) | "
            f"{measured['score']:.3g} ({floor['score']:.3g}) | "
            f"{measured['classes_covered']}/10 |")
    return ("\n".join(lines) + "\n\n*Generated from "
            "`keras_wgan/resources/pretrained/*.json` (torch 2.13.0 CPU, one "
            "thread per run, a 2-core machine shared with other work; "
            "the records' `budget` gives each run's machine and load).*")


def bigan_table(*paths):
    """The BiGAN runs of `scripts/train_bigan.py`, side by side."""
    records = [(path, _load(path)) for path in paths]
    rows = [
        ("generator iterations", lambda r: f"{r['generator_iterations']:,}"),
        ("width, latent size", lambda r: f"{r['settings']['width']}, "
                                         f"{r['settings']['latent_dim']}"),
        ("training wall time", lambda r: f"{r['train_seconds'] / 60:.1f} min"),
        ("linear probe, trained encoder",
         lambda r: f"{r['probe_accuracy']:.1%}"),
        ("linear probe, random encoder (baseline)",
         lambda r: f"{r['random_encoder_probe_accuracy']:.1%}"),
        ("linear probe, raw pixels", lambda r: f"{r['pixel_probe_accuracy']:.1%}"),
        ("MNIST classifier on `G(E(x))` (the digit kept)",
         lambda r: f"{r['reconstruction_digit_accuracy']:.1%}"),
    ]
    header = ["on the 10,000 test digits"] + [
        f"`{r['model']}`, {r['settings']['epochs']} epochs" for _, r in records]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for title, cell in rows:
        lines.append(f"| {title} | "
                     + " | ".join(cell(r) for _, r in records) + " |")
    sources = "\n".join(_source(path, r.get("command")) for path, r in records)
    return "\n".join(lines) + "\n\n" + sources


def cyclegan_table(path):
    """The digit accuracy of `scripts/train_cyclegan.py`'s translations."""
    r = _load(path)
    lines = [
        f"| {r['generator_iterations']:,} iterations, "
        f"{r['train_seconds'] / 60:.1f} min of training | digit accuracy |",
        "|---|---|",
        f"| MNIST -> coloured, by the coloured MNIST classifier | "
        f"{r['mnist_to_coloured_digit_accuracy']:.1%} |",
        f"| coloured -> MNIST, by the MNIST classifier | "
        f"{r['coloured_to_mnist_digit_accuracy']:.1%} |",
        "| chance | 10% |",
        f"| the same classifiers on the untranslated test images (coloured / "
        f"MNIST) | {r['untranslated_coloured_digit_accuracy']:.1%} / "
        f"{r['untranslated_mnist_digit_accuracy']:.1%} |",
    ]
    return "\n".join(lines) + "\n\n" + _source(path, r.get("command"))


def time_to_quality_table(path):
    """CPU seconds per recipe to reach each classifier FID, with the floor."""
    from keras_wgan.studies import time_to_quality

    results = _load(path)
    curves = {name: entry["curve"]
              for name, entry in results["recipes"].items()}
    descriptions = {name: entry["description"]
                    for name, entry in results["recipes"].items()}
    settings = next(iter(results["recipes"].values()))["settings"]
    floor = results["floor"]
    machine = results.get("machine", {})
    return (time_to_quality.markdown_table(curves, results["targets"],
                                           descriptions)
            + f"\n\nFloor (real training digits): classifier FID "
            f"{floor['classifier_fid']:.3g}, score "
            f"{floor['classifier_score']:.3g}. "
            + _source(path, f"OMP_NUM_THREADS="
                      f"{machine.get('omp_num_threads')} python "
                      f"scripts/time_to_quality.py --budget "
                      f"{settings['budget']:g} --eval-every "
                      f"{settings['eval_every']:g} --samples "
                      f"{settings['samples']} --seed {settings['seed']}"))


def suite_table(*paths):
    """`benchmarks/suite.py` results: keras-wgan's throughput ratio to a
    hand-written PyTorch loop and the training memory of both, per case
    (several files: one a backend or a run, their cases side by side)."""
    sys.path.insert(0, os.path.join(_ROOT, "benchmarks"))
    import suite

    parts = []
    for path in paths:
        results = _load(path)
        machine = results.get("machine", {})
        versions = ", ".join(f"{k} {v}" for k, v in
                             sorted(machine.get("versions", {}).items()))
        where = (f"{machine.get('cpu_count')} CPU cores, torch threads "
                 f"{machine.get('threads')}, load average "
                 f"{machine.get('load_average', 0):.1f} at the start; "
                 f"{versions}")
        parts.append(suite.table(results) + "\n\n" + _source(
            path, results.get("command"), results.get("date"), where))
    return "\n\n".join(parts)


TABLES = {
    "suite": suite_table,
    "compare": compare_table,
    "seeds": seeds_table,
    "runs": runs_table,
    "pretrained": pretrained_table,
    "bigan": bigan_table,
    "cyclegan": cyclegan_table,
    "time-to-quality": time_to_quality_table,
}


def render(kind, *arguments):
    """Returns the table a marker asks for."""
    if kind not in TABLES:
        raise ValueError(f"unknown table kind {kind!r}; one of "
                         f"{', '.join(TABLES)}")
    return TABLES[kind](*arguments)


def markers(text):
    """The `(kind, arguments)` of every table marker in `text`."""
    return [(m.group(1), tuple(m.group(2).split()))
            for m in MARKER.finditer(text)]


def fill(text):
    """Returns `text` with every table marker replaced by its table."""
    return MARKER.sub(lambda m: render(m.group(1), *m.group(2).split()), text)


if __name__ == "__main__":
    for page in sys.argv[1:]:
        with open(page) as f:
            print(fill(f.read()))
