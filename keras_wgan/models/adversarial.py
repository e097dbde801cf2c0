"""`AdversarialModel`: the training loop shared by every GAN in keras_wgan.

One training step (one call of `train_step`) is `n_critic` updates of the
critic (or discriminator), each on a fresh batch of real samples and fresh
noise, then one generator update. What differs between the models lives in
the hooks a subclass overrides:

- `critic_objective(real, fake)` and `generator_objective(noise)`: the two
  losses, each returning `(loss, logs)`;
- `metric_names`: the logged quantities; every key of the logs whose name is
  in `metric_names` updates the tracker of that name;
- `evaluation_logs(real, fake)`: what `evaluate` and validation report;
- `sample_noise(batch_size)` and `noise_for(real)`: the generator's input
  for a generator update and for the fake batch beside a real one (a
  conditional model adds labels to both);
- `generator_input(real)` and `player_variables(player)`: the input of the
  generator update after the critics' on `real`, and the weights each
  optimizer trains (a BiGAN's generator update also encodes `real`; its
  generator player is the generator and the encoder);
- `default_optimizer()` and `default_loss()`.

The gradients come from `keras_wgan.backend`, so the same loop runs on
torch, JAX and TensorFlow.
"""

import inspect
import math

import keras
import numpy as np
from keras import ops

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan import distribute
from keras_wgan.data import batches
from keras_wgan.models import schedules
from keras_wgan.nets import layer_chain

DEFAULT_BATCH_SIZE = 64
_SEED_STATE_KEY = "seed_generator_state"


