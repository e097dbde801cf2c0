"""WGAN-GP on 8 Gaussians: which setting decides whether it converges.

Trains `keras_wgan.WGANGP` on the WGAN-GP paper's 8 Gaussians under
settings that differ one at a time between this package's defaults
(penalty weight 10, Adam(1e-4, 0, 0.9), MLPs of width 128, batch 64) and
those of the paper's released toy experiment (penalty weight 0.1,
Adam(1e-4, 0.5, 0.9), width 512, batch 256), and scores the samples every
`--eval-every` generator iterations on held-out points by the energy
distance, the exact Wasserstein-1 distance (POT) and the mixture's modes,
beside the critic's gap. Writes OUT/results.json (every number, the
command) and OUT/report.md, OUT/curves.png and OUT/samples.png, all drawn
from results.json (`--render` draws them again without training).

With `--seeds 0,1,2,...` each setting trains once per seed (its own
initial weights and data order) and the report adds a table of the final
energy distance of every seed, since one seed can converge where another
circles the modes for thousands of iterations.

Usage:
    python scripts/toy_gp_settings.py --out docs/toy/gp_settings \
        --iterations 20000 --eval-every 1000 [--settings a,b] [--seeds 0]
"""

import argparse
import dataclasses
import json
import os
import platform
import sys
import time

import numpy as np

import keras_wgan  # first: it selects the torch backend
import keras
from keras_wgan.studies import measures
from keras_wgan.studies import toy


@dataclasses.dataclass(frozen=True)
class Setting:
    """One training setting: what it changes, and the values."""

    name: str
    label: str
    gp_weight: float
    beta_1: float
    width: int
    batch_size: int


SETTINGS = {s.name: s for s in (
    Setting("package", "package defaults (lambda 10, beta_1 0, width 128, "
            "batch 64)", 10.0, 0.0, 128, 64),
    Setting("weight-0.1", "package, penalty weight 0.1", 0.1, 0.0, 128, 64),
    Setting("beta-0.5", "package, Adam beta_1 0.5", 10.0, 0.5, 128, 64),
    Setting("paper-toy", "the paper's toy code (lambda 0.1, beta_1 0.5, "
            "width 512, batch 256)", 0.1, 0.5, 512, 256),
    Setting("paper-toy-weight-10", "the paper's toy code with lambda 10",
            10.0, 0.5, 512, 256),
)}
EVAL_SAMPLES = 2000


def train(setting, iterations, eval_every, seed, log):
    keras.utils.set_random_seed(seed)
    critic = toy.toy_critic(2, width=setting.width)
    generator = toy.toy_generator(2, 2, width=setting.width)
    gan = keras_wgan.WGANGP(critic, generator, gp_weight=setting.gp_weight,
                            seed=seed)
    gan.compile(
        critic_optimizer=keras.optimizers.Adam(1e-4, setting.beta_1, 0.9),
        generator_optimizer=keras.optimizers.Adam(1e-4, setting.beta_1, 0.9))
    reference = toy.eight_gaussians(EVAL_SAMPLES, seed=seed + 1)
    evaluator = measures.ToyQuality("8gaussians", reference)
    probe = measures.CriticProbe(reference, 2, seed)
    per_step = setting.batch_size * gan.n_critic
    history, seconds = [], 0.0
    for done in range(0, iterations + 1, eval_every):
        if done:
            real = toy.eight_gaussians(eval_every * per_step,
                                       seed=seed + 10 + done)
            start = time.process_time()
            gan.fit(real, batch_size=setting.batch_size, epochs=1, verbose=0,
                    shuffle=False)
            seconds += time.process_time() - start
        samples = gan.generate(EVAL_SAMPLES, seed=seed + 2)
        record = {"iteration": done, "cpu_seconds": round(seconds, 2)}
        if np.all(np.isfinite(samples)):
            record.update(evaluator(samples))
            record["critic_gap"] = probe.measure(gan)[0]
        history.append(record)
        log(f"{setting.name}: iteration {done}/{iterations}, "
            + ", ".join(f"{k} {v:.4g}" for k, v in record.items()
                        if isinstance(v, float)))
    return history, gan.generate(EVAL_SAMPLES, seed=seed + 2)


#: A run has converged when its final energy distance is below this: ten
#: times the real-data floor of 2,000 points (0.002-0.003).
CONVERGED = 0.03


def seeds_table(results):
    """Markdown lines: per setting, every seed's final energy distance."""
    by_setting = {}
    for run in results["runs"]:
        final = run["history"][-1].get("energy_distance", float("nan"))
        by_setting.setdefault(run["name"], (run["label"], []))[1].append(
            (run["seed"], final))
    seeds = sorted({run["seed"] for run in results["runs"]})
    lines = ["| setting | " + " | ".join(f"seed {s}" for s in seeds)
             + f" | converged (< {CONVERGED}) |",
             "|---|" + "---|" * len(seeds) + "---|"]
    for label, finals in by_setting.values():
        values = dict(finals)
        cells = [f"{values[s]:.3g}" if s in values else "–" for s in seeds]
        converged = sum(v < CONVERGED for v in values.values())
        lines.append(f"| {label} | " + " | ".join(cells)
                     + f" | {converged} of {len(values)} |")
    return lines


