"""keras-wgan against a hand-written PyTorch loop, case by case, every backend.

One command for the networks users bring: for each case, a hand-written
PyTorch loop (`torch_reference.Trainer` on the case's `torch.nn` twin) and
keras-wgan's `WGANGP` trained through `model.fit` on each Keras backend
asked for, each in its own process, timed in interleaved rounds. It prints
the throughput ratio to the loop and the peak training memory of each side,
and writes the numbers to a JSON file that the docs' table is made from
(`scripts/docs_tables.py`, kind `suite`).

    python benchmarks/suite.py                                # torch only
    python benchmarks/suite.py --backends torch,jax,tensorflow \\
        --output docs/studies/performance/suite.json
    python benchmarks/suite.py --cases toy-mlp --fused-step off

Cases (all WGAN-GP, lambda 10, n_critic 5, a fresh real batch per critic
update, Adam(1e-4, 0, 0.9) on both sides): `toy-mlp` (the 8-Gaussians MLPs,
3 hidden ReLU layers of 128, batch 64), `mnist-standard` (the paper's MNIST
shapes in Keras's own `Conv2D`/`Conv2DTranspose`/`Dense` layers, width 64),
`mnist-16`, `mnist-32`, `mnist-64` (the package's MNIST networks at that
width), `dcgan-32` (the package's DCGAN networks for 32x32 RGB at width
32, BatchNorm in the generator, on random images).

How it measures (as `vs_pytorch.py`): workers start one after another and
warm up (JAX and TensorFlow compile there); in each of `--repeats` rounds
every worker of a case runs its iterations in turn, in an order rotated
each round, and the ratio is taken within a round, then the median, so
load from other processes hits both sides alike. Training memory is the
peak RSS at the end minus the RSS after imports and data loading.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import vs_pytorch  # noqa: E402

BACKENDS = ("torch", "jax", "tensorflow")
CASES = {
    "toy-mlp": "8-Gaussians MLPs, 3 hidden layers of 128, batch 64",
    "mnist-standard": "MNIST, keras.layers Conv2D/Conv2DTranspose/Dense, "
                      "width 64, batch 64",
    "mnist-16": "MNIST, the package's networks, width 16, batch 64",
    "mnist-32": "MNIST, the package's networks, width 32, batch 64",
    "mnist-64": "MNIST, the package's networks, width 64, batch 64",
    "dcgan-32": "DCGAN 32x32 RGB (BatchNorm generator), width 32, batch 64",
}
BATCH_SIZE, N_CRITIC, LATENT = 64, 5, 128


# ------------------------------------------------------------------ cases


# MNIST's training images bound the iterations of one timed run (each
# draws N_CRITIC * BATCH_SIZE of them); the other cases make enough.
MNIST_IMAGES = 60_000


def _samples(case, count=0):
    """The case's training samples, float32 NumPy in [-1, 1]: at least
    `count` for the cases that generate theirs."""
    import numpy as np

    if case == "toy-mlp":
        from keras_wgan.studies import toy

        return toy.eight_gaussians(max(20000, count), seed=0).astype(
            "float32")
    if case == "dcgan-32":
        rng = np.random.default_rng(0)
        return rng.uniform(-1, 1, (max(3000, count), 32, 32, 3)).astype(
            "float32")
    return vs_pytorch._load_images()


def keras_networks(case):
    """The case's Keras `(critic, generator, latent_dim)`."""
    import keras_wgan
    from keras_wgan.studies import toy

    if case == "toy-mlp":
        return (toy.toy_critic(2, width=128, depth=3),
                toy.toy_generator(2, 2, width=128, depth=3), 2)
    if case == "mnist-standard":
        return vs_pytorch.standard_networks(64, LATENT) + (LATENT,)
    if case == "dcgan-32":
        return (keras_wgan.nets.dcgan.dcgan_critic((32, 32, 3), width=32),
                keras_wgan.nets.dcgan.dcgan_generator(LATENT, (32, 32, 3),
                                                width=32), LATENT)
    width = int(case.split("-")[1])
    return (keras_wgan.architectures.mnist_critic(width=width),
            keras_wgan.architectures.mnist_generator(LATENT, width=width),
            LATENT)


def torch_networks(case):
    """The case's `torch.nn` twins `(critic, generator, latent_dim)`."""
    from torch import nn

    import torch_reference

    if case == "toy-mlp":
        def mlp(n_in, n_out):
            layers = []
            for size in (n_in, 128, 128):
                layers += [nn.Linear(size, 128), nn.ReLU()]
            return nn.Sequential(*layers, nn.Linear(128, n_out))
        return mlp(2, 1), mlp(2, 2), 2
    if case == "dcgan-32":
        width = 32
        critic = nn.Sequential(
            nn.Conv2d(3, width, 5, 2, 2), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 5, 2, 2), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 5, 2, 2), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(16 * 4 * width, 1))
        generator = nn.Sequential(
            nn.Linear(LATENT, 16 * 4 * width), nn.BatchNorm1d(16 * 4 * width),
            nn.ReLU(), nn.Unflatten(1, (4 * width, 4, 4)),
            nn.ConvTranspose2d(4 * width, 2 * width, 5, 2, 2, 1),
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 5, 2, 2, 1),
            nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 3, 5, 2, 2, 1), nn.Tanh())
        return critic, generator, LATENT
    if case == "mnist-standard":
        return (torch_reference.critic(64),
                torch_reference.generator(LATENT, 64, crop=True), LATENT)
    width = int(case.split("-")[1])
    return (torch_reference.critic(width),
            torch_reference.generator(LATENT, width), LATENT)


