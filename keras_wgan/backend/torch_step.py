"""A fused train step for `WGAN` and `WGANGP` on the PyTorch backend.

The plain step (`keras_wgan.models`) is written once with `keras.ops` for
every backend. Run eagerly on torch, each of its operations pays Keras's
dispatch: argument conversion and dtype checks in every `keras.ops` call,
`Loss.__call__`'s reduction machinery, a new `torch.Generator` and a
`SeedGenerator` update through `keras.ops` for every random draw, and the
`kernel` property of every layer. For networks small enough that the
operators themselves are cheap (the toy MLPs, MNIST at width 16) that
overhead is most of a generator iteration.

`FusedWassersteinStep` runs the same updates in plain torch calls:

- the networks through their layers in order, with each `Dense` as one
  `addmm` on its own weights and Keras's stock activations as the torch
  functions Keras calls for them (other layers: the fused convolutions of
  `keras_wgan.backend.torch`, or the layer's own `call`);
- the critic's real and fake batches in one batched pass (the chain's
  layers are per-sample, so the scores are the same); the penalty's
  interpolates in a pass of their own, whose input gradient is then not
  computed over the real and fake rows too;
- the model's noise and interpolation weights drawn from its own
  `SeedGenerator` exactly as `keras.random.normal` and
  `keras.random.uniform` draw them on torch (the same seeds, the same
  `torch.normal`/`torch.rand` calls), so the two paths draw the same
  numbers and the model's random stream continues identically;
- the Wasserstein loss as `sum(-y * D) / m`, as `WassersteinLoss` reduces
  it; the updates through the model's own optimizers (`optimizer.apply`,
  constraints and schedules included; for a Keras `Adam` whose `apply`
  does nothing but its update, that update alone,
  `keras_wgan.backend.torch_adam`).

It is used only where the result is the plain step's to float rounding:
the model is exactly `WGAN` or `WGANGP` (no overridden objective), its
loss is a stock `WassersteinLoss`, the critic is a plain chain that
`keras_wgan.nets.layer_chain` runs directly, in float32 (the generator may
be any network: one that is not a chain runs through `generator_samples`,
as in the plain step), both networks train, the
optimizers scale no loss, there is one replica and the step is not
compiled. Anything else trains through the plain step. A test trains
both ways and compares losses and weights.

`compile(fused_step=False)` switches it off.
"""

from typing import Any
from typing import Callable
from typing import Optional

import keras
import torch

from keras_wgan.backend import torch as torch_backend
from keras_wgan.backend import torch_distributed
from keras_wgan.backend.torch_adam import AdamUpdate
from keras_wgan.nets import layer_chain
from keras_wgan.penalty import NORM_EPSILON

_EXACT_ACTIVATIONS = {
    keras.activations.relu: torch.relu,
    keras.activations.tanh: torch.tanh,
    keras.activations.linear: None,
}


def fused_step(model: Any) -> Optional["FusedWassersteinStep"]:
    """Returns a `FusedWassersteinStep` for `model`, or `None`.

    Args:
        model: A compiled `keras_wgan.WGAN` or `keras_wgan.WGANGP`.

    Returns:
        The fused step, or `None` when the model does not qualify (see
        the module docstring); train through the plain step then.
    """
    from keras_wgan.losses import WassersteinLoss
    from keras_wgan.models.wasserstein import WGAN
    from keras_wgan.models.wasserstein import WGANGP

    if type(model) not in (WGAN, WGANGP) or model.jit_compile:
        return None
    loss = model.loss_fn
    if (type(loss) is not WassersteinLoss
            or loss.reduction != "sum_over_batch_size"
            or keras.backend.standardize_dtype(loss.dtype) != "float32"):
        return None
    if torch_distributed.replica_count() != 1:
        return None
    for optimizer in (model.critic_optimizer, model.generator_optimizer):
        if (isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
                or getattr(optimizer, "loss_scale_factor", None) is not None):
            return None
    critic_variables = model.player_variables("critic")
    generator_variables = model.player_variables("generator")
    if not critic_variables or not generator_variables:
        return None  # a frozen network: the plain step's special cases
    critic = chain_forward(model.critic)
    if critic is None:
        return None
    # Any generator (BatchNorm included) runs; a chain runs faster.
    generator = chain_forward(model.generator) or model.generator_samples
    gp_weight = float(model.gp_weight) if type(model) is WGANGP else None
    return FusedWassersteinStep(model, critic, generator, gp_weight)


def chain_forward(network: Any) -> Optional[Callable[..., Any]]:
    """Returns `fn(x)` computing `network(x)` in plain torch calls, or `None`.

    Only for a network `layer_chain.direct_forward` runs directly, every
    layer computing in float32.

    Args:
        network: A `keras.Model`.

    Returns:
        A function of a float32 torch tensor, or `None`.
    """
    if layer_chain.direct_forward(network) is None:
        return None
    layers = [layer for layer in network.layers
              if not isinstance(layer, keras.layers.InputLayer)]
    if any(layer.compute_dtype != "float32" for layer in layers):
        return None
    return _Chain(layers, tuple(network.inputs[0].shape))


