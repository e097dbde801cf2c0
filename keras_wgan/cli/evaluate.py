"""`python -m keras_wgan evaluate`: the sample quality of a pretrained model,
a run or a checkpoint, with the real-data floor beside it.

One model: the numbers of `keras_wgan.quality.evaluate_generator` (the
pretrained records' `quality`), written as JSON, and one line on stdout.
`--every-checkpoint` scores each checkpoint of a run folder into
`quality.csv` (the curve over the run; `--watch` keeps scoring while the
run trains, since `train` keeps only the newest checkpoints) and the JSON.
`--inception` adds the Inception score, FID and KID through torch-fidelity.
"""

import argparse
import csv
import json
import math
import os
import re
import time
from typing import Any

from keras_wgan import quality
from keras_wgan._atomic import write_atomically
from keras_wgan.cli import paths
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.model_loading import load_model
from keras_wgan.cli.model_loading import read_run_json
from keras_wgan.cli.model_loading import run_folder_of
from keras_wgan.cli.options import given_options
from keras_wgan.cli.run_folder import CHECKPOINTS_DIR
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.zoo import pretrained
from keras_wgan.zoo import pretrained_info

#: Generated images per measurement, as in the pretrained records.
DEFAULT_SAMPLES = 10000
#: The JSON file written by default (in the run folder for `--run`).
EVALUATION_NAME = "evaluation.json"
#: The curve of `--every-checkpoint`, one row per checkpoint.
QUALITY_NAME = "quality.csv"
QUALITY_FIELDS = ("epoch", "generator_iterations", "classifier_fid",
                  "classifier_score", "classes_covered")
#: Its columns for a conditional model: the share of samples in the class
#: asked for, too.
CONDITIONAL_QUALITY_FIELDS = QUALITY_FIELDS + ("class_accuracy",)
#: Seconds between two looks at the run folder with `--watch`.
POLL_SECONDS = 60.0
_CHECKPOINT = re.compile(r"epoch_(\d+)\.keras$")


def prepare(args: argparse.Namespace) -> Job:
    """Checks the options, loads the model(s) and the data; writes nothing.

    Args:
        args: The parsed `evaluate` options (`build_parser().parse_args`).

    Returns:
        A `Job` that measures, writes the JSON (and `quality.csv`) and
        returns the JSON's content.
    """
    options = given_options(args)
    samples = options.get("samples", DEFAULT_SAMPLES)
    seed = options.get("seed", 0)
    run = options.get("run")
    every = options.get("every")
    if options.get("every_checkpoint") and run is None:
        raise UsageError("--every-checkpoint applies to --run DIR only.")
    for name in ("every", "watch"):
        if name in options and not options.get("every_checkpoint"):
            raise UsageError(f"--{name} applies with --every-checkpoint only.")
    if options.get("dataset") and "checkpoint" not in options:
        raise UsageError("--dataset applies to --checkpoint only (a "
                         "pretrained model and a run record their dataset).")
    source, dataset, split, record = _source(options)
    if dataset not in quality.CLASSIFIER_DATASETS:
        raise UsageError(
            f"{source} trained on {dataset}, which has no shipped "
            "classifier; evaluate measures datasets with one ("
            + ", ".join(quality.CLASSIFIER_DATASETS) + ").")
    default = (os.path.join(run, EVALUATION_NAME) if run is not None
               else EVALUATION_NAME)
    out = options.get("out", default)
    paths.check_file(out, "--out")
    # The run whose checkpoints --every-checkpoint scores (a --run: checked
    # above).
    scored_run = run if options.get("every_checkpoint") else None
    if scored_run is not None:
        paths.check_file(os.path.join(scored_run, QUALITY_NAME), "--run")
        _check_curve_columns(os.path.join(scored_run, QUALITY_NAME),
                             _curve_fields(record))
    if options.get("inception"):
        try:
            quality.ensure_inception_weights()
        except (ImportError, FileNotFoundError) as error:
            raise UsageError(f"--inception: {error}") from None
    try:
        reference = quality.Reference.of(dataset, samples, split=split)
    except ValueError as error:
        raise UsageError(f"--samples: {error}") from None
    settings = dict(source=source, out=out, reference=reference, seed=seed,
                    inception=bool(options.get("inception")))
    if scored_run is not None:
        return Job(lambda: evaluate_checkpoints(
            scored_run, record, every=every or 1,
            watch=bool(options.get("watch")), **settings), "evaluate")
    model = _load(options)
    return Job(lambda: evaluate_one(model, **settings), "evaluate")


