"""keras-wgan against a hand-written PyTorch loop: speed and peak memory.

Times `WGAN` and `WGANGP` trained through `model.fit` against the plain
PyTorch loop of `benchmarks/torch_reference.py` (same networks, optimizers,
hyperparameters and MNIST data), and prints a table of generator
iterations per second (one iteration = n_critic critic updates + 1
generator update), the ratio keras-wgan / PyTorch, and peak memory.

    python benchmarks/vs_pytorch.py                      # torch backend only
    python benchmarks/vs_pytorch.py --backends torch,jax,tensorflow
    python benchmarks/vs_pytorch.py --networks standard   # your own network

`--networks package` (the default) trains the package's MNIST networks
(`keras_wgan.architectures`, built from its fused layers); `--networks
standard` trains the same shapes written with Keras's own layers, as a
user writes them (`Conv2D`/`Conv2DTranspose` with padding "same", a
`Cropping2D` from 8x8 to 7x7, `Dense`, `LeakyReLU`/`ReLU`), against the
PyTorch twin with the same crop (`torch_reference.generator(crop=True)`).

How it measures:

- Each implementation (per model and backend) runs in its own worker
  process, so memory is counted per implementation and Keras's backend is
  fixed per process. The workers start one after another, each building
  its model and warming up (JAX and TensorFlow compile there) before the
  next starts, then they wait for their timed runs.
- Timing is interleaved: in each of `--repeats` rounds every worker in
  turn runs `--iterations` generator iterations while the others sleep, in
  an order rotated each round. The ratio is taken within each round (so
  load from other processes on the machine hits both sides alike), and the
  table shows the median rate, the rates' range and the median ratio;
  the same from each worker's own CPU time (`time.process_time`, all its
  threads), which is less disturbed by other processes on a shared machine.
- Memory: each worker reads its resident set size (VmRSS) after importing
  its libraries and loading the data, then resets the kernel's peak-RSS
  counter (`/proc/self/clear_refs`); "training memory" is the peak RSS
  (VmHWM) at the end minus that baseline, so it counts the networks,
  optimizer state, warm-up and all timed rounds, and not the fixed import
  cost of importing Keras or PyTorch (which the peak RSS column includes).
- Threads: every torch worker uses the same `torch.get_num_threads()`
  (PyTorch's default unless `--threads` is given); the table prints it.
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ("wgan", "wgan-gp")
BACKENDS = ("torch", "jax", "tensorflow")
IMAGES = os.path.join(
    ROOT, "keras_wgan", "resources", "mnist", "t10k-images-idx3-ubyte.gz"
)


# ------------------------------------------------------------------ workers


def _status_kb(field):
    """Returns a `/proc/self/status` memory field (VmRSS, VmHWM) in KiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak_rss():
    # Writing 5 resets VmHWM to the current RSS (Linux >= 4.0).
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _load_images():
    """MNIST test digits, `(10000, 28, 28, 1)` float32 in [-1, 1]."""
    import numpy as np

    with gzip.open(IMAGES, "rb") as f:
        raw = f.read()
    # IDX: a 16-byte header, then uint8 pixels row by row.
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16)
    # keras_wgan.data.to_unit_range written out: the PyTorch worker must not
    # import keras_wgan (and Keras with it), whose memory it would count.
    return (pixels.reshape(-1, 28, 28, 1).astype("float32") / 127.5) - 1.0


class _KerasRunner:
    def __init__(self, args, images):
        import keras

        import keras_wgan

        self.backend = keras.backend.backend()
        # No keras.utils.set_random_seed: it imports TensorFlow whenever it
        # is installed (hundreds of MiB), which is not keras-wgan's cost.
        cls = keras_wgan.WGAN if args.model == "wgan" else keras_wgan.WGANGP
        if args.networks == "standard":
            networks = standard_networks(args.width)
        else:
            networks = (
                keras_wgan.architectures.mnist_critic(width=args.width),
                keras_wgan.architectures.mnist_generator(width=args.width),
            )
        self.gan = cls(
            *networks,
            n_critic=args.n_critic,
            seed=0,
        )
        self.gan.compile()  # the paper's optimizers, as in the reference
        self.images = images
        self.batch_size = args.batch_size
        self.n_critic = args.n_critic

    def run(self, iterations):
        count = iterations * self.n_critic * self.batch_size
        self.gan.fit(
            self.images[:count],
            batch_size=self.batch_size,
            epochs=1,
            verbose=0,
        )