# ---------------------------------------------------------------- workers


class _Keras:
    def __init__(self, args, samples):
        import keras

        import keras_wgan

        self.backend = keras.backend.backend()
        critic, generator, latent = keras_networks(args.case)
        self.gan = keras_wgan.WGANGP(critic, generator, latent_dim=latent,
                                     n_critic=N_CRITIC, seed=0)
        self.gan.compile(fused_step=args.fused_step == "on")
        self.samples = samples

    def run(self, iterations):
        count = iterations * N_CRITIC * BATCH_SIZE
        self.gan.fit(self.samples[:count], batch_size=BATCH_SIZE, epochs=1,
                     verbose=0)


class _Torch:
    def __init__(self, args, samples):
        import torch

        import torch_reference

        self.backend = "torch"
        torch.manual_seed(0)
        critic, generator, latent = torch_networks(args.case)
        self.trainer = torch_reference.Trainer(
            "wgan-gp", latent_dim=latent, n_critic=N_CRITIC,
            networks=(critic, generator))
        if samples.ndim == 4:  # NHWC to PyTorch's NCHW, before the baseline
            samples = samples.transpose(0, 3, 1, 2)
        self.samples = torch.from_numpy(samples.copy())

    def run(self, iterations):
        self.trainer.run(self.samples, iterations, BATCH_SIZE)


def worker(args):
    """Serves one implementation: 'run N' lines in, one JSON line out each."""
    import torch

    torch.set_num_threads(args.threads or torch.get_num_threads())
    if args.impl == "keras-wgan":
        import keras  # noqa: F401  (import cost belongs to the baseline)

        import keras_wgan  # noqa: F401
    samples = _samples(args.case, args.samples)
    baseline_kb = vs_pytorch._status_kb("VmRSS")
    vs_pytorch._reset_peak_rss()
    runner = (_Keras if args.impl == "keras-wgan" else _Torch)(args, samples)
    runner.run(args.warmup)
    _reply({"ready": True})
    for line in sys.stdin:
        command = line.split()
        if command[0] == "run":
            start, cpu = time.perf_counter(), time.process_time()
            runner.run(int(command[1]))
            _reply({"seconds": time.perf_counter() - start,
                    "cpu_seconds": time.process_time() - cpu})
        else:
            _reply({"training_mib": (vs_pytorch._status_kb("VmHWM")
                                     - baseline_kb) / 1024})
            return


def _reply(obj):
    print(json.dumps(obj), flush=True)