def _source(options):
    """`(description, dataset, training split, run record or None)`."""
    if "pretrained" in options:
        name = options["pretrained"]
        info = pretrained_info(name)
        return f"pretrained {name}", info["data"]["dataset"], "train", None
    if "run" in options:
        run = options["run"]
        if not os.path.isdir(run):
            raise UsageError(f"--run: {run} is not a folder.")
        record = read_run_json(run, "--run")
        if (not options.get("every_checkpoint")
                and not os.path.isfile(RunFolder(run).model)):
            raise UsageError(f"--run: {run} has no model.keras yet.")
        return (f"run {run}", record.get("dataset", "mnist"),
                record.get("split", "train"), record)
    checkpoint = options["checkpoint"]
    if not os.path.isfile(checkpoint):
        raise UsageError(f"--checkpoint: no such file {checkpoint}.")
    if "dataset" in options:
        return f"checkpoint {checkpoint}", options["dataset"], "train", None
    folder = run_folder_of(checkpoint)
    if folder is None:
        raise UsageError(
            f"--checkpoint: {checkpoint} is not in a run folder (no run.json "
            "beside it or above its checkpoints/ folder); pass --dataset.")
    record = read_run_json(folder, "--checkpoint")
    return (f"checkpoint {checkpoint}", record.get("dataset", "mnist"),
            record.get("split", "train"), record)


def _load(options):
    if "pretrained" in options:
        return pretrained(options["pretrained"])
    path = options.get("checkpoint") or RunFolder(options["run"]).model
    flag = "--checkpoint" if "checkpoint" in options else "--run"
    return load_model(path, flag, AdversarialModel)


def _rounded(values):
    """The record's digits: FID 2, score 3, fractions 4."""
    digits = {"classifier_fid": 2, "classifier_score": 3,
              "smallest_class_fraction": 4, "class_accuracy": 4}
    return {name: round(values[name], digits[name]) for name in digits
            if name in values}


def summary_line(source: str, result: dict) -> str:
    """Returns the one-line summary of an `evaluate_generator` result.

    The numbers are shown to the digits of the pretrained records.

    Example:

    >>> values = {"classifier_fid": 10.004, "classifier_score": 9.0621,
    ...           "classes_covered": 10, "smallest_class_fraction": 0.08123}
    >>> floor = dict(values, classifier_fid=0.129, classifier_score=9.77)
    >>> summary_line("pretrained mnist-wgan-gp", {"model": values,
    ...     "floor": floor, "num_samples": 10000, "seed": 0,
    ...     "dataset": "mnist"})
    'pretrained mnist-wgan-gp: classifier FID 10.00 (real-data floor 0.13), score 9.062 (floor 9.770), classes covered 10 (floor 10), smallest class 0.0812 (floor 0.0812); 10,000 samples of seed 0 against the mnist test split'
    """
    model, floor = result["model"], result["floor"]
    parts = [
        f"classifier FID {model['classifier_fid']:.2f} (real-data floor "
        f"{floor['classifier_fid']:.2f})",
        f"score {model['classifier_score']:.3f} (floor "
        f"{floor['classifier_score']:.3f})",
        f"classes covered {model['classes_covered']} (floor "
        f"{floor['classes_covered']})",
        f"smallest class {model['smallest_class_fraction']:.4f} (floor "
        f"{floor['smallest_class_fraction']:.4f})",
    ]
    if "class_accuracy" in model:
        parts.append(f"class accuracy {model['class_accuracy']:.4f} (floor "
                     f"{floor.get('class_accuracy', math.nan):.4f})")
    if "inception" in result:
        inception = result["inception"]
        parts.append(
            f"Inception score {inception['inception_score'][0]:.3f}, "
            f"Inception FID {inception['fid']:.3f}, KID "
            f"{inception['kid'][0]:.5f}")
    return (f"{source}: " + ", ".join(parts) + f"; {result['num_samples']:,} "
            f"samples of seed {result['seed']} against the "
            f"{result['dataset']} test split")