def standard_networks(width, latent_dim=128):
    """The MNIST critic and generator of the WGAN-GP paper in Keras's own
    layers: the shapes and parameter counts of `keras_wgan.architectures`.
    """
    import keras
    from keras import layers

    critic = keras.Sequential([keras.Input((28, 28, 1))], name="critic")
    for multiplier in (1, 2, 4):  # 28 -> 14 -> 7 -> 4
        critic.add(layers.Conv2D(multiplier * width, 5, strides=2,
                                 padding="same"))
        critic.add(layers.LeakyReLU(negative_slope=0.2))
    critic.add(layers.Flatten())
    critic.add(layers.Dense(1))
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(4 * 4 * 4 * width),
        layers.ReLU(),
        layers.Reshape((4, 4, 4 * width)),
        layers.Conv2DTranspose(2 * width, 5, strides=2, padding="same"),
        layers.Cropping2D(((0, 1), (0, 1))),  # 8x8 -> 7x7, the paper's crop
        layers.ReLU(),
        layers.Conv2DTranspose(width, 5, strides=2, padding="same"),
        layers.ReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same"),
        layers.Activation("tanh"),
    ], name="generator")
    return critic, generator


class _TorchRunner:
    def __init__(self, args, images):
        import torch

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import torch_reference

        self.backend = "torch"
        torch.manual_seed(0)
        self.trainer = torch_reference.Trainer(
            args.model, width=args.width, n_critic=args.n_critic,
            crop=args.networks == "standard",
        )
        self.images = images
        self.batch_size = args.batch_size

    def run(self, iterations):
        self.trainer.run(self.images, iterations, self.batch_size)


def worker(args):
    """Serves one implementation: 'run' lines in, one JSON line out each."""
    if args.impl == "pytorch" or args.backend == "torch":
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
    if args.impl == "keras-wgan":
        import keras  # noqa: F401  (import cost belongs to the baseline)

        import keras_wgan  # noqa: F401
    images = _load_images()
    if args.impl == "pytorch":
        # PyTorch's NCHW layout, converted before the baseline as the
        # Keras side gets its array in its own layout before it too.
        images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    baseline_kb = _status_kb("VmRSS")
    _reset_peak_rss()
    runner_cls = _KerasRunner if args.impl == "keras-wgan" else _TorchRunner
    runner = runner_cls(args, images)
    runner.run(args.warmup)
    threads = None
    if runner.backend == "torch":
        import torch

        threads = torch.get_num_threads()
    _reply({"ready": True, "threads": threads})
    for line in sys.stdin:
        command = line.split()
        if command[0] == "run":
            iterations = int(command[1])
            start, cpu_start = time.perf_counter(), time.process_time()
            runner.run(iterations)
            _reply({
                "seconds": time.perf_counter() - start,
                "cpu_seconds": time.process_time() - cpu_start,
            })
        elif command[0] == "quit":
            _reply({
                "baseline_kb": baseline_kb,
                "peak_kb": _status_kb("VmHWM"),
            })
            return


def _reply(obj):
    print(json.dumps(obj), flush=True)


# ------------------------------------------------------------------ driver


class _Worker:
    """A running worker process and its measurements."""

    def __init__(self, impl, backend, model, args):
        self.impl, self.backend, self.model = impl, backend, model
        self.iterations = (
            args.slow_iterations if backend == "jax" else args.iterations
        )
        env = dict(
            os.environ,
            KERAS_BACKEND=backend,
            PYTHONPATH=ROOT,
            TF_CPP_MIN_LOG_LEVEL="3",
        )
        command = [
            sys.executable, os.path.abspath(__file__), "--worker",
            "--impl", impl, "--backend", backend, "--model", model,
            "--width", str(args.width), "--batch-size", str(args.batch_size),
            "--n-critic", str(args.n_critic), "--warmup", str(args.warmup),
            "--threads", str(args.threads), "--networks", args.networks,
        ]
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )
        self.rates = []
        self.cpu_rates = []

    @property
    def label(self):
        return f"{self.impl} ({self.backend})"

    def read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"{self.label} {self.model} worker exited with code "
                f"{self.process.wait()}; see its stderr above."
            )
        return json.loads(line)

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def time_once(self):
        self.send(f"run {self.iterations}")
        reply = self.read()
        self.rates.append(self.iterations / reply["seconds"])
        self.cpu_rates.append(self.iterations / reply["cpu_seconds"])

    def finish(self):
        self.send("quit")
        self.memory = self.read()
        self.process.wait()


