"""`BiGAN` and `BiGANGP`: a generator, an encoder and a critic of pairs.

A bidirectional GAN (Donahue et al., 2017; the same model is ALI, Dumoulin
et al., 2017) learns an encoder `E(x)` beside the generator `G(z)`: its
critic `D(x, z)` tells the pairs `(x, E(x))` of a real image and its code
from the pairs `(G(z), z)` of a noise vector and its image, and at the
optimum `E` inverts `G`. On the shared n-critic loop the pairs take the
place of the samples: the critic's "real" sample is `(x, E(x))`, its
"fake" one `(G(z), z)`, and the generator player is `G` and `E` together,
trained by one optimizer: their loss is one sum of a term of `G` and a
term of `E`, both against the same critic, so one optimizer over both is
one player's update (the paper trains them as one, `min_{G,E} max_D`).

- `BiGAN`: the paper's binary cross-entropy objective on logits.
- `BiGANGP`: the Wasserstein loss with a gradient penalty on the joint
  input (`keras_wgan.penalty.joint_gradient_penalty`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.losses import WASSERSTEIN_FAKE_LABEL
from keras_wgan.losses import WASSERSTEIN_REAL_LABEL
from keras_wgan.models import sampling
from keras_wgan.models.adversarial import AdversarialModel
from keras_wgan.models.adversarial import Logs
from keras_wgan.models.gan import FAKE_TARGET
from keras_wgan.models.gan import REAL_TARGET
from keras_wgan.models.gan import CrossEntropyGAN
from keras_wgan.models.wasserstein import WGANGP
from keras_wgan.penalty import joint_gradient_penalty

if TYPE_CHECKING:
    # To the type checker the mixin is the model it is mixed into.
    _MixedInto = AdversarialModel
else:
    _MixedInto = object


class _Bidirectional(_MixedInto):
    """What both BiGANs add to their loop: the encoder and the pairs.

    Mixed in before an `AdversarialModel` whose `critic_objective(real,
    fake)` and `evaluation_logs(real, fake)` score `real` and `fake` with
    `critic_scores`: here both are pairs `(images, codes)`.
    """

    #: Critic targets of the real and the fake pairs; the generator player
    #: takes the critic's loss with the two swapped.
    real_target = REAL_TARGET
    fake_target = FAKE_TARGET

    def __init__(self, critic: keras.Model, generator: keras.Model,
                 encoder: keras.Model, **kwargs: Any) -> None:
        super().__init__(critic, generator, **kwargs)
        if not isinstance(encoder, keras.Model):
            raise ValueError(
                f"encoder must be a keras.Model, got {type(encoder).__name__}."
            )
        shape = argument_validation.model_input_shape(encoder, "encoder")
        if shape != self.image_shape:
            raise ValueError(
                f"encoder input shape {shape} must equal the critic's image "
                f"shape {self.image_shape}."
            )
        output = argument_validation.model_output_shape(encoder, "encoder")
        if output != (self.latent_dim,):
            raise ValueError(
                f"encoder output shape {output} must be ({self.latent_dim},), "
                "the latent size."
            )
        self.encoder = encoder

    def check_networks(self, critic: keras.Model, generator: keras.Model,
                       latent_dim: int | None) -> tuple[tuple[int, ...], int]:
        """Checks a critic of pairs `[images, codes]` and the generator."""
        inputs = getattr(critic, "inputs", None) or []
        if (not isinstance(critic, keras.Model) or len(inputs) != 2
                or len(inputs[1].shape) != 2):
            got = [tuple(t.shape) for t in inputs]
            raise ValueError(
                "critic must be a keras.Model taking [images, codes] with "
                f"codes of shape (batch, latent_dim), got inputs {got}."
            )
        image_shape = tuple(inputs[0].shape[1:])
        argument_validation.check_scalar_output(critic, "critic")
        argument_validation.check_linear_output(critic, "critic")
        code_size = inputs[1].shape[1]
        latent_dim = argument_validation.check_generator(
            generator, code_size if latent_dim is None else latent_dim,
            image_shape)
        if latent_dim != code_size:
            raise ValueError(
                f"the critic's codes have size {code_size}, the generator's "
                f"noise {latent_dim}: they must be equal."
            )
        return image_shape, latent_dim

    def networks(self) -> tuple[tuple[str, keras.Model], ...]:
        """The critic, the generator and the encoder."""
        return super().networks() + (("encoder", self.encoder),)

    def player_variables(self, player: str) -> list[keras.Variable]:
        """Returns the critic's weights, or the generator's and encoder's."""
        variables = super().player_variables(player)
        if player == "generator":
            variables = variables + self.encoder.trainable_variables
        return variables

    # ------------------------------------------------------------ training

    def encoder_codes(self, images: Any, training: bool = True) -> Any:
        """Returns `E(images)`, computed fast (see `critic_scores`)."""
        return self.call_network(
            "encoder", ops.convert_to_tensor(images), training)

    def critic_scores(self, x: Any, training: bool = True) -> Any:
        """Returns the critic's scores of pairs `x = (images, codes)`."""
        images, codes = x
        pair = (ops.convert_to_tensor(images), ops.convert_to_tensor(codes))
        return super().critic_scores(pair, training=training)

    def generator_samples(self, noise: Any,
                          training: bool = True) -> tuple[Any, Any]:
        """Returns the fake pair `(G(noise), noise)`."""
        noise = ops.convert_to_tensor(noise)
        return super().generator_samples(noise, training), noise

    def real_pair(self, images: Any, training: bool = True) -> tuple[Any, Any]:
        """Returns the real pair `(images, E(images))`."""
        return images, self.encoder_codes(images, training)

    def critic_objective(self, real: Any, fake: Any) -> tuple[Any, Logs]:
        """The critic's loss on `(x, E(x))` against `fake = (G(z), z)`."""
        return super().critic_objective(
            backend.no_grad(self.real_pair, real), fake)

    def generator_input(self, real: Any) -> tuple[Any, Any]:
        """Returns `(noise, real)`: `G` maps the noise, `E` encodes `real`."""
        return super().generator_input(real), real

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
        """The critic's loss with the targets of the two pairs swapped.

        `G` wants `(G(z), z)` scored as real and `E` wants `(x, E(x))`
        scored as fake: the label swap of Donahue et al. (2017) for
        `BiGAN`, `mean D(x, E(x)) - mean D(G(z), z)` for `BiGANGP`.
        """
        latent, images = noise
        fake_scores = self.critic_scores(self.generator_samples(latent))
        real_scores = self.critic_scores(self.real_pair(images))
        loss = self.loss_fn(
            ops.full_like(fake_scores, self.real_target), fake_scores
        ) + self.loss_fn(
            ops.full_like(real_scores, self.fake_target), real_scores)
        return loss, {}

    def evaluation_logs(self, real: Any, fake: Any) -> Logs:
        """The base model's logs, of the real pairs `(x, E(x))`."""
        return super().evaluation_logs(self.real_pair(real, False), fake)

    # ------------------------------------------------------------ inference

    def sampler(self, raw: bool = False) -> Callable[[Any], Any]:
        """Returns `G` in inference mode, images only (see `generate`)."""
        del raw
        return lambda noise: self.generator_samples(noise, False)[0]

    def encode(self, images: Any, batch_size: int = 256) -> np.ndarray:
        """Returns the codes `E(images)`.

        Args:
            images: Images `(n, *image_shape)` in `[-1, 1]`.
            batch_size: Images encoded per forward pass.

        Returns:
            NumPy array `(n, latent_dim)`.
        """
        images = ops.convert_to_tensor(argument_validation.check_samples(
            images, "images", self.image_shape), dtype="float32")
        return sampling.in_batches(
            lambda start, stop: self.encoder_codes(images[start:stop], False),
            images.shape[0], batch_size)

    def reconstruct(self, images: Any, batch_size: int = 256) -> np.ndarray:
        """Returns `G(E(images))`, the images the generator makes of their codes.

        Args:
            images: Images `(n, *image_shape)` in `[-1, 1]`.
            batch_size: Images per forward pass.

        Returns:
            NumPy array shaped like `images`.
        """
        return self.generate_from(self.encode(images, batch_size), batch_size)

    # -------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["encoder"] = keras.saving.serialize_keras_object(self.encoder)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(
            config["encoder"])
        return super().from_config(config)