class _Chain:
    """A network's layers as plain torch calls (see `chain_forward`).

    Keras's `Conv2D`/`Conv2DTranspose` keep their kernels in Keras's
    layout, which torch reads only after a copy. The copy is made once per
    weight version where no weight gradient is taken (the generator in the
    critic updates, the critic in the generator update), and once per
    update where it is (shared by that update's passes); `end_update`
    drops the latter after the update.
    """

    def __init__(self, layers, shape):
        self.kernels = []
        self.track = True
        self.calls = []
        for layer in layers:
            call = None
            if type(layer) in (keras.layers.Conv2D,
                               keras.layers.Conv2DTranspose):
                kernel = _CachedKernel(self, layer.kernel)
                call = torch_backend.fused_conv_call(layer, shape, kernel)
                if call is not None:
                    self.kernels.append(kernel)
            call = call or _layer_call(layer, shape)
            if call is not _IDENTITY:
                self.calls.append(call)
            shape = tuple(layer.compute_output_shape(shape))

    def __call__(self, x):
        for call in self.calls:
            x = call(x)
        return x

    def end_update(self):
        for kernel in self.kernels:
            kernel.live = None


class _CachedKernel:
    """A Keras kernel in torch's layout (`keras_kernel_as_torch`).

    Without weight gradients, one detached copy per version of the weight
    (`Tensor._version` counts the in-place updates of the optimizer and of
    `assign`); with them, one copy per update, in the update's graph.
    """

    def __init__(self, chain, variable):
        self.chain = chain
        self.param = variable.value
        self.live = None
        self.frozen = None
        self.frozen_version = None

    def __call__(self):
        if self.chain.track and torch.is_grad_enabled():
            if self.live is None:
                self.live = torch_backend.keras_kernel_as_torch(self.param)
            return self.live
        version = self.param._version
        if self.frozen is None or self.frozen_version != version:
            with torch.no_grad():
                self.frozen = torch_backend.keras_kernel_as_torch(self.param)
            self.frozen_version = version
        return self.frozen


def _IDENTITY(x):
    return x


def _layer_call(layer, input_shape):
    """`layer.call` as plain torch calls where that is exact, else the
    backend's fused call or the layer's own `call`."""
    kind = type(layer)
    if kind is keras.layers.Dense and len(input_shape) == 2 and not getattr(
            layer, "lora_enabled", False):
        activation = _activation(layer.activation)
        if activation is not False:
            return _dense(layer, activation)
    if kind is keras.layers.Activation:
        activation = _activation(layer.activation)
        if activation is not False:
            return activation or _IDENTITY
    if (kind is keras.layers.ReLU and layer.max_value is None
            and layer.negative_slope == 0 and layer.threshold == 0):
        return torch.relu
    if kind is keras.layers.LeakyReLU:
        slope = float(layer.negative_slope)
        return lambda x: torch.nn.functional.leaky_relu(x, slope)
    if kind is keras.layers.Flatten and layer.data_format == "channels_last":
        return lambda x: x.reshape(x.shape[0], -1)
    if kind is keras.layers.Reshape and -1 not in tuple(layer.target_shape):
        target = tuple(layer.target_shape)
        return lambda x: x.reshape((x.shape[0],) + target)
    return torch_backend.fused_layer_call(layer, input_shape) or layer.call


def _activation(fn):
    """The torch function Keras runs for a stock activation (`None`: the
    identity), or `False` for any other."""
    for keras_fn, torch_fn in _EXACT_ACTIVATIONS.items():
        if fn is keras_fn:
            return torch_fn
    return False


def _dense(layer, activation):
    # The variables' tensors are the Parameters the optimizer updates in
    # place (Keras's torch `assign` copies into them), so they are read
    # once; `kernel` and `bias` are properties with checks on each read.
    kernel = layer.kernel.value
    bias = layer.bias.value if layer.use_bias else None

    if bias is None:
        def linear(x):
            return torch.mm(x, kernel)
    else:
        def linear(x):
            return torch.addmm(bias, x, kernel)
    if activation is None:
        return linear
    return lambda x: activation(linear(x))


