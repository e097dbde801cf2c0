"""Time to quality: MNIST WGAN-GP classifier FID against CPU seconds.

Trains each recipe of `keras_wgan.studies.time_to_quality.STUDIED_RECIPES`
(or those given with --recipes) from scratch for --budget CPU seconds,
scoring --samples generated digits every --eval-every CPU seconds in the
logits of the package's MNIST classifier against the 10,000 test digits,
and writes to --out:

- `results.json`: every recipe's curve, options and budget, written after
  each recipe (a rerun with --resume skips the recipes already there with
  the same budget, evaluation interval, sample count and seed);
- `curves.png`: classifier FID against CPU seconds, the floor dashed;
- `report.md`: CPU seconds to reach each FID of --targets, per recipe.

The CPU seconds are this process's (see `CpuBudget`): run it with
`OMP_NUM_THREADS=1` and each recipe gets one core's worth, whatever else
the machine does.

Usage:
    OMP_NUM_THREADS=1 python scripts/time_to_quality.py --out DIR
        [--budget 1800] [--eval-every 120] [--samples 2000]
        [--recipes base,width-16] [--targets 100,50,25,15] [--seed 0]
        [--resume]
"""

import argparse
import json
import os
import platform
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras_wgan  # noqa: E402
from keras_wgan._atomic import write_atomically  # noqa: E402
from keras_wgan.studies import time_to_quality as study  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True,
                        help="folder for results.json, curves.png, report.md")
    parser.add_argument("--budget", type=float, default=1800.0,
                        help="CPU seconds of training per recipe")
    parser.add_argument("--eval-every", type=float, default=120.0,
                        help="CPU seconds between evaluations")
    parser.add_argument("--samples", type=int, default=2000,
                        help="generated digits per evaluation (and real "
                        "training digits of the floor)")
    parser.add_argument("--recipes", default=",".join(study.STUDIED_RECIPES),
                        help="comma-separated recipe names (default: all)")
    parser.add_argument("--targets", default="100,50,25,15",
                        help="comma-separated classifier FIDs to reach")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true",
                        help="keep the recipes already in --out/results.json")
    args = parser.parse_args(argv)
    names = [name for name in args.recipes.split(",") if name]
    unknown = [name for name in names if name not in study.STUDIED_RECIPES]
    if unknown or not names:
        parser.error(f"--recipes must be names from "
                     f"{', '.join(study.STUDIED_RECIPES)}, got "
                     f"{args.recipes!r}")
    args.recipes = names
    try:
        args.targets = [float(value) for value in args.targets.split(",")]
    except ValueError:
        parser.error(f"--targets must be comma-separated numbers, got "
                     f"{args.targets!r}")
    for flag, value in (("--budget", args.budget),
                        ("--eval-every", args.eval_every)):
        if not value > 0:
            parser.error(f"{flag} must be > 0, got {value}")
    if args.samples < 2:
        parser.error(f"--samples must be >= 2, got {args.samples}")
    results_path = os.path.join(args.out, "results.json")
    if os.path.exists(results_path) and not args.resume:
        parser.error(f"--out {args.out} already has results.json: pass "
                     "--resume to keep it, or choose another --out")
    return args


def _settings(args):
    return {"budget": args.budget, "eval_every": args.eval_every,
            "samples": args.samples, "seed": args.seed}


def load_results(path, settings):
    """The recipes of `path` measured with `settings` ({} if none)."""
    if not os.path.exists(path):
        return {}
    with open(path) as file:
        saved = json.load(file)
    return {name: entry for name, entry in saved.get("recipes", {}).items()
            if entry.get("settings") == settings}


def build(recipe, training_data, seed):
    """The compiled model of `recipe` (the `train` command's networks)."""
    from keras_wgan.cli.config import TrainConfig
    from keras_wgan.cli.train import build_model

    options = {key: value for key, value in recipe.options.items()
               if value is not None}
    config = TrainConfig(out="unused", dataset="mnist", model="wgan-gp",
                         seed=seed, **options)
    return config, build_model(config, training_data)


