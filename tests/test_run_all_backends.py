"""tests/run_all_backends.py: counts from JUnit XML, verdicts from exit codes."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests import run_all_backends

# Its pytest runs are of test files of its own, which import no backend.
pytestmark = pytest.mark.backend_independent

# Two passed, one failed, one error, two skipped (one of them an xfail, as
# pytest writes it), and one that failed and then errored in teardown.
_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
  <testsuite name="pytest" errors="2" failures="2" skipped="2" tests="7">
    <testcase classname="t" name="a" time="0.1"/>
    <testcase classname="t" name="b" time="0.1"><system-out>hi</system-out>
    </testcase>
    <testcase classname="t" name="c"><failure message="assert 1 == 2"/>
    </testcase>
    <testcase classname="t" name="d"><error message="fixture broke"/>
    </testcase>
    <testcase classname="t" name="e"><skipped message="not here"/></testcase>
    <testcase classname="t" name="f">
      <skipped type="pytest.xfail" message="known"/></testcase>
    <testcase classname="t" name="g"><failure message="no"/>
      <error message="teardown"/></testcase>
  </testsuite>
</testsuites>
"""

_TESTS = """
import pytest

def test_passes():
    assert 1 + 1 == 2

def test_fails():
    assert 1 + 1 == 3

@pytest.fixture
def broken():
    raise RuntimeError("set-up fails")

def test_errors(broken):
    pass

def test_skipped():
    pytest.skip("not here")

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False
"""


def test_counts_each_test_case_by_its_outcome(tmp_path):
    path = tmp_path / "report.xml"
    path.write_text(_REPORT)
    assert run_all_backends.junit_counts(path) == {
        "passed": 2, "failed": 2, "errors": 1, "skipped": 2}


def test_a_missing_or_foreign_report_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no JUnit XML report"):
        run_all_backends.junit_counts(tmp_path / "missing.xml")
    (tmp_path / "cut.xml").write_text(_REPORT[:200])
    with pytest.raises(ValueError, match="no JUnit XML report"):
        run_all_backends.junit_counts(tmp_path / "cut.xml")
    (tmp_path / "other.xml").write_text("<coverage/>")
    with pytest.raises(ValueError, match="got <coverage>"):
        run_all_backends.junit_counts(tmp_path / "other.xml")


def test_counts_agree_with_a_real_pytest_report(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_sample.py").write_text(_TESTS)
    report = tmp_path / "report.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--junitxml={report}", "test_sample.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 skipped, 1 xfailed, 1 error" in (
        result.stdout)
    assert run_all_backends.junit_counts(report) == {
        "passed": 1, "failed": 1, "errors": 1, "skipped": 2}


@pytest.mark.parametrize("returncode, counts, problem", [
    (0, {"passed": 3, "failed": 0, "errors": 0, "skipped": 1}, None),
    (1, {"passed": 3, "failed": 1, "errors": 0, "skipped": 0},
     "pytest exit code 1"),
    (5, {"passed": 0, "failed": 0, "errors": 0, "skipped": 0},
     "pytest collected no test (exit code 5)"),
    (0, {"passed": 0, "failed": 0, "errors": 0, "skipped": 4},
     "no test passed"),
    (3, None, "pytest wrote no JUnit XML report (exit code 3)"),
])
def test_run_problem(returncode, counts, problem):
    assert run_all_backends.run_problem(returncode, counts) == problem


def _main(tmp_path, capsys, tests, *options):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(tests))
    status = run_all_backends.main([
        "--backends", "torch", "--jobs", "1", *options, "--", "-p",
        "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
        str(tmp_path / "test_sample.py")])
    return status, capsys.readouterr().out.splitlines()


def test_main_sums_the_report_on_its_last_line(tmp_path, capsys):
    status, lines = _main(tmp_path, capsys, _TESTS)
    assert status == 1
    assert "=== torch: exit 1 in" in "\n".join(lines)
    assert lines[-1] == "backends: 1 passed, 2 failed, 2 skipped"


def test_main_passes_when_every_test_passes(tmp_path, capsys):
    status, lines = _main(tmp_path, capsys, """
        def test_one():
            assert [1, 2][::-1] == [2, 1]
        """)
    assert status == 0
    assert lines[-1] == "backends: 1 passed, 0 failed, 0 skipped"


def test_main_fails_a_run_that_collected_no_test(tmp_path, capsys):
    status, lines = _main(tmp_path, capsys, "x = 1\n")
    assert status == 1
    assert "FAILED: pytest collected no test (exit code 5)" in lines[-2]
    assert lines[-1] == "backends: 0 passed, 1 failed, 0 skipped"


