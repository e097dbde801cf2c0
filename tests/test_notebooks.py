"""The notebooks in notebooks/: committed with a full run's outputs, and
executed top to bottom here with the small budget.

Execution runs once (marked `spawns`: a run of its own in
tests/run_all_backends.py), with `KERAS_BACKEND` unset so that the notebooks
take keras_wgan's default (torch) whatever the run's backend; notebook 05
starts the other backends itself. The checks of the committed notebooks read
files only, and run once too.
"""

import os

import nbclient
import nbformat
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "notebooks")
EXPECTED = (
    "01_quickstart.ipynb",
    "02_under_the_hood.ipynb",
    "03_latent_space.ipynb",
    "04_clipping_vs_gradient_penalty.ipynb",
    "05_switching_backends.ipynb",
    "06_bigan.ipynb",
    "07_cyclegan.ipynb",
)


def _read(name):
    return nbformat.read(os.path.join(FOLDER, name), as_version=4)


def _text(outputs):
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for o in outputs)


pytestmark = pytest.mark.backend_independent


def test_the_notebooks_are_there():
    found = sorted(n for n in os.listdir(FOLDER) if n.endswith(".ipynb"))
    assert tuple(found) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_holds_a_full_run(name):
    notebook = _read(name)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs, "the parameter cell was not run"
    assert "budget: full" in _text(code[0].outputs), (
        "the committed outputs must come from the full budget")
    counts = [cell.execution_count for cell in code]
    assert None not in counts, "some code cells were not executed"
    assert counts == sorted(counts), "cells were run out of order"
    outputs = [o for cell in code for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no plot"


@pytest.mark.spawns
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_with_the_small_budget(name, monkeypatch):
    monkeypatch.setenv("KERAS_WGAN_NOTEBOOK_BUDGET", "small")
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    # keras.utils.set_random_seed imports TensorFlow when it is installed;
    # keep its C++ start-up logs out of the outputs.
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    # The kernel must import this checkout even where it is not installed.
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH",
                       ROOT if not path else ROOT + os.pathsep + path)
    notebook = _read(name)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": FOLDER}})
    client.execute()  # raises CellExecutionError naming the failing cell
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert "budget: small" in _text(first.outputs)
