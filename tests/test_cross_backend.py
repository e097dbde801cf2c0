"""The same numbers and the same checkpoints on torch, JAX and TensorFlow.

Each backend runs in its own process (Keras fixes the backend at import), so
these tests spawn `cross_backend_worker.py` once per backend. They run once
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


def _worker(backend, *args):
    if importlib.util.find_spec(backend) is None:
        pytest.fail(f"{backend} is not installed: pip install -r "
                    "requirements-tests.txt")
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, WORKER, *args], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{backend}: {result.stderr[-3000:]}"


def test_loss_constraint_and_penalty_agree_across_backends(tmp_path):
    results = {}
    for backend in BACKENDS:
        _worker(backend, "numbers", str(tmp_path / f"{backend}.npz"))
        results[backend] = dict(np.load(tmp_path / f"{backend}.npz"))
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


# Each backend saves once and loads once. JAX -> torch is the direction
# where a saved jit_compile=True once broke loading a WGANGP on torch; the
# ConditionalWGANGP takes it by default, the rest of its cycle with -m slow.
@pytest.mark.parametrize("model, saved_on, loaded_on", [
    ("", "torch", "tensorflow"), ("", "tensorflow", "jax"),
    ("", "jax", "torch"), ("conditional-", "jax", "torch"),
    pytest.param("conditional-", "torch", "tensorflow",
                 marks=pytest.mark.slow),
    pytest.param("conditional-", "tensorflow", "jax", marks=pytest.mark.slow),
])
def test_checkpoint_moves_between_backends_and_trains_on(tmp_path, model,
                                                         saved_on, loaded_on):
    path = str(tmp_path / "gan.keras")
    _worker(saved_on, f"{model}train-save", path)
    _worker(loaded_on, f"{model}load-train", path,
            str(tmp_path / "after.npz"))
    saved = np.load(path + ".npz")
    after = np.load(tmp_path / "after.npz")
    names = [f"arr_{i}" for i in range(len(saved.files))]
    for name in names:
        np.testing.assert_array_equal(after[name], saved[name], err_msg=name)
    # 64 images in steps of 2 x 8: 4 generator and 8 critic updates an
    # epoch, one epoch before saving and one after loading.
    assert int(after["critic_iterations"]) == 16
    assert int(after["generator_iterations"]) == 8
    assert np.isfinite(after["estimate"])