def test_main_prints_each_runs_progress(tmp_path, capsys):
    status, lines = _main(tmp_path, capsys, """
        import time

        def test_one():
            time.sleep(1.5)

        def test_two():
            time.sleep(1.5)
        """, "--progress-every", "0.5")
    assert status == 0
    progress = [line for line in lines if line.startswith("... torch ")]
    assert progress, lines
    assert any(" 1/2 tests, 0 min " in line for line in progress), progress


def test_reports_stay_in_the_folder_asked_for(tmp_path, capsys):
    reports = tmp_path / "reports"
    status, lines = _main(tmp_path, capsys, """
        import os

        def test_one_jax_cache_outside_the_reports():
            folder = os.environ["JAX_COMPILATION_CACHE_DIR"]
            assert os.path.basename(folder) == "jax-cache"
            assert "reports" not in folder
        """, "--reports", str(reports))
    assert status == 0, lines
    assert lines[-1] == "backends: 1 passed, 0 failed, 0 skipped"
    assert run_all_backends.junit_counts(
        reports / "torch-in_process-1.xml") == {
            "passed": 1, "failed": 0, "errors": 0, "skipped": 0}


def test_jax_reads_the_cache_settings_from_the_environment(tmp_path):
    # Processes that the tests start get them too, with no code of ours.
    env = dict(os.environ,
               **run_all_backends.jax_cache_environment(str(tmp_path)))
    printed = subprocess.run(
        [sys.executable, "-c", "import jax; c = jax.config; print("
         "c.jax_compilation_cache_dir, "
         "c.jax_persistent_cache_min_compile_time_secs, "
         "c.jax_persistent_cache_min_entry_size_bytes)"],
        capture_output=True, text=True, check=True, env=env).stdout
    assert printed.split() == [str(tmp_path), "0.0", "0"]


def test_the_quick_xla_flags_join_those_given():
    env = run_all_backends.jax_cache_environment(
        "cache", xla_flags="--xla_force_host_platform_device_count=2 "
        "--xla_backend_optimization_level=2")
    # A flag the user set keeps its value; the others are added.
    assert env["XLA_FLAGS"].split() == [
        "--xla_force_host_platform_device_count=2",
        "--xla_backend_optimization_level=2",
        "--xla_llvm_disable_expensive_passes=true"]
    assert run_all_backends.jax_cache_environment(
        "cache", xla_flags="")["XLA_FLAGS"].split() == list(
            run_all_backends.QUICK_XLA_FLAGS)


def test_read_progress(tmp_path):
    path = tmp_path / "progress"
    assert run_all_backends.read_progress(path) is None
    path.write_text("3 10 1\n")
    assert run_all_backends.read_progress(path) == (3, 10, 1)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX sessions")
def test_ctrl_c_stops_every_run_and_its_processes(tmp_path):
    marker = tmp_path / "child.pid"
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_slow.py").write_text(textwrap.dedent(f"""
        import subprocess, sys, time

        def test_slow():
            child = subprocess.Popen([sys.executable, "-c",
                                      "import time; time.sleep(600)"])
            open({str(marker)!r}, "w").write(str(child.pid))
            time.sleep(600)
        """))
    runner = subprocess.Popen(
        [sys.executable, run_all_backends.__file__, "--backends", "torch",
         "--", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
         str(tmp_path / "test_slow.py")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not marker.exists() or not marker.read_text():
        assert time.time() < deadline and runner.poll() is None
        time.sleep(0.2)
    child = int(marker.read_text())
    runner.send_signal(signal.SIGINT)
    # Generous: on a loaded machine the runner's other shards may still be
    # importing Keras when it stops them.
    out, _ = runner.communicate(timeout=180)
    assert runner.returncode == 130
    assert "interrupted: stopped the runs of torch" in out
    deadline = time.time() + 20
    while _alive(child):
        assert time.time() < deadline, "the test's own process outlived it"
        time.sleep(0.2)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent has not reaped it yet.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True


def test_the_spawns_run_starts_first_then_the_longest_backends():
    assert run_all_backends.plan_runs(["torch", "jax", "tensorflow"], 2) == [
        ("torch", "spawns", (1, 2)), ("torch", "spawns", (2, 2)),
        ("jax", "in_process", (1, 2)), ("tensorflow", "in_process", (1, 2)),
        ("torch", "in_process", (1, 2)),
        ("jax", "in_process", (2, 2)), ("tensorflow", "in_process", (2, 2)),
        ("torch", "in_process", (2, 2))]
    # The first backend named runs the spawns run, wherever it starts.
    assert run_all_backends.plan_runs(["tensorflow", "jax"], 1) == [
        ("tensorflow", "spawns", (1, 1)), ("jax", "in_process", (1, 1)),
        ("tensorflow", "in_process", (1, 1))]


@pytest.mark.parametrize("runs, problem", [
    ([(0, {"passed": 2, "failed": 0, "errors": 0, "skipped": 0}),
      (5, {"passed": 0, "failed": 0, "errors": 0, "skipped": 0})], None),
    ([(5, None), (5, None)], "pytest collected no test (exit code 5)"),
    ([(0, {"passed": 2, "failed": 0, "errors": 0, "skipped": 0}),
      (1, {"passed": 1, "failed": 1, "errors": 0, "skipped": 0})],
     "pytest exit code 1"),
    ([(0, {"passed": 2, "failed": 0, "errors": 0, "skipped": 0}),
      (2, None)], "pytest wrote no JUnit XML report (exit code 2)"),
    ([(0, {"passed": 0, "failed": 0, "errors": 0, "skipped": 2}),
      (5, None)], "no test passed"),
])
def test_a_backend_passes_when_all_its_runs_do(runs, problem):
    assert run_all_backends.backend_problem(runs) == problem


# Each test writes what ran it: the backend, the tier and the process.
# Written twice, as two test files.
_WHERE = """
import os