def render(out):
    """Writes report.md, curves.png and samples.png from results.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    arrays = np.load(os.path.join(out, "samples.npz"))
    runs = results["runs"]
    for run in runs:  # results of one seed may not name it per run
        run.setdefault("seed", results["seed"])
    floor = results["real_data"]
    lines = [
        "# WGAN-GP on 8 Gaussians: which setting matters", "",
        f"Command: `{results['command']}`", "",
        f"Measured {results['date']} on {results['machine']}; keras "
        f"{results['versions']['keras']}, backend "
        f"{results['versions']['backend']}. Scores of {EVAL_SAMPLES} samples "
        f"against {EVAL_SAMPLES} held-out points; the real-data row scores "
        f"{EVAL_SAMPLES} other real points the same way (the floor).", "",
        *(["Final energy distance by seed:", "", *seeds_table(results), "",
           f"Every run (seed {runs[0]['seed']} first):", ""]
          if len({run["seed"] for run in runs}) > 1 else []),
        "| setting | final energy dist. | best energy dist. (iter.) | final "
        "W1 (exact) | final critic gap | high-quality samples | modes "
        "covered | CPU s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        final = run["history"][-1]
        best = min((h for h in run["history"] if "energy_distance" in h),
                   key=lambda h: h["energy_distance"])
        lines.append(
            f"| {run['label']}{seed_note(run)} | {final.get('energy_distance', float('nan')):.3g}"
            f" | {best['energy_distance']:.3g} ({best['iteration']}) | "
            f"{final.get('exact_w1', float('nan')):.3g} | "
            f"{final.get('critic_gap', float('nan')):.3g} | "
            f"{100 * final.get('high_quality', float('nan')):.1f}% | "
            f"{final.get('modes_covered', '–')}/8 | {final['cpu_seconds']:.0f} |")
    lines.append(
        f"| real data | {floor['energy_distance']:.3g} | – | "
        f"{floor['exact_w1']:.3g} | – | {100 * floor['high_quality']:.1f}% | "
        f"{floor['modes_covered']}/8 | – |")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for run in runs:
        if run["seed"] != runs[0]["seed"]:
            continue
        points = [h for h in run["history"] if "energy_distance" in h]
        its = [h["iteration"] for h in points]
        axes[0].plot(its, [h["energy_distance"] for h in points],
                     label=run["name"])
        axes[1].plot(its, [h["exact_w1"] for h in points], label=run["name"])
    for ax, key, name in ((axes[0], "energy_distance", "energy distance"),
                          (axes[1], "exact_w1", "exact W1")):
        ax.axhline(floor[key], color="grey", ls="--", label="real data")
        ax.set_yscale("log")
        ax.set_xlabel("generator iteration")
        ax.set_ylabel(f"{name} (lower is better)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "curves.png"), dpi=110)
    runs = [run for run in runs if run["seed"] == runs[0]["seed"]]
    fig, axes = plt.subplots(1, len(runs), figsize=(3 * len(runs), 3.2))
    real = toy.eight_gaussians(EVAL_SAMPLES, seed=results["seed"] + 1)
    for ax, run in zip(np.atleast_1d(axes), runs):
        ax.scatter(real[:, 0], real[:, 1], s=2, c="grey", alpha=0.4)
        key = f"{run['name']}_seed{run['seed']}"
        fake = arrays[key if key in arrays else run["name"]]
        ax.scatter(fake[:, 0], fake[:, 1], s=2, c="C1")
        ax.set_xlim(-2, 2)
        ax.set_ylim(-2, 2)
        ax.set_title(run["name"], fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(os.path.join(out, "samples.png"), dpi=110)


def seed_note(run):
    return f" (seed {run['seed']})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--eval-every", type=int, default=1000)
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--seeds", default="0",
                        help="comma-separated seeds, one run each")
    parser.add_argument("--render", action="store_true",
                        help="only draw the report again from results.json")
    args = parser.parse_args(argv)
    if args.render:
        render(args.out)
        return 0
    names = args.settings.split(",")
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        parser.error(f"--settings must be names of {', '.join(SETTINGS)}, "
                     f"got {', '.join(unknown)}")
    if args.iterations < 1 or args.eval_every < 1 or \
            args.iterations % args.eval_every:
        parser.error("--iterations must be a positive multiple of "
                     "--eval-every")
    try:
        seeds = [int(seed) for seed in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers, got "
                     f"{args.seeds}")
    os.makedirs(args.out, exist_ok=True)
    reference = toy.eight_gaussians(EVAL_SAMPLES, seed=seeds[0] + 1)
    floor = measures.ToyQuality("8gaussians", reference)(
        toy.eight_gaussians(EVAL_SAMPLES, seed=seeds[0] + 99))
    results = {
        "command": "python scripts/toy_gp_settings.py " + " ".join(
            sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "versions": {"keras": keras.__version__,
                     "backend": keras.backend.backend()},
        "seed": seeds[0], "seeds": seeds, "real_data": floor, "runs": [],
    }
    samples = {}
    for seed in seeds:
        for name in names:
            history, samples[f"{name}_seed{seed}"] = train(
                SETTINGS[name], args.iterations, args.eval_every, seed,
                lambda line: print(f"seed {seed}: {line}", flush=True))
            results["runs"].append({**dataclasses.asdict(SETTINGS[name]),
                                    "seed": seed, "history": history})
        # Written after each setting, so a stopped study keeps what it did.
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        np.savez(os.path.join(args.out, "samples.npz"), **samples)
    render(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
