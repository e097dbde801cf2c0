"""Runs the test suite once per Keras backend, each in processes of its own.

Keras fixes its backend when it is imported, so the suite runs three times
with `KERAS_BACKEND` set to torch, jax and tensorflow, in these runs:

- each backend's run: its tests but those marked `spawns`, split into
  `--shards` pytest processes (by test file, round robin);
- the `spawns` run, on the first backend, split likewise: the tests that
  start Python processes choosing their own backends (notebook kernels, one
  process per backend), which would otherwise wait in one backend's run.

Every JAX process of an invocation, the tests' and those they start, keeps
its compiled programs in one folder and reuses the others', and XLA
compiles at its lowest optimization level (`jax_cache_environment`); the
folder is removed at the end.

Tests marked `backend_independent`, and those marked `above_the_models`
(the command line, run folders, reports, studies and explorer, which drive
models tested on every backend in their own modules), run on the first
backend only and skip on the others, but for one end-to-end test per
command marked `every_backend` (tests/tiers_plugin.py). The runs go in
parallel, as many at a time as the machine has cores (`--jobs`), the
longest first: the tests' models are small, so each run mostly keeps one
core busy. Each run's
output is printed when it ends; while they run, a line every
`--progress-every` seconds says how far each is (tests done of those
collected, failures, time). Ctrl-C stops every run, with the processes
they started, and exits with status 130. A backend whose package is
missing is a failure, not a skip. A backend fails when one of its runs
exits with a code other than 0 and 5 (no test collected), when none of its
runs collected a test, or when it passes no test; its counts come from the
JUnit XML reports pytest writes. The last line sums the backends:
`backends: N passed, N failed, N skipped`.

Usage: python tests/run_all_backends.py [--backends torch,jax] [--jobs N]
       [--shards N] [--progress-every SECONDS] [--reports FOLDER]
       [--] [pytest args]

With `--reports FOLDER`, each run's JUnit XML report stays there
(`BACKEND-TIER-SHARD.xml`, with each test's time), e.g. to see where the
suite's time goes.

The pytest arguments (after `--`, or any this runner does not know) go to
every run, which starts in the repository root: paths are relative to it,
and without a path pytest runs the `testpaths` of pyproject.toml.
"""

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

BACKENDS = ("torch", "jax", "tensorflow")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# pytest's exit codes (pytest.ExitCode) other than OK all fail a run; this
# one gets its own message.
_NO_TESTS_COLLECTED = 5
_INTERRUPTED_STATUS = 130


def junit_counts(path):
    """Counts the test cases of a pytest JUnit XML report by outcome.

    Args:
        path: The file `pytest --junitxml=path` wrote.

    Returns:
        A dict with the keys `passed`, `failed`, `errors` and `skipped`. An
        expected failure (`xfail`) counts as skipped, as pytest reports it.

    Raises:
        ValueError: The file is missing or not a JUnit XML report.
    """
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as err:
        raise ValueError(f"{path}: no JUnit XML report ({err}).") from err
    if root.tag not in ("testsuites", "testsuite"):
        raise ValueError(
            f"{path}: expected a <testsuites> or <testsuite> root, got "
            f"<{root.tag}>.")
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for case in root.iter("testcase"):
        outcomes = {child.tag for child in case}
        # A test that fails and then errors in its teardown is one test
        # case with both elements; its failure is what counts.
        if "failure" in outcomes:
            counts["failed"] += 1
        elif "error" in outcomes:
            counts["errors"] += 1
        elif "skipped" in outcomes:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def read_progress(path):
    """Returns `(done, total, failed)` from the file that
    `tests/progress_plugin.py` keeps, or `None` before pytest wrote it."""
    try:
        with open(path) as f:
            done, total, failed = map(int, f.read().split())
    except (OSError, ValueError):
        return None
    return done, total, failed


def backend_problem(runs):
    """Says why a backend failed, or returns `None` when it passed.

    Args:
        runs: `(returncode, counts)` of each of the backend's runs, with
            `counts` the `junit_counts` of its report, or `None` when it
            wrote none.
    """
    if all(code == _NO_TESTS_COLLECTED for code, _ in runs):
        return "pytest collected no test (exit code 5)"
    for code, counts in runs:
        if counts is None and code != _NO_TESTS_COLLECTED:
            return f"pytest wrote no JUnit XML report (exit code {code})"
    for code, _ in runs:
        if code not in (0, _NO_TESTS_COLLECTED):
            return f"pytest exit code {code}"
    if not sum((counts or {}).get("passed", 0) for _, counts in runs):
        return "no test passed"
    return None


def run_problem(returncode, counts):
    """Says why a backend's single run failed, or returns `None` when it
    passed (`backend_problem` of that one run)."""
    return backend_problem([(returncode, counts)])


# Which backend's run starts first when runs wait for a core: JAX compiles
# each test's step, so its run is the longest, then TensorFlow's (it traces
# them); torch runs the steps eagerly.
_LONGEST_FIRST = ("jax", "tensorflow", "torch")


