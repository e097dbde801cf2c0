"""`python -m keras_wgan` and the `keras-wgan` console script: see
`keras_wgan.cli`.

`--help` answers from `cli_help.json`, the help texts of the command
line's parsers as `scripts/cli_reference.py --write-help` wrote them
(tests/cli/test_help.py checks that they are the parsers' own), so it
returns without loading Keras and the backend. Anything else runs the
command line.
"""

import json
import os
import sys
from collections.abc import MutableMapping
from collections.abc import Sequence
from typing import NoReturn

#: The help texts by command ("" for the program's own), for a terminal
#: of `HELP_COLUMNS` columns.
HELP_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "cli_help.json")
HELP_COLUMNS = 100


def cached_help(argv: Sequence[str]) -> str | None:
    """The help text `argv` asks for, or `None` if it asks for more.

    Example:

    >>> cached_help(["train", "--help"]).startswith("usage: python -m "
    ...                                              "keras_wgan train")
    True
    >>> cached_help(["train", "--out", "runs/a"]) is None
    True
    """
    if not {"-h", "--help"} & set(argv):
        return None
    command = "" if argv[0].startswith("-") else argv[0]
    try:
        with open(HELP_FILE) as f:
            texts = json.load(f)
    except OSError:
        return None
    return texts.get(command)


def quiet_other_backends(environ: MutableMapping[str, str]) -> None:
    """Silences the start-up logs of backends this run does not use.

    TensorFlow and JAX may be installed beside the backend in use (the
    test requirements install both; tensorflow-datasets imports them, and
    `keras.utils.set_random_seed` imports TensorFlow wherever it is
    installed, to seed it too), and their start-up lines (oneDNN, absl,
    platform notices) say nothing about this run. On CPUs where
    TensorFlow turns on its oneDNN operations it announces them through
    absl whatever `TF_CPP_MIN_LOG_LEVEL` says, so outside a TensorFlow run
    they stay off: the run computes nothing with TensorFlow. Settings
    already in `environ` are kept.

    Example:

    >>> environ = {"KERAS_BACKEND": "torch"}
    >>> quiet_other_backends(environ)
    >>> environ["TF_CPP_MIN_LOG_LEVEL"], environ["TF_ENABLE_ONEDNN_OPTS"]
    ('3', '0')
    >>> environ["JAX_PLATFORMS"]
    'cpu'
    >>> environ = {"KERAS_BACKEND": "tensorflow"}
    >>> quiet_other_backends(environ)
    >>> sorted(environ)
    ['JAX_PLATFORMS', 'KERAS_BACKEND']
    """
    backend = environ.get("KERAS_BACKEND", "torch")
    if backend != "tensorflow":
        environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if backend != "jax":
        environ.setdefault("JAX_PLATFORMS", "cpu")


def console_main() -> NoReturn:
    """Runs the command line; the entry point of `keras-wgan`."""
    text = cached_help(sys.argv[1:])
    if text is not None:
        sys.stdout.write(text)
        sys.exit(0)
    quiet_other_backends(os.environ)
    from keras_wgan import _exports
    from keras_wgan.cli import main

    _exports.load_all()  # every class registered, as for `import keras_wgan`
    sys.exit(main())


if __name__ == "__main__":
    console_main()
