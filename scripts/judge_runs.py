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
  for (for coloured MNIST, the digit: `coloured_mnist_accuracy`), beside
  the same on the real test images.

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
import numpy as np  # noqa: E402

from keras_wgan import data  # noqa: E402
from keras_wgan import quality  # noqa: E402
from keras_wgan.cli import run_folder  # noqa: E402
from keras_wgan.cli.train_config import TrainConfig  # noqa: E402
from keras_wgan.cli.training_data import steps_per_epoch  # noqa: E402


def judge(run, classifier, reference, samples, dataset):
    """The numbers of one run folder."""
    with open(os.path.join(run, run_folder.RUN_NAME)) as f:
        record = json.load(f)
    if record.get("dataset", "mnist") != dataset:
        raise SystemExit(f"{run} trained on {record.get('dataset')}, not "
                         f"{dataset}: judge one dataset per call.")
    model = keras.models.load_model(
        os.path.join(run, run_folder.FINAL_MODEL_NAME))
    values, images, logits = quality.generator_quality(
        model, reference, classifier, samples)
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
        "classifier_score": round(float(values["classifier_score"]), 3),
        "classes_covered": int(values["classes_covered"]),
        "settings": settings(record),
    }
    if result["conditional"]:
        asked = np.arange(samples) % model.num_classes
        result["class_accuracy"] = class_accuracy(dataset, images, logits,
                                                  asked, classifier)
    return result


# The training options that tell runs of one dataset apart, as flags.
_SETTINGS = ("model", "learning_rate", "clip_value", "gp_weight",
             "generator_ema", "lr_decay", "init_from")


def settings(record):
    """The run's options of `_SETTINGS` that it set, as command-line flags."""
    return " ".join(f"--{name.replace('_', '-')} {record[name]}"
                    for name in _SETTINGS if record.get(name) is not None)


def class_accuracy(dataset, images, logits, labels, classifier):
    """How often images show the class asked for (coloured MNIST: the
    digit)."""
    if dataset == "coloured_mnist":
        return quality.coloured_mnist_accuracy(
            images, digits=labels, classifier=classifier)["digit_accuracy"]
    return quality.accuracy_from_logits(logits, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", required=True)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--out", help="JSON file of the results")
    args = parser.parse_args(argv)

    with open(os.path.join(args.runs[0], run_folder.RUN_NAME)) as f:
        dataset = json.load(f).get("dataset", "mnist")
    load = data.DATASETS[dataset]
    classifier = quality.load_classifier(dataset)
    test, test_labels = load("test", return_labels=True)
    reference = quality.classifier_logits(test, classifier)
    train = load("train")[: args.samples]
    floor = quality.logit_quality(reference, quality.classifier_logits(
        train, classifier))
    real_accuracy = class_accuracy(dataset, test, reference, test_labels,
                                   classifier)
    results = {
        "dataset": dataset,
        "samples": args.samples,
        "floor": {"classifier_fid": round(floor["classifier_fid"], 3),
                  "classifier_score": round(float(
                      floor["classifier_score"]), 3),
                  "classes_covered": int(floor["classes_covered"]),
                  "class_accuracy": real_accuracy},
        "runs": [],
        "measured": time.strftime("%Y-%m-%d"),
    }
    for run in args.runs:
        results["runs"].append(judge(run, classifier, reference,
                                     args.samples, dataset))
        print(results["runs"][-1], flush=True)
    print("| run | architecture | width | iterations | FID (floor "
          f"{results['floor']['classifier_fid']}) | score (real "
          f"{results['floor']['classifier_score']}) | classes (real "
          f"{results['floor']['classes_covered']}) | class asked for (real "
          f"{real_accuracy:.3f}) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in results["runs"]:
        asked = (f"{row['class_accuracy']:.3f}" if row["conditional"]
                 else "n/a")
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