@keras.saving.register_keras_serializable(package="keras_wgan")
class BiGAN(_Bidirectional, CrossEntropyGAN):
    """Bidirectional GAN (Donahue et al., 2017) with its cross-entropy loss.

    The critic (discriminator) `D(x, z)` outputs a logit per pair and is
    trained with binary cross-entropy to score `(x, E(x))` as real (1) and
    `(G(z), z)` as fake (0). `G` and `E`, one player with one optimizer,
    descend the same cross-entropy with the labels swapped (the paper's
    learning objective, the non-saturating form of the generator loss of
    Goodfellow et al., 2014). One step
    is `n_critic` critic updates, each on a fresh real batch, then one
    update of `G` and `E` on fresh noise and the last critic batch.
    Defaults: DCGAN's Adam(2e-4, beta_1=0.5) for both players.

    `fit(x, batch_size=m)` takes images `x` in `[-1, 1]`, as `WGANGP`.
    Logged metrics: `discriminator_loss`, `generator_loss` (of `G` and `E`
    together), and `real_probability` and `fake_probability`, the mean
    `D(x, E(x))` and `D(G(z), z)` (as probabilities) of the step's last
    critic batch.

    Args:
        critic: A built `keras.Model` taking `[images, codes]`, codes of
            shape `(batch, latent_dim)`, to logits `(batch, 1)`
            (`keras_wgan.nets.bigan.mnist_joint_critic`).
        generator: A built `keras.Model` from noise `(batch, latent_dim)` to
            images in `[-1, 1]`.
        encoder: A built `keras.Model` from images to codes `(batch,
            latent_dim)` (`keras_wgan.nets.bigan.mnist_encoder`).
        latent_dim: Size of the noise; inferred when `None`.
        n_critic: Critic updates per generator update (default 1).
        seed: Int seed for the noise, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> from keras_wgan.nets import bigan
    >>> images = keras_wgan.data.load_mnist("test")[:128]
    >>> gan = keras_wgan.BiGAN(
    ...     bigan.mnist_joint_critic(latent_dim=8, width=2),
    ...     architectures.mnist_generator(latent_dim=8, width=2),
    ...     bigan.mnist_encoder(latent_dim=8, width=2), seed=0)
    >>> gan.compile()
    >>> history = gan.fit(images, batch_size=32, verbose=0)
    >>> gan.encode(images[:5]).shape, gan.reconstruct(images[:5]).shape
    ((5, 8), (5, 28, 28, 1))
    """


