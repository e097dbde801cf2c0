"""`python -m keras_wgan sample` (keras_wgan.cli.sample)."""

import pytest
from matplotlib import image as mpl_image

import keras_wgan
from keras_wgan import cli
from keras_wgan.cli import sample
from keras_wgan.cli.config import SampleConfig
from tests.cli.helpers import error_lines


def test_sample_rejects_missing_and_foreign_checkpoints(tmp_path, capsys):
    assert cli.main(["sample", "--checkpoint", str(tmp_path / "no.keras"),
                     "--out", str(tmp_path / "g.png")]) == 2
    assert "--checkpoint: no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    assert cli.main(["sample", "--checkpoint", str(junk), "--out",
                     str(tmp_path / "g.png")]) == 2
    err = error_lines(capsys)
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


@pytest.mark.parametrize("args, message", [
    (["--pretrained", "mnist-wgan", "--out", "g.jpg"],
     "error: --out must name a .png file, got g.jpg."),
    (["--pretrained", "mnist-wgan", "--out", "g.png", "--n", "0"],
     "error: python -m keras_wgan sample: argument --n: must be an integer "
     ">= 1, got 0."),
])
def test_bad_sample_arguments_give_one_line(tmp_path, capsys, args, message):
    assert cli.main(["sample", *args]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_sample_writes_the_grid_of_the_seeded_samples(tmp_path, capsys):
    model = keras_wgan.pretrained("mnist-wgan")
    config = SampleConfig(pretrained="mnist-wgan", n=4, seed=7,
                          out=str(tmp_path / "new" / "g.png"))
    assert sample.sample(config, model) == config.out
    assert capsys.readouterr().out == f"wrote 4 samples to {config.out}\n"
    # 2 x 2 digits (a square grid by default), the same as the model's own.
    grid = mpl_image.imread(config.out)
    assert grid.shape[:2] == (2 * 30 + 2, 2 * 30 + 2)
    keras_wgan.images.save_image_grid(model.generate(4, seed=7),
                                      tmp_path / "direct.png")
    assert (tmp_path / "direct.png").read_bytes() == (
        tmp_path / "new" / "g.png").read_bytes()
