"""Critic diagnostics: value surfaces, per-layer gradient norms, weights.

These are the three quantities of Figure 1 of Gulrajani et al. (2017),
"Improved Training of Wasserstein GANs": (a) the critic's value over the
plane with real and generated points, (b, left) the norm of the critic
loss's gradient at each layer, which explodes or vanishes under weight
clipping and not under the gradient penalty, (b, right) the distribution
of the critic's weights, which piles up at `+-c` under clipping. `FixedGeneratorCritic`
trains a critic alone against the paper's fixed generator (real data plus
Gaussian noise), the set-up of the value surfaces. The gradients come from
`keras_wgan.backend`, so every function runs on torch, JAX and TensorFlow.
"""

import keras
import numpy as np
from keras import ops

from keras_wgan import backend
from keras_wgan import argument_validation
from keras_wgan.constraints import ClipConstraint
from keras_wgan.penalty import gradient_penalty


def critic_values(critic, points, batch_size=4096):
    """Returns the critic's scores for `points` as a NumPy vector.

    Args:
        critic: A critic mapping `(batch, *shape)` to `(batch, 1)`.
        points: Array `(n, *shape)`.
        batch_size: Points scored per forward pass.

    Returns:
        float32 array of shape `(n,)`.

    Example:

    >>> critic_values(critic, np.zeros((3, 2), "float32")).shape
    (3,)
    """
    batch_size = argument_validation.check_int("batch_size", batch_size)
    points = np.asarray(points, dtype="float32")
    parts = [
        ops.convert_to_numpy(
            backend.no_grad(critic, points[start : start + batch_size])
        ).reshape(-1)
        for start in range(0, len(points), batch_size)
    ]
    return np.concatenate(parts).astype("float32")


def critic_surface(critic, x_range=(-2.0, 2.0), y_range=None, resolution=100):
    """Evaluates a 2D critic on a regular grid (WGAN-GP Fig. 1a).

    Args:
        critic: A critic taking points of shape `(batch, 2)`.
        x_range: `(low, high)` of the first coordinate.
        y_range: `(low, high)` of the second coordinate; `x_range` if `None`.
        resolution: Grid points along each axis, an int >= 2.

    Returns:
        `(xs, ys, values)`: the grid coordinates, each of shape
        `(resolution,)`, and the scores, shape `(resolution, resolution)`
        with `values[i, j]` the score at `(xs[j], ys[i])` (the layout
        `matplotlib`'s `contourf(xs, ys, values)` expects).

    Example:

    >>> xs, ys, values = critic_surface(critic, (-2, 2), resolution=50)
    >>> values.shape
    (50, 50)
    """
    resolution = argument_validation.check_int("resolution", resolution, minimum=2)
    y_range = x_range if y_range is None else y_range
    for name, bounds in (("x_range", x_range), ("y_range", y_range)):
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ValueError(
                f"{name} must be a pair (low, high) with low < high, "
                f"got {bounds!r}."
            )
    xs = np.linspace(*x_range, resolution, dtype="float32")
    ys = np.linspace(*y_range, resolution, dtype="float32")
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    values = critic_values(critic, points).reshape(resolution, resolution)
    return xs, ys, values


def dense_layers(critic):
    """Returns the critic's layers that hold a kernel, input to output."""
    return [
        layer
        for layer in critic._flatten_layers(include_self=False)
        if getattr(layer, "kernel", None) is not None
    ]


def layer_gradient_norms(critic, real, fake):
    """Returns the critic loss's gradient norm at each layer (Fig. 1b, left).

    The loss is the Wasserstein critic loss `mean D(fake) - mean D(real)`
    (without a penalty term, so that critics trained with clipping and with
    a penalty are compared on the same quantity). For each layer with a
    kernel, the norm is the L2 norm of the gradient with respect to all of
    that layer's trainable weights (kernel and bias together).

    Args:
        critic: A critic mapping `(batch, *shape)` to `(batch, 1)`.
        real: Real samples `(n, *shape)`.
        fake: Generated samples `(m, *shape)`.

    Returns:
        A dict `{layer name: norm}` in layer order, norms as Python floats.

    Example:

    >>> norms = layer_gradient_norms(gan.critic, real, gan.generate(256))
    """
    layers = dense_layers(critic)
    if not layers:
        raise ValueError("critic has no layer with a kernel (e.g. Dense).")
    real = ops.convert_to_tensor(np.asarray(real, dtype="float32"))
    fake = ops.convert_to_tensor(np.asarray(fake, dtype="float32"))

    def loss_fn():
        loss = ops.mean(critic(fake, training=False)) - ops.mean(
            critic(real, training=False)
        )
        return loss, {}

    variables = [v for layer in layers for v in layer.trainable_variables]
    _, _, grads = backend.value_and_grad(loss_fn, variables)
    squares = iter(float(np.sum(ops.convert_to_numpy(g) ** 2)) for g in grads)
    return {
        layer.name: float(
            np.sqrt(sum(next(squares) for _ in layer.trainable_variables))
        )
        for layer in layers
    }