@keras.saving.register_keras_serializable(package="keras_wgan")
class BiGANGP(_Bidirectional, WGANGP):
    """BiGAN with the Wasserstein loss and a gradient penalty on pairs.

    The critic is trained as in `WGANGP` on the pairs: `mean D(G(z), z) -
    mean D(x, E(x))` plus `gp_weight * mean((||grad D(x_hat, z_hat)||_2 -
    1)^2)`, where `(x_hat, z_hat)` interpolates the pairs `(x, E(x))` and
    `(G(z), z)` with one `a ~ U[0, 1]` per sample shared by `x` and `z`
    and the norm runs over the image's pixels and the code's entries
    together (`keras_wgan.penalty.joint_gradient_penalty`). `G` and `E`
    minimise `mean D(x, E(x)) - mean D(G(z), z)`, the estimate of the
    Wasserstein distance. Defaults of `WGANGP`: `n_critic=5`,
    `gp_weight=10`, Adam(1e-4, beta_1=0, beta_2=0.9).

    Logged metrics: those of `WGANGP`, with `critic_loss ==
    gradient_penalty - wasserstein_estimate`.

    Args:
        critic: As for `BiGAN`, without BatchNormalization.
        generator: As for `BiGAN`.
        encoder: As for `BiGAN`.
        latent_dim: As for `BiGAN`.
        n_critic: Critic updates per generator update (default 5).
        gp_weight: Penalty weight lambda (default 10).
        seed: Int seed for the noise and the interpolation, or `None`.
        **kwargs: Passed to `keras.Model`.

    Example:

    >>> from keras_wgan.nets import bigan
    >>> images = keras_wgan.data.load_mnist("test")[:320]
    >>> gan = keras_wgan.BiGANGP(
    ...     bigan.mnist_joint_critic(latent_dim=8, width=2),
    ...     architectures.mnist_generator(latent_dim=8, width=2),
    ...     bigan.mnist_encoder(latent_dim=8, width=2), seed=0)
    >>> gan.compile()
    >>> history = gan.fit(images, batch_size=32, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein_estimate']
    """

    real_target = WASSERSTEIN_REAL_LABEL
    fake_target = WASSERSTEIN_FAKE_LABEL

    def critic_penalty(self, real: Any, fake: Any) -> Logs:
        """Returns the weighted gradient penalty on the joint input."""
        penalty = joint_gradient_penalty(
            self.critic_scores, real, fake, seed=self.seed_generator)
        return {"gradient_penalty": self.gp_weight * penalty}
