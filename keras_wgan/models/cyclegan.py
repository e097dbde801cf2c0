"""`CycleGAN`: unpaired translation between two image domains.

Zhu et al. (2017) learn two generators, `G: A -> B` and `F: B -> A`, each
against a critic of its target domain (`D_B` judges `G(a)`, `D_A` judges
`F(b)`), and tie them together with the cycle-consistency loss `|F(G(a)) -
a|_1 + |G(F(b)) - b|_1` and the identity loss `|G(b) - b|_1 + |F(a) -
a|_1`. On the shared n-critic loop a "sample" is a pair `(a, b)` of
unpaired batches of the two domains, the "noise" of a fake pair is the
real pair itself, and each player is two networks trained by one
optimizer: the critics `D_A` and `D_B` (their losses are independent, so
one Adam over both is two Adams), the generators `G` and `F` (their loss is
one sum).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import argument_validation
from keras_wgan.data import batches
from keras_wgan.models import inputs
from keras_wgan.models import sampling
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.adversarial import Logs

#: The least-squares targets of real and translated images.
_REAL_TARGET = 1.0
_FAKE_TARGET = 0.0


@keras.saving.register_keras_serializable(package="keras_wgan")
class CycleGAN(AdversarialModel):
    """CycleGAN (Zhu et al., 2017) with its least-squares adversarial loss.

    One step is `n_critic` updates of both critics, each on a fresh
    unpaired batch `(a, b)` of the two domains, then one update of both
    generators on the last of them. The critics minimise the least-squares
    loss of the paper (after Mao et al., 2017), halved as the
    paper does: `0.5 * [mean (D_B(b) - 1)^2 + mean D_B(G(a))^2]` plus the
    same for `D_A`, `b` and `F(a)`. The generators minimise `mean
    (D_B(G(a)) - 1)^2 + mean (D_A(F(b)) - 1)^2 + cycle_weight * cycle +
    identity_weight * identity`, with `cycle` and `identity` the mean
    absolute errors of the module docstring. A critic may score patches
    (a PatchGAN, `keras_wgan.nets.cyclegan.patch_critic`): the means run
    over all scores. The paper's pool of 50 past translations for the
    critics is not used: each critic update sees the current generators'
    translations.

    `fit(x=a, y=b, batch_size=m)` takes the two domains' images in `[-1,
    1]`, any two counts: every epoch shuffles each domain on its own (from
    the model's seed and the epoch), so that `a[i]` never meets a fixed
    partner, and an epoch has `ceil(len(a) / (n_critic * m))` steps. A
    dataset or generator yields `(a_batch, b_batch)` pairs of `n_critic *
    m` images each. Logged metrics: `critic_loss` (both critics, the
    step's last batch), `generator_loss` (the whole sum), `adversarial_loss`,
    `cycle_loss` and `identity_loss` (unweighted); `evaluate` reports the
    last three.

    Args:
        generator: `G`, a built `keras.Model` from images of domain A to
            images of domain B, in `[-1, 1]`.
        inverse_generator: `F`, from domain B to domain A.
        critic: `D_B`, a built `keras.Model` from images of domain B to
            linear scores `(batch, ...)`.
        inverse_critic: `D_A`, from images of domain A to scores.
        cycle_weight: Weight of the cycle loss, a float >= 0 (the paper's
            10).
        identity_weight: Weight of the identity loss, a float >= 0 (the
            paper's 0.5 * cycle_weight, 5; 0 turns it off).
        n_critic: Critic updates per generator update (default 1).
        seed: Int seed for the shuffling, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> from keras_wgan.nets import cyclegan
    >>> def translator():
    ...     return cyclegan.image_translator((8, 8, 3), width=2,
    ...                                      residual_blocks=1)
    >>> gan = keras_wgan.CycleGAN(
    ...     translator(), translator(), cyclegan.patch_critic((8, 8, 3), 2),
    ...     cyclegan.patch_critic((8, 8, 3), 2), seed=0)
    >>> gan.compile()  # then gan.fit(a_images, b_images)
    >>> grey = np.zeros((3, 8, 8, 3), "float32")
    >>> gan.translate(grey).shape, gan.translate(grey, "b_to_a").shape
    ((3, 8, 8, 3), (3, 8, 8, 3))
    """

    metric_names = ("critic_loss", "generator_loss", "adversarial_loss",
                    "cycle_loss", "identity_loss")

    def __init__(self, generator: keras.Model, inverse_generator: keras.Model,
                 critic: keras.Model, inverse_critic: keras.Model,
                 cycle_weight: float = 10.0, identity_weight: float = 5.0,
                 n_critic: int = 1, seed: int | None = None,
                 **kwargs: Any) -> None:
        cycle_weight = argument_validation.check_float(
            "cycle_weight", cycle_weight)
        identity_weight = argument_validation.check_float(
            "identity_weight", identity_weight)
        super().__init__(critic, generator, n_critic=n_critic, seed=seed,
                         **kwargs)
        self._check_translator(inverse_generator, "inverse_generator")
        self._check_critic(inverse_critic, "inverse_critic")
        self.inverse_generator = inverse_generator
        self.inverse_critic = inverse_critic
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight

    def _check_critic(self, critic: keras.Model, name: str) -> None:
        shape = argument_validation.model_input_shape(critic, name)
        if shape != self.image_shape:
            raise ValueError(
                f"{name} input shape {shape} must equal the images' shape "
                f"{self.image_shape}."
            )
        argument_validation.check_linear_output(critic, name)

    def _check_translator(self, generator: keras.Model, name: str) -> None:
        for shape in (argument_validation.model_input_shape(generator, name),
                      argument_validation.model_output_shape(generator, name)):
            if shape != self.image_shape:
                raise ValueError(
                    f"{name} must map images of shape {self.image_shape} to "
                    f"images of that shape, got {shape}."
                )

    def check_networks(self, critic: keras.Model, generator: keras.Model,
                       latent_dim: int | None) -> tuple[tuple[int | None, ...],
                                                        None]:
        """Checks `D_B` and `G`: image to score, and image to image."""
        if latent_dim is not None:
            raise ValueError(
                "latent_dim must be None: CycleGAN's generators take images, "
                f"not noise, got {latent_dim}."
            )
        self.image_shape = argument_validation.model_input_shape(
            critic, "critic")
        self._check_critic(critic, "critic")
        self._check_translator(generator, "generator")
        return self.image_shape, None

    def networks(self) -> tuple[tuple[str, keras.Model], ...]:
        """Both critics and both generators."""
        return super().networks() + (
            ("inverse_generator", self.inverse_generator),
            ("inverse_critic", self.inverse_critic))

    def player_variables(self, player: str) -> list[keras.Variable]:
        """Returns both critics' weights, or both generators'."""
        inverse = {"critic": self.inverse_critic,
                   "generator": self.inverse_generator}[player]
        return super().player_variables(player) + inverse.trainable_variables

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        """Returns the paper's Adam(2e-4, beta_1=0.5)."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def default_loss(self) -> keras.losses.Loss:
        """Returns the least-squares adversarial loss, `MeanSquaredError()`."""
        return keras.losses.MeanSquaredError()

    def fit_inputs(self) -> UnpairedSamples:
        """Returns `UnpairedSamples` of this model: `fit(x=a, y=b)`."""
        return UnpairedSamples(self)

    # ------------------------------------------------------------- training

    def _scores(self, critic: str, images: Any, training: bool) -> Any:
        return self.call_network(critic, ops.convert_to_tensor(images),
                                 training)

    def _translated(self, generator: str, images: Any,
                    training: bool) -> Any:
        return self.call_network(generator, ops.convert_to_tensor(images),
                                 training)

    def noise_for(self, real: Any) -> Any:
        """Returns `real` itself: the generators translate the real pair."""
        return real

    def generator_input(self, real: Any) -> Any:
        """Returns `real`: the generators' update translates the real pair."""
        return real

    def generator_samples(self, noise: Any,
                          training: bool = True) -> tuple[Any, Any]:
        """Returns the translations `(G(a), F(b))` of a pair `(a, b)`."""
        a, b = noise
        return (self._translated("generator", a, training),
                self._translated("inverse_generator", b, training))

    def _least_squares(self, scores: Any, target: float) -> Any:
        return self.loss_fn(ops.full_like(scores, target), scores)

    def _critic_loss(self, critic: str, real: Any, fake: Any,
                     training: bool) -> Any:
        return 0.5 * (
            self._least_squares(self._scores(critic, real, training),
                                _REAL_TARGET)
            + self._least_squares(self._scores(critic, fake, training),
                                  _FAKE_TARGET))

    def critic_objective(self, real: Any, fake: Any) -> tuple[Any, Logs]:
        """Both critics' least-squares losses, summed."""
        (a, b), (fake_b, fake_a) = real, fake
        loss = (self._critic_loss("critic", b, fake_b, True)
                + self._critic_loss("inverse_critic", a, fake_a, True))
        return loss, {"critic_loss": loss}

    def _generator_terms(self, real: Any, training: bool) -> Logs:
        a, b = (ops.convert_to_tensor(part) for part in real)
        fake_b, fake_a = self.generator_samples(real, training)
        adversarial = self._least_squares(
            self._scores("critic", fake_b, training), _REAL_TARGET
        ) + self._least_squares(
            self._scores("inverse_critic", fake_a, training), _REAL_TARGET)
        back_a, back_b = self.generator_samples((fake_a, fake_b), training)
        # generator_samples maps its pair's first part with G: (fake_a,
        # fake_b) gives (G(F(b)), F(G(a))).
        cycle = (ops.mean(ops.abs(back_b - a))
                 + ops.mean(ops.abs(back_a - b)))
        identity = 0.0
        if self.identity_weight:
            same_b, same_a = self.generator_samples((b, a), training)
            # ... and (b, a) gives (G(b), F(a)).
            identity = (ops.mean(ops.abs(same_b - b))
                        + ops.mean(ops.abs(same_a - a)))
        return {"adversarial_loss": adversarial, "cycle_loss": cycle,
                "identity_loss": identity}

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """The generators' loss on the real pair `noise = (a, b)`."""
        terms = self._generator_terms(noise, True)
        loss = (terms["adversarial_loss"]
                + self.cycle_weight * terms["cycle_loss"]
                + self.identity_weight * terms["identity_loss"])
        return loss, terms

    def evaluation_logs(self, real: Any, fake: Any) -> Logs:
        """The generators' three terms on a held-out pair."""
        del fake
        return self._generator_terms(real, False)

    # ------------------------------------------------------------ inference

    def generate(self, num_samples: int, seed: int | None = None,
                 batch_size: int = 256, raw: bool = False) -> np.ndarray:
        """Not defined: CycleGAN translates images; use `translate`."""
        raise ValueError(
            "CycleGAN has no noise to generate from: translate images with "
            "translate(images, direction)."
        )

    def translate(self, images: Any, direction: str = "a_to_b",
                  batch_size: int = 256) -> np.ndarray:
        """Translates images from one domain to the other.

        Args:
            images: Images `(n, H, W, C)` in `[-1, 1]`.
            direction: `"a_to_b"` (with `G`) or `"b_to_a"` (with `F`).
            batch_size: Images per forward pass.

        Returns:
            NumPy array shaped like `images`.
        """
        direction = argument_validation.check_choice(
            "direction", direction, ("a_to_b", "b_to_a"))
        images = argument_validation.check_samples(
            images, "images", self.image_shape)
        generator = ("generator" if direction == "a_to_b"
                     else "inverse_generator")
        images = ops.convert_to_tensor(images, dtype="float32")
        return sampling.in_batches(
            lambda start, stop: self._translated(
                generator, images[start:stop], False),
            images.shape[0], batch_size)

    # -------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("latent_dim",):
            config.pop(key)
        config.update({
            "inverse_generator": keras.saving.serialize_keras_object(
                self.inverse_generator),
            "inverse_critic": keras.saving.serialize_keras_object(
                self.inverse_critic),
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
        })
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CycleGAN:
        config = dict(config)
        for key in ("inverse_generator", "inverse_critic"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return super().from_config(config)


class UnpairedSamples(inputs.Samples):
    """CycleGAN's input: unpaired images of two domains.

    `fit(x=a, y=b, batch_size=m)` takes the two domains' image arrays, any
    two counts (`UnpairedBatches`); `validation_data` is a pair `(a, b)` of
    arrays; a dataset or generator yields `(a_batch, b_batch)` pairs of
    `n_critic * m` images each. Each step's real samples are the pair.
    """

    def check_y(self, x: Any, y: Any) -> Any:
        """Returns the images of domain B for array `x`; `None` otherwise."""
        if not batches.is_array(x):
            if y is not None:
                raise ValueError(
                    "y must be None when x is a dataset or generator: it "
                    "yields (a_batch, b_batch) pairs itself."
                )
            return None
        if not batches.is_array(y):
            raise ValueError(
                "y must be the images of domain B, an array (M, H, W, C) in "
                f"[-1, 1], for x of domain A; got {type(y).__name__}."
            )
        return y

    def array_dataset(self, x: np.ndarray, y: Any, batch_size: int | None,
                      kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Returns `UnpairedBatches` of `n_critic * batch_size` images each."""
        model = self.model
        for images, name in ((x, "x"), (y, "y")):
            argument_validation.check_samples(images, name, model.image_shape)
        batch_size = argument_validation.check_int(
            "batch_size",
            inputs.DEFAULT_BATCH_SIZE if batch_size is None else batch_size)
        validation = kwargs.get("validation_data")
        if isinstance(validation, (tuple, list)) and len(validation) == 2:
            a_images, b_images = validation
            kwargs["validation_data"] = UnpairedBatches(
                a_images, b_images, batch_size, seed=0, shuffle=False)
        data = UnpairedBatches(
            x, y, batch_size * model.n_critic, inputs.data_seed(model),
            first_epoch=kwargs.get("initial_epoch", 0))
        return data, kwargs

    def unpack(self, data: Any) -> tuple[Any, Any]:
        """Returns the pair `(a_batch, b_batch)`, each checked."""
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise ValueError(
                "the dataset must yield (a_batch, b_batch) pairs: "
                "CycleGAN trains on images of two domains."
            )
        return tuple(super(UnpairedSamples, self).unpack(part)
                     for part in data)


class UnpairedBatches(keras.utils.PyDataset):
    """Batches `(a_batch, b_batch)`, each domain shuffled on its own.

    Epoch `e` reads domain A in the order `permutation(len(a))` and domain B
    in `permutation(len(b))`, both drawn from `(seed, e)`, so a resumed run
    (`initial_epoch`) reads the batches an uninterrupted one would have.
    The epoch has `ceil(len(a) / batch_size)` batches; domain B wraps
    around when it is the shorter.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, batch_size: int,
                 seed: int, shuffle: bool = True,
                 first_epoch: int = 0) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.epoch = first_epoch
        self._orders()

    def _orders(self) -> None:
        if not self.shuffle:
            self.order_a = np.arange(len(self.a))
            self.order_b = np.arange(len(self.b))
            return
        rng = np.random.default_rng([self.seed, self.epoch])
        self.order_a = rng.permutation(len(self.a))
        self.order_b = rng.permutation(len(self.b))

    def __len__(self) -> int:
        return -(-len(self.a) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(index * self.batch_size,
                         min((index + 1) * self.batch_size, len(self.a)))
        return (self.a[self.order_a[rows]],
                self.b[self.order_b[rows % len(self.b)]])

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._orders()