def _measure(model, reference, seed, inception):
    result = quality.evaluate_generator(model, reference, seed=seed)
    if inception:
        from keras_wgan import data

        images = model.generate(reference.num_samples, seed=seed)
        real = data.DATASETS[reference.dataset]("test")
        result["inception"] = quality.inception_metrics(
            images, real, kid_subset_size=min(1000, len(images), len(real)))
    return result


def _write_json(path, content):
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    text = json.dumps(content, indent=1) + "\n"

    def write(temporary):
        with open(temporary, "w") as f:
            f.write(text)

    write_atomically(path, write)


def evaluate_one(model: AdversarialModel, source: str, out: str,
                 reference: quality.Reference, seed: int = 0,
                 inception: bool = False) -> dict[str, Any]:
    """Measures one model; writes `out` (JSON) and prints the summary.

    Returns:
        The JSON's content: `source`, `measured_on` and the
        `keras_wgan.quality.evaluate_generator` result (with
        `"inception"` when asked), and `"rounded"`, the numbers to the
        digits the summary shows.
    """
    result = _measure(model, reference, seed, inception)
    content = {"source": source, "measured_on": _measured_on(result),
               **result, "rounded": {"model": _rounded(result["model"]),
                                     "floor": _rounded(result["floor"])}}
    _write_json(out, content)
    print(summary_line(source, result) + f"; wrote {out}")
    return content


def _measured_on(result):
    return (f"{result['num_samples']} samples from model.generate("
            f"seed={result['seed']}) against the test split of "
            f"{result['dataset']}, in the logits of keras_wgan.quality."
            f"load_classifier({result['dataset']!r}); the floor: as many "
            "images of the training split")


def checkpoints(run: str) -> dict:
    """Returns `{epoch: path}` of the epoch checkpoints now in `run`.

    Example:

    >>> os.makedirs("run/checkpoints")
    >>> open("run/checkpoints/epoch_0004.keras", "w").close()
    >>> checkpoints("run")
    {4: 'run/checkpoints/epoch_0004.keras'}
    """
    folder = os.path.join(run, CHECKPOINTS_DIR)
    found = {}
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        match = _CHECKPOINT.fullmatch(name)
        if match:
            found[int(match.group(1))] = os.path.join(folder, name)
    return found


