"""Seconds of training until samples reach a given classifier FID.

Trains a WGAN-GP with the quickstart's settings (the README's first command:
width 16, batch 32, learning rate 3e-4, n_critic 5, seed 0, the 60,000 MNIST
train digits) through `fit` for the quickstart's 2,625 generator iterations
(its 7 epochs), scores 1,000 samples from fixed noise every `--eval-every`
iterations with `keras_wgan.callbacks.QualityMetrics` against the 10,000
test digits, and prints a table: training time (the scoring excluded), FID,
classifier score and classes covered, then the first time each FID
threshold is met.

Usage: python benchmarks/time_to_quality.py [--width 16] [--iterations 2625]
       [--eval-every 125] [--batch-size 32] [--learning-rate 3e-4]
       [--max-seconds S] [--thresholds 200,100,50,30,20]

`--max-seconds` stops after the first evaluation that brings the training
time to S or more, so that settings of different cost per iteration
(widths, batch sizes) can be compared for the same CPU budget.

`--clock cpu` measures the process's CPU time instead of wall-clock time
(both are printed): run with `OMP_NUM_THREADS=1` on a machine that is busy
with other work, CPU seconds of one thread still measure the training's
own cost, where wall-clock seconds would measure the load.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

import keras_wgan  # noqa: E402
from keras_wgan.nets import architectures  # noqa: E402
from keras_wgan import callbacks  # noqa: E402
from keras_wgan import data  # noqa: E402


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


class _TrainingClock(keras.callbacks.Callback):
    """Adds up the wall and CPU time spent in epochs, before later callbacks.

    `clock` ("wall" or "cpu") is the one `max_seconds` and `elapsed` count.
    """

    def __init__(self, clock="wall", max_seconds=None):
        super().__init__()
        self.clock = clock
        self.max_seconds = max_seconds
        self.totals = {name: 0.0 for name in CLOCKS}
        self.history = {name: [] for name in CLOCKS}

    @property
    def elapsed(self):
        return self.history[self.clock]

    def on_epoch_begin(self, epoch, logs=None):
        self._starts = {name: read() for name, read in CLOCKS.items()}

    def on_epoch_end(self, epoch, logs=None):
        for name, read in CLOCKS.items():
            self.totals[name] += read() - self._starts[name]
            self.history[name].append(self.totals[name])
        if (self.max_seconds is not None
                and self.totals[self.clock] >= self.max_seconds):
            self.model.stop_training = True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=2625,
                        help="generator iterations (default: the "
                             "quickstart's 7 epochs of 375)")
    parser.add_argument("--eval-every", type=int, default=125,
                        help="generator iterations between evaluations")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--samples", type=int, default=1000,
                        help="generated images scored per epoch")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="stop once the training time reaches this")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="the time that --max-seconds and the "
                             "thresholds count: wall-clock, or the "
                             "process's CPU time")
    parser.add_argument("--thresholds", default="200,100,50,30,20",
                        help="FID levels to report the time to")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    if args.max_seconds is not None and args.max_seconds <= 0:
        parser.error(f"--max-seconds must be > 0, got {args.max_seconds}")
    for name in ("iterations", "eval_every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got "
                         f"{getattr(args, name)}")

    keras.utils.set_random_seed(0)
    images = data.load_mnist("train")
    reference = data.load_mnist("test")
    gan = keras_wgan.WGANGP(
        architectures.mnist_critic(width=args.width),
        architectures.mnist_generator(width=args.width),
        seed=0,
    )
    gan.compile(learning_rate=args.learning_rate)
    clock = _TrainingClock(args.clock, args.max_seconds)
    # The clock comes first so that it stops before the scoring runs.
    quality = callbacks.QualityMetrics(reference, dataset="mnist", every=1,
                                       num_samples=args.samples, verbose=0)
    # An epoch of fit is one stretch between evaluations.
    steps = args.eval_every
    gan.fit(images, batch_size=args.batch_size,
            epochs=-(-args.iterations // steps), steps_per_epoch=steps,
            callbacks=[clock, quality], verbose=0)

    print(f"WGAN-GP width {args.width}, lr {args.learning_rate:g}, batch "
          f"{args.batch_size}, n_critic {gan.n_critic}, {len(images)} "
          f"training images, FID against {len(reference)} test images, "
          f"evaluated every {steps} generator iterations; "
          f"{os.cpu_count()} CPU cores, keras {keras.__version__} "
          f"({keras.backend.backend()}), Python {platform.python_version()}"
          f", {os.environ.get('OMP_NUM_THREADS', 'default')} OMP threads; "
          f"thresholds in {args.clock} seconds")
    print()
    print("| generator iterations | training s (wall) | training s (CPU) "
          "| FID | score | classes covered |")
    print("| --- | --- | --- | --- | --- | --- |")
    for result, wall, cpu in zip(quality.results, clock.history["wall"],
                                 clock.history["cpu"]):
        print(f"| {result['epoch'] * steps} | "
              f"{wall:.0f} | {cpu:.0f} | {result['classifier_fid']:.1f} | "
              f"{result['classifier_score']:.2f} | "
              f"{result['classes_covered']} |")
    print()
    for threshold in thresholds:
        reached = [(r["epoch"] * steps, s) for r, s in zip(quality.results,
                                                           clock.elapsed)
                   if r["classifier_fid"] <= threshold]
        if reached:
            iterations, seconds = reached[0]
            print(f"FID <= {threshold:g}: after {seconds:.0f} {args.clock} "
                  "s of training "
                  f"({iterations} generator iterations)")
        else:
            print(f"FID <= {threshold:g}: not reached in "
                  f"{len(clock.elapsed) * steps} generator iterations")


if __name__ == "__main__":
    main()
