"""Scores the checkpoints of a CLI training run as they are written.

The CLI keeps only the newest checkpoints (`--keep-checkpoints`), so a
quality curve of a long run has to be measured while it trains. This script
polls `<run>/checkpoints/`, scores every checkpoint it has not scored yet
(classifier FID, score and classes covered of `--samples` images from
`generate(seed=0)` against the dataset's test split, with the shipped
classifier) and appends a row per checkpoint (or per `--every` epochs) to `<run>/quality.csv`. It
stops when the run has written its last epoch, with Ctrl-C, or, with
`--once`, after scoring the checkpoints there now.

    python scripts/checkpoint_quality.py --run runs/pretrained/mnist-wgan-gp

`scripts/export_pretrained.py` copies `quality.csv` into the model's record.
"""

import argparse
import csv
import json
import os
import re
import sys
import time

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import keras_wgan  # noqa: E402,F401  (sets the torch default before keras)
import keras  # noqa: E402

from keras_wgan import data  # noqa: E402
from keras_wgan import quality  # noqa: E402
from keras_wgan.cli import run_folder  # noqa: E402

QUALITY_NAME = "quality.csv"
FIELDS = ("epoch", "generator_iterations", "classifier_fid",
          "classifier_score", "classes_covered")
_CHECKPOINT = re.compile(r"epoch_(\d+)\.keras$")


def scored_epochs(path):
    """The epochs already in `quality.csv` (none if it does not exist)."""
    if not os.path.exists(path):
        return set()
    with open(path, newline="") as f:
        return {int(row["epoch"]) for row in csv.DictReader(f)}


def checkpoints(run):
    """`{epoch: path}` of the checkpoints now in the run folder."""
    folder = os.path.join(run, run_folder.CHECKPOINTS_DIR)
    found = {}
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        match = _CHECKPOINT.fullmatch(name)
        if match:
            found[int(match.group(1))] = os.path.join(folder, name)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="folder of a CLI run")
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--every", type=int, default=1,
                        help="score the epochs that are multiples of this")
    parser.add_argument("--once", action="store_true",
                        help="score the checkpoints there now, then stop "
                             "(for a run that has ended)")
    parser.add_argument("--poll", type=float, default=60.0,
                        help="seconds between looks at the folder")
    args = parser.parse_args(argv)

    with open(os.path.join(args.run, run_folder.RUN_NAME)) as f:
        run = json.load(f)
    dataset = run.get("dataset", "mnist")
    steps = -(-run["num_images"] // (run["batch_size"] * run["n_critic"]))
    classifier = quality.load_classifier(dataset)
    reference = quality.classifier_logits(
        data.IMAGE_DATASETS[dataset]("test"), classifier)
    out = os.path.join(args.run, QUALITY_NAME)
    done = scored_epochs(out)
    while True:
        for epoch, path in sorted(checkpoints(args.run).items()):
            if epoch in done or epoch % args.every:
                continue
            try:
                model = keras.models.load_model(path)
            except Exception as error:  # deleted or half-visible: next time
                print(f"epoch {epoch}: not read yet ({error})", flush=True)
                continue
            values, _, _ = quality.generator_quality(
                model, reference, classifier, args.samples)
            row = {"epoch": epoch, "generator_iterations": epoch * steps,
                   "classifier_fid": round(values["classifier_fid"], 3),
                   "classifier_score": round(
                       float(values["classifier_score"]), 3),
                   "classes_covered": int(values["classes_covered"])}
            new = not os.path.exists(out)
            with open(out, "a", newline="") as f:
                writer = csv.DictWriter(f, FIELDS)
                if new:
                    writer.writeheader()
                writer.writerow(row)
            done.add(epoch)
            print(row, flush=True)
        if args.once or (done and max(done) >= run["epochs"]):
            return 0
        time.sleep(args.poll)


if __name__ == "__main__":
    sys.exit(main())
