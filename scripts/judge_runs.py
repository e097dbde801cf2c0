"""Judges CLI runs with the shipped classifier of their dataset, on its
held-out test split, and prints the table of docs/guides/conditional.md.

For each run folder (of `python -m keras_wgan train` on MNIST,
Fashion-MNIST or coloured MNIST; all runs of one call on one dataset),
`model.keras` draws `--samples` images from `generate(seed=0)` (a
conditional model: the classes 0, 1, ..., in turn). The dataset's shipped
classifier, trained on the train split only, gives:

- the classifier FID of the samples against the test split, beside the
  floor (as many train images against the test split);
- the classifier score and the classes the samples cover (for coloured
  MNIST, its 200 (digit, stroke colour, background colour) classes);
- for a conditional model, how often the class it shows is the class asked
  for (for coloured MNIST's 10 digits, the digit:
  `quality.requested_class_accuracy`), beside the same on the floor's
  real images.

These are `keras_wgan.quality.evaluate_generator`'s numbers, against a
`quality.Reference` of the dataset.

    python scripts/judge_runs.py --runs runs/a runs/b --out results.json
"""

import argparse
import json
import os
import sys
import time

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import keras_wgan  # noqa: E402,F401  (sets the torch default before keras)
import keras  # noqa: E402

from keras_wgan import quality  # noqa: E402
from keras_wgan.cli import run_folder  # noqa: E402
from keras_wgan.cli.train_config import TrainConfig  # noqa: E402
from keras_wgan.cli.training_data import steps_per_epoch  # noqa: E402


def judge(run, reference, samples):
    """The numbers of one run folder, measured by `evaluate_generator`."""
    with open(os.path.join(run, run_folder.RUN_NAME)) as f:
        record = json.load(f)
    dataset = record.get("dataset", "mnist")
    if dataset != reference.dataset:
        raise SystemExit(f"{run} trained on {dataset}, not "
                         f"{reference.dataset}: judge one dataset per call.")
    model = keras.models.load_model(
        os.path.join(run, run_folder.FINAL_MODEL_NAME))
    values = quality.evaluate_generator(model, reference, samples)["model"]
    config = TrainConfig.resumed(record, {"out": run})
    result = {
        "run": os.path.basename(os.path.normpath(run)),
        "architecture": record.get("architecture"),
        "conditional": bool(record.get("conditional")),
        "width": record["width"],
        "epochs": record["epochs"],
        "generator_iterations": int(model.generator_optimizer.iterations),
        "steps_per_epoch": steps_per_epoch(config, record["num_images"]),
        "classifier_fid": round(values["classifier_fid"], 3),
        "classifier_score": round(values["classifier_score"], 3),
        "classes_covered": values["classes_covered"],
        "settings": settings(record),
    }
    if "class_accuracy" in values:
        result["class_accuracy"] = values["class_accuracy"]
    return result


# The training options that tell runs of one dataset apart, as flags.
_SETTINGS = ("model", "learning_rate", "clip_value", "gp_weight",
             "generator_ema", "lr_decay", "init_from", "class_factors")


def settings(record):
    """The run's options of `_SETTINGS` that it set, as command-line flags."""
    def text(value):
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))
        return str(value)

    return " ".join(f"--{name.replace('_', '-')} {text(record[name])}"
                    for name in _SETTINGS if record.get(name) is not None)


def _share(value):
    return "n/a" if value is None else f"{value:.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", required=True)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--out", help="JSON file of the results")
    args = parser.parse_args(argv)

    with open(os.path.join(args.runs[0], run_folder.RUN_NAME)) as f:
        dataset = json.load(f).get("dataset", "mnist")
    reference = quality.Reference.of(dataset, args.samples)
    floor = reference.floor
    results = {
        "dataset": dataset,
        "samples": args.samples,
        "floor": {"classifier_fid": round(floor["classifier_fid"], 3),
                  "classifier_score": round(floor["classifier_score"], 3),
                  "classes_covered": floor["classes_covered"],
                  "class_accuracy": floor.get("class_accuracy")},
        "runs": [],
        "measured": time.strftime("%Y-%m-%d"),
    }
    for run in args.runs:
        results["runs"].append(judge(run, reference, args.samples))
        print(results["runs"][-1], flush=True)
    print("| run | architecture | width | iterations | FID (floor "
          f"{results['floor']['classifier_fid']}) | score (real "
          f"{results['floor']['classifier_score']}) | classes (real "
          f"{results['floor']['classes_covered']}) | class asked for (real "
          f"{_share(results['floor']['class_accuracy'])}) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in results["runs"]:
        asked = _share(row.get("class_accuracy"))
        kind = "conditional" if row["conditional"] else "unconditional"
        print(f"| {row['run']} | {row['architecture']} ({kind}) | "
              f"{row['width']} | {row['generator_iterations']:,} | "
              f"{row['classifier_fid']} | {row['classifier_score']} | "
              f"{row['classes_covered']} | {asked} |")
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
