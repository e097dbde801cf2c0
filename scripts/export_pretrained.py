"""Turns a CLI training run into a pretrained model shipped with keras_wgan.

Reads `<run>/run.json`, `<run>/metrics.csv`, `<run>/model.keras` (the
newest checkpoint) and, if there, `<run>/quality.csv` (the FID curve that
`python -m keras_wgan evaluate --every-checkpoint` measured during training) of a
`python -m keras_wgan train` run. It measures the generator's sample quality
against the test split of the run's dataset with the shipped classifier of
that dataset, both with the checkpoint's float32 weights and with the float16
weights that ship, and the floor (as many train images against the test
split), and writes `<name>.weights.npz` and `<name>.json` into
`keras_wgan/resources/pretrained/` (see `keras_wgan.zoo`):

    python scripts/export_pretrained.py --run runs/pretrained/mnist-wgan-gp \
        --name mnist-wgan-gp

The record's `"command"` is rebuilt from `run.json` (only the options that
differ from the CLI's defaults), so it reproduces the run. A run started
with `--init-from NAME` continues a shipped model: its record keeps that
model's record in `"continued_from"` (read before it is replaced), lists
every command from the first in `"commands"`, and counts the generator
iterations of all of them in `"budget"["total_generator_iterations"]`.
"""

import argparse
import copy
import csv
import hashlib
import json
import os
import shlex
import sys
import time

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import keras_wgan  # noqa: E402  (sets the torch default before keras loads)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_wgan import cli  # noqa: E402
from keras_wgan.cli import run_folder  # noqa: E402
from keras_wgan.studies import compare  # noqa: E402
from keras_wgan import data  # noqa: E402
from keras_wgan import quality  # noqa: E402
from keras_wgan import zoo  # noqa: E402
from keras_wgan._atomic import write_atomically  # noqa: E402

DEFAULT_OUTPUT_DIR = os.path.join(_ROOT, "keras_wgan", "resources",
                                  "pretrained")
# Options of `train` that do not change what is trained.
_NOT_IN_COMMAND = ("verbose", "overwrite", "resume", "keep_checkpoints",
                   "samples", "sample_every", "download")
# The check value: the mean pixel of each image generated from this noise.
CHECK_NOISE = "numpy.random.default_rng(0).standard_normal((4, latent_dim))"


def check_noise(latent_dim):
    """The noise of the record's check value (see `CHECK_NOISE`)."""
    return np.random.default_rng(0).standard_normal(
        (4, latent_dim)).astype("float32")


def train_command(record, available):
    """Rebuilds the `python -m keras_wgan train ...` command of a run.

    `available` is the number of images the run's data source holds; the
    recorded `num_images` (the images used) becomes `--num-images` only
    when it is smaller.
    """
    parser = cli.build_parser().command_parsers["train"]
    words = ["python", "-m", "keras_wgan", "train"]
    for action in parser._actions:
        if action.dest in _NOT_IN_COMMAND or action.dest not in record:
            continue
        value = record[action.dest]
        if action.dest == "out":
            # The run folder's name, not where it lay on the machine.
            value = os.path.join("runs", os.path.basename(
                os.path.normpath(value)))
        if action.dest == "num_images" and value == available:
            continue
        if value == cli.TrainConfig.default(action.dest):
            continue
        words.append(action.option_strings[-1])
        if isinstance(value, (list, tuple)):
            value = ",".join(map(str, value))  # --class-factors 10,20
        if action.nargs != 0:
            words.append(f"{value:g}" if isinstance(value, float)
                         else str(value))
    return shlex.join(words)


def lineage(run, output_dir):
    """What a run started with `--init-from` continued, or `None`.

    Returns:
        `None` for a run from scratch; for a run from a shipped model, a
        dict of that model's name, weights digest, commands, total
        generator iterations, quality and FID curve, from its record in
        `output_dir`.

    Raises:
        SystemExit: for a run started from a `.keras` file, which no
            record can reproduce.
    """
    source = run.get("init_from")
    if source is None:
        return None
    if source not in zoo.PRETRAINED_MODELS:
        raise SystemExit(f"--run: it started from {source} (--init-from a "
                         "file), which no record reproduces; export runs "
                         "from scratch or from a pretrained model")
    with open(os.path.join(output_dir, f"{source}.json")) as f:
        parent = json.load(f)
    budget = parent["budget"]
    return {
        "name": source,
        "sha256": parent["sha256"],
        "commands": parent.get("commands", [parent["command"]]),
        "generator_iterations": budget.get(
            "total_generator_iterations", budget["generator_iterations"]),
        "quality": parent["quality"]["float16"],
        "quality_history": zoo.quality_history(parent),
    }


