"""Runs the test suite once per Keras backend, each in its own process.

Keras fixes its backend when it is imported, so the suite runs three times
with `KERAS_BACKEND` set to torch, jax and tensorflow. A backend whose
package is missing is a failure, not a skip. The last line sums the runs.

Usage: python tests/run_all_backends.py [--backends torch,jax] [pytest args]
"""

import argparse
import importlib.util
import os
import re
import subprocess
import sys
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
    args, pytest_args = parser.parse_known_args(argv)
    backends = args.backends.split(",")
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        parser.error(f"--backends must be among {BACKENDS}, got {unknown}")
    total = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    status = 0
    for backend in backends:
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: FAILED, package '{backend}' is not installed "
                  "(pip install -r requirements-backends.txt)", flush=True)
            total["failed"] += 1
            status = 1
            continue
        print(f"=== KERAS_BACKEND={backend}", flush=True)
        env = dict(os.environ, KERAS_BACKEND=backend,
                   TF_CPP_MIN_LOG_LEVEL="3")
        start = time.time()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "tests", *pytest_args],
            cwd=ROOT, env=env, capture_output=True, text=True)
        sys.stdout.write(result.stdout[-20000:])
        sys.stderr.write(result.stderr[-5000:])
        counts = _counts(result.stdout)
        print(f"=== {backend}: exit {result.returncode} in "
              f"{time.time() - start:.0f} s, {counts}", flush=True)
        for key in total:
            total[key] += counts.get(key, 0)
        if result.returncode != 0 or not counts.get("passed"):
            status = 1
            total["failed"] += 0 if counts.get("failed") else 1
    print(f"backends: {total['passed']} passed, "
          f"{total['failed'] + total['errors']} failed, "
          f"{total['skipped']} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