def input_gradient_norms(critic, points, batch_size=256):
    """Returns the norm of the critic's gradient at each point, `|grad_x D(x)|`.

    An optimal critic has gradient norm 1 almost everywhere between the
    real and the generated distribution (Gulrajani et al., 2017,
    Proposition 1), which is what the gradient penalty pushes towards; a
    clipped critic's norm is set by the clip value and the architecture
    instead. Evaluate it at the penalty's points, `a * real + (1 - a) *
    fake` with `a ~ U[0, 1]` per sample, to see how close a critic comes.

    Args:
        critic: A critic mapping `(batch, *shape)` to `(batch, 1)`.
        points: Array `(n, *shape)`.
        batch_size: Points per forward and backward pass, an int >= 1.

    Returns:
        float32 array `(n,)`, the L2 norm over all of each point's entries.

    Example:

    >>> a = np.random.uniform(size=(256, 1, 1, 1)).astype("float32")
    >>> norms = input_gradient_norms(gan.critic, a * real + (1 - a) * fake)
    """
    batch_size = argument_validation.check_int("batch_size", batch_size)
    points = np.asarray(points, dtype="float32")
    if points.ndim < 2 or len(points) == 0:
        raise ValueError(
            f"points must have shape (n, ...) with n >= 1, got {points.shape}."
        )
    norms = []
    for start in range(0, len(points), batch_size):
        batch = ops.convert_to_tensor(points[start : start + batch_size])
        grads = ops.convert_to_numpy(
            backend.input_gradient(
                lambda x: critic(x, training=False), batch
            )
        )
        norms.append(np.sqrt(np.sum(
            grads.reshape(len(grads), -1).astype("float64") ** 2, axis=1)))
    return np.concatenate(norms).astype("float32")


def critic_weights(critic):
    """Returns every kernel entry of the critic as one vector (Fig. 1b, right).

    Biases are left out: the figure is about the weight matrices, whose
    entries clipping drives to `+-c`.

    Args:
        critic: A `keras.Model`.

    Returns:
        float32 array of shape `(number of kernel entries,)`.

    Example:

    >>> np.mean(np.isclose(np.abs(critic_weights(gan.critic)), 0.01))
    """
    return np.concatenate(
        [
            ops.convert_to_numpy(layer.kernel).reshape(-1)
            for layer in dense_layers(critic)
        ]
    ).astype("float32")


def wasserstein_1d(a, b):
    """Returns the exact W1 distance between two equal-size 1D samples.

    For empirical distributions with `n` points each, the optimal transport
    pairs the sorted samples, so `W1 = mean |sort(a) - sort(b)|`.

    Args:
        a: Array of `n` numbers (any shape; it is flattened).
        b: Array of `n` numbers.

    Returns:
        Python float.

    Example:

    >>> wasserstein_1d([0.0, 1.0], [3.0, 4.0])
    3.0
    """
    a = np.sort(np.asarray(a, dtype="float64").ravel())
    b = np.sort(np.asarray(b, dtype="float64").ravel())
    if a.shape != b.shape or a.size == 0:
        raise ValueError(
            "a and b must hold the same number (>= 1) of values, got "
            f"{a.size} and {b.size}."
        )
    return float(np.mean(np.abs(a - b)))


