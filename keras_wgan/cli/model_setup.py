"""The model of a `train` run: its class, its networks built for the
images and compiled with the run's learning rates, and the weights that
`--init-from` starts it from.
"""

from typing import Any

import keras
from keras.optimizers.schedules import LearningRateSchedule

from keras_wgan.cli.errors import UsageError
from keras_wgan.cli.model_loading import load_model
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.cli.training_data import TrainingData
from keras_wgan.cli.training_data import steps_per_epoch
from keras_wgan.models import linear_decay
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.registry import get_variant
from keras_wgan.nets.registry import build_networks
from keras_wgan.nets.registry import default_architecture
from keras_wgan.zoo import PRETRAINED_MODELS


def model_class(config: TrainConfig) -> type[AdversarialModel]:
    """Returns the model class `config` trains.

    Example:

    >>> model_class(TrainConfig(out="run", conditional=True)).__name__
    'ConditionalWGANGP'
    """
    if config.conditional:
        from keras_wgan.models import ConditionalWGANGP

        return ConditionalWGANGP
    return get_variant(config.model).model_class


def build_model(config: TrainConfig,
                training_data: TrainingData) -> AdversarialModel:
    """Returns the compiled model of `config` for `training_data`.

    The networks are those of `--architecture` (by default chosen by the
    images' shape), of `--width` and `--latent-dim`.

    Example:

    >>> config = TrainConfig(out="run", model="wgan", width=2, latent_dim=4)
    >>> images = np.zeros((10, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> type(model).__name__, model.n_critic, model.clip_value
    ('WGAN', 5, 0.01)
    """
    variant = get_variant(config.model)
    architecture = (config.architecture
                    or default_architecture(training_data.image_shape))
    try:
        critic, generator = build_networks(
            architecture, training_data.image_shape,
            latent_dim=config.latent_dim, width=config.width,
            num_classes=training_data.num_classes,
            class_factors=config.class_factors,
        )
    except ValueError as error:
        raise UsageError(f"--architecture {architecture} does not fit the "
                         f"images of --dataset: {error}") from None
    # Only the option of the chosen model's Lipschitz method (the config
    # rejects the other's); None keeps the model's default.
    argument = variant.lipschitz_argument
    extra: dict[str, Any] = {}
    # Not every argument has an option (power_iterations has none).
    value = None if argument is None else getattr(config, argument, None)
    if argument is not None and value is not None:
        extra[argument] = value
    if training_data.num_classes is not None:
        extra["num_classes"] = training_data.num_classes
    if config.generator_ema is not None:
        extra["generator_ema"] = config.generator_ema
    model = model_class(config)(critic, generator, n_critic=config.n_critic,
                                seed=config.seed, **extra)
    iterations = config.epochs * steps_per_epoch(config, len(training_data))
    model.compile(
        learning_rate=learning_rate(config, model, iterations),
        critic_learning_rate=learning_rate(config, model, iterations,
                                           "critic"),
        generator_learning_rate=learning_rate(config, model, iterations,
                                              "generator"))
    return model


def init_from(model: AdversarialModel, source: str) -> None:
    """Copies the critic's and generator's weights of `source` into `model`.

    The optimizers stay fresh, and a moving average of the generator
    (`--generator-ema`) starts from the copied generator. This continues a
    trained model with other settings (a learning-rate decay, a moving
    average) as a new run.

    Args:
        model: A built model of the run.
        source: The name of a pretrained model (`keras_wgan.pretrained`)
            or a `.keras` file written by `train`.

    Raises:
        UsageError: naming `--init-from`, if the file does not load or its
            networks' weights differ in number or shape from `model`'s.

    Example:

    >>> config = TrainConfig(out="run", width=32, latent_dim=128)
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))
    >>> init_from(model, "mnist-wgan-gp")
    >>> pretrained = keras_wgan.pretrained("mnist-wgan-gp")
    >>> bool(np.allclose(model.generate(4, seed=0), pretrained.generate(4, seed=0)))
    True
    """
    from keras_wgan.zoo import pretrained

    if source in PRETRAINED_MODELS:
        donor = pretrained(source)
    else:
        donor = load_model(source, "--init-from", AdversarialModel)
    for player in ("critic", "generator"):
        ours = getattr(model, player).weights
        theirs = getattr(donor, player, None)
        theirs = [] if theirs is None else theirs.weights
        shapes = [tuple(w.shape) for w in ours]
        if shapes != [tuple(w.shape) for w in theirs]:
            raise UsageError(
                f"--init-from: the {player} of {source} does not match this "
                "run's networks (weight shapes differ); give the --width, "
                "--latent-dim, --architecture and data it was trained with.")
        for variable, value in zip(ours, theirs):
            variable.assign(value)
    average = getattr(model, "ema_generator", None)
    if average is not None:
        average.set_weights(model.generator.get_weights())


def learning_rate(config: TrainConfig, model: AdversarialModel,
                  iterations: int, player: str | None = None
                  ) -> float | LearningRateSchedule | None:
    """The `compile(learning_rate=...)` of `config`, or one player's rate.

    Args:
        config: A `TrainConfig`.
        model: The model to compile.
        iterations: The generator iterations of the whole run, over which
            `--lr-decay linear` decays the learning rate to 0.
        player: `None` for `learning_rate`; `"critic"` or `"generator"`
            for `compile(critic_learning_rate=...)` or
            `generator_learning_rate` (TTUR), `None` when that option is
            not given.

    Returns:
        `None` (the model's default), a number, or for `--lr-decay linear`
        the paper's decay (`keras_wgan.models.linear_decay`) from
        `--learning-rate` or the model's default rate.

    Example:

    >>> config = TrainConfig(out="run", lr_decay="linear")
    >>> images = np.zeros((640, 28, 28, 1), "float32")
    >>> model = build_model(config, TrainingData(images))  # 2 steps an epoch
    >>> schedule = learning_rate(config, model, iterations=20)
    >>> [round(float(schedule(t)), 8) for t in (0, 10, 20)]
    [0.0001, 5e-05, 0.0]
    """
    rate = (config.learning_rate if player is None
            else getattr(config, f"{player}_learning_rate"))
    if config.lr_decay == "none" or (player is not None and rate is None):
        return rate
    if rate is None:
        rate = float(keras.ops.convert_to_numpy(
            model.default_optimizer().learning_rate))
    return linear_decay(rate, iterations)