class _Worker:
    def __init__(self, impl, backend, case, args):
        self.impl, self.backend = impl, backend
        self.iterations = args.iterations[case]
        env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=ROOT,
                   TF_CPP_MIN_LOG_LEVEL="3")
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker",
             "--impl", impl, "--case", case, "--warmup", str(args.warmup),
             "--threads", str(args.threads),
             "--samples", str(_needed(case, args)),
             "--fused-step", args.fused_step],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.rates, self.cpu_rates = [], []
        self.read()

    def read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"{self.impl} ({self.backend}) worker exited with code "
                f"{self.process.wait()}; see its stderr above.")
        return json.loads(line)

    def time_once(self):
        self.process.stdin.write(f"run {self.iterations}\n")
        self.process.stdin.flush()
        reply = self.read()
        self.rates.append(self.iterations / reply["seconds"])
        self.cpu_rates.append(self.iterations / reply["cpu_seconds"])

    def finish(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.memory = self.read()["training_mib"]
        self.process.wait()


# ----------------------------------------------------------------- driver


def measure(case, args):
    """Times one case; returns its result record."""
    workers = []
    for impl, backend in [("pytorch", "torch")] + [
            ("keras-wgan", b) for b in args.backends]:
        print(f"{case}: warming up {impl} ({backend}) ...", file=sys.stderr,
              flush=True)
        workers.append(_Worker(impl, backend, case, args))
    for index in range(args.repeats):
        print(f"{case}: round {index + 1} of {args.repeats} ...",
              file=sys.stderr, flush=True)
        shift = index % len(workers)
        for w in workers[shift:] + workers[:shift]:
            w.time_once()
    for w in workers:
        w.finish()
    loop = workers[0]
    record = {"case": case, "description": CASES[case],
              "torch_loop": {"it_per_s": statistics.median(loop.rates),
                             "training_mib": loop.memory},
              "keras_wgan": {}}
    for w in workers[1:]:
        record["keras_wgan"][w.backend] = {
            "it_per_s": statistics.median(w.rates),
            "ratio": statistics.median(
                a / b for a, b in zip(w.rates, loop.rates)),
            "ratios": [a / b for a, b in zip(w.rates, loop.rates)],
            "cpu_ratio": statistics.median(
                a / b for a, b in zip(w.cpu_rates, loop.cpu_rates)),
            "training_mib": w.memory,
        }
    return record


def table(results):
    """The results as a Markdown table, one row a case."""
    backends = [b for b in BACKENDS
                if any(b in r["keras_wgan"] for r in results["cases"])]
    head = ["case", "PyTorch loop it/s", "loop training MiB"]
    for b in backends:
        head += [f"{b}: ratio (CPU ratio)", f"{b}: training MiB"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for r in results["cases"]:
        row = [r["description"], f"{r['torch_loop']['it_per_s']:.2f}",
               f"{r['torch_loop']['training_mib']:.0f}"]
        for b in backends:
            k = r["keras_wgan"].get(b)
            if k is None:
                row += ["-", "-"]
                continue
            row += [f"**{k['ratio']:.2f}** ({k['cpu_ratio']:.2f})",
                    f"{k['training_mib']:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _versions():
    from importlib.metadata import version

    found = {}
    for name in ("keras", "torch", "jax", "tensorflow-cpu"):
        try:
            found[name] = version(name)
        except Exception:
            pass
    return found


def _iterations(text):
    """`--iterations`: one number for every case, or `case=N,...`."""
    counts = {case: None for case in CASES}
    default = {"toy-mlp": 40, "mnist-16": 10, "mnist-32": 4,
               "mnist-64": 2, "mnist-standard": 2, "dcgan-32": 2}
    for part in filter(None, text.split(",")):
        name, _, value = part.rpartition("=")
        count = int(value)
        if count < 1:
            raise ValueError(value)
        for case in ([name] if name else CASES):
            counts[case] = count
    return {case: counts[case] or default[case] for case in CASES}


def _needed(case, args):
    """Samples one worker of `case` trains on: its longest run's."""
    return max(args.iterations[case], args.warmup) * N_CRITIC * BATCH_SIZE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, from {','.join(CASES)}")
    parser.add_argument("--backends", default="torch",
                        help=f"Keras backends, from {','.join(BACKENDS)}")
    parser.add_argument("--iterations", default="",
                        help="generator iterations per timed run: N, or "
                        "case=N,... (defaults per case)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads per process (0: default)")
    parser.add_argument("--fused-step", choices=("on", "off"), default="on",
                        help="keras-wgan's fused torch step "
                        "(compile(fused_step=...))")
    parser.add_argument("--output", help="write the results to this JSON")
    parser.add_argument("--worker", action="store_true",
                        help=argparse.SUPPRESS)
    parser.add_argument("--impl", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, default=0,
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    cases = args.cases.split(",")
    args.backends = args.backends.split(",")
    for flag, values, allowed in (("--cases", cases, CASES),
                                  ("--backends", args.backends, BACKENDS)):
        bad = [v for v in values if v not in allowed]
        if bad:
            parser.error(f"{flag} takes values from {','.join(allowed)}, "
                         f"got {','.join(bad)}")
    try:
        args.iterations = _iterations(args.iterations)
    except ValueError:
        parser.error("--iterations must be N or case=N,... with N >= 1, got "
                     f"{args.iterations!r}")
    for name in ("repeats", "warmup"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    most = MNIST_IMAGES // (N_CRITIC * BATCH_SIZE)
    for case in cases:
        if case.startswith("mnist") and _needed(case, args) > MNIST_IMAGES:
            parser.error(f"--iterations and --warmup of {case} must be at "
                         f"most {most} ({MNIST_IMAGES} MNIST images, "
                         f"{N_CRITIC * BATCH_SIZE} an iteration), got "
                         f"{max(args.iterations[case], args.warmup)}")
    load = os.getloadavg()[0]
    results = {
        "command": "python benchmarks/suite.py " + " ".join(
            sys.argv[1:] if argv is None else argv),
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu_count": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "threads": args.threads or "default",
                    "load_average": load, "versions": _versions()},
        "fused_step": args.fused_step,
        "cases": [],
    }
    for case in cases:
        results["cases"].append(measure(case, args))
        if args.output:  # after each case: a long run keeps what it has
            with open(args.output, "w") as f:
                json.dump(results, f, indent=1)
    print(table(results))
    print(f"\nratio: keras-wgan it/s over the PyTorch loop's, median of "
          f"{args.repeats} interleaved rounds (CPU ratio: the same in each "
          f"process's CPU time); training MiB: peak RSS minus the RSS after "
          f"imports and data. Load average {load:.1f} at the start.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