class AdversarialModel(keras.Model):
    """Base class: a critic and a generator trained in alternation.

    Subclasses set `metric_names` and implement `critic_objective`,
    `generator_objective`, `evaluation_logs`, `default_optimizer` and
    `default_loss`; they are not meant to override `fit` or `train_step`.

    `fit(x, batch_size=m)` draws `n_critic * m` real samples per step and
    splits them into `n_critic` critic batches of `m`; a dataset you pass
    yourself must yield batches of `n_critic * m` samples.

    A network without trainable weights (`trainable = False` before
    `compile`) is frozen: it is not updated, and it runs in inference mode
    (`training=False`), as Keras runs a frozen `BatchNormalization`, so a
    frozen generator is a fixed distribution. With a frozen generator a step
    is the `n_critic` critic updates, and `generator_loss` is still logged,
    computed without gradients; this estimates the Wasserstein distance to
    a fixed generator. With a frozen critic a step is the generator update,
    and the critic's logs (penalty included) are computed once, without
    gradients, on the last of the step's critic batches. `fit` raises if
    both are frozen. A partly frozen network (some layers `trainable =
    False`) trains the rest as usual.

    Args:
        critic: A built `keras.Model` mapping samples `(batch, *shape)` to
            scores `(batch, 1)` with a linear last activation (a
            discriminator outputs logits).
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to samples of the critic's input shape.
        latent_dim: Size of the noise vector; inferred from the generator's
            input when `None`.
        n_critic: Critic updates per generator update, an int >= 1.
        seed: Int seed for the noise of this model, or `None`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    A least-squares GAN (Mao et al., 2017) in a few lines:

    >>> class LeastSquaresGAN(AdversarialModel):
    ...     metric_names = ("critic_loss", "generator_loss")
    ...     def default_optimizer(self):
    ...         return keras.optimizers.Adam(2e-4, beta_1=0.5)
    ...     def default_loss(self):
    ...         return keras.losses.MeanSquaredError()
    ...     def critic_objective(self, real, fake):
    ...         real_scores = self.critic_scores(real)
    ...         fake_scores = self.critic_scores(fake)
    ...         loss = (self.loss_fn(ops.ones_like(real_scores), real_scores)
    ...                 + self.loss_fn(ops.zeros_like(fake_scores), fake_scores))
    ...         return loss, {"critic_loss": loss}
    ...     def generator_objective(self, noise):
    ...         scores = self.critic_scores(self.generator_samples(noise))
    ...         return self.loss_fn(ops.ones_like(scores), scores), {}
    ...     def evaluation_logs(self, real, fake):
    ...         return {}
    >>> gan = LeastSquaresGAN(keras_wgan.toy.toy_critic(2, width=8),
    ...                       keras_wgan.toy.toy_generator(2, 2, width=8))
    >>> gan.compile()
    >>> history = gan.fit(keras_wgan.toy.eight_gaussians(256, seed=0),
    ...                   batch_size=64, verbose=0)
    >>> sorted(history.history)
    ['critic_loss', 'generator_loss']
    """

    #: Names of the logged metrics, in the order Keras reports them.
    metric_names = ()

    def __init__(
        self,
        critic,
        generator,
        latent_dim=None,
        n_critic=1,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_critic = argument_validation.check_int("n_critic", n_critic)
        self.image_shape, self.latent_dim = self._check_networks(
            critic, generator, latent_dim
        )
        self.seed = seed
        self.critic = critic
        self.generator = generator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._network_calls = layer_chain.NetworkCalls()
        # The ids of each network's trainable weights at compile.
        self._compiled_trainable = None
        self._metric_trackers = [
            keras.metrics.Mean(name=name) for name in self.metric_names
        ]
        self.built = True

    def _check_networks(self, critic, generator, latent_dim):
        """Checks that the networks fit; returns `(image_shape, latent_dim)`.

        A model whose networks take more inputs (a conditional model's
        labels) overrides it.
        """
        image_shape = argument_validation.model_input_shape(critic, "critic")
        argument_validation.check_scalar_output(critic, "critic")
        argument_validation.check_linear_output(critic, "critic")
        latent_dim = argument_validation.check_generator(
            generator, latent_dim, image_shape
        )
        return image_shape, latent_dim

    def _metric(self, name):
        """Returns the `Mean` tracker logging `name`."""
        for tracker in self._metric_trackers:
            if tracker.name == name:
                return tracker
        raise KeyError(name)

    # ----------------------------------------------------------------- compile

    def default_optimizer(self):
        """Returns a new optimizer for either player (the paper's setting)."""
        raise NotImplementedError

    def default_loss(self):
        """Returns the loss used when `compile(loss=None)`."""
        raise NotImplementedError

    def _default_optimizer(self, learning_rate=None):
        optimizer = self.default_optimizer()
        if learning_rate is None:
            return optimizer
        # A new optimizer rather than a new rate on this one: an optimizer
        # made with a number keeps it in a variable, which a schedule would
        # leave behind in its saved state.
        config = optimizer.get_config()
        config["learning_rate"] = learning_rate
        return type(optimizer).from_config(config)

    def compile(
        self,
        critic_optimizer=None,
        generator_optimizer=None,
        loss=None,
        run_eagerly=False,
        jit_compile="auto",
        learning_rate=None,
        critic_learning_rate=None,
        generator_learning_rate=None,
        auto_scale_loss=True,
    ):
        """Configures the two optimizers and the loss for training.

        Args:
            critic_optimizer: Optimizer instance, name or config for the
                critic; `None` gives `default_optimizer()`.
            generator_optimizer: Same for the generator. It must be a
                different instance from `critic_optimizer`: each optimizer
                keeps per-variable state.
            loss: Loss for both players; `None` gives `default_loss()`.
            run_eagerly: Passed to `keras.Model.compile`.
            jit_compile: Passed to `keras.Model.compile`.
            learning_rate: A number > 0, or a
                `keras.optimizers.schedules.LearningRateSchedule` of the
                generator iteration (the training step, e.g.
                `keras_wgan.models.linear_decay`), to use instead of the
                paper's learning rate in both default optimizers (their
                other settings kept); only when both optimizers are left
                `None`. The critic's optimizer, which updates `n_critic`
                times per iteration, reads a schedule through
                `keras_wgan.models.IterationSchedule`, so both follow the
                same iteration. (An optimizer of your own evaluates its
                schedule at its own update count.)
            critic_learning_rate: As `learning_rate`, for the critic's
                default optimizer alone; it replaces `learning_rate` there.
                With `generator_learning_rate`, the two time-scale update
                rule (TTUR, Heusel et al., 2017): each player its own rate.
            generator_learning_rate: As `learning_rate`, for the
                generator's default optimizer alone.
            auto_scale_loss: As in `keras.Model.compile`: when the critic or
                the generator computes under the `"mixed_float16"` dtype
                policy, each optimizer is wrapped in a
                `keras.optimizers.LossScaleOptimizer` (unless it is one
                already), which scales each loss before its gradients are
                taken and skips an update whose gradients are not finite.

        A network without trainable weights (`trainable = False`) is
        frozen: it is not updated and runs in inference mode (see the
        class docstring). Keras fixes what trains at compile: after
        changing `trainable`, call `compile` again.

        Example:

        ```python
        gan.compile(learning_rate=3e-4)  # the paper's optimizer, faster
        # The WGAN-GP paper's CIFAR-10 recipe: both rates decay linearly
        # to 0 over 100,000 generator iterations.
        schedule = keras_wgan.models.linear_decay(2e-4, iterations=100_000)
        gan.compile(learning_rate=schedule)
        # TTUR: the critic learns four times faster than the generator.
        gan.compile(critic_learning_rate=4e-4, generator_learning_rate=1e-4)
        ```
        """
        rates = {"learning_rate": learning_rate,
                 "critic_learning_rate": critic_learning_rate,
                 "generator_learning_rate": generator_learning_rate}
        for name, rate in rates.items():
            if rate is None:
                continue
            rates[name] = self._checked_learning_rate(rate, name)
            if critic_optimizer is not None or generator_optimizer is not None:
                raise ValueError(
                    f"{name} sets the default optimizers' rate; with "
                    "optimizers of your own, set it on them instead."
                )
        learning_rate = rates["learning_rate"]
        critic_rate, generator_rate = (
            learning_rate if rates[name] is None else rates[name]
            for name in ("critic_learning_rate", "generator_learning_rate"))
        super().compile(
            optimizer=None, run_eagerly=run_eagerly, jit_compile=jit_compile
        )
        # Saved as given: Keras resolves "auto" for the current backend (True
        # on JAX, False on torch), and a resolved True would make a file
        # saved on JAX fail to load as WGANGP on torch, while a resolved
        # False would make a file saved on torch train uncompiled on JAX.
        self._requested_jit_compile = jit_compile
        critic_optimizer = keras.optimizers.get(critic_optimizer)
        generator_optimizer = keras.optimizers.get(generator_optimizer)
        if critic_optimizer is None:
            critic_optimizer = self._default_optimizer(
                schedules.critic_rate(critic_rate, self.n_critic))
        if generator_optimizer is None:
            generator_optimizer = self._default_optimizer(generator_rate)
        if auto_scale_loss and self._computes_in_float16():
            critic_optimizer = _loss_scaled(critic_optimizer, "critic")
            generator_optimizer = _loss_scaled(
                generator_optimizer, "generator")
        if critic_optimizer is generator_optimizer:
            raise ValueError(
                "critic_optimizer and generator_optimizer must be two "
                "different optimizer instances, got the same object twice."
            )
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self.optimizer = _OptimizerGroup(critic_optimizer, generator_optimizer)
        self.loss_fn = keras.losses.get(loss) or self.default_loss()
        self._compiled_trainable = {
            name: [id(v) for v in network.trainable_variables]
            for name, network in self._networks()
        }
        # Built now so that loading a checkpoint finds their slot variables.
        self.critic_optimizer.build(self.player_variables("critic"))
        self.generator_optimizer.build(self.player_variables("generator"))

    def _computes_in_float16(self):
        return any(
            network.dtype_policy.name == "mixed_float16"
            for _, network in self._networks()
        )

    @staticmethod
    def _checked_learning_rate(learning_rate, name="learning_rate"):
        if _is_schedule(learning_rate):
            return learning_rate
        if isinstance(learning_rate, (int, float, np.integer, np.floating)):
            return argument_validation.check_float(
                name, learning_rate, 0.0, inclusive=False
            )
        raise ValueError(
            f"{name} must be a number > 0 or a keras.optimizers."
            f"schedules.LearningRateSchedule, got {learning_rate!r}."
        )

    def _networks(self):
        return (("critic", self.critic), ("generator", self.generator))

    def _frozen(self, name):
        """Whether network `name` had no trainable weights at compile."""
        compiled = self._compiled_trainable
        return compiled is not None and not compiled[name]

    def _check_trainable(self):
        """Raises if fit has nothing to train or `trainable` changed."""
        if self._compiled_trainable is None:
            return  # not compiled: Keras's fit says so
        for name, network in self._networks():
            compiled = self._compiled_trainable[name]
            now = [id(v) for v in network.trainable_variables]
            if now != compiled:
                raise ValueError(
                    f"the {name}'s trainable weights changed since compile "
                    f"({len(compiled)} then, {len(now)} now); call compile() "
                    "again after setting trainable, as Keras requires."
                )
        if self._frozen("critic") and self._frozen("generator"):
            raise ValueError(
                "critic and generator are both frozen (no trainable "
                "weights): fit has nothing to train; set trainable = True "
                "on one of them and compile again."
            )

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
            "jit_compile": self._requested_jit_compile,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("critic_optimizer", "generator_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        config["loss"] = keras.losses.deserialize(config["loss"])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self._metric_trackers)

    # ------------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """Trains the model; one step is one generator iteration.

        Args:
            x: Real samples: an array `(N, *shape)` (images in `[-1, 1]`
                for an image critic), or a dataset/generator yielding
                batches of `n_critic * m` samples (each step splits its
                batch into `n_critic` critic batches). A Python generator
                may yield a bare array or a tuple `(batch,)`; each batch
                it yields gets the `[-1, 1]` check of `x`.
            y: Must be `None`: the model is unconditional (a
                class-conditional model, `keras_wgan.ConditionalWGANGP`,
                takes labels here).
            batch_size: Critic batch size `m` for array input (default 64);
                each step draws `n_critic * m` samples.
            **kwargs: Passed to `keras.Model.fit` (`epochs`, `callbacks`,
                `validation_data`, ...). Validation data gets the checks of
                `x`: an array all of them, once; a Python generator's
                batches the `[-1, 1]` range, as they come.

        Returns:
            A `keras.callbacks.History`.

        Example:

        A generator of bare arrays (a small GAN of 4x4 images):

        >>> critic = keras.Sequential([
        ...     keras.Input((4, 4, 1)), keras.layers.Flatten(),
        ...     keras.layers.Dense(1)])
        >>> generator = keras.Sequential([
        ...     keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
        ...     keras.layers.Reshape((4, 4, 1))])
        >>> gan = keras_wgan.WGAN(critic, generator, n_critic=1)
        >>> gan.compile()
        >>> def batches(scale):
        ...     rng = np.random.default_rng(0)
        ...     while True:
        ...         yield scale * rng.uniform(-1, 1, (8, 4, 4, 1))
        >>> history = gan.fit(batches(1.0), steps_per_epoch=2, verbose=0)
        >>> gan.fit(batches(255.0), steps_per_epoch=2, verbose=0)
        Traceback (most recent call last):
        ...
        ValueError: x (batch 1) values must lie in [-1, 1] (the generator ends in tanh), got ...
        """
        labels = self._checked_labels(x, y)
        if batches.is_array(x):
            if labels is None:
                x, kwargs = batches.split_validation(x, kwargs)
            else:
                (x, labels), kwargs = batches.split_validation(
                    (x, labels), kwargs
                )
            argument_validation.check_samples(x, "x", self.image_shape)
            batch_size = argument_validation.check_int(
                "batch_size",
                DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            )
            distribute.check_batch_size(batch_size)
            remainder = batches.short_last_step(
                x.shape[0], batch_size, self.n_critic, distribute.replicas()
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
            validation = kwargs.get("validation_data")
            if isinstance(validation, tuple) and validation:
                validation = validation[0]  # (images, labels)
            if batches.is_array(validation):
                kwargs.setdefault("validation_batch_size", batch_size)
            x, kwargs = self._shuffled_batches(x, batch_size, kwargs, labels)
            batch_size = None
        elif batch_size is not None:
            raise ValueError(
                "batch_size must be None when x is a dataset or generator "
                "(it yields its own batches of n_critic * m images), got "
                f"{batch_size}."
            )
        if inspect.isgenerator(x):
            x = self._checked_batches(x, "x")
        kwargs = self._checked_validation(kwargs)
        self._check_trainable()
        # Layers may have changed since the last run (dtype policy,
        # quantization): decide afresh which network runs directly.
        self._network_calls.clear()
        backend.synchronize(self._replicated_variables())
        return super().fit(x, batch_size=batch_size, **kwargs)

    def _replicated_variables(self):
        """The variables that must be equal on every data-parallel replica."""
        optimizer = getattr(self.optimizer, "variables", [])
        unique = {id(v): v for v in self.variables + optimizer}
        return list(unique.values())

    def _checked_labels(self, x, y):
        """Returns the labels of array input `x`, checked, or `None`.

        An unconditional model takes none; a conditional one overrides it.
        """
        del x
        if y is not None:
            raise ValueError(
                f"y must be None: {type(self).__name__} is unconditional and "
                "trains on real samples alone, got labels; train on "
                "(images, labels) with keras_wgan.ConditionalWGANGP."
            )
        return None

    def _checked_validation(self, kwargs):
        validation = kwargs.get("validation_data")
        if isinstance(validation, (tuple, list)) and validation:
            validation = validation[0]  # (x,) or (x, None)
        if batches.is_array(validation):
            # Once per fit, not per evaluation: the array does not change.
            argument_validation.check_samples(validation, "validation_data",
                                              self.image_shape)
        elif inspect.isgenerator(validation):
            kwargs = dict(kwargs, validation_data=self._checked_batches(
                validation, "validation_data"))
        return kwargs

    def _checked_batches(self, generator, name):
        """Yields the batches of a Python generator as `(batch,)`, checked.

        Keras wants a tuple from a generator; a bare array is wrapped. The
        range check runs here, in Python, as each batch is read, not in the
        compiled training step.
        """
        for number, batch in enumerate(generator, 1):
            if batches.is_array(batch):
                batch = (batch,)
            if (isinstance(batch, tuple) and batch
                    and batches.is_array(batch[0])):
                argument_validation.check_batch_range(
                    batch[0], f"{name} (batch {number})", self.image_shape)
            yield batch

    def _shuffled_batches(self, x, batch_size, kwargs, labels=None):
        """Wraps array input in batches a resumed run reads identically.

        The order of each pass over `x` is drawn from the model's seed and
        the pass number, not from global random state (see
        `keras_wgan.batches`), so `fit(..., initial_epoch=k)` on a reloaded
        checkpoint continues with the very batches an uninterrupted run
        would have used.
        """
        kwargs = dict(kwargs)
        shuffle = kwargs.get("shuffle", True)
        # The batches are shuffled already; Keras must not reorder them.
        kwargs["shuffle"] = False
        steps = kwargs.get("steps_per_epoch") or math.ceil(len(x) / batch_size)
        kwargs["steps_per_epoch"] = steps
        # Without a model seed the order is still reproducible under
        # keras.utils.set_random_seed, but not across a resume.
        seed = self.seed if self.seed is not None else np.random.randint(2**31)
        replicas, shard = backend.data_shard()
        shuffled = batches.ShuffledBatches(
            x,
            batch_size,
            seed,
            shuffle=shuffle,
            first_step=kwargs.get("initial_epoch", 0) * steps,
            labels=labels,
            parts=self.n_critic,
            replicas=replicas,
            shard=shard,
        )
        return shuffled, kwargs

    def train_step(self, *args):
        # (data) on torch and TensorFlow, (state, data) on JAX.
        return backend.run_step(self, self._train_step, *args)

    def test_step(self, *args):
        return backend.run_step(self, self._test_step, *args)

    def _train_step(self, data):
        real = self._unpack_images(data)
        critic_batches = batches.split_batch(real, self.n_critic)
        if self._frozen("critic"):
            # Its logs, computed once: each update would leave it unchanged.
            critic_batches = critic_batches[-1:]
        for real_batch in critic_batches:
            logs = self._critic_update(real_batch)
        logs.update(self._generator_update(real_batch))
        self._update_trackers(logs)
        return {m.name: m.result() for m in self.metrics}

    def _update_trackers(self, logs):
        """Adds each logged value to the tracker of the same name."""
        logs = backend.reduce_logs(logs)  # the replicas' mean
        for tracker in self._metric_trackers:
            if tracker.name in logs:
                tracker.update_state(logs[tracker.name])

    def _critic_update(self, real):
        """One critic update on `real`; returns the logged quantities."""
        noise = self.noise_for(real)
        fake = backend.no_grad(self._generate_for_critic, noise)
        variables = self.player_variables("critic")
        _, logs, grads = backend.value_and_grad(
            _scaled(self.critic_optimizer, self.critic_objective, real, fake),
            variables,
        )
        if variables:  # A frozen critic's loss is only logged.
            backend.apply_gradients(self.critic_optimizer, grads, variables)
        return dict(logs)

    def _generate_for_critic(self, noise):
        return self.generator_samples(noise, training=True)

    def critic_scores(self, x, training=True):
        """Returns `self.critic(x, training=training)`, computed fast.

        Objectives call the critic through this method. A critic that is a
        plain chain of stateless layers runs through its layers' `call`
        methods (`keras_wgan.nets.layer_chain`), skipping Keras's per-layer
        bookkeeping in eager training; any other runs as usual.

        Args:
            x: Samples `(batch, *shape)`.
            training: Passed to the critic; `False` for a frozen critic.

        Returns:
            Scores `(batch, 1)`.
        """
        training = training and not self._frozen("critic")
        return self._network_calls.get(self.critic)(x, training)

    def generator_samples(self, noise, training=True):
        """Returns `self.generator(noise, training=training)`, computed fast.

        Objectives call the generator through this method (see
        `critic_scores`).

        Args:
            noise: Latent vectors `(batch, latent_dim)`.
            training: Passed to the generator; `False` for a frozen
                generator.

        Returns:
            Samples `(batch, *shape)`, with gradients to the generator.
        """
        training = training and not self._frozen("generator")
        return self._network_calls.get(self.generator)(noise, training)

    def critic_objective(self, real, fake):
        """The critic's loss on one real and one generated batch.

        Override it to write a model. The training loop differentiates the
        returned loss with respect to the critic's weights.

        Args:
            real: Real samples `(m, *shape)`, a fresh batch at every call.
            fake: Generated samples of the same shape, without gradient to
                the generator.

        Returns:
            `(loss, logs)`: the scalar loss, and a dict of scalar tensors to
            log (each name in `metric_names`).
        """
        raise NotImplementedError

    def _generator_update(self, real):
        """One generator update after the critic's on `real`; returns logs."""
        variables = self.player_variables("generator")

        def objective():
            loss, logs = self.generator_objective(self.generator_input(real))
            return loss, {"generator_loss": loss, **logs}

        _, logs, grads = backend.value_and_grad(
            _scaled(self.generator_optimizer, objective), variables
        )
        if variables:  # A frozen generator's loss is only logged.
            backend.apply_gradients(
                self.generator_optimizer, grads, variables)
        return logs

    def player_variables(self, player):
        """Returns the weights one optimizer trains: `"critic"` or `"generator"`.

        The network's trainable weights; a model whose player is several
        networks (BiGAN's generator and encoder) returns all of theirs.
        """
        return getattr(self, player).trainable_variables

    def generator_input(self, real):
        """Returns the input of the generator update after the critic's on `real`.

        Fresh noise (`sample_noise`) of `real`'s batch size; a model whose
        generator objective also needs real samples (BiGAN's encoder)
        returns them beside it.
        """
        return self.sample_noise(batches.batch_length(real))

    def generator_objective(self, noise):
        """The generator's loss on one noise batch.

        Override it to write a model; sample with `generator_samples(noise)`
        so that the loss has gradients to the generator.

        Args:
            noise: Latent vectors `(m, latent_dim)`.

        Returns:
            `(loss, logs)`: the scalar loss (logged as `generator_loss`) and
            a dict of other scalar tensors to log.
        """
        raise NotImplementedError

    def _test_step(self, data):
        """Reports `evaluation_logs` on held-out real samples."""
        real = self._unpack_images(data)
        noise = self.noise_for(real)
        fake = self.generator_samples(noise, training=False)
        logs = self.evaluation_logs(real, fake)
        self._update_trackers(logs)
        return {name: self._metric(name).result() for name in logs}

    def evaluation_logs(self, real, fake):
        """The quantities `evaluate` and validation report for one batch.

        Args:
            real: Held-out real samples.
            fake: Generated samples of the same shape (inference mode).

        Returns:
            A dict of scalar tensors, each name in `metric_names`.
        """
        raise NotImplementedError

    def _unpack_images(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is not None:
            raise ValueError(
                "the dataset must yield images only: "
                f"{type(self).__name__} is unconditional, got (images, "
                "labels) pairs; train on them with "
                "keras_wgan.ConditionalWGANGP."
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
                f"images must be floating point, got dtype {dtype}."
            )
        return images

    # -------------------------------------------------------------- sampling

    def sample_noise(self, batch_size):
        """Returns `(batch_size, latent_dim)` noise from the model's stream."""
        # Under data parallelism, this replica's rows of the global draw.
        return distribute.replica_rows(
            lambda rows: keras.random.normal(
                (rows, self.latent_dim), seed=self.seed_generator
            ),
            batch_size,
        )

    def noise_for(self, real):
        """Returns the generator input of a fake batch to set beside `real`.

        Fresh noise for each sample of `real`; a conditional model also
        passes on `real`'s labels.
        """
        return self.sample_noise(batches.batch_length(real))

    def call(self, inputs, training=False):
        """Returns the critic's scores for `inputs`."""
        return self.critic(inputs, training=training)

    def generate(self, num_samples, seed=None, batch_size=256, raw=False):
        """Draws samples from the generator.

        Args:
            num_samples: Number of samples, an int >= 1.
            seed: Int seed for the noise, or `None` for the model's own
                random stream.
            batch_size: Samples generated per forward pass.
            raw: For a model with a moving average of its generator
                (`generator_ema`), `True` samples from the trained
                generator instead of the average; otherwise no effect.

        Returns:
            NumPy array `(num_samples, *shape)`, the critic's input shape.
        """
        num_samples = argument_validation.check_int("num_samples", num_samples)
        batch_size = argument_validation.check_int("batch_size", batch_size)
        seed = self.seed_generator if seed is None else seed
        noise = keras.random.normal((num_samples, self.latent_dim), seed=seed)
        return self.generate_from(noise, batch_size=batch_size, raw=raw)

    def generate_from(self, noise, batch_size=256, raw=False):
        """Maps latent vectors `(n, latent_dim)` to samples (float32 NumPy).

        `raw` as for `generate`.
        """
        noise = self._checked_noise(noise)
        sampler = self.sampler(raw)
        return self._generated(
            lambda start, stop: sampler(noise[start:stop]),
            noise.shape[0],
            batch_size,
        )

    def _checked_noise(self, noise):
        noise = ops.convert_to_tensor(noise, dtype="float32")
        if len(noise.shape) != 2 or noise.shape[1] != self.latent_dim:
            raise ValueError(
                f"noise must have shape (n, {self.latent_dim}), "
                f"got {tuple(noise.shape)}."
            )
        return noise

    @staticmethod
    def _generated(samples, count, batch_size):
        """Returns `samples(start, stop)` over `range(count)` as one array.

        Batches of `batch_size`, without gradients, as float32 NumPy even
        under a mixed-precision policy whose generator computes in
        (b)float16: image files, FID and plots expect float32.
        """
        batch_size = argument_validation.check_int("batch_size", batch_size)
        parts = [
            ops.convert_to_numpy(backend.no_grad(
                samples, start, min(start + batch_size, count)))
            for start in range(0, count, batch_size)
        ]
        return np.concatenate(parts, axis=0).astype("float32")

    def sampler(self, raw=False):
        """Returns the function from noise to samples that `generate` uses.

        The generator in inference mode; a model that keeps a moving average
        of its generator returns that unless `raw`.
        """
        del raw
        return lambda noise: self.generator_samples(noise, False)

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


def _loss_scaled(optimizer, player):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(
        optimizer, name=f"{player}_loss_scale_optimizer")


def _scaled(optimizer, objective, *args):
    """Returns `objective(*args)` with its loss scaled by `optimizer`.

    The loss is multiplied by the optimizer's loss scale (1 unless it is a
    `LossScaleOptimizer`, which divides the gradients by it again); the
    logs keep the unscaled values.
    """
    def scaled_objective():
        loss, logs = objective(*args)
        return optimizer.scale_loss(loss), logs
    return scaled_objective


def _is_schedule(learning_rate):
    return isinstance(
        learning_rate, keras.optimizers.schedules.LearningRateSchedule
    )
