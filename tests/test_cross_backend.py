"""The same numbers and the same checkpoints on torch, JAX and TensorFlow.

Each backend runs in its own process (Keras fixes the backend at import), so
these tests spawn `cross_backend_worker.py`: one process per backend saves,
then one per backend loads, the backends side by side. They run once
(marked `spawns`), in a run of their own beside the backends' runs: every
backend's run would repeat the same processes.
"""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

BACKENDS = ("torch", "jax", "tensorflow")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "cross_backend_worker.py")

pytestmark = pytest.mark.spawns


# (model, saved on, loaded on): each backend saves once and loads once.
# JAX -> torch is the direction where a saved jit_compile=True once broke
# loading a WGANGP on torch; the ConditionalWGANGP takes it by default, the
# rest of its cycle with -m slow.
MOVES = (("", "torch", "tensorflow"), ("", "tensorflow", "jax"),
         ("", "jax", "torch"), ("conditional-", "jax", "torch"))
SLOW_MOVES = (("conditional-", "torch", "tensorflow"),
              ("conditional-", "tensorflow", "jax"))


def _run_workers(commands):
    """Runs `cross_backend_worker.py` once per backend, side by side.

    Args:
        commands: By backend, the worker's commands for that process, each
            a list of words.
    """
    for backend in commands:
        if importlib.util.find_spec(backend) is None:
            pytest.fail(f"{backend} is not installed: pip install -r "
                        "requirements-tests.txt")
    started = {}
    for backend, backend_commands in commands.items():
        words = [word for command in backend_commands
                 for word in ("--", *command)]
        env = dict(os.environ, KERAS_BACKEND=backend,
                   TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
        started[backend] = subprocess.Popen(
            [sys.executable, WORKER, *words], env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    failures = []
    try:
        for backend, process in started.items():
            _, stderr = process.communicate(timeout=600)
            if process.returncode != 0:
                failures.append(f"{backend}: {stderr[-3000:]}")
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    assert not failures, "\n".join(failures)


class Workers:
    """The workers' files in `folder`: every backend computes the numbers
    and saves its checkpoints in one process each, then loads the others'
    in one more each; a move outside `MOVES` runs alone when asked for."""

    def __init__(self, folder):
        self.folder = folder
        saves, loads = {}, {}
        for backend in BACKENDS:
            saves[backend] = [["numbers", self.numbers_path(backend)]]
        for model, saved_on, loaded_on in MOVES:
            saves[saved_on].append(self._save_command(model, saved_on))
            loads.setdefault(loaded_on, []).append(
                self._load_command(model, saved_on, loaded_on))
        _run_workers(saves)
        _run_workers(loads)

    def numbers_path(self, backend):
        return str(self.folder / f"{backend}-numbers.npz")

    def checkpoint(self, model, saved_on):
        return str(self.folder / f"{model}{saved_on}.keras")

    def after(self, model, saved_on, loaded_on):
        return str(self.folder / f"{model}{saved_on}-{loaded_on}.npz")

    def _save_command(self, model, saved_on):
        return [f"{model}train-save", self.checkpoint(model, saved_on)]

    def _load_command(self, model, saved_on, loaded_on):
        return [f"{model}load-train", self.checkpoint(model, saved_on),
                self.after(model, saved_on, loaded_on)]

    def move(self, model, saved_on, loaded_on):
        """`(saved, after)`: the arrays saved on `saved_on` and those
        `loaded_on` read back and trained on."""
        if (model, saved_on, loaded_on) not in MOVES:
            _run_workers({saved_on: [self._save_command(model, saved_on)]})
            _run_workers({loaded_on: [
                self._load_command(model, saved_on, loaded_on)]})
        return (np.load(self.checkpoint(model, saved_on) + ".npz"),
                np.load(self.after(model, saved_on, loaded_on)))


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    return Workers(tmp_path_factory.mktemp("cross_backend"))


def test_loss_constraint_and_penalty_agree_across_backends(workers):
    results = {backend: dict(np.load(workers.numbers_path(backend)))
               for backend in BACKENDS}
    reference = results["torch"]
    # Against hand-computable values first ...
    assert reference["clipped"].max() == pytest.approx(0.03)
    assert 0 < reference["penalty"] and np.all(reference["norms"] > 0)
    assert len([k for k in reference if k.startswith("grad_")]) == 8
    # ... recomputed with NumPy from the inputs: the loss is the mean of
    # label * score, clipping is np.clip, the penalty the mean of
    # (norm - 1)^2, and the objective 10 * penalty + the mean score.
    np.testing.assert_allclose(
        reference["loss"],
        np.mean(reference["input_y_true"] * reference["input_y_pred"]),
        rtol=1e-6)
    np.testing.assert_array_equal(
        reference["clipped"], np.clip(reference["input_weights"], -0.03, 0.03))
    np.testing.assert_allclose(
        reference["penalty"], np.mean((reference["norms"] - 1.0) ** 2),
        rtol=1e-5)
    np.testing.assert_allclose(
        reference["objective"],
        10.0 * reference["penalty"] + reference["input_scores"].mean(),
        rtol=1e-5)
    # ... then every backend against torch, to float32 tolerance.
    for backend in ("jax", "tensorflow"):
        for key, value in results[backend].items():
            np.testing.assert_allclose(
                value, reference[key], rtol=2e-4, atol=1e-5,
                err_msg=f"{key} on {backend} differs from torch")


@pytest.mark.parametrize("model, saved_on, loaded_on", [
    *MOVES, *(pytest.param(*move, marks=pytest.mark.slow)
              for move in SLOW_MOVES)])
def test_checkpoint_moves_between_backends_and_trains_on(workers, model,
                                                         saved_on, loaded_on):
    saved, after = workers.move(model, saved_on, loaded_on)
    names = [f"arr_{i}" for i in range(len(saved.files))]
    for name in names:
        np.testing.assert_array_equal(after[name], saved[name], err_msg=name)
    # 64 images in steps of 2 x 8: 4 generator and 8 critic updates an
    # epoch, one epoch before saving and one after loading.
    assert int(after["critic_iterations"]) == 16
    assert int(after["generator_iterations"]) == 8
    assert np.isfinite(after["estimate"])