import pytest


def _record(name):
    with open(os.path.join({folder!r}, name + "." + os.environ["KERAS_BACKEND"]
                           + "." + str(os.getpid())), "w") as f:
        f.write(os.environ["KERAS_WGAN_TEST_TIER"])


def test_each_backend_{n}():
    _record("each_{n}")


@pytest.mark.backend_independent
def test_once_{n}():
    _record("once_{n}")


@pytest.mark.spawns
def test_spawning_{n}():
    _record("spawning_{n}")
"""


def _ran(folder):
    """`{test: [(backend, pid, tier)]}` from the files `_WHERE` wrote."""
    ran = {}
    for path in folder.iterdir():
        name, backend, pid = path.name.split(".")
        ran.setdefault(name, []).append((backend, pid, path.read_text()))
    return ran


def test_backend_independent_and_spawning_tests_run_once(tmp_path, capsys):
    folder = tmp_path / "ran"
    folder.mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for n in (1, 2):
        (tmp_path / f"test_where_{n}.py").write_text(
            _WHERE.format(folder=str(folder), n=n))
    status = run_all_backends.main([
        "--backends", "torch,jax", "--jobs", "2", "--shards", "2", "--",
        "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
        str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0, lines
    ran = _ran(folder)
    for n in (1, 2):
        # On every backend, in the backend's own runs ...
        assert sorted(b for b, _, tier in ran[f"each_{n}"]
                      if tier == "in_process") == ["jax", "torch"]
        # ... once on the first backend, skipped on the others ...
        assert [(b, tier) for b, _, tier in ran[f"once_{n}"]] == [
            ("torch", "in_process")]
        # ... and once in the spawns run, a process of its own.
        [(backend, pid, tier)] = ran[f"spawning_{n}"]
        assert (backend, tier) == ("torch", "spawns")
        assert pid not in {p for name in ("each_1", "each_2", "once_1",
                                          "once_2") for _, p, _ in ran[name]}
    # The two files of a backend's run go to its two shards.
    assert ({p for b, p, _ in ran["each_1"] if b == "torch"}
            != {p for b, p, _ in ran["each_2"] if b == "torch"})
    # So do the two files' spawning tests, to the spawns run's two shards.
    assert ran["spawning_1"][0][1] != ran["spawning_2"][0][1]
    assert any(line.startswith("--- torch spawns shard 2/2: exit 0")
               for line in lines)
    assert any(line.startswith("--- jax shard 2/2: exit 0") for line in lines)
    # torch: 2 + 2 + 2 passed; jax: 2 passed, 2 skipped (backend-independent).
    assert lines[-1] == "backends: 8 passed, 0 failed, 2 skipped"


@pytest.mark.parametrize("options, message", [
    (["--shards", "0"], "--shards must be an integer >= 1, got 0"),
    (["--backends", "torch,torch"], "--backends names a backend twice"),
])
def test_bad_options_are_one_line(options, message, capsys):
    with pytest.raises(SystemExit):
        run_all_backends.main(options)
    assert message in capsys.readouterr().err
