"""`AdversarialModel`: the training step shared by every GAN in keras_wgan.

One training step (one call of `train_step`) is `n_critic` updates of the
critic (or discriminator), each on a fresh batch of real samples and fresh
noise, then one generator update. What differs between the models lives in
the public hooks a subclass overrides, listed in the class docstring; the
loop calls nothing else of a subclass. The optimizer pair and `compile`
live in `keras_wgan.models.optimizers`, what `fit` takes in
`keras_wgan.models.inputs`, and `generate` in `keras_wgan.models.sampling`.
The gradients come from `keras_wgan.backend`, so the same loop runs on
torch, JAX and TensorFlow.
"""

from __future__ import annotations

from typing import Any

import keras

from keras_wgan import argument_validation
from keras_wgan import backend
from keras_wgan.data import batches
from keras_wgan.models import inputs
from keras_wgan.models import optimizers
from keras_wgan.models import sampling
from keras_wgan.nets import layer_chain

#: A dict of scalar tensors to log, each name in `metric_names`.
Logs = dict[str, Any]


class AdversarialModel(sampling.Sampling, optimizers.TwoOptimizerModel):
    """Base class: a critic and a generator trained in alternation.

    `fit(x, batch_size=m)` draws `n_critic * m` real samples per step and
    splits them into `n_critic` critic batches of `m`; a dataset you pass
    yourself must yield batches of `n_critic * m` samples.

    A subclass sets `metric_names` and overrides public hooks, the first
    five required:

    - `critic_objective(real, fake)`, `generator_objective(noise)`: the two
      losses, each returning `(loss, logs)`;
    - `evaluation_logs(real, fake)`: what `evaluate` and validation report;
    - `default_optimizer()`, `default_loss()`: what `compile()` uses;
    - `after_critic_update(real)`, `after_generator_update(real)`: a step
      after each update (a normalisation, a moving average);
    - `critic_update(real)`, `generator_update(real)`: one whole update,
      to replace (a critic trained alone skips the generator's);
    - `sample_noise(batch_size)`, `noise_for(real)`, `generator_input(real)`:
      the generator's input for a generator update, for the fake batch
      beside a real one, and for the generator update after the critic's
      on `real` (a conditional model adds labels, a BiGAN the real batch);
    - `critic_scores(x)`, `generator_samples(noise)`: how the objectives
      call the networks (a model of pairs scores pairs);
    - `check_networks(critic, generator, latent_dim)`, `networks()`,
      `player_variables(player)`: which networks there are and which
      weights each optimizer trains;
    - `fit_inputs()`: what `fit` accepts (`keras_wgan.models.inputs`);
    - `sampler(raw)`: the function `generate` samples with.

    Subclasses do not override `fit` or `train_step`. A network without
    trainable weights is frozen (see `keras_wgan.models.optimizers`): with
    a frozen generator a step is the `n_critic` critic updates, and
    `generator_loss` is still logged, computed without gradients (an
    estimate of the Wasserstein distance to a fixed generator); with a
    frozen critic a step is the generator update, and the critic's logs are
    computed once, without gradients, on the last of the step's critic
    batches. `fit` raises if both are frozen.

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
    metric_names: tuple[str, ...] = ()

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int = 1,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.n_critic = argument_validation.check_int("n_critic", n_critic)
        self.image_shape, self.latent_dim = self.check_networks(
            critic, generator, latent_dim
        )
        self.seed = seed
        self.critic = critic
        self.generator = generator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._network_calls = layer_chain.NetworkCalls()
        self._step_inputs: inputs.Samples | None = None
        self._metric_trackers = [
            keras.metrics.Mean(name=name) for name in self.metric_names
        ]
        self.built = True

    def check_networks(self, critic: keras.Model, generator: keras.Model,
                       latent_dim: int | None) -> tuple[tuple[int | None, ...],
                                                        int | None]:
        """Checks that the networks fit; returns `(image_shape, latent_dim)`.

        Called by the constructor before the networks are set. A model whose
        networks take more inputs (a conditional model's labels, a BiGAN's
        codes) overrides it.
        """
        image_shape = argument_validation.model_input_shape(critic, "critic")
        argument_validation.check_scalar_output(critic, "critic")
        argument_validation.check_linear_output(critic, "critic")
        latent_dim = argument_validation.check_generator(
            generator, latent_dim, image_shape
        )
        return image_shape, latent_dim

    def networks(self) -> tuple[tuple[str, keras.Model], ...]:
        """Returns `(name, network)` for each network, `name` its attribute.

        The critic and the generator; a model with more networks (BiGAN's
        encoder, CycleGAN's inverse pair, a moving average of the
        generator) adds them. `compile` records which are frozen.
        """
        return (("critic", self.critic), ("generator", self.generator))

    def metric_tracker(self, name: str) -> keras.metrics.Mean:
        """Returns the `Mean` tracker logging `name`."""
        for tracker in self._metric_trackers:
            if tracker.name == name:
                return tracker
        raise KeyError(name)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self._metric_trackers)

    # ------------------------------------------------------------------- fit

    def fit_inputs(self) -> inputs.Samples:
        """Returns what turns `fit`'s input into the step's real samples.

        `keras_wgan.models.inputs.Samples` of this model: samples alone. A
        model trained on other data (labelled images, two domains) returns
        its own subclass.
        """
        return inputs.Samples(self)

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None,
            **kwargs: Any) -> keras.callbacks.History:
        """Trains the model; one step is one generator iteration.

        Args:
            x: Real samples: an array `(N, *shape)` (images in `[-1, 1]`
                for an image critic), or a dataset/generator yielding
                batches of `n_critic * m` samples (each step splits its
                batch into `n_critic` critic batches). A Python generator
                may yield a bare array or a tuple `(batch,)`; each batch
                it yields gets the `[-1, 1]` check of `x`.
            y: `None` for an unconditional model. The class labels `(N,)`
                of array `x` for `keras_wgan.ConditionalWGANGP`, the images
                of the second domain for `keras_wgan.CycleGAN`.
            batch_size: Critic batch size `m` for array input (default 64);
                each step draws `n_critic * m` samples.
            **kwargs: Passed to `keras.Model.fit` (`epochs`, `callbacks`,
                `validation_data`, ...). Validation data gets the checks of
                `x`: an array all of them, once; a Python generator's
                batches the `[-1, 1]` range, as they come.

        Returns:
            A `keras.callbacks.History`.

        Example:

        ```python
        gan.fit(images, batch_size=64, epochs=5, validation_data=held_out)
        ```
        """
        self._step_inputs = self.fit_inputs()
        x, batch_size, kwargs = self._step_inputs.prepare(
            x, y, batch_size, kwargs)
        self.check_trainable()
        # Layers may have changed since the last run (dtype policy,
        # quantization): decide afresh which network runs directly.
        self._network_calls.clear()
        optimizer = getattr(self.optimizer, "variables", [])
        # Equal on every data-parallel replica before the first step.
        replicated = {id(v): v for v in self.variables + optimizer}
        backend.synchronize(list(replicated.values()))
        return super().fit(x, batch_size=batch_size, **kwargs)

    # ------------------------------------------------------------------ step

    def train_step(self, *args: Any) -> Logs:
        # (data) on torch and TensorFlow, (state, data) on JAX.
        return backend.run_step(self, self._train_step, *args)

    def test_step(self, *args: Any) -> Logs:
        return backend.run_step(self, self._test_step, *args)

    def _unpack(self, data: Any) -> Any:
        if self._step_inputs is None:  # evaluate before any fit
            self._step_inputs = self.fit_inputs()
        return self._step_inputs.unpack(data)

    def _train_step(self, data: Any) -> Logs:
        real = self._unpack(data)
        critic_batches = batches.split_batch(real, self.n_critic)
        if self.is_frozen("critic"):
            # Its logs, computed once: each update would leave it unchanged.
            critic_batches = critic_batches[-1:]
        for real_batch in critic_batches:
            logs = self.critic_update(real_batch)
        logs.update(self.generator_update(real_batch))
        self._update_trackers(logs)
        return {m.name: m.result() for m in self.metrics}

    def _update_trackers(self, logs: Logs) -> None:
        """Adds each logged value to the tracker of the same name."""
        logs = backend.reduce_logs(logs)  # the replicas' mean
        for tracker in self._metric_trackers:
            if tracker.name in logs:
                tracker.update_state(logs[tracker.name])

    def critic_update(self, real: Any) -> Logs:
        """One critic update on a fresh real batch; returns its logs.

        Fresh noise (`noise_for`), a fake batch without gradients, the
        gradient of `critic_objective` applied by the critic's optimizer
        (skipped for a frozen critic), then `after_critic_update(real)`.
        """
        noise = self.noise_for(real)
        fake = backend.no_grad(self.generator_samples, noise, True)
        variables = self.player_variables("critic")
        _, logs, grads = backend.value_and_grad(
            optimizers.scaled_objective(
                self.critic_optimizer, self.critic_objective, real, fake),
            variables,
        )
        if variables:  # A frozen critic's loss is only logged.
            backend.apply_gradients(self.critic_optimizer, grads, variables)
        self.after_critic_update(real)
        return dict(logs)

    def after_critic_update(self, real: Any) -> None:
        """Runs after each critic update (also a frozen critic's); no-op.

        Override it for a step of its own after the optimizer's, e.g. a
        normalisation of the critic's weights (`keras_wgan.WGANSN`).

        Args:
            real: The real batch of the update.
        """
        del real

    def generator_update(self, real: Any) -> Logs:
        """One generator update after the critic's on `real`; returns logs.

        The gradient of `generator_objective(generator_input(real))`
        applied by the generator's optimizer (skipped for a frozen
        generator, whose loss is still logged), then
        `after_generator_update(real)`. A model that trains the critic alone
        overrides it to return `{}`.
        """
        variables = self.player_variables("generator")

        def objective() -> tuple[Any, Logs]:
            loss, logs = self.generator_objective(self.generator_input(real))
            return loss, {"generator_loss": loss, **logs}

        _, logs, grads = backend.value_and_grad(
            optimizers.scaled_objective(self.generator_optimizer, objective),
            variables,
        )
        if variables:  # A frozen generator's loss is only logged.
            backend.apply_gradients(
                self.generator_optimizer, grads, variables)
        self.after_generator_update(real)
        return logs

    def after_generator_update(self, real: Any) -> None:
        """Runs after each generator update (also a frozen one's); no-op.

        Override it for a step of its own after the optimizer's, e.g. a
        moving average of the generator's weights (`generator_ema` of
        `keras_wgan.WassersteinGAN`).

        Args:
            real: The last critic batch of the step.
        """
        del real

    def _test_step(self, data: Any) -> Logs:
        """Reports `evaluation_logs` on held-out real samples."""
        real = self._unpack(data)
        noise = self.noise_for(real)
        fake = self.generator_samples(noise, training=False)
        logs = self.evaluation_logs(real, fake)
        self._update_trackers(logs)
        return {name: self.metric_tracker(name).result() for name in logs}

    # ------------------------------------------------------------ objectives

    def critic_objective(self, real: Any, fake: Any) -> tuple[Any, Logs]:
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

    def generator_objective(self, noise: Any) -> tuple[Any, Logs]:
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

    def evaluation_logs(self, real: Any, fake: Any) -> Logs:
        """The quantities `evaluate` and validation report for one batch.

        Args:
            real: Held-out real samples.
            fake: Generated samples of the same shape (inference mode).

        Returns:
            A dict of scalar tensors, each name in `metric_names`.
        """
        raise NotImplementedError

    def player_variables(self, player: str) -> list[keras.Variable]:
        """Returns the weights one optimizer trains: `"critic"` or `"generator"`.

        The network's trainable weights; a model whose player is several
        networks (BiGAN's generator and encoder) returns all of theirs.
        """
        return getattr(self, player).trainable_variables

    # -------------------------------------------------------------- networks

    def call_network(self, name: str, inputs: Any,
                     training: bool = True) -> Any:
        """Returns `network(inputs, training=training)`, computed fast.

        A network that is a plain chain of stateless layers runs through its
        layers' `call` methods (`keras_wgan.nets.layer_chain`), skipping
        Keras's per-layer bookkeeping in eager training; any other runs as
        usual. A frozen network runs in inference mode.

        Args:
            name: A name of `networks()`, the attribute holding the network.
            inputs: The network's input.
            training: Whether the network runs in training mode.

        Returns:
            The network's output.
        """
        training = training and not self.is_frozen(name)
        return self._network_calls.get(getattr(self, name))(inputs, training)

    def critic_scores(self, x: Any, training: bool = True) -> Any:
        """Returns the critic's scores `(batch, 1)` of samples `x`, fast.

        Objectives call the critic through this method (`call_network`).
        """
        return self.call_network("critic", x, training)

    def generator_samples(self, noise: Any, training: bool = True) -> Any:
        """Returns the generator's samples of `noise`, computed fast.

        Objectives call the generator through this method (`call_network`),
        so that their losses have gradients to the generator.
        """
        return self.call_network("generator", noise, training)

    def call(self, inputs: Any, training: bool = False) -> Any:
        """Returns the critic's scores for `inputs`."""
        return self.critic(inputs, training=training)

    # ---------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
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
    def from_config(cls, config: dict[str, Any]) -> AdversarialModel:
        config = dict(config)
        for key in ("critic", "generator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
