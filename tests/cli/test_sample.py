"""`python -m keras_wgan sample` (keras_wgan.cli.sample)."""

import os

import pytest
from matplotlib import image as mpl_image

import keras_wgan
from keras_wgan import cli
from keras_wgan.cli import sample
from keras_wgan.cli.sample_config import SampleConfig
from tests.cli.helpers import error_lines

pytestmark = pytest.mark.above_the_models


def test_sample_rejects_missing_and_foreign_checkpoints(tmp_path, capsys):
    assert cli.main(["sample", "--checkpoint", str(tmp_path / "no.keras"),
                     "--out", str(tmp_path / "g.png")]) == 2
    assert "--checkpoint: no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    assert cli.main(["sample", "--checkpoint", str(junk), "--out",
                     str(tmp_path / "g.png")]) == 2
    err = error_lines(capsys)
    assert err == f"error: --checkpoint: {junk} is not a .keras file (not a zip archive)."
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


def test_sample_checkpoint_that_is_a_folder_says_so(tmp_path, capsys):
    # Fault 8 of issue 20: a folder was "no such file".
    run = tmp_path / "run"
    run.mkdir()
    assert cli.main(["sample", "--checkpoint", str(run), "--out",
                     str(tmp_path / "g.png")]) == 2
    assert capsys.readouterr().err == (
        f"error: --checkpoint: {run} is a folder, expected a .keras file.\n")
    (run / "model.keras").write_bytes(b"")
    assert cli.main(["sample", "--checkpoint", str(run), "--out",
                     str(tmp_path / "g.png")]) == 2
    assert capsys.readouterr().err == (
        f"error: --checkpoint: {run} is a folder; did you mean "
        f"{run}/model.keras?\n")


def _out_cases(tmp_path):
    (tmp_path / "file.txt").write_text("a file")
    (tmp_path / "folder.png").mkdir()
    return [
        (tmp_path / "file.txt" / "g.png",
         f"--out: {tmp_path}/file.txt/g.png lies under {tmp_path}/file.txt, a "
         "file, not a folder."),
        (tmp_path / "file.txt" / "deeper" / "g.png",
         f"--out: {tmp_path}/file.txt/deeper/g.png lies under "
         f"{tmp_path}/file.txt, a file, not a folder."),
        (tmp_path / "folder.png",
         f"--out: {tmp_path}/folder.png is a folder, expected a file."),
    ]


def test_sample_out_that_cannot_be_written_is_one_line(tmp_path, capsys):
    # Fault 5 of issue 20: a traceback, after the model was loaded.
    for out, message in _out_cases(tmp_path):
        before = sorted(p.name for p in tmp_path.iterdir())
        assert cli.main(["sample", "--pretrained", "mnist-wgan", "--n", "4",
                         "--out", str(out)]) == 2
        assert capsys.readouterr().err == f"error: {message}\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_sample_out_in_a_read_only_folder_is_one_line(tmp_path, capsys,
                                                      monkeypatch):
    # Root may write anywhere, so os.access is made to answer as for a user
    # without write permission on that folder.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: (
        os.fspath(path) != str(locked) and real_access(path, mode)))
    for out in (locked / "g.png", locked / "new" / "g.png"):
        assert cli.main(["sample", "--pretrained", "mnist-wgan", "--out",
                         str(out)]) == 2
        err = capsys.readouterr().err
        assert err == (f"error: --out: cannot write {out}: permission denied "
                       f"in {locked} (not a writable folder).\n")
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--pretrained", "mnist-wgan", "--out", "g.jpg"],
     "error: --out must name a .png file, got g.jpg."),
    (["--pretrained", "mnist-wgan", "--out", "g.png", "--n", "10001"],
     "error: --n must be <= 10000 (one grid of at most 100 x 100 images), "
     "got 10001."),
    (["--pretrained", "mnist-wgan", "--out", "g.png", "--n", "0"],
     "error: python -m keras_wgan sample: argument --n: must be an integer "
     ">= 1, got 0."),
])
def test_bad_sample_arguments_give_one_line(tmp_path, capsys, args, message):
    assert cli.main(["sample", *args]) == 2
    assert capsys.readouterr().err == message + "\n"


@pytest.mark.every_backend
def test_sample_writes_the_grid_of_the_seeded_samples(tmp_path, capsys):
    model = keras_wgan.pretrained("mnist-wgan")
    config = SampleConfig(pretrained="mnist-wgan", n=4, seed=7,
                          out=str(tmp_path / "new" / "g.png"))
    assert sample.sample(config, model) == config.out
    assert capsys.readouterr().out == f"wrote 4 samples to {config.out}\n"
    # 2 x 2 digits (a square grid by default), the same as the model's own.
    grid = mpl_image.imread(config.out)
    assert grid.shape[:2] == (2 * 30 + 2, 2 * 30 + 2)
    keras_wgan.image_grids.save_image_grid(model.generate(4, seed=7),
                                      tmp_path / "direct.png")
    assert (tmp_path / "direct.png").read_bytes() == (
        tmp_path / "new" / "g.png").read_bytes()