def read_curve(path: str) -> list:
    """Returns the rows of a `quality.csv` as dicts of numbers (none if
    it does not exist)."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [{name: (float(value) if "." in value else int(value))
                 for name, value in row.items()}
                for row in csv.DictReader(f)]


def evaluate_checkpoints(run: str, record: dict[str, Any], source: str,
                         out: str, reference: quality.Reference,
                         seed: int = 0, inception: bool = False,
                         every: int = 1, watch: bool = False
                         ) -> dict[str, Any]:
    """Scores every checkpoint of a run folder; the curve over the run.

    Appends a row per newly scored checkpoint to `<run>/quality.csv`
    (epochs already there are not scored again; the columns
    `QUALITY_FIELDS`, and for a conditional run `class_accuracy` too), one
    line each on stdout, and writes `out` (JSON: the floor and every row's
    full measurement).

    Args:
        run: The run folder.
        record: Its `run.json`, as a dict.
        every: Score only the epochs that are multiples of this.
        watch: Keep looking for new checkpoints every `POLL_SECONDS`
            until the run's last epoch (`record["epochs"]`) is scored.

    Returns:
        The JSON's content.
    """
    steps = math.ceil(record["num_images"]
                      / (record["batch_size"] * record["n_critic"]))
    curve_path = os.path.join(run, QUALITY_NAME)
    fields = _curve_fields(record)
    _check_curve_columns(curve_path, fields)
    done = {row["epoch"] for row in read_curve(curve_path)}
    measured = []
    while True:
        found = checkpoints(run)
        for epoch, path in sorted(found.items()):
            if epoch in done or epoch % every:
                continue
            try:
                model = load_model(path, "--run", AdversarialModel)
            except UsageError as error:
                if watch:  # being replaced or deleted: the next look
                    print(f"epoch {epoch}: not read yet ({error})",
                          flush=True)
                    continue
                raise
            result = _measure(model, reference, seed, inception)
            values = result["model"]
            row = {"epoch": epoch, "generator_iterations": epoch * steps,
                   "classifier_fid": round(values["classifier_fid"], 3),
                   "classifier_score": round(values["classifier_score"], 3),
                   "classes_covered": values["classes_covered"]}
            accuracy = ""
            if "class_accuracy" in fields:
                row["class_accuracy"] = round(values["class_accuracy"], 4)
                accuracy = f", class accuracy {row['class_accuracy']:.4f}"
            _append_row(curve_path, row)
            measured.append({"epoch": epoch,
                             "generator_iterations": row[
                                 "generator_iterations"],
                             **{k: v for k, v in result.items()
                                if k in ("model", "inception")}})
            done.add(epoch)
            print(f"epoch {epoch}: classifier FID "
                  f"{values['classifier_fid']:.2f}, score "
                  f"{values['classifier_score']:.3f}, classes covered "
                  f"{values['classes_covered']}{accuracy}", flush=True)
        # Done once the last epoch's checkpoint has been seen (and scored
        # if it is one of the --every epochs).
        last = max(found, default=0)
        if not watch or (last >= record["epochs"]
                         and (last in done or last % every)):
            break
        time.sleep(POLL_SECONDS)
    curve = read_curve(curve_path)
    content = {"source": source, "dataset": reference.dataset,
               "num_samples": reference.num_samples, "seed": seed,
               "measured_on": _measured_on({
                   "num_samples": reference.num_samples, "seed": seed,
                   "dataset": reference.dataset}),
               "floor": reference.floor, "curve": curve,
               "checkpoints": measured}
    _write_json(out, content)
    if curve:
        best = min(curve, key=lambda row: row["classifier_fid"])
        print(f"{source}: {len(curve)} checkpoint(s) scored, classifier FID "
              f"{curve[0]['classifier_fid']:.2f} at epoch {curve[0]['epoch']}"
              f" to {curve[-1]['classifier_fid']:.2f} at epoch "
              f"{curve[-1]['epoch']} (best {best['classifier_fid']:.2f} at "
              f"epoch {best['epoch']}; real-data floor "
              f"{reference.floor['classifier_fid']:.2f}); wrote "
              f"{curve_path} and {out}")
    else:
        print(f"{source}: no checkpoint to score in "
              f"{os.path.join(run, CHECKPOINTS_DIR)}; wrote {out}")
    return content


def _curve_fields(record):
    """The columns of the `quality.csv` of a run with this `run.json`."""
    return (CONDITIONAL_QUALITY_FIELDS if record.get("conditional")
            else QUALITY_FIELDS)


def _check_curve_columns(path, fields):
    """Refuses a `quality.csv` of other columns, before anything is scored."""
    if not os.path.exists(path):
        return
    with open(path, newline="") as f:
        header = next(csv.reader(f), [])
    if header and header != list(fields):
        raise UsageError(
            f"{path} has the columns {','.join(header)}, not "
            f"{','.join(fields)} of this run's measurements; move it away "
            f"to score the run's checkpoints again.")


def _append_row(path, row):
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)
