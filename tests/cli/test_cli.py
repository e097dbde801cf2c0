import csv
import json
import os
import subprocess
import sys

import pytest
from matplotlib import image as mpl_image

import numpy as np

from keras_wgan import cli
from tests.helpers import idx_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = ["--width", "4", "--latent-dim", "8", "--num-images", "48",
        "--batch-size", "8", "--n-critic", "2", "--samples", "4",
        "--verbose", "2", "--split", "test"]


def _error_lines(capsys):
    """stderr without the data loader's one-line source log."""
    err = capsys.readouterr().err
    return "\n".join(line for line in err.splitlines()
                     if not line.startswith("keras_wgan: MNIST"))


def _run(*args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "keras_wgan", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def test_train_then_sample_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = _run("train", "--model", "wgan", "--epochs", "2", "--out",
                  str(out), *TINY)
    assert result.returncode == 0, result.stderr
    assert "Epoch 2/2" in result.stdout
    assert "critic_loss" in result.stdout
    assert "keras_wgan: MNIST 'test'" in result.stderr
    assert sorted(os.listdir(out)) == ["checkpoints", "metrics.csv",
                                       "model.keras", "run.json", "samples"]
    assert sorted(os.listdir(out / "checkpoints")) == ["epoch_0001.keras",
                                                       "epoch_0002.keras"]
    assert os.path.samefile(out / "model.keras",
                            out / "checkpoints" / "epoch_0002.keras")
    assert sorted(os.listdir(out / "samples")) == ["epoch_001.png",
                                                   "epoch_002.png"]
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"critic_loss", "generator_loss", "wasserstein_estimate"} <= set(rows[0])
    assert json.loads((out / "run.json").read_text())["model"] == "wgan"

    grid = tmp_path / "grid.png"
    result = _run("sample", "--checkpoint", str(out / "model.keras"), "--n",
                  "6", "--columns", "3", "--out", str(grid))
    assert result.returncode == 0, result.stderr
    assert mpl_image.imread(grid).shape[:2] == (2 * 30 + 2, 3 * 30 + 2)


def test_help_documents_every_option():
    result = _run("train", "--help")
    assert result.returncode == 0
    for option in ("--model", "--epochs", "--batch-size", "--n-critic",
                   "--clip-value", "--gp-weight", "--data-dir", "--out",
                   "--resume", "--keep-checkpoints"):
        assert option in result.stdout


@pytest.mark.parametrize("args, pattern", [
    (["--n-critic", "0"], "argument --n-critic: must be an integer >= 1, got 0"),
    (["--clip-value", "0"], "argument --clip-value: must be a finite number > 0.0, got 0.0"),
    (["--clip-value", "-1"], "argument --clip-value: must be a finite number > 0"),
    (["--gp-weight", "-1"], "argument --gp-weight: must be a finite number >= 0.0"),
    (["--model", "gan"], "argument --model: invalid choice: 'gan'"),
    (["--model", "wgan-gp", "--clip-value", "0.1"], "--clip-value applies to --model wgan only"),
    (["--model", "wgan", "--gp-weight", "1"], "--gp-weight applies to --model wgan-gp only"),
    (["--data-dir", "/nonexistent/mnist"], "--data-dir: /nonexistent/mnist is not a folder"),
    (["--num-images", "17", "--batch-size", "8", "--n-critic", "2", "--split", "test"],
     "--batch-size 8 with --n-critic 2 leaves a last step of 1 of 17 images"),
    (["--num-images", "20000", "--split", "test"], "--num-images must be <= 10000"),
])
def test_bad_train_arguments_give_one_line_and_write_nothing(tmp_path, capsys,
                                                             args, pattern):
    out = tmp_path / "never"
    status = cli.main(["train", "--out", str(out), *args])
    assert status == 2
    err = _error_lines(capsys)
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and pattern in err
    assert not out.exists()


def test_data_dir_without_mnist_files_is_one_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    status = cli.main(["train", "--out", str(tmp_path / "o"), "--data-dir",
                       str(empty)])
    err = _error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1
    assert "data_dir" in err and "train-images-idx3-ubyte" in err
    assert not (tmp_path / "o").exists()


def test_existing_checkpoint_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.keras").write_bytes(b"precious")
    assert cli.main(["train", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds a run; pass --resume to continue it" in err
    assert (out / "model.keras").read_bytes() == b"precious"


def test_sample_rejects_missing_and_foreign_checkpoints(tmp_path, capsys):
    assert cli.main(["sample", "--checkpoint", str(tmp_path / "no.keras"),
                     "--out", str(tmp_path / "g.png")]) == 2
    assert "--checkpoint: no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    assert cli.main(["sample", "--checkpoint", str(junk), "--out",
                     str(tmp_path / "g.png")]) == 2
    err = _error_lines(capsys)
    assert len(err.splitlines()) == 1 and "is not a readable .keras model" in err
    assert not (tmp_path / "g.png").exists()


def test_sample_from_a_pretrained_model(tmp_path, capsys):
    grid = tmp_path / "digits.png"
    assert cli.main(["sample", "--pretrained", "mnist-wgan-gp", "--n", "6",
                     "--columns", "3", "--out", str(grid)]) == 0
    image = mpl_image.imread(grid)
    # 2 rows and 3 columns of 28x28 digits with 2-pixel padding.
    assert image.shape[:2] == (2 * 30 + 2, 3 * 30 + 2)
    assert image.std() > 0.1
    assert cli.main(["sample", "--pretrained", "mnist-wgan-gp",
                     "--checkpoint", "x.keras", "--out", "g.png"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_data_dir_with_images_of_the_wrong_size_is_one_line(tmp_path, capsys):
    data_dir = tmp_path / "mnist32"
    data_dir.mkdir()
    (data_dir / "train-images-idx3-ubyte").write_bytes(
        idx_bytes(np.zeros((4, 32, 32), np.uint8)))
    (data_dir / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.zeros(4, np.uint8)))
    status = cli.main(["train", "--out", str(tmp_path / "o"), "--data-dir",
                       str(data_dir)])
    err = _error_lines(capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert "train-images-idx3-ubyte" in err and "(N, 28, 28)" in err
    assert not (tmp_path / "o").exists()
