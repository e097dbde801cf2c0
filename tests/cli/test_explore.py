"""`python -m keras_wgan explore` (keras_wgan.cli.explore): what it checks
before serving, in one line, and the page it builds (the page in a browser:
tests/explorer/test_app.py)."""

import os
import socket
import sys

import pytest

from keras_wgan import cli
from keras_wgan.cli import explore
from keras_wgan.cli.errors import UsageError
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import error_lines

pytestmark = pytest.mark.above_the_models


def test_default_host_is_the_loopback_address():
    args = cli.build_parser().parse_args(["explore", "--pretrained",
                                          "mnist-wgan"])
    assert (args.host, args.port) == (None, None)
    from keras_wgan.explorer import app

    assert app.DEFAULT_HOST == "127.0.0.1"


def test_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError) as error:
            explore.check_address("127.0.0.1", port)
    assert str(error.value).startswith(
        f"--port: cannot listen on 127.0.0.1:{port} (")


@pytest.mark.parametrize("args, message", [
    (["--pretrained", "mnist-wgan", "--dataset", "mnist"],
     "--dataset applies to --checkpoint only"),
    (["--run", "no/such/run"], "--run: no/such/run is not a folder."),
    (["--checkpoint", "no.keras"], "--checkpoint: no such file no.keras."),
    (["--pretrained", "mnist-wgan", "--port", "70000"],
     "--port must be <= 65535, got 70000."),
    (["--pretrained", "mnist-wgan", "--host", "192.0.2.1"],
     "--host: cannot listen on 192.0.2.1:7860"),
    (["--pretrained", "mnist-wgan", "--port", "0"],
     "argument --port: must be an integer >= 1, got 0."),
])
def test_bad_arguments_are_one_line(args, message, capsys, tmp_path,
                                    monkeypatch):
    pytest.importorskip("gradio")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["explore", *args]) == 2
    err = error_lines(capsys).strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_without_gradio_names_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "gradio", None)
    assert cli.main(["explore", "--pretrained", "mnist-wgan"]) == 2
    (line,) = error_lines(capsys).strip().splitlines()
    assert line.startswith("error: explore needs gradio (pip install "
                           "keras-wgan[explore])")


def test_run_folder_page_is_built_with_its_tabs(tmp_path, monkeypatch):
    gradio = pytest.importorskip("gradio")
    run = tmp_path / "run"
    assert cli.main(["train", "--out", str(run), "--epochs", "1",
                     "--num-images", "16", *CLI_RUN]) == 0
    served = {}

    def fake_serve(page, host, port):
        served.update(page=page, host=host, port=port)

    monkeypatch.setattr(explore.explorer_app, "serve", fake_serve)
    args = cli.build_parser().parse_args(["explore", "--run", str(run),
                                          "--port", "8123"])
    explore.prepare(args)()
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    page = served["page"]
    assert isinstance(page, gradio.Blocks)
    tabs = [block.label for block in page.blocks.values()
            if isinstance(block, gradio.Tab)]
    assert tabs == ["Samples", "Latent walk", "Run"]
    ids = {getattr(block, "elem_id", None) for block in page.blocks.values()}
    assert {"samples", "walk-image", "curves", "run-grid"} <= ids
    assert not os.path.exists(run / "evaluation.json")
