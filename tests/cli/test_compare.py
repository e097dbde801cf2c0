"""`python -m keras_wgan compare` (keras_wgan.cli.compare): option checks.

The runs and the report are tested in tests/studies/test_compare.py.
"""

import pytest

from keras_wgan import cli
from keras_wgan.cli import compare
from keras_wgan.models.registry import VARIANTS

pytestmark = pytest.mark.backend_independent


def test_variants_come_from_the_registry():
    assert compare.parse_variants(None) == tuple(VARIANTS)
    assert compare.parse_variants(" wgan-gp ,nsgan") == ("wgan-gp", "nsgan")
    for bad in ("wgan,wgan", "wgan,dcgan", ""):
        with pytest.raises(cli.UsageError) as error:
            compare.parse_variants(bad)
        assert str(error.value) == (
            "--variants must be distinct names from gan,nsgan,wgan,wgan-gp,"
            "wgan-lp,dragan,wgan-r1,wgan-sn,sngan-hinge "
            f"separated by commas, got {bad!r}.")


def test_samples_per_step_follow_each_variant_s_n_critic():
    n_critic = {name: v.default("n_critic") for name, v in VARIANTS.items()}
    assert n_critic == {"gan": 1, "nsgan": 1, "wgan": 5, "wgan-gp": 5,
                        "wgan-lp": 5, "dragan": 5, "wgan-r1": 5,
                        "wgan-sn": 5, "sngan-hinge": 5}
    assert compare.samples_per_step(("gan", "nsgan"), 64) == 64
    assert compare.samples_per_step(("gan", "wgan-gp"), 64) == 320
    assert compare.samples_per_step(tuple(VARIANTS), 3) == 15


@pytest.mark.parametrize("args, message", [
    (["--dataset", "toy-8gaussians"],
     "error: give --iterations N or --seconds S (or both): the budget of "
     "each variant."),
    (["--dataset", "toy-8gaussians", "--iterations", "2", "--variants",
      "gan,gan"], "error: --variants must be distinct names from"),
    (["--dataset", "toy-8gaussians", "--iterations", "2", "--variants",
      "gan", "--batch-size", "100001"],
     "error: --batch-size 100001 needs at least 100001 training samples "
     "per step, the data has "),
])
def test_bad_compare_arguments_give_one_line_and_write_nothing(
        tmp_path, capsys, args, message):
    out = tmp_path / "report"
    assert cli.main(["compare", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(message), err
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "report").write_text("x")
    assert cli.main(["compare", "--out", str(tmp_path / "report"),
                     "--dataset", "toy-8gaussians", "--iterations", "1"]) == 2
    assert capsys.readouterr().err == (
        f"error: --out: {tmp_path / 'report'} is a file, not a folder.\n")