class GradientNormHistory(keras.callbacks.Callback):
    """Records `layer_gradient_norms` of the critic at the end of epochs.

    At the start of training and after every `every` epochs, it scores the
    fixed `real` samples against samples generated from a fixed noise seed
    and appends each layer's gradient norm. (Epoch ends are where every
    backend has written the trained weights back to the model: the JAX
    trainer keeps them in its own state during an epoch.)

    Args:
        real: Real samples `(n, *shape)` used at every record.
        every: Record every `every` epochs, an int >= 1.
        seed: Int seed of the generator noise, the same at every record.

    Attributes:
        epochs: The epoch counts at which norms were recorded (0 = before
            training).
        norms: Dict `{layer name: [norm at each record]}`.

    Example:

    ```python
    history = GradientNormHistory(toy.swiss_roll(256, seed=0))
    gan.fit(data, batch_size=64, epochs=20, callbacks=[history])
    history.norms  # {"hidden_0": [...], ..., "score": [...]}
    ```
    """

    def __init__(self, real, every=1, seed=0):
        super().__init__()
        self.real = np.asarray(real, dtype="float32")
        self.every = argument_validation.check_int("every", every)
        self.seed = seed
        self.epochs = []
        self.norms = {}

    def _record(self, epoch):
        fake = self.model.generate(len(self.real), seed=self.seed)
        norms = layer_gradient_norms(self.model.critic, self.real, fake)
        for name, value in norms.items():
            self.norms.setdefault(name, []).append(value)
        self.epochs.append(epoch)

    def on_train_begin(self, logs=None):
        if not self.epochs:
            self._record(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._record(epoch + 1)


class FixedGeneratorCritic(keras.Model):
    """Trains a critic alone against a fixed "generator": real data + noise.

    The value surfaces of Fig. 1a of Gulrajani et al. (2017) are those of
    critics trained to optimality while the generator is held fixed at the
    real data plus Gaussian noise (`FIXED_GENERATOR` in the paper's released
    toy code): each step draws a real batch `x`, makes the fake batch
    `x + noise_std * N(0, I)`, and takes one optimizer step on the
    Wasserstein critic loss `mean D(fake) - mean D(real)`, with either the
    gradient penalty or weight clipping. Without a moving generator the
    critic's optimum stays put, so its shape is that of the constraint and
    not of a training trajectory.

    Compile with an optimizer and train with `fit(real_samples,
    batch_size=m)`; the model logs `critic_loss` and
    `wasserstein_estimate` (`mean D(real) - mean D(fake)`, the W1 estimate
    up to the constraint's scale). The critic is trained in place.

    Args:
        critic: A built `keras.Model` mapping `(batch, *shape)` to
            `(batch, 1)`.
        gp_weight: Weight of the gradient penalty, `> 0`; or `None`.
        clip_value: Clip every critic weight to `[-clip_value, clip_value]`
            after each update; or `None`. Exactly one of `gp_weight` and
            `clip_value` must be given.
        noise_std: Standard deviation of the noise added to real samples to
            make the fakes (the paper's toy code: 1).
        seed: Int seed for the noise and the penalty's interpolation.
        **kwargs: Passed to `keras.Model`.

    Example:

    ```python
    trainer = FixedGeneratorCritic(toy.toy_critic(2), gp_weight=10.0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9))
    trainer.fit(toy.swiss_roll(256 * 500, seed=0), batch_size=256)
    xs, ys, values = critic_surface(trainer.critic, (-2.5, 2.5))
    ```
    """

    def __init__(
        self,
        critic,
        gp_weight=None,
        clip_value=None,
        noise_std=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if (gp_weight is None) == (clip_value is None):
            raise ValueError(
                "pass exactly one of gp_weight and clip_value, got "
                f"gp_weight={gp_weight!r}, clip_value={clip_value!r}."
            )
        if gp_weight is not None:
            gp_weight = argument_validation.check_float(
                "gp_weight", gp_weight, inclusive=False
            )
        else:
            constraint = ClipConstraint(clip_value)
            for variable in critic.trainable_variables:
                variable.constraint = constraint
        self.critic = critic
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.noise_std = argument_validation.check_float("noise_std", noise_std)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._trackers = [
            keras.metrics.Mean(name="critic_loss"),
            keras.metrics.Mean(name="wasserstein_estimate"),
        ]
        self.built = True

    @property
    def metrics(self):
        return list(self._trackers)

    def call(self, inputs, training=False):
        """Returns the critic's scores for `inputs`."""
        return self.critic(inputs, training=training)

    def train_step(self, *args):
        # (data) on torch and TensorFlow, (state, data) on JAX.
        return backend.run_step(self, self._train_step, *args)

    def _train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        noise = keras.random.normal(ops.shape(real), seed=self.seed_generator)
        fake = real + self.noise_std * noise

        def loss_fn():
            estimate = ops.mean(self.critic(real, training=True)) - ops.mean(
                self.critic(fake, training=True)
            )
            loss = -estimate
            if self.gp_weight is not None:
                loss = loss + self.gp_weight * gradient_penalty(
                    self.critic, real, fake, seed=self.seed_generator
                )
            return loss, {"wasserstein_estimate": estimate}

        variables = self.critic.trainable_variables
        loss, logs, grads = backend.value_and_grad(loss_fn, variables)
        # Applies the clipping constraint too, where there is one.
        self.optimizer.apply(grads, variables)
        self._trackers[0].update_state(loss)
        self._trackers[1].update_state(logs["wasserstein_estimate"])
        return {m.name: m.result() for m in self._trackers}