def plan_runs(backends, shards):
    """The pytest runs for `backends`, in the order they start.

    Args:
        backends: The backends to test; the first also runs the tests
            marked `backend_independent` and `spawns`.
        shards: Processes each backend's run, and the spawns run, are split
            into.

    Returns:
        A list of `(backend, tier, shard)`: `tier` is `"in_process"` or
        `"spawns"` (`KERAS_WGAN_TEST_TIER`), `shard` a `(number, count)`
        pair (`KERAS_WGAN_SHARD`), 1-based.
    """
    if not backends:
        return []
    ordered = sorted(backends, key=lambda b: (
        _LONGEST_FIRST.index(b) if b in _LONGEST_FIRST else -1))
    # The spawns runs start first: each is long (a notebook kernel, a
    # process per backend, one after the other), and the backends' shorter
    # runs then fill the cores to the end.
    runs = [(backends[0], "spawns", (number, shards))
            for number in range(1, shards + 1)]
    for number in range(1, shards + 1):
        runs += [(backend, "in_process", (number, shards))
                 for backend in ordered]
    return runs


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--" in argv:
        split = argv.index("--")
        argv, after = argv[:split], argv[split + 1:]
    else:
        after = []
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     allow_abbrev=False)
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated list (default: all three); "
                        "the first runs the backend-independent tests")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="runs at the same time (default: the number "
                        "of cores)")
    parser.add_argument("--shards", type=int, default=2,
                        help="processes each backend's run is split into, "
                        "by test file (default 2)")
    parser.add_argument("--progress-every", type=float, default=30.0,
                        help="seconds between progress lines (default 30)")
    parser.add_argument("--reports", default=None, metavar="FOLDER",
                        help="keep each run's JUnit XML report in FOLDER "
                        "(default: a temporary folder, removed at the end)")
    args, pytest_args = parser.parse_known_args(argv)
    pytest_args += after
    backends = args.backends.split(",")
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        parser.error(f"--backends must be among {BACKENDS}, got {unknown}")
    if len(set(backends)) < len(backends):
        parser.error(f"--backends names a backend twice: {args.backends}")
    if args.jobs < 1:
        parser.error(f"--jobs must be an integer >= 1, got {args.jobs}")
    if args.shards < 1:
        parser.error(f"--shards must be an integer >= 1, got {args.shards}")
    total = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    status = 0
    installed = []
    for backend in backends:
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: FAILED, package '{backend}' is not installed "
                  "(pip install -r requirements-tests.txt)", flush=True)
            total["failed"] += 1
            status = 1
        else:
            installed.append(backend)
    waiting = plan_runs(installed, args.shards)
    running = []
    if args.reports is not None:
        os.makedirs(args.reports, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        reports = scratch if args.reports is None else args.reports
        try:
            status = _run_all(waiting, running, pytest_args, reports, args,
                              installed, total, status,
                              os.path.join(scratch, "jax-cache"))
        except KeyboardInterrupt:
            for run in running:
                run.stop()
            print("interrupted: stopped the runs of "
                  + (", ".join(run.name for run in running) or "no backend")
                  + " and the processes they started", flush=True)
            return _INTERRUPTED_STATUS
    print(f"backends: {total['passed']} passed, "
          f"{total['failed'] + total['errors']} failed, "
          f"{total['skipped']} skipped")
    return status


def _run_all(waiting, running, pytest_args, reports, args, backends, total,
             status, cache):
    """Runs the waiting runs, `args.jobs` at a time; prints each backend's
    verdict once its runs ended, adds its counts to `total` and returns the
    exit status."""
    finished = {backend: [] for backend in backends}
    pending = {backend: sum(1 for run in waiting if run[0] == backend)
               for backend in backends}
    started = {}
    # `cache` keeps the compiled programs shared by the JAX runs of this
    # invocation (the tests build the same small models again and again);
    # it is removed at the end, so that each invocation starts cold.
    independent_on = backends[0] if backends else ""
    while waiting or running:
        while waiting and len(running) < args.jobs:
            backend, tier, shard = waiting.pop(0)
            started.setdefault(backend, time.time())
            report = os.path.join(
                reports, f"{backend}-{tier}-{shard[0]}.xml")
            running.append(_Run(backend, tier, shard, pytest_args, report,
                                independent_on, cache))
        run = _next_finished(running, args.progress_every)
        running.remove(run)
        stdout, stderr = run.output()
        sys.stdout.write(f"=== KERAS_BACKEND={run.name}\n{stdout[-20000:]}")
        sys.stderr.write(stderr[-5000:])
        try:
            counts = junit_counts(run.report)
        except ValueError:
            counts = None
        print(f"--- {run.name}: exit {run.process.returncode} in "
              f"{run.seconds:.0f} s, {counts}", flush=True)
        finished[run.backend].append((run.process.returncode, counts))
        pending[run.backend] -= 1
        if pending[run.backend]:
            continue
        runs = finished[run.backend]
        counts = {key: sum((c or {}).get(key, 0) for _, c in runs)
                  for key in total}
        problem = backend_problem(runs)
        codes = [code for code, _ in runs]
        code = next((c for c in codes if c not in (0, _NO_TESTS_COLLECTED)),
                    min(codes))
        print(f"=== {run.backend}: exit {code} in "
              f"{time.time() - started[run.backend]:.0f} s, {counts}"
              + (f"; FAILED: {problem}" if problem else ""), flush=True)
        for key in total:
            total[key] += counts[key]
        if problem:
            status = 1
            # A backend that failed without a failed test (no test passed,
            # a crash, nothing collected) still counts as one failure.
            if not counts["failed"] and not counts["errors"]:
                total["failed"] += 1
    return status


# XLA's quickest compilation: the tests' models are small and run a few
# steps each, so compiling them takes far longer than running them. The
# numbers do not depend on these flags beyond float rounding.
QUICK_XLA_FLAGS = ("--xla_backend_optimization_level=0",
                   "--xla_llvm_disable_expensive_passes=true")


def jax_cache_environment(folder, xla_flags=None):
    """The variables that make every JAX process keep its compiled programs
    in `folder`, reuse those of the others, and compile quickly.

    Environment variables rather than settings in tests/conftest.py: they
    also reach the processes the tests start (cross-backend workers,
    notebook kernels, command-line runs), which compile the same small
    models as the tests. Every program is kept, however quick to compile:
    the tests' are all small.

    Args:
        folder: The cache folder.
        xla_flags: `XLA_FLAGS` already set (default: this process's);
            `QUICK_XLA_FLAGS` are added to them, and a flag set there wins.
    """
    if xla_flags is None:
        xla_flags = os.environ.get("XLA_FLAGS", "")
    given = {flag.split("=")[0] for flag in xla_flags.split()}
    added = [flag for flag in QUICK_XLA_FLAGS
             if flag.split("=")[0] not in given]
    return {"JAX_COMPILATION_CACHE_DIR": folder,
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
            "XLA_FLAGS": " ".join([*xla_flags.split(), *added])}


class _Run:
    """One pytest process, its output kept in temporary files.

    Files rather than pipes: a run that filled its pipe while the runner
    waited for another one would block.
    """

    def __init__(self, backend, tier, shard, pytest_args, report,
                 independent_on, jax_cache):
        self.backend = backend
        self.name = backend
        if tier != "in_process":
            self.name += f" {tier}"
        if shard[1] > 1:
            self.name += f" shard {shard[0]}/{shard[1]}"
        self.report = report
        self.start = time.time()
        self.seconds = None
        self.files = (tempfile.TemporaryFile("w+"),
                      tempfile.TemporaryFile("w+"))
        self.progress_file = f"{report}.progress"
        env = dict(os.environ, KERAS_BACKEND=backend,
                   TF_CPP_MIN_LOG_LEVEL="3",
                   KERAS_WGAN_TEST_PROGRESS=self.progress_file,
                   KERAS_WGAN_TEST_TIER=tier,
                   KERAS_WGAN_SHARD=f"{shard[0]}/{shard[1]}",
                   KERAS_WGAN_INDEPENDENT_ON=independent_on,
                   **jax_cache_environment(jax_cache))
        print(f"=== KERAS_BACKEND={self.name} started", flush=True)
        # A session of its own: Ctrl-C reaches the runner only, which then
        # stops the run with every process it started (`stop`).
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p",
             "tests.progress_plugin", "-p", "tests.tiers_plugin",
             f"--junitxml={report}", *pytest_args],
            cwd=ROOT, env=env, stdout=self.files[0], stderr=self.files[1],
            text=True, start_new_session=hasattr(os, "killpg"))

    def done(self):
        if self.seconds is None and self.process.poll() is not None:
            self.seconds = time.time() - self.start
        return self.seconds is not None

    def progress(self):
        """One line on how far the run is, e.g. `torch 120/950 tests`."""
        elapsed = time.time() - self.start
        line = f"{self.name} "
        progress = read_progress(self.progress_file)
        if progress is None:
            line += "collecting"
        else:
            done, total, failed = progress
            line += f"{done}/{total} tests" + (
                f" ({failed} failed)" if failed else "")
        return line + f", {elapsed // 60:.0f} min {elapsed % 60:02.0f} s"

    def stop(self):
        """Ends the run and every process it started."""
        if self.process.poll() is not None:
            return
        if hasattr(os, "killpg"):
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            if hasattr(os, "killpg"):
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
            self.process.wait()

    def output(self):
        """Returns `(stdout, stderr)` of the finished run."""
        texts = []
        for f in self.files:
            f.seek(0)
            texts.append(f.read())
            f.close()
        return tuple(texts)


def _next_finished(running, progress_every=30.0):
    """Waits until one of the running backends ends; returns its run.

    Prints a progress line for the running ones every `progress_every`
    seconds.
    """
    last = time.time()
    while True:
        for run in running:
            if run.done():
                return run
        if time.time() - last >= progress_every:
            print("... " + "; ".join(run.progress() for run in running),
                  flush=True)
            last = time.time()
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