def read_quality_history(path):
    """The rows of `quality.csv` (`evaluate --every-checkpoint`), if any."""
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {key: [int(row[key]) if key in ("epoch", "generator_iterations",
                                            "classes_covered")
                  else float(row[key]) for row in rows]
            for key in rows[0]} if rows else None


def read_history(path):
    """The per-epoch metrics of `metrics.csv` as lists of floats."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    history = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        if all(v not in ("", "NA") for v in values):
            history[key] = [int(v) if key == "epoch" else float(v)
                            for v in values]
    return history


def measure(model, reference, num_samples):
    """Classifier FID, score and classes covered of `num_samples` samples
    (`quality.evaluate_generator`), and a conditional model's class
    accuracy."""
    values = quality.evaluate_generator(model, reference, num_samples)["model"]
    result = {
        "fid": round(values["classifier_fid"], 2),
        "score": round(float(values["classifier_score"]), 3),
        "classes_covered": int(values["classes_covered"]),
        "smallest_class_fraction": round(values["smallest_class_fraction"], 4),
    }
    if "class_accuracy" in values:
        result["class_accuracy"] = round(values["class_accuracy"], 4)
    return result


# The real images whose FID against the evaluation split is the floor:
# as many as the samples scored, from the training split.
FLOOR_NOTE = ("classifier FID of the first {count:,} images of the training "
              "split against the {reference:,} images of the test split, "
              "with the same classifier and sample sizes as the model's: "
              "the value of a generator that reproduced the training data")


def dataset_of(run):
    """The run's dataset name (runs before `--dataset` were all MNIST)."""
    return run.get("dataset", "mnist")


def describe_data(run, split_count, test_count):
    """What the run trained on and what it is judged against.

    Args:
        run: The run's `run.json`.
        split_count: The images of the split it trained on.
        test_count: The images of the test split it is judged against.

    Returns:
        A dict for the record: `"training"` and `"evaluation"`, each with
        the loader call, the number of images and a description.
    """
    loader = data.DATASETS[dataset_of(run)].__name__
    used = run["num_images"]
    part = "" if used == split_count else f"the first {used:,} of "
    return {
        "dataset": dataset_of(run),
        "training": {
            "loader": f"keras_wgan.data.{loader}({run['split']!r})",
            "count": used,
            "description": f"{part}the {run['split']} split "
                           f"({split_count:,} images)",
        },
        "evaluation": {
            "loader": f"keras_wgan.data.{loader}('test')",
            "count": test_count,
            "description": "the test split, never trained on",
        },
    }


def _write(path, content):
    def write(temporary):
        with open(temporary, "wb") as f:
            f.write(content)

    write_atomically(path, write)