class FusedWassersteinStep:
    """The critic and generator updates of a `WGAN` or `WGANGP` in torch.

    Made by `fused_step`, which checks that the model qualifies.

    Args:
        model: The model.
        critic: `chain_forward(model.critic)`.
        generator: `chain_forward(model.generator)`, or the model's
            `generator_samples` for a generator that is not a chain.
        gp_weight: The penalty weight of a `WGANGP`, `None` for a `WGAN`.
    """

    def __init__(self, model: Any, critic: Any,
                 generator: Callable[..., Any],
                 gp_weight: Optional[float]) -> None:
        self.model = model
        self.critic = critic
        self.generator = generator
        self.gp_weight = gp_weight
        self.latent_dim = model.latent_dim
        self.critic_variables = list(model.player_variables("critic"))
        self.generator_variables = list(model.player_variables("generator"))
        self._critic_params = [v.value for v in self.critic_variables]
        self._generator_params = [v.value for v in self.generator_variables]
        self._seed_state = model.seed_generator.state.value
        self._increment = torch.tensor(
            [0, 1], dtype=self._seed_state.dtype,
            device=self._seed_state.device)
        self._torch_generator = torch.Generator(
            device=self._seed_state.device)
        # Per optimizer (the key holds it): its AdamUpdate, or False where
        # apply does more than the update.
        self._updates: dict[Any, Any] = {}

    # ---------------------------------------------------------- randomness

    def _next_generator(self):
        # As keras.random on torch: the seed is the sum of the state's two
        # words before the draw, as uint32; the draw adds 1 to the second.
        first, second = self._seed_state.tolist()
        with torch.no_grad():
            self._seed_state.add_(self._increment)
        self._torch_generator.manual_seed((first + second) & 0xFFFFFFFF)
        return self._torch_generator

    def _normal(self, shape, like):
        return torch.normal(0.0, 1.0, size=shape,
                            generator=self._next_generator(),
                            dtype=like.dtype, device=like.device)

    def _uniform(self, shape, like):
        # keras.random.uniform's `(1 - 0) * u + 0` is `u` exactly.
        return torch.rand(size=shape, generator=self._next_generator(),
                          dtype=like.dtype, device=like.device)

    # ------------------------------------------------------------- updates

    def critic_update(self, real: Any) -> dict:
        """One critic update on the real batch `real`; returns the logs."""
        # float32, as the critic's first layer casts it in the plain step.
        if not isinstance(real, torch.Tensor):
            real = keras.ops.convert_to_tensor(real)
        real = real.to(torch.float32)
        m = real.shape[0]
        noise = self._normal((m, self.latent_dim), real)
        with torch.no_grad():
            fake = self.generator(noise)
        try:
            return self._critic_update(real, fake, m)
        finally:
            self.critic.end_update()

    def _critic_update(self, real, fake, m):
        self.critic.track = True
        scores = self.critic(torch.cat([real, fake]))
        real_scores, fake_scores = scores[:m], scores[m:]
        # WassersteinLoss: per sample y * D, summed over the batch / m.
        loss = (-real_scores).sum() / m + fake_scores.sum() / m
        logs = {"wasserstein_estimate":
                (real_scores.mean() - fake_scores.mean()).detach()}
        if self.gp_weight is not None:
            penalty = self.gp_weight * self._penalty(real, fake)
            loss = loss + penalty
            logs["gradient_penalty"] = penalty.detach()
        logs["critic_loss"] = loss.detach()
        self._apply(self.model.critic_optimizer, loss, self._critic_params,
                    self.critic_variables)
        return logs

    def _penalty(self, real, fake):
        """`mean((||grad D(x_hat)|| - 1)^2)`, as `penalty.gradient_penalty`."""
        shape = (real.shape[0],) + (1,) * (real.dim() - 1)
        alpha = self._uniform(shape, real)
        x_hat = (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(
            self.critic(x_hat).sum(), x_hat, create_graph=True)
        axes = tuple(range(1, grad.dim()))
        norms = torch.sqrt(grad.square().sum(dim=axes) + NORM_EPSILON)
        return (norms - 1.0).square().mean()

    def generator_update(self, real: Any) -> dict:
        """One generator update after the critic's on `real`; returns logs."""
        m = real.shape[0]
        noise = self._normal((m, self.latent_dim), self._critic_params[0])
        # The critic's weights take no gradient here: its kernels' copies
        # need none either.
        self.critic.track = False
        try:
            scores = self.critic(self.generator(noise))
        finally:
            self.critic.track = True
        loss = (-scores).sum() / m
        self._apply(self.model.generator_optimizer, loss,
                    self._generator_params, self.generator_variables)
        if isinstance(self.generator, _Chain):
            self.generator.end_update()
        return {"generator_loss": loss.detach()}

    def _apply(self, optimizer, loss, params, variables):
        grads = list(torch.autograd.grad(loss, params, allow_unused=True,
                                         materialize_grads=True))
        update = self._updates.get(optimizer)
        if update is None and optimizer.built:
            # Keras's apply builds an optimizer on its first call; after
            # that, its update alone where that is all apply does.
            update = AdamUpdate.of(optimizer, variables) or False
            self._updates[optimizer] = update
        if update:
            update(grads)
        else:
            optimizer.apply(grads, variables)
