"""keras_wgan.cli.parser: the options, their one-line errors, None defaults."""

import pytest

from keras_wgan import cli
from keras_wgan.cli.options import given_options
from keras_wgan.models.registry import VARIANTS

pytestmark = pytest.mark.backend_independent


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for option in ("--model", "--epochs", "--batch-size", "--n-critic",
                   "--clip-value", "--gp-weight", "--data-dir", "--out",
                   "--resume", "--keep-checkpoints", "--dataset",
                   "--image-size", "--channels", "--architecture",
                   "--conditional", "--recipe", "--lr-decay"):
        assert option in out


def test_help_names_the_config_and_registry_defaults():
    train = cli.build_parser().command_parsers["train"]
    helps = {action.dest: " ".join(action.help.split())
             for action in train._actions if action.help}
    assert "(default 10)" in helps["epochs"]
    assert "(default 5)" in helps["n_critic"]
    assert "(default 0.01)" in helps["clip_value"]
    assert "(default 10)" in helps["gp_weight"]
    assert "(default 64, the WGAN-GP paper's)" in helps["width"]
    assert "(default 3)" in helps["keep_checkpoints"]
    sample = cli.build_parser().command_parsers["sample"]
    assert any("(default 64)" in (a.help or "") for a in sample._actions)


def test_every_default_is_none_so_one_parse_tells_what_was_given():
    parser = cli.build_parser()
    args = parser.parse_args(["train", "--out", "o", "--batch-size", "8",
                              "--download"])
    given = given_options(args)
    assert given == {"out": "o", "batch_size": 8, "download": True}
    for name, value in vars(args).items():
        if name not in ("command", "out", "batch_size", "download"):
            assert value is None, name
    # The defaults come from the configs, not from the parser.
    for command in ("train", "sample", "compare", "evaluate", "explore"):
        sub = parser.command_parsers[command]
        assert all(action.default is None for action in sub._actions
                   if action.dest != "help"), command


def test_compare_variants_help_lists_the_registry():
    compare = cli.build_parser().command_parsers["compare"]
    variants = next(a for a in compare._actions if a.dest == "variants")
    assert ",".join(VARIANTS) in variants.help


@pytest.mark.parametrize("argv, message", [
    (["train", "--out", "o", "--n-critic", "0"],
     "python -m keras_wgan train: argument --n-critic: must be an integer "
     ">= 1, got 0."),
    (["train"], "python -m keras_wgan train: the following arguments are "
     "required: --out"),
    (["fly"], "python -m keras_wgan: argument command: invalid choice: 'fly'"),
])
def test_parse_errors_are_one_line_usage_errors(argv, message):
    with pytest.raises(cli.UsageError) as error:
        cli.build_parser().parse_args(argv)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("args, pattern", [
    (["--n-critic", "0"], "argument --n-critic: must be an integer >= 1, got 0"),
    (["--clip-value", "0"], "argument --clip-value: must be a finite number > 0.0, got 0.0"),
    (["--clip-value", "-1"], "argument --clip-value: must be a finite number > 0"),
    (["--gp-weight", "-1"], "argument --gp-weight: must be a finite number >= 0.0"),
    (["--model", "gan"], "argument --model: invalid choice: 'gan'"),
])
def test_bad_train_options_give_one_line_and_write_nothing(tmp_path, capsys,
                                                           args, pattern):
    out = tmp_path / "never"
    status = cli.main(["train", "--out", str(out), *args])
    assert status == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and pattern in err
    assert not out.exists()
