"""Loading a `.keras` model named on the command line, in one-line errors."""

import keras

from keras_wgan.cli.parser import UsageError


def load_model(path, flag, expected, exact=False):
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
        UsageError: if the file is not a readable `.keras` model, or holds
            a model of another class.

    Example:

    >>> with open("junk.keras", "wb") as f:
    ...     _ = f.write(b"not a zip")
    >>> load_model("junk.keras", "--checkpoint", keras_wgan.WGAN)
    Traceback (most recent call last):
    ...
    keras_wgan.cli.parser.UsageError: --checkpoint: junk.keras is not a readable ...
    """
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - any failure means unreadable
        first_line = str(error).strip().splitlines()[0] if str(error) else ""
        raise UsageError(
            f"{flag}: {path} is not a readable .keras model "
            f"({type(error).__name__}: {first_line[:200]})."
        ) from None
    if not isinstance(model, expected) or (exact and type(model) is not expected):
        raise UsageError(
            f"{flag}: {path} holds a {type(model).__name__}, expected a "
            f"keras_wgan {expected.__name__}."
        )
    return model
