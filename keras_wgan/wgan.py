"""`WGAN`: a Keras model that trains a critic and a generator with clipping."""

import keras
import numpy as np
from keras import ops

from keras_wgan import backend
from keras_wgan import validation
from keras_wgan.constraints import ClipConstraint
from keras_wgan.losses import FAKE_LABEL
from keras_wgan.losses import REAL_LABEL
from keras_wgan.losses import WassersteinLoss

DEFAULT_BATCH_SIZE = 64
_SEED_STATE_KEY = "seed_generator_state"


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGAN(keras.Model):
    """Wasserstein GAN with weight clipping (Arjovsky et al., 2017).

    One training step (one call of `train_step`, one step of the progress
    bar) is one generator iteration of the paper's Algorithm 1: `n_critic`
    critic updates, each on a fresh batch of real images and fresh noise,
    then one generator update. `fit(x, batch_size=m)` therefore draws
    `n_critic * m` real images per step and splits them into `n_critic`
    critic batches of `m`; a dataset you pass yourself must yield batches
    of `n_critic * m` images.

    The critic must end in a linear output (a score, not a probability).
    `WGAN` attaches a `ClipConstraint(clip_value)` to every trainable critic
    weight (kernels and biases), so the critic optimizer clips each weight
    right after updating it.

    Logged metrics: `critic_loss` (Wasserstein loss of the last critic batch
    of the step), `generator_loss`, and `wasserstein_estimate`, the critic's
    estimate `mean D(real) - mean D(fake)` on the last critic batch of the
    step (so `critic_loss == -wasserstein_estimate` here).

    Args:
        critic: A built `keras.Model` mapping images `(batch, H, W, C)` to
            scores `(batch, 1)` with a linear last activation.
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to images of the critic's input shape, with values in `[-1, 1]`.
        latent_dim: Size of the noise vector; inferred from the generator's
            input when `None`.
        n_critic: Critic updates per generator update, an int >= 1
            (default 5, the paper's value).
        clip_value: Weights are clipped to `[-clip_value, clip_value]`
            (default 0.01, the paper's value).
        seed: Int seed for the noise of this model, or `None`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    import keras_wgan
    from keras_wgan import architectures

    images = keras_wgan.data.load_mnist()  # (N, 28, 28, 1) in [-1, 1]
    gan = keras_wgan.WGAN(
        architectures.mnist_critic(), architectures.mnist_generator()
    )
    gan.compile()  # RMSprop(5e-5) for both, as in the paper
    gan.fit(images, batch_size=64, epochs=5)
    samples = gan.generate(16)
    ```
    """

    def __init__(
        self,
        critic,
        generator,
        latent_dim=None,
        n_critic=5,
        clip_value=0.01,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_critic = validation.check_int("n_critic", n_critic)
        self.image_shape = validation.model_input_shape(critic, "critic")
        validation.check_scalar_output(critic, "critic")
        validation.check_linear_output(critic, "critic")
        self.latent_dim = _check_generator(
            generator, latent_dim, self.image_shape
        )
        self.seed = seed
        self.critic = critic
        self.generator = generator
        self._configure_critic(clip_value)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.critic_loss_tracker = keras.metrics.Mean(name="critic_loss")
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.wasserstein_tracker = keras.metrics.Mean(
            name="wasserstein_estimate"
        )
        self.built = True

    def _configure_critic(self, clip_value):
        """Enforces the Lipschitz constraint: clipping for plain WGAN."""
        constraint = ClipConstraint(clip_value)
        self.clip_value = constraint.clip_value
        for variable in self.critic.trainable_variables:
            if variable.constraint is not None and not isinstance(
                variable.constraint, ClipConstraint
            ):
                raise ValueError(
                    f"critic weight '{variable.path}' already has the "
                    f"constraint {variable.constraint!r}; WGAN's weight "
                    "clipping would replace it. Remove it from the critic."
                )
            variable.constraint = constraint

    # ----------------------------------------------------------------- compile

    def default_optimizer(self):
        """Returns a new optimizer with the paper's settings, RMSprop(5e-5)."""
        return keras.optimizers.RMSprop(learning_rate=5e-5)

    def compile(
        self,
        critic_optimizer=None,
        generator_optimizer=None,
        loss=None,
        run_eagerly=False,
        jit_compile="auto",
    ):
        """Configures the two optimizers and the loss for training.

        Args:
            critic_optimizer: Optimizer instance, name or config for the
                critic; `None` gives `default_optimizer()`.
            generator_optimizer: Same for the generator. It must be a
                different instance from `critic_optimizer`: each optimizer
                keeps per-variable state.
            loss: Loss for both players; `None` gives `WassersteinLoss()`.
            run_eagerly: Passed to `keras.Model.compile`.
            jit_compile: Passed to `keras.Model.compile`.
        """
        super().compile(
            optimizer=None, run_eagerly=run_eagerly, jit_compile=jit_compile
        )
        critic_optimizer = keras.optimizers.get(critic_optimizer)
        generator_optimizer = keras.optimizers.get(generator_optimizer)
        if critic_optimizer is None:
            critic_optimizer = self.default_optimizer()
        if generator_optimizer is None:
            generator_optimizer = self.default_optimizer()
        if critic_optimizer is generator_optimizer:
            raise ValueError(
                "critic_optimizer and generator_optimizer must be two "
                "different optimizer instances, got the same object twice."
            )
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self.optimizer = _OptimizerGroup(critic_optimizer, generator_optimizer)
        self.loss_fn = keras.losses.get(loss) or WassersteinLoss()
        # Built now so that loading a checkpoint finds their slot variables.
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.generator_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "critic_optimizer": keras.optimizers.serialize(
                self.critic_optimizer
            ),
            "generator_optimizer": keras.optimizers.serialize(
                self.generator_optimizer
            ),
            "loss": keras.losses.serialize(self.loss_fn),
            "run_eagerly": self.run_eagerly,
            "jit_compile": self.jit_compile,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("critic_optimizer", "generator_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        config["loss"] = keras.losses.deserialize(config["loss"])
        self.compile(**config)

    @property
    def metrics(self):
        return [
            self.critic_loss_tracker,
            self.generator_loss_tracker,
            self.wasserstein_tracker,
        ]

    # ------------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """Trains the model; one step is one generator iteration.

        Args:
            x: Real images: an array `(N, H, W, C)` in `[-1, 1]`, or a
                dataset/generator yielding batches of `n_critic * m` images
                (each step splits its batch into `n_critic` critic batches).
            y: Must be `None`: the model is unconditional.
            batch_size: Critic batch size `m` for array input (default 64);
                each step draws `n_critic * m` images.
            **kwargs: Passed to `keras.Model.fit` (`epochs`, `callbacks`,
                `validation_data`, ...).

        Returns:
            A `keras.callbacks.History`.
        """
        if y is not None:
            raise ValueError(
                "y must be None: WGAN is unconditional and trains on images "
                "alone, got labels."
            )
        if _is_array(x):
            validation.check_images(x, "x", self.image_shape)
            batch_size = validation.check_int(
                "batch_size",
                DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            )
            remainder = validation.short_last_step(
                x.shape[0], batch_size, self.n_critic
            )
            if remainder is not None:
                raise ValueError(
                    f"batch_size={batch_size} with n_critic={self.n_critic} "
                    f"leaves a last step of {remainder} images for "
                    f"{x.shape[0]} images, fewer than one per critic update; "
                    "choose a batch_size for which "
                    "len(x) % (batch_size * n_critic) is 0 or >= n_critic."
                )
            batch_size *= self.n_critic
        elif batch_size is not None:
            raise ValueError(
                "batch_size must be None when x is a dataset or generator "
                "(it yields its own batches of n_critic * m images), got "
                f"{batch_size}."
            )
        return super().fit(x, batch_size=batch_size, **kwargs)

    def train_step(self, *args):
        # (data) on torch and TensorFlow, (state, data) on JAX.
        return backend.run_step(self, self._train_step, *args)

    def test_step(self, *args):
        return backend.run_step(self, self._test_step, *args)

    def _train_step(self, data):
        real = self._unpack_images(data)
        for real_batch in _split_batch(real, self.n_critic):
            critic_logs = self._critic_update(real_batch)
        generator_loss = self._generator_update(ops.shape(real_batch)[0])
        self.critic_loss_tracker.update_state(critic_logs.pop("critic_loss"))
        self.wasserstein_tracker.update_state(
            critic_logs.pop("wasserstein_estimate")
        )
        self._update_extra_trackers(critic_logs)
        self.generator_loss_tracker.update_state(generator_loss)
        return {m.name: m.result() for m in self.metrics}

    def _update_extra_trackers(self, logs):
        """Hook for subclasses that log more critic quantities."""

    def _critic_update(self, real):
        """One critic update on `real`; returns the logged quantities."""
        noise = self._noise(ops.shape(real)[0])
        fake = backend.no_grad(self._generate_for_critic, noise)
        variables = self.critic.trainable_variables
        _, logs, grads = backend.value_and_grad(
            lambda: self._critic_objective(real, fake), variables
        )
        self.critic_optimizer.apply(grads, variables)
        return logs

    def _generate_for_critic(self, noise):
        return self.generator(noise, training=True)

    def _critic_objective(self, real, fake):
        """Returns `(loss, logs)` for the critic on one real and fake batch."""
        real_scores = self.critic(real, training=True)
        fake_scores = self.critic(fake, training=True)
        loss = self.loss_fn(
            ops.full_like(real_scores, REAL_LABEL), real_scores
        ) + self.loss_fn(ops.full_like(fake_scores, FAKE_LABEL), fake_scores)
        estimate = ops.mean(real_scores) - ops.mean(fake_scores)
        return loss, {"critic_loss": loss, "wasserstein_estimate": estimate}

    def _generator_update(self, batch_size):
        variables = self.generator.trainable_variables
        loss, _, grads = backend.value_and_grad(
            lambda: self._generator_objective(self._noise(batch_size)),
            variables,
        )
        self.generator_optimizer.apply(grads, variables)
        return loss

    def _generator_objective(self, noise):
        scores = self.critic(self.generator(noise, training=True), training=True)
        # The generator labels its samples as real: it maximises mean D(fake).
        return self.loss_fn(ops.full_like(scores, REAL_LABEL), scores), {}

    def _test_step(self, data):
        """Estimates the Wasserstein distance on held-out real images."""
        real = self._unpack_images(data)
        fake = self.generator(self._noise(ops.shape(real)[0]), training=False)
        estimate = ops.mean(self.critic(real, training=False)) - ops.mean(
            self.critic(fake, training=False)
        )
        self.wasserstein_tracker.update_state(estimate)
        return {"wasserstein_estimate": self.wasserstein_tracker.result()}

    def _unpack_images(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is not None:
            raise ValueError(
                "the dataset must yield images only: WGAN is unconditional, "
                "got (images, labels) pairs."
            )
        shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise ValueError(
                f"batches must hold images of shape {self.image_shape} "
                f"(the critic's input), got {shape}."
            )
        dtype = keras.backend.standardize_dtype(images.dtype)
        if not dtype.startswith(("float", "bfloat")):
            raise ValueError(
                f"images must be floating point in [-1, 1], got dtype {dtype}."
            )
        return images

    # -------------------------------------------------------------- sampling

    def _noise(self, batch_size):
        return keras.random.normal(
            (batch_size, self.latent_dim), seed=self.seed_generator
        )

    def call(self, inputs, training=False):
        """Returns the critic's scores for `inputs`."""
        return self.critic(inputs, training=training)

    def generate(self, num_samples, seed=None, batch_size=256):
        """Draws images from the generator.

        Args:
            num_samples: Number of images, an int >= 1.
            seed: Int seed for the noise, or `None` for the model's own
                random stream.
            batch_size: Images generated per forward pass.

        Returns:
            NumPy array `(num_samples, H, W, C)` with values in `[-1, 1]`.
        """
        num_samples = validation.check_int("num_samples", num_samples)
        batch_size = validation.check_int("batch_size", batch_size)
        seed = self.seed_generator if seed is None else seed
        noise = keras.random.normal((num_samples, self.latent_dim), seed=seed)
        return self.generate_from(noise, batch_size=batch_size)

    def generate_from(self, noise, batch_size=256):
        """Maps latent vectors `(n, latent_dim)` to images (NumPy array)."""
        noise = ops.convert_to_tensor(noise, dtype="float32")
        if len(noise.shape) != 2 or noise.shape[1] != self.latent_dim:
            raise ValueError(
                f"noise must have shape (n, {self.latent_dim}), "
                f"got {tuple(noise.shape)}."
            )
        parts = [
            ops.convert_to_numpy(
                backend.no_grad(
                    self.generator, noise[start : start + batch_size]
                )
            )
            for start in range(0, noise.shape[0], batch_size)
        ]
        return np.concatenate(parts, axis=0)

    # ---------------------------------------------------------- serialization

    def save_own_variables(self, store):
        # Keras does not save a SeedGenerator's state; without it a loaded
        # model would restart its noise stream from the seed instead of
        # continuing where the saved run was.
        super().save_own_variables(store)
        store[_SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        if _SEED_STATE_KEY not in store.keys():
            raise ValueError(
                f"the checkpoint has no '{_SEED_STATE_KEY}' for "
                f"{type(self).__name__}; it was not saved by keras_wgan."
            )
        self.seed_generator.state.assign(store[_SEED_STATE_KEY])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "critic": keras.saving.serialize_keras_object(self.critic),
                "generator": keras.saving.serialize_keras_object(
                    self.generator
                ),
                "latent_dim": self.latent_dim,
                "n_critic": self.n_critic,
                "clip_value": self.clip_value,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("critic", "generator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


class _OptimizerGroup:
    """Both optimizers, where Keras's trainers expect `model.optimizer`.

    The JAX trainer carries `model.optimizer.variables` through its
    functional state and the trainers ask `model.optimizer.built`; grouping
    the two optimizers there keeps both optimizers' state (keras issues
    #18881 and #19358). It is not saved: each optimizer is saved itself.
    """

    def __init__(self, *optimizers):
        self.optimizers = optimizers

    @property
    def variables(self):
        return [v for opt in self.optimizers for v in opt.variables]

    @property
    def built(self):
        return all(opt.built for opt in self.optimizers)


def _check_generator(generator, latent_dim, image_shape):
    """Returns the latent size and checks the generator fits the critic."""
    input_shape = validation.model_input_shape(generator, "generator")
    if len(input_shape) != 1 or input_shape[0] is None:
        raise ValueError(
            "generator must take noise of shape (batch, latent_dim), got an "
            f"input of shape (batch, {', '.join(map(str, input_shape))})."
        )
    if latent_dim is None:
        latent_dim = input_shape[0]
    latent_dim = validation.check_int("latent_dim", latent_dim)
    if latent_dim != input_shape[0]:
        raise ValueError(
            f"latent_dim={latent_dim} differs from the generator's input "
            f"size {input_shape[0]}."
        )
    output_shape = validation.model_output_shape(generator, "generator")
    if output_shape != tuple(image_shape):
        raise ValueError(
            f"generator output shape {output_shape} must equal the critic's "
            f"input shape {tuple(image_shape)}."
        )
    return latent_dim


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(
        x, "element_spec"
    )


def _split_batch(images, parts):
    """Splits a batch into `parts` consecutive critic batches.

    Sizes differ by at most one, so a short last batch of an epoch is used
    whole rather than dropped: batch `i` starts at `i * base + min(i, extra)`
    with `base, extra = divmod(total, parts)`.
    """
    total = images.shape[0]
    minimum = min
    if total is None:
        # A batch size unknown while tracing (TensorFlow graphs): compute the
        # bounds with tensors; fit() has checked arrays for enough images.
        total = ops.shape(images)[0]
        minimum = ops.minimum
    elif total < parts:
        raise ValueError(
            f"each step needs at least n_critic={parts} images (one per "
            f"critic update), got a batch of {total}."
        )
    base, extra = total // parts, total % parts
    starts = [i * base + minimum(i, extra) for i in range(parts + 1)]
    return [images[starts[i] : starts[i + 1]] for i in range(parts)]