def stopped_note(run, completed):
    """How a run that completed `completed` of its `--epochs` is recorded.

    Without a learning-rate decay nothing in training depends on the
    total, so a stopped run's command asks for the epochs it completed. A
    decay (`--lr-decay linear`) spreads over all the epochs asked for: the
    command keeps them, and the note says where the run stopped.

    Returns:
        `(epochs, note)`: the `--epochs` of the record's command, and what
        the record's budget says of the stop (`""` for a finished run).
    """
    asked = run["epochs"]
    if completed == asked:
        return asked, ""
    stopped = f"run with --epochs {asked} and stopped after epoch {completed}"
    decay = run.get("lr_decay") or "none"
    if decay != "none":
        return asked, (
            f"{stopped}: its learning rate decays over all {asked} epochs "
            f"(--lr-decay {decay}), so the command keeps --epochs {asked}; "
            f"stopped after epoch {completed}, it gives the same weights")
    return completed, (
        f"{stopped}: nothing in training depends on the total, so the "
        f"command's --epochs {completed} gives the same weights")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="folder of a CLI run")
    parser.add_argument("--name", required=True,
                        choices=zoo.PRETRAINED_MODELS)
    parser.add_argument("--samples", type=int, default=10000,
                        help="generated images scored (default 10000)")
    parser.add_argument("--training-note", default="",
                        help="how the run was made, e.g. threads and load")
    parser.add_argument("--stopped", action="store_true",
                        help="export a run stopped before its --epochs "
                             "(after its last completed epoch); the record's "
                             "command asks for the epochs it completed, or, "
                             "with --lr-decay, for those its decay spans")
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    args = parser.parse_args(argv)

    with open(os.path.join(args.run, run_folder.RUN_NAME)) as f:
        run = json.load(f)
    parent = lineage(run, args.output_dir)
    checkpoint = os.path.join(args.run, run_folder.FINAL_MODEL_NAME)
    trained = keras.models.load_model(checkpoint)
    history = read_history(os.path.join(args.run, run_folder.METRICS_NAME))
    epochs = len(history["epoch"])
    if epochs != run["epochs"] and not (args.stopped and epochs < run["epochs"]):
        raise SystemExit(f"{args.run}: metrics.csv has {epochs} epochs, "
                         f"run.json asks for {run['epochs']}; unfinished? "
                         "(--stopped exports a run stopped early)")
    command_epochs, stop_note = stopped_note(run, epochs)
    run = dict(run, epochs=command_epochs)
    steps = -(-run["num_images"] // (run["batch_size"] * run["n_critic"]))

    # The shipped model: rebuilt from the config with the float16 weights,
    # loaded as keras_wgan.pretrained will load them.
    config = keras.saving.serialize_keras_object(trained)
    weights = zoo.weights_bytes(trained)
    # Deserializing consumes parts of the nested config dicts.
    shipped = zoo.load_weights_bytes(
        keras.saving.deserialize_keras_object(copy.deepcopy(config)),
        weights, "the float16 weights")

    dataset = dataset_of(run)
    load = data.DATASETS[dataset]
    split_count = len(load(split=run["split"], data_dir=run["data_dir"]))
    start = time.time()
    # The test split's logits, and the floor: the first --samples images
    # of the split the run trained on.
    judge = quality.Reference.of(dataset, args.samples, split=run["split"])
    test_count = len(judge.logits)
    float32 = measure(trained, judge, args.samples)
    float16 = measure(shipped, judge, args.samples)
    floor = {"fid": round(judge.floor["classifier_fid"], 2),
             "score": round(float(judge.floor["classifier_score"]), 3),
             "classes_covered": int(judge.floor["classes_covered"])}
    if "class_accuracy" in judge.floor:
        floor["class_accuracy"] = round(judge.floor["class_accuracy"], 4)
    floor["measured_on"] = FLOOR_NOTE.format(count=args.samples,
                                             reference=test_count)
    print(f"quality measured in {time.time() - start:.0f} s: float32 "
          f"{float32}, float16 {float16}, floor {floor}")

    began = os.path.getmtime(os.path.join(args.run, run_folder.RUN_NAME))
    ended = os.path.getmtime(checkpoint)
    noise = check_noise(shipped.latent_dim)
    data_description = describe_data(run, split_count, test_count)
    note = "; ".join(part for part in (args.training_note, stop_note) if part)
    resumes = len(run.get("resumed", []))
    if resumes:
        # run.json is rewritten at each resume: its time is the last
        # resume's, and the pauses between resumes are not training.
        note = (f"{note}; " if note else "") + (
            f"resumed {resumes} time(s): the wall time of its separate "
            "stretches of training was not recorded")
    command = train_command(run, split_count)
    iterations = epochs * steps
    record = {
        "name": args.name,
        "model": type(shipped).__name__,
        "weights": f"{args.name}.weights.npz",
        "sha256": hashlib.sha256(weights).hexdigest(),
        "weights_dtype": "float16",
        "command": command,
        "commands": ([] if parent is None else parent["commands"])
        + [command],
        "continued_from": parent,
        "data": data_description,
        "budget": {
            "epochs": epochs,
            "generator_iterations": iterations,
            "total_generator_iterations": iterations + (
                0 if parent is None else parent["generator_iterations"]),
            "critic_updates": epochs * steps * run["n_critic"],
            "wall_seconds": None if resumes else round(ended - began),
            "note": note,
        },
        "quality": {
            "measured_on": (
                f"{args.samples} samples from model.generate(seed=0) "
                f"against the {test_count:,} images of the test split, "
                "in the logits of "
                f"keras_wgan.quality.load_classifier({dataset!r})"),
            "float32": float32,
            "float16": float16,
            "floor": floor,
        },
        "history": history,
        # FID during training, of the checkpoints scored while it ran.
        "quality_history": read_quality_history(
            os.path.join(args.run, "quality.csv")),
        "check": {
            "noise": CHECK_NOISE,
            "image_means": [round(float(v), 6) for v in shipped.generate_from(
                noise).mean(axis=(1, 2, 3))],
        },
        "run": run,
        "versions": compare.machine_description()["versions"],
        "config": config,
    }
    os.makedirs(args.output_dir, exist_ok=True)
    weights_path = os.path.join(args.output_dir, record["weights"])
    _write(weights_path, weights)
    _write(os.path.join(args.output_dir, f"{args.name}.json"),
           (json.dumps(record, indent=1) + "\n").encode())
    print(f"wrote {weights_path} ({len(weights) / 1e6:.2f} MB) and "
          f"{args.name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
