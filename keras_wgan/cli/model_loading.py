"""Loading a `.keras` model named on the command line, in one-line errors,
and finding the run folder it belongs to."""

import json
import os
import zipfile

import keras

from keras_wgan.cli.errors import UsageError

# Keras's own message is kept up to this many characters, cut at a word.
_MAX_DETAIL = 300


class UnreadableModelError(UsageError):
    """A `.keras` file that does not load; `reason` says why, in words.

    `reason` completes "... is ", e.g. `"not a .keras file (not a zip
    archive)"`.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def unreadable_reason(path: str, error: BaseException) -> str:
    """Returns why the `.keras` file `path` did not load, in one line.

    Args:
        path: The file.
        error: The exception `keras.models.load_model` raised.

    Example:

    >>> with open("junk.keras", "wb") as f:
    ...     _ = f.write(b"not a zip")
    >>> unreadable_reason("junk.keras", ValueError("File not found: ..."))
    'not a .keras file (not a zip archive)'
    """
    try:
        with open(path, "rb"):
            pass
    except OSError as unreadable:
        return f"not readable ({unreadable.strerror or unreadable})"
    if not zipfile.is_zipfile(path):
        # Keras says "File not found" for a file that is there but no zip.
        return "not a .keras file (not a zip archive)"
    message = " ".join(str(error).split())
    if "safe_mode" in message:
        return ("a model with Python code in it (a lambda), which Keras "
                "refuses to run by default; if you trust its source, load it "
                "from Python with keras.models.load_model(path, "
                "safe_mode=False)")
    if len(message) > _MAX_DETAIL:
        message = message[:_MAX_DETAIL].rsplit(" ", 1)[0] + " ..."
    return (f"not a readable .keras model ({type(error).__name__}: "
            f"{message.rstrip('.')})")


def load_model(path: str, flag: str, expected: type[keras.Model],
               exact: bool = False) -> keras.Model:
    """Loads a `.keras` model of class `expected`.

    Args:
        path: The `.keras` file.
        flag: The option that named it, e.g. `"--checkpoint"`, for errors.
        expected: The class the model must be an instance of.
        exact: Whether the model must be exactly of class `expected` (a
            resume continues the same model), not a subclass.

    Returns:
        The model.

    Raises:
        UnreadableModelError: if the file is not a readable `.keras` model.
        UsageError: if it holds a model of another class.

    Example:

    >>> with open("junk.keras", "wb") as f:
    ...     _ = f.write(b"not a zip")
    >>> load_model("junk.keras", "--checkpoint", keras_wgan.WGAN)
    Traceback (most recent call last):
    ...
    keras_wgan.cli.model_loading.UnreadableModelError: --checkpoint: junk.keras is not a .keras file (not a zip archive).
    """
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - any failure means unreadable
        reason = unreadable_reason(path, error)
        raise UnreadableModelError(f"{flag}: {path} is {reason}.",
                                   reason) from None
    if not isinstance(model, expected) or (exact and type(model) is not expected):
        raise UsageError(
            f"{flag}: {path} holds a {type(model).__name__}, expected a "
            f"keras_wgan {expected.__name__}."
        )
    return model


def run_folder_of(checkpoint: str) -> str | None:
    """Returns the run folder a checkpoint belongs to, or `None`.

    That is the folder holding `run.json` beside the file (`model.keras`)
    or above its `checkpoints/` folder (`checkpoints/epoch_NNNN.keras`).

    Example:

    >>> os.makedirs("run/checkpoints")
    >>> open("run/run.json", "w").close()
    >>> run_folder_of("run/checkpoints/epoch_0002.keras") == os.path.abspath("run")
    True
    >>> run_folder_of("elsewhere.keras") is None
    True
    """
    here = os.path.dirname(os.path.abspath(checkpoint))
    for folder in (here, os.path.dirname(here)):
        if os.path.isfile(os.path.join(folder, "run.json")):
            return folder
    return None


def read_run_json(folder: str, flag: str) -> dict:
    """Returns the `run.json` of a run folder as a dict.

    Raises:
        UsageError: naming `flag`, if it is missing or not JSON.
    """
    try:
        with open(os.path.join(folder, "run.json")) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise UsageError(f"{flag}: {folder} holds no readable run.json "
                         f"({error}); is it a folder written by train?"
                         ) from None