def _mib(kb):
    return kb / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="torch",
                        help="keras backends to time, comma-separated "
                        f"from {','.join(BACKENDS)}")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--networks", choices=("package", "standard"),
                        default="package",
                        help="the package's MNIST networks, or the same "
                        "shapes in Keras's own layers (a user's network)")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=5,
                        help="generator iterations per timed run")
    parser.add_argument("--slow-iterations", type=int, default=1,
                        help="generator iterations per timed run on jax "
                        "(about 10x slower on CPU)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="generator iterations run before timing")
    parser.add_argument("--repeats", type=int, default=5,
                        help="interleaved timing rounds")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (0: PyTorch's default)")
    parser.add_argument("--worker", action="store_true",
                        help=argparse.SUPPRESS)
    parser.add_argument("--impl", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0

    backends = args.backends.split(",")
    models = args.models.split(",")
    for name, values, allowed in (("--backends", backends, BACKENDS),
                                  ("--models", models, MODELS)):
        bad = [v for v in values if v not in allowed]
        if bad:
            parser.error(f"{name} takes values from {allowed}, got {bad}")
    for name in ("width", "batch_size", "n_critic", "iterations",
                 "slow_iterations", "warmup", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got "
                         f"{getattr(args, name)}")

    # Started one at a time, each after the previous one is warmed up, so
    # set-up does not compete for the cores either.
    workers, threads = [], set()
    for model in models:
        for impl, backend in [("pytorch", "torch")] + [
            ("keras-wgan", b) for b in backends
        ]:
            print(f"warming up {impl} ({backend}) {model} ...",
                  file=sys.stderr, flush=True)
            workers.append(_Worker(impl, backend, model, args))
            threads.add(workers[-1].read()["threads"])
    threads.discard(None)
    for round_index in range(args.repeats):
        print(f"round {round_index + 1} of {args.repeats} ...",
              file=sys.stderr, flush=True)
        shift = round_index % len(workers)
        for w in workers[shift:] + workers[:shift]:
            w.time_once()
    for w in workers:
        w.finish()

    _print_table(args, workers, threads)
    return 0


def _print_table(args, workers, threads):
    from importlib.metadata import version

    def installed(name):
        try:
            return version(name)
        except Exception:
            return "-"

    load = os.getloadavg()
    print(
        f"\nMNIST networks ({args.networks}) width {args.width}, batch {args.batch_size}, "
        f"n_critic {args.n_critic}; {args.repeats} interleaved rounds of "
        f"{args.iterations} generator iterations ({args.slow_iterations} on "
        f"jax) after {args.warmup} warm-up iterations; "
        f"{os.cpu_count()} CPU cores, torch threads {sorted(threads)}, "
        f"load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; "
        f"Python {platform.python_version()}, keras {installed('keras')}, "
        f"torch {installed('torch')}, jax {installed('jax')}, "
        f"tensorflow {installed('tensorflow-cpu')}\n"
    )
    print("| model | implementation | generator it/s (median) | min - max "
          "| ratio to PyTorch (median) | it per CPU-second | CPU ratio | "
          "training memory MiB | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for model in sorted({w.model for w in workers}, key=MODELS.index):
        group = [w for w in workers if w.model == model]
        reference = next(w for w in group if w.impl == "pytorch")
        for w in group:
            ratios = [a / b for a, b in zip(w.rates, reference.rates)]
            cpu_ratios = [
                a / b for a, b in zip(w.cpu_rates, reference.cpu_rates)
            ]
            training = _mib(w.memory["peak_kb"] - w.memory["baseline_kb"])
            ref_training = _mib(reference.memory["peak_kb"]
                                - reference.memory["baseline_kb"])
            memory = f"{training:.0f}"
            if w is not reference:
                memory += f" ({training / ref_training:.2f}x)"
            print(
                f"| {model} | {w.label} | "
                f"{statistics.median(w.rates):.3f} | "
                f"{min(w.rates):.3f} - {max(w.rates):.3f} | "
                f"{statistics.median(ratios):.2f} | "
                f"{statistics.median(w.cpu_rates):.3f} | "
                f"{statistics.median(cpu_ratios):.2f} | {memory} | "
                f"{_mib(w.memory['peak_kb']):.0f} |"
            )
    print("\nratios: median over rounds of keras-wgan / PyTorch within a "
          "round. it per CPU-second: iterations per second of the worker's "
          "own CPU time (all its threads), which other processes on the "
          "machine disturb less than wall time. training memory: peak RSS "
          "minus the RSS after imports and data loading, per worker "
          "process; ratios in brackets are to PyTorch.")


if __name__ == "__main__":
    sys.exit(main())
