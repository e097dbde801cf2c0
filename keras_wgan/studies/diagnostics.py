"""Critic diagnostics: value surfaces, per-layer gradient norms, weights.

These are the three quantities of Figure 1 of Gulrajani et al. (2017),
"Improved Training of Wasserstein GANs": (a) the critic's value over the
plane with real and generated points, (b, left) the norm of the critic
loss's gradient at each layer, which explodes or vanishes under weight
clipping and not under the gradient penalty, (b, right) the distribution
of the critic's weights, which piles up at `+-c` under clipping
(`GradientNormHistory` records the norms during `fit`). The critics of the
value surfaces are trained by `keras_wgan.studies.fixed_generator`. The
gradients come from `keras_wgan.backend`, so every function runs on torch,
JAX and TensorFlow.
"""

from typing import Any

import keras
import numpy as np
from keras import ops

from keras_wgan import backend
from keras_wgan import argument_validation
from keras_wgan.losses import wasserstein_estimate
from keras_wgan.tensor_types import ArrayLike


def critic_values(critic: keras.Model, points: ArrayLike,
                  batch_size: int = 4096) -> np.ndarray:
    """Returns the critic's scores for `points` as a NumPy vector.

    Args:
        critic: A critic mapping `(batch, *shape)` to `(batch, 1)`.
        points: Array `(n, *shape)`.
        batch_size: Points scored per forward pass.

    Returns:
        float32 array of shape `(n,)`.

    Example:

    A linear critic `3 x + 4 y`:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[3.0], [4.0]]), np.zeros(1)])
    >>> critic_values(critic, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).tolist()
    [3.0, 4.0, 7.0]
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


def critic_surface(critic: keras.Model,
                   x_range: tuple[float, float] = (-2.0, 2.0),
                   y_range: tuple[float, float] | None = None,
                   resolution: int = 100
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[3.0], [4.0]]), np.zeros(1)])
    >>> xs, ys, values = critic_surface(critic, (-2, 2), resolution=5)
    >>> values.shape, float(values[4, 0])  # at (x, y) = (-2, 2): -6 + 8
    ((5, 5), 2.0)
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


def dense_layers(critic: keras.Model) -> list[keras.Layer]:
    """Returns the critic's layers that hold a kernel, input to output.

    Models nested in the critic are searched through the public
    `Model.layers`, in their order. A custom layer (not a `keras.Model`)
    counts by its own `kernel`: Keras has no public list of a plain
    layer's sublayers to search further.

    Args:
        critic: A `keras.Model`.

    Returns:
        A list of layers.

    Example:

    >>> critic = keras_wgan.studies.toy.toy_critic(2, width=8, depth=2)
    >>> [layer.name for layer in dense_layers(critic)]
    ['hidden_0', 'hidden_1', 'score']
    """
    return [
        layer
        for layer in _leaf_layers(critic)
        if getattr(layer, "kernel", None) is not None
    ]


def _leaf_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


def layer_gradient_norms(critic: keras.Model, real: ArrayLike,
                         fake: ArrayLike) -> dict[str, float]:
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

    For a linear critic `w . x + b` the loss's gradient is `mean(fake) -
    mean(real)` for `w` and 0 for `b`:

    >>> critic = keras.Sequential([keras.Input((2,)),
    ...                            keras.layers.Dense(1, name="score")])
    >>> real, fake = np.zeros((4, 2)), np.full((4, 2), [3.0, 4.0])
    >>> layer_gradient_norms(critic, real, fake)
    {'score': 5.0}
    """
    layers = dense_layers(critic)
    if not layers:
        raise ValueError("critic has no layer with a kernel (e.g. Dense).")
    real = ops.convert_to_tensor(np.asarray(real, dtype="float32"))
    fake = ops.convert_to_tensor(np.asarray(fake, dtype="float32"))

    def loss_fn():
        fake_scores = critic(fake, training=False)
        real_scores = critic(real, training=False)
        return -wasserstein_estimate(real_scores, fake_scores), {}

    variables = [v for layer in layers for v in layer.trainable_variables]
    _, _, grads = backend.value_and_grad(loss_fn, variables)
    squares = iter(float(np.sum(ops.convert_to_numpy(g) ** 2)) for g in grads)
    return {
        layer.name: float(
            np.sqrt(sum(next(squares) for _ in layer.trainable_variables))
        )
        for layer in layers
    }


def input_gradient_norms(critic: keras.Model, points: ArrayLike,
                         batch_size: int = 256) -> np.ndarray:
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

    A linear critic `3 x + 4 y` has the gradient `(3, 4)` everywhere:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[3.0], [4.0]]), np.zeros(1)])
    >>> points = np.random.default_rng(0).normal(size=(3, 2))
    >>> input_gradient_norms(critic, points).tolist()
    [5.0, 5.0, 5.0]
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


def critic_weights(critic: keras.Model) -> np.ndarray:
    """Returns every kernel entry of the critic as one vector (Fig. 1b, right).

    Biases are left out: the figure is about the weight matrices, whose
    entries clipping drives to `+-c`.

    Args:
        critic: A `keras.Model`.

    Returns:
        float32 array of shape `(number of kernel entries,)`.

    Example:

    >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> critic.set_weights([np.array([[3.0], [4.0]]), np.ones(1)])
    >>> critic_weights(critic).tolist()  # the kernel, not the bias
    [3.0, 4.0]
    """
    return np.concatenate(
        [
            ops.convert_to_numpy(layer.kernel).reshape(-1)
            for layer in dense_layers(critic)
        ]
    ).astype("float32")


def wasserstein_1d(a: ArrayLike, b: ArrayLike) -> float:
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

    def __init__(self, real: ArrayLike, every: int = 1, seed: int = 0) -> None:
        super().__init__()
        self.real = np.asarray(real, dtype="float32")
        self.every = argument_validation.check_int("every", every)
        self.seed = seed
        self.epochs: list[int] = []
        self.norms: dict[str, list[float]] = {}

    def _record(self, epoch):
        fake = self.model.generate(len(self.real), seed=self.seed)
        norms = layer_gradient_norms(self.model.critic, self.real, fake)
        for name, value in norms.items():
            self.norms.setdefault(name, []).append(value)
        self.epochs.append(epoch)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.epochs:
            self._record(0)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if (epoch + 1) % self.every == 0:
            self._record(epoch + 1)
