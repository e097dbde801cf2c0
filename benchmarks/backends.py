"""Training throughput of WGAN and WGAN-GP on each Keras backend.

Measures generator iterations per second (one iteration = n_critic critic
updates + 1 generator update) with the WGAN-GP paper's MNIST networks, in
one run: each backend runs in its own process (Keras fixes the backend at
import), one after the other, so they do not compete for the cores.

    python benchmarks/backends.py                 # width 64, batch 64, n_critic 5
    python benchmarks/backends.py --width 16 --iterations 4 --repeats 2

Each measurement: one warm-up `fit` (JAX and TensorFlow compile there), then
`repeats` timed `fit` calls of `iterations` generator iterations each on
real MNIST test digits; the table shows the median and the spread.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BACKENDS = ("torch", "jax", "tensorflow")
MODELS = ("wgan", "wgan-gp")


def measure(args):
    """Runs in a worker process; prints one JSON line per model."""
    import keras_wgan

    import keras

    images = keras_wgan.data.load_mnist(split="test")
    step_images = args.batch_size * args.n_critic
    timed = images[: args.iterations * step_images]
    for name in MODELS:
        keras.utils.set_random_seed(0)
        cls = keras_wgan.WGAN if name == "wgan" else keras_wgan.WGANGP
        gan = cls(keras_wgan.architectures.mnist_critic(width=args.width),
                  keras_wgan.architectures.mnist_generator(width=args.width),
                  n_critic=args.n_critic, seed=0)
        gan.compile()
        gan.fit(images[:step_images], batch_size=args.batch_size, epochs=1,
                verbose=0)
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            gan.fit(timed, batch_size=args.batch_size, epochs=1, verbose=0)
            seconds.append(time.perf_counter() - start)
        print(json.dumps({
            "backend": keras.backend.backend(), "model": name,
            "rates": [args.iterations / s for s in seconds],
        }), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=6,
                        help="generator iterations per timed fit")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        measure(args)
        return 0

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rows = []
    for backend in args.backends.split(","):
        print(f"measuring {backend} ...", file=sys.stderr, flush=True)
        env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=root,
                   TF_CPP_MIN_LOG_LEVEL="3")
        worker_args = [a for a in (argv or sys.argv[1:])
                       if not a.startswith("--backends")]
        result = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker",
             *worker_args], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{backend} failed:\n{result.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
        rows += [json.loads(line) for line in result.stdout.splitlines()
                 if line.startswith("{")]

    from importlib.metadata import version

    print(f"\nMNIST networks width {args.width}, batch {args.batch_size}, "
          f"n_critic {args.n_critic}; {args.repeats} x {args.iterations} "
          f"generator iterations after warm-up; {os.cpu_count()} CPU cores, "
          f"Python {platform.python_version()}, keras {version('keras')}, "
          f"torch {version('torch')}, jax {version('jax')}, "
          f"tensorflow-cpu {version('tensorflow-cpu')}\n")
    print("| backend | model | generator it/s (median) | min - max | "
          "critic updates/s |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        rates = row["rates"]
        median = statistics.median(rates)
        print(f"| {row['backend']} | {row['model']} | {median:.3f} | "
              f"{min(rates):.3f} - {max(rates):.3f} | "
              f"{median * args.n_critic:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
