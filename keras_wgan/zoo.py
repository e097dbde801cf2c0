"""The pretrained models shipped with keras_wgan, and their records.

Each model is two files in `keras_wgan/resources/pretrained/`:

- `<name>.json`, the record: the model's Keras config, how it was trained
  (the CLI command, the data, the budget, the machine), its measured
  quality, the logged metrics of every epoch, and a check value;
- `<name>.weights.npz`, the critic's and the generator's weights in the
  order of `model.critic.weights + model.generator.weights`, stored as
  float16 to keep the package small (the record gives the quality measured
  with the float16 weights next to that of the float32 checkpoint).

`scripts/export_pretrained.py` writes both from a CLI run.
"""

import hashlib
import importlib.resources
import io
import json
from typing import Any

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.models import registry

__all__ = [
    "PRETRAINED_MODELS",
    "load_weights_bytes",
    "pretrained",
    "pretrained_info",
    "quality_history",
    "weights_bytes",
]

#: Names of the shipped models, for `pretrained` and `pretrained_info`.
PRETRAINED_MODELS = ("mnist-wgan-gp", "mnist-wgan", "fashion-mnist-wgan-gp")

_PACKAGE = "keras_wgan.resources.pretrained"


def _resource(filename):
    return importlib.resources.files(_PACKAGE) / filename


def pretrained_info(name: str = "mnist-wgan-gp") -> dict[str, Any]:
    """Returns the record of a shipped pretrained model.

    Args:
        name: One of `PRETRAINED_MODELS`.

    Returns:
        A dict: `"model"` (class name), `"command"` (the CLI command that
        trained it), `"data"` (the dataset, the `"training"` split it
        trained on and the `"evaluation"` split it is judged against: the
        test split), `"command"` (and, for a model continued from an
        earlier one, `"commands"`, every command from the first, and
        `"continued_from"`), `"budget"` (epochs, generator iterations, wall
        time),
        `"quality"` (classifier FID against the test split, score and
        classes covered, with how they were measured, and the `"floor"`: the
        same measures of as many real train images), `"history"` (the
        logged metrics of every epoch), `"quality_history"` (the FID of
        checkpoints during training), `"check"`, `"versions"`, `"config"`
        (the model's Keras config) and the weights file's `"sha256"`.

    Example:

    >>> info = keras_wgan.pretrained_info("mnist-wgan-gp")
    >>> info["command"].split()[:4]  # the command that reproduces it
    ['python', '-m', 'keras_wgan', 'train']
    >>> len(info["commands"])  # trained from scratch, then continued twice
    3
    >>> info["data"]["training"]["description"]
    'the train split (60,000 images)'
    >>> info["quality"]["float16"]["fid"] > info["quality"]["floor"]["fid"]
    True
    """
    name = argument_validation.check_choice("name", name, PRETRAINED_MODELS)
    return json.loads(_resource(f"{name}.json").read_text())


def quality_history(info: dict[str, Any]) -> dict[str, list] | None:
    """Returns a record's FID curve after its ancestors', from the first run.

    A model continued from a shipped one (`--init-from`) records its own
    curve (`quality_history`, iterations counted from its own start) and
    its parent's whole curve (`continued_from`); this joins the two, the
    record's own iterations shifted by the parent's total. The epochs
    start again at 1 where each command of the lineage began.

    Args:
        info: A record, as `pretrained_info` returns it.

    Returns:
        A dict of lists (`"epoch"`, `"generator_iterations"`,
        `"classifier_fid"`, ...), or `None` for a record without a curve.

    Example:

    >>> history = quality_history(pretrained_info("mnist-wgan-gp"))
    >>> history["generator_iterations"][-1]  # all three commands
    12408
    """
    own = info.get("quality_history")
    parent = info.get("continued_from")
    if own is None or parent is None:
        return own
    before = parent.get("quality_history") or {}
    start = parent["generator_iterations"]
    merged = {key: list(before.get(key, [])) + list(own[key]) for key in own}
    merged["generator_iterations"] = (
        list(before.get("generator_iterations", []))
        + [start + value for value in own["generator_iterations"]])
    return merged