def run_recipe(recipe, training_data, reference, args, log=print):
    """Trains `recipe` for the budget; returns its result entry."""
    import keras

    keras.utils.set_random_seed(args.seed)
    config, model = build(recipe, training_data, args.seed)

    def evaluate(model):
        measured = keras_wgan.quality.evaluate_generator(
            model, reference, num_samples=args.samples, seed=0)["model"]
        return {key: measured[key] for key in
                ("classifier_fid", "classifier_score", "classes_covered")}

    budget = study.CpuBudget(args.budget, args.eval_every, evaluate,
                             decay=recipe.decay)

    class Progress(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.shown = 0

        def on_train_batch_end(self, batch, logs=None):
            if len(budget.curve) > self.shown:
                self.shown = len(budget.curve)
                row = budget.curve[-1]
                log(f"  {recipe.name}: {row['cpu_seconds']:.0f}/"
                    f"{args.budget:.0f} CPU s, {row['generator_iterations']} "
                    f"iterations, FID {row['classifier_fid']:.2f}, score "
                    f"{row['classifier_score']:.2f}", flush=True)

    # Enough epochs that only the budget stops the run.
    model.fit(training_data.images, batch_size=config.batch_size,
              epochs=10_000, verbose=0, callbacks=[budget, Progress()])
    return {"options": recipe.options, "decay": recipe.decay,
            "description": recipe.description, "settings": _settings(args),
            "curve": budget.curve}


def write_outputs(out, recipes, floor, targets):
    """Writes results.json, curves.png and report.md for `recipes`."""
    import keras

    content = {"floor": floor, "targets": targets, "recipes": recipes,
               "machine": {"backend": keras.backend.backend(),
                           "python": platform.python_version(),
                           "processor": platform.processor() or None,
                           "omp_num_threads":
                               os.environ.get("OMP_NUM_THREADS")}}
    write_atomically(os.path.join(out, "results.json"), lambda path: open(
        path, "w").write(json.dumps(content, indent=1) + "\n"))
    curves = {name: entry["curve"] for name, entry in recipes.items()}
    study.plot_curves(curves, os.path.join(out, "curves.png"),
                      floor=floor["classifier_fid"])
    descriptions = {name: entry["description"]
                    for name, entry in recipes.items()}
    table = study.markdown_table(curves, targets, descriptions)
    settings = next(iter(recipes.values()))["settings"]
    report = (
        "# Time to quality: MNIST WGAN-GP\n\n"
        f"Classifier FID of {settings['samples']} samples against the test "
        f"digits, every {settings['eval_every']:g} CPU seconds, budget "
        f"{settings['budget']:g} CPU seconds per recipe, seed "
        f"{settings['seed']}. Real-data floor: "
        f"{floor['classifier_fid']:.3g} (score "
        f"{floor['classifier_score']:.3g}). Fastest per target in bold.\n\n"
        f"{table}\n")
    write_atomically(os.path.join(out, "report.md"),
                     lambda path: open(path, "w").write(report))


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    from keras_wgan.cli.config import TrainConfig
    from keras_wgan.cli.train import load_training_data

    results_path = os.path.join(args.out, "results.json")
    recipes = load_results(results_path, _settings(args)) \
        if args.resume else {}
    training_data = load_training_data(TrainConfig(out="unused",
                                                   dataset="mnist",
                                                   verbose=0))
    reference = keras_wgan.quality.Reference.of("mnist",
                                                num_samples=args.samples)
    floor = {key: reference.floor[key]
             for key in ("classifier_fid", "classifier_score")}
    for index, name in enumerate(args.recipes, 1):
        if name in recipes:
            print(f"[{index}/{len(args.recipes)}] {name}: kept from "
                  f"{results_path}", flush=True)
            continue
        recipe = study.STUDIED_RECIPES[name]
        print(f"[{index}/{len(args.recipes)}] {name}: {recipe.description}",
              flush=True)
        recipes[name] = run_recipe(recipe, training_data, reference, args)
        write_outputs(args.out, recipes, floor, args.targets)
    write_outputs(args.out, recipes, floor, args.targets)
    print(f"wrote {args.out}/results.json, curves.png and report.md")


if __name__ == "__main__":
    main()
