"""`python -m keras_wgan explore`: a local web page to look at a pretrained
model, a run folder or a checkpoint (see `keras_wgan.explorer`).

`prepare` checks the options, that Gradio is installed and that the
address is free, and loads the model and its training images; the work it
returns serves the page until Ctrl-C. Models load with Keras's safe mode
on, as everywhere in the command line.
"""

import argparse
import errno
import os
import socket

from keras_wgan import data
from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.job import Job
from keras_wgan.cli.model_loading import load_model
from keras_wgan.cli.model_loading import read_run_json
from keras_wgan.cli.model_loading import run_folder_of
from keras_wgan.cli.options import given_options
from keras_wgan.cli.run_folder import RunFolder
from keras_wgan.explorer import app as explorer_app
from keras_wgan.explorer.session import Explorer
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.zoo import pretrained
from keras_wgan.zoo import pretrained_info


def check_address(host: str, port: int) -> None:
    """Raises `UsageError` unless this machine can listen on `host:port`.

    Example:

    >>> check_address("127.0.0.1", 0)  # any free port
    >>> check_address("192.0.2.1", 8000)  # an address of no machine here
    Traceback (most recent call last):
    ...
    keras_wgan.cli.errors.UsageError: --host: cannot listen on 192.0.2.1:8000 (...); choose another --host.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        reason = " ".join(str(error).split())
        flag = ("--port" if getattr(error, "errno", None)
                in (errno.EADDRINUSE, errno.EACCES) else "--host")
        raise UsageError(f"{flag}: cannot listen on {host}:{port} ({reason}); "
                         f"choose another {flag}.") from None


def _training_images(record, num_images=None):
    """The images a run (or a dataset name) trained on, with class names."""
    images = data.load_images(
        record.get("dataset", "mnist"), image_size=record.get("image_size"),
        channels=record.get("channels"), split=record.get("split", "train"),
        data_dir=record.get("data_dir"), verbose=False)
    if num_images is not None:
        images = images[:num_images]
    try:
        names = data.class_names(record.get("dataset", "mnist"),
                                 split=record.get("split", "train"))
    except ValueError:
        names = None
    return images, names


def prepare(args: argparse.Namespace) -> Job:
    """Checks the options and loads the model; writes nothing.

    Args:
        args: The parsed `explore` options (`build_parser().parse_args`).

    Returns:
        A `Job` that serves the page until Ctrl-C.
    """
    options = given_options(args)
    host = options.get("host", explorer_app.DEFAULT_HOST)
    port = options.get("port", explorer_app.DEFAULT_PORT)
    if port > 65535:
        raise UsageError(f"--port must be <= 65535, got {port}.")
    if "dataset" in options and "checkpoint" not in options:
        raise UsageError("--dataset applies to --checkpoint only (a "
                         "pretrained model and a run record their dataset).")
    try:
        explorer_app.import_gradio()
    except ImportError as error:
        raise UsageError(str(error)) from None
    check_address(host, port)
    record, run, title = None, None, None
    if "pretrained" in options:
        name = options["pretrained"]
        model = pretrained(name)
        record = {"dataset": pretrained_info(name)["data"][
            "dataset"]}
        title = f"pretrained {name}"
    elif "run" in options:
        run = options["run"]
        if not os.path.isdir(run):
            raise UsageError(f"--run: {run} is not a folder.")
        folder = RunFolder(run)
        if not os.path.isfile(folder.model):
            raise UsageError(f"--run: {run} has no model.keras yet.")
        record = read_run_json(run, "--run")
        model = load_model(folder.model, "--run", AdversarialModel)
        title = f"run {run}"
    else:
        checkpoint = options["checkpoint"]
        if not os.path.isfile(checkpoint):
            raise UsageError(f"--checkpoint: no such file {checkpoint}.")
        model = load_model(checkpoint, "--checkpoint",
                           AdversarialModel)
        title = f"checkpoint {checkpoint}"
        if "dataset" in options:
            if options["dataset"] not in data.DATASETS:
                raise UsageError(
                    "--dataset must be a dataset name ("
                    + ", ".join(data.DATASETS) + f"), got "
                    f"{options['dataset']}.")
            record = {"dataset": options["dataset"]}
        elif (above := run_folder_of(checkpoint)) is not None:
            record = read_run_json(above, "--checkpoint")
    images, names = (None, None)
    if record is not None:
        images, names = _training_images(record, record.get("num_images"))
        shape = tuple(model.generate(1, seed=0).shape[1:])
        if tuple(images.shape[1:]) != shape:
            images = None  # not the model's images: no neighbours
    explorer = Explorer(model, images, run=run, class_names=names)

    def serve() -> None:
        page = explorer_app.build_app(explorer, title)
        print(f"serving {title} at http://{host}:{port} (Ctrl-C stops it)",
              flush=True)
        explorer_app.serve(page, host, port)

    return Job(serve, "explore")