def pretrained(name: str = "mnist-wgan-gp") -> keras.Model:
    """Loads a pretrained critic and generator as a compiled model.

    The model is the same class the CLI trained (`WGANGP` or `WGAN`), with
    the trained critic and generator, compiled with the optimizers of the
    training run: their settings, not their state (the moment estimates
    were not shipped), so `fit` continues training from fresh optimizers.
    Every call returns a new model; it loads on every Keras backend.

    Args:
        name: One of `PRETRAINED_MODELS`: `"mnist-wgan-gp"` (gradient
            penalty), `"mnist-wgan"` (weight clipping) or
            `"fashion-mnist-wgan-gp"` (gradient penalty, Fashion-MNIST).

    Returns:
        A `keras_wgan.WGANGP` or `keras_wgan.WGAN`.

    Example:

    >>> gan = keras_wgan.pretrained("mnist-wgan-gp")
    >>> digits = gan.generate(64, seed=0)  # in [-1, 1]
    >>> scores = gan.critic.predict(digits, verbose=0)  # the trained critic
    >>> digits.shape, scores.shape
    ((64, 28, 28, 1), (64, 1))
    """
    info = pretrained_info(name)
    raw = _resource(info["weights"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != info["sha256"]:
        raise ValueError(
            f"{info['weights']} has SHA-256 {digest}, its record "
            f"{name}.json expects {info['sha256']}; the package data is "
            "damaged, reinstall keras_wgan."
        )
    model = keras.saving.deserialize_keras_object(info["config"])
    # The record's run names the variant the CLI trained; its class is the
    # registry's, so a record whose config holds another class is damaged.
    variant = registry.get_variant(info["run"]["model"])
    if type(model) is not variant.model_class:
        raise ValueError(
            f"{name}.json holds a {type(model).__name__} config, but its run "
            f"trained --model {variant.name} ({variant.model_class.__name__});"
            " the package data is damaged, reinstall keras_wgan."
        )
    return load_weights_bytes(model, raw, info["weights"])


def weights_bytes(model: keras.Model) -> bytes:
    """Returns a model's critic and generator weights as float16 `.npz` bytes.

    The inverse of `load_weights_bytes`; `scripts/export_pretrained.py`
    writes its result next to the record.

    Args:
        model: A `keras_wgan.AdversarialModel`.

    Returns:
        The bytes of an uncompressed `.npz` file with arrays `w000`, `w001`,
        ... in the order of `shipped_weights(model)`.
    """
    arrays = {
        f"w{i:03d}": keras.ops.convert_to_numpy(v).astype("float16")
        for i, v in enumerate(shipped_weights(model))
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def shipped_weights(model: keras.Model) -> list:
    """The variables a pretrained model ships, in their stored order.

    The critic's weights, then the generator's; for a model with a moving
    average of its generator (`generator_ema`), the average's in place of
    the generator's, since `generate` samples from the average: the
    average is the generator that was measured, and a loaded model starts
    both its generator and its average from it.

    Args:
        model: A `keras_wgan.AdversarialModel`.

    Returns:
        A list of Keras variables.

    Example:

    >>> gan = keras_wgan.WGANGP(keras_wgan.toy.toy_critic(2, width=4),
    ...                         keras_wgan.toy.toy_generator(2, 2, width=4),
    ...                         generator_ema=0.9)
    >>> shipped_weights(gan)[-1] is gan.ema_generator.weights[-1]
    True
    """
    average = getattr(model, "ema_generator", None)
    generator = model.generator if average is None else average
    return list(model.critic.weights) + list(generator.weights)


def load_weights_bytes(model: keras.Model, raw: bytes,
                       source: str) -> keras.Model:
    """Assigns the weights of a `weights_bytes` result to a model.

    Args:
        model: A `keras_wgan.AdversarialModel` of the architecture the
            weights were taken from.
        raw: The bytes of the `.npz` file.
        source: Where the bytes came from, for error messages.

    Returns:
        `model`, its `shipped_weights` replaced (cast to their dtype); a
        model with a moving average gets the same weights in its generator.
    """
    variables = shipped_weights(model)
    with np.load(io.BytesIO(raw)) as arrays:
        values = [arrays[f"w{i:03d}"] for i in range(len(arrays.files))]
    if len(values) != len(variables):
        raise ValueError(
            f"{source} holds {len(values)} arrays, the model has "
            f"{len(variables)} weights."
        )
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != value.shape:
            raise ValueError(
                f"{source}: {variable.path} has shape "
                f"{tuple(variable.shape)}, the stored array {value.shape}."
            )
        variable.assign(value.astype(variable.dtype))
    average = getattr(model, "ema_generator", None)
    if average is not None:
        model.generator.set_weights(average.get_weights())
    return model
