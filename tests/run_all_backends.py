"""Runs the test suite once per Keras backend, each in its own process.

Keras fixes its backend when it is imported, so the suite runs three times
with `KERAS_BACKEND` set to torch, jax and tensorflow. The runs go in
parallel, as many at a time as the machine has cores (`--jobs`): the tests'
models are small, so each run mostly keeps one core busy. Each run's output
is printed when it ends. A backend whose package is missing is a failure,
not a skip. The last line sums the runs.

Usage: python tests/run_all_backends.py [--backends torch,jax] [--jobs N]
       [pytest args]
"""

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time

BACKENDS = ("torch", "jax", "tensorflow")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")


def _counts(output):
    """Counts of pytest's closing line, e.g. {'passed': 3, 'failed': 1}."""
    counts = {}
    closing = [line for line in output.splitlines()
               if _COUNT.search(line) and re.search(r" in [\d.]+s", line)]
    for number, word in _COUNT.findall(closing[-1] if closing else ""):
        counts["errors" if word.startswith("error") else word] = int(number)
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated list (default: all three)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="backends run at the same time (default: the "
                        "number of cores)")
    args, pytest_args = parser.parse_known_args(argv)
    backends = args.backends.split(",")
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        parser.error(f"--backends must be among {BACKENDS}, got {unknown}")
    if args.jobs < 1:
        parser.error(f"--jobs must be an integer >= 1, got {args.jobs}")
    total = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    status = 0
    waiting = []
    for backend in backends:
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: FAILED, package '{backend}' is not installed "
                  "(pip install -r requirements-tests.txt)", flush=True)
            total["failed"] += 1
            status = 1
        else:
            waiting.append(backend)
    running = []
    while waiting or running:
        while waiting and len(running) < args.jobs:
            running.append(_Run(waiting.pop(0), pytest_args))
        run = _next_finished(running)
        running.remove(run)
        stdout, stderr = run.output()
        sys.stdout.write(f"=== KERAS_BACKEND={run.backend}\n{stdout[-20000:]}")
        sys.stderr.write(stderr[-5000:])
        counts = _counts(stdout)
        print(f"=== {run.backend}: exit {run.process.returncode} in "
              f"{run.seconds:.0f} s, {counts}", flush=True)
        for key in total:
            total[key] += counts.get(key, 0)
        if run.process.returncode != 0 or not counts.get("passed"):
            status = 1
            total["failed"] += 0 if counts.get("failed") else 1
    print(f"backends: {total['passed']} passed, "
          f"{total['failed'] + total['errors']} failed, "
          f"{total['skipped']} skipped")
    return status


class _Run:
    """One backend's pytest process, its output kept in temporary files.

    Files rather than pipes: a run that filled its pipe while the runner
    waited for another one would block.
    """

    def __init__(self, backend, pytest_args):
        self.backend = backend
        self.start = time.time()
        self.seconds = None
        self.files = (tempfile.TemporaryFile("w+"),
                      tempfile.TemporaryFile("w+"))
        env = dict(os.environ, KERAS_BACKEND=backend,
                   TF_CPP_MIN_LOG_LEVEL="3")
        print(f"=== KERAS_BACKEND={backend} started", flush=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "tests", *pytest_args],
            cwd=ROOT, env=env, stdout=self.files[0], stderr=self.files[1],
            text=True)

    def done(self):
        if self.seconds is None and self.process.poll() is not None:
            self.seconds = time.time() - self.start
        return self.seconds is not None

    def output(self):
        """Returns `(stdout, stderr)` of the finished run."""
        texts = []
        for f in self.files:
            f.seek(0)
            texts.append(f.read())
            f.close()
        return tuple(texts)


def _next_finished(running):
    """Waits until one of the running backends ends; returns its run."""
    while True:
        for run in running:
            if run.done():
                return run
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
