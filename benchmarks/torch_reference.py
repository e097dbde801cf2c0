"""A hand-written PyTorch WGAN / WGAN-GP loop: the reference for speed.

This is what a PyTorch user would write for the MNIST networks of the
WGAN-GP paper (Gulrajani et al., 2017) without any framework: `torch.nn`
modules in PyTorch's native NCHW layout, the first transposed convolution
giving 7x7 directly (`padding=2`), the others doubling with
`output_padding=1`, and the n-critic loop of Algorithm 1 with a fresh real
batch per critic update. It is written to be a strong baseline, not a
naive one: the critic's weights stop requiring gradients during the
generator update, so that step computes no critic weight gradients.

It lives in `benchmarks/` only; keras-wgan does not depend on it.

Example:

```python
import torch
from benchmarks import torch_reference

trainer = torch_reference.Trainer("wgan-gp", width=64)
images = torch.rand(6400, 1, 28, 28) * 2 - 1
trainer.run(images, iterations=5, batch_size=64)
```
"""

import torch
from torch import nn

MODELS = ("wgan", "wgan-gp")


def critic(width=64):
    """Returns the critic: three 5x5 stride-2 convolutions and a linear score.

    Args:
        width: Filters of the first convolution (then 2x and 4x).

    Returns:
        A `torch.nn.Module` mapping `(batch, 1, 28, 28)` to `(batch, 1)`.
    """
    return nn.Sequential(
        nn.Conv2d(1, width, 5, stride=2, padding=2),  # 14x14
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 5, stride=2, padding=2),  # 7x7
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 4 * width, 5, stride=2, padding=2),  # 4x4
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4 * width, 1),
    )


class _CropTo7(nn.Module):
    def forward(self, x):
        return x[:, :, :7, :7]


def generator(latent_dim=128, width=64, crop=False):
    """Returns the generator: noise to `(batch, 1, 28, 28)` images in [-1, 1].

    Args:
        latent_dim: Size of the noise vector.
        width: Filters of the last hidden transposed convolution.
        crop: If True, the first transposed convolution doubles 4x4 to 8x8
            and a slice keeps 7x7 (the twin of Keras's "same" padding and
            `Cropping2D`); else it gives 7x7 directly.

    Returns:
        A `torch.nn.Module`.
    """
    if crop:
        first = [nn.ConvTranspose2d(4 * width, 2 * width, 5, stride=2,
                                    padding=2, output_padding=1), _CropTo7()]
    else:
        # (4 - 1) * 2 - 2 * 2 + 5 = 7: the paper's 7x7 without a crop.
        first = [nn.ConvTranspose2d(4 * width, 2 * width, 5, stride=2,
                                    padding=2)]
    return nn.Sequential(
        nn.Linear(latent_dim, 4 * 4 * 4 * width),
        nn.ReLU(),
        nn.Unflatten(1, (4 * width, 4, 4)),
        *first,
        nn.ReLU(),
        nn.ConvTranspose2d(
            2 * width, width, 5, stride=2, padding=2, output_padding=1
        ),  # 14x14
        nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 5, stride=2, padding=2, output_padding=1),
        nn.Tanh(),  # 28x28
    )


class Trainer:
    """The networks, optimizers and n-critic loop of one model.

    Args:
        model: `"wgan"` (weight clipping, RMSprop(5e-5)) or `"wgan-gp"`
            (gradient penalty with lambda 10, Adam(1e-4, 0, 0.9)).
        width: Network width (64 is the paper's).
        latent_dim: Size of the noise vector.
        n_critic: Critic updates per generator update.
        crop: Passed to `generator` (True: the twin of the standard-layer
            Keras generator of `vs_pytorch.py --networks standard`).
        networks: `(critic, generator)` modules to train instead of the
            MNIST networks (any sample shape; `benchmarks/suite.py`).
    """

    def __init__(self, model, width=64, latent_dim=128, n_critic=5,
                 crop=False, networks=None):
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {model!r}.")
        self.model = model
        self.latent_dim = latent_dim
        self.n_critic = n_critic
        if networks is None:
            networks = (critic(width), generator(latent_dim, width, crop=crop))
        self.critic, self.generator = networks
        # Keras's defaults where PyTorch's differ (rho, epsilon), so both
        # sides do the same arithmetic.
        if model == "wgan":
            self.critic_opt = torch.optim.RMSprop(
                self.critic.parameters(), lr=5e-5, alpha=0.9, eps=1e-7
            )
            self.generator_opt = torch.optim.RMSprop(
                self.generator.parameters(), lr=5e-5, alpha=0.9, eps=1e-7
            )
        else:
            self.critic_opt = torch.optim.Adam(
                self.critic.parameters(), lr=1e-4, betas=(0.0, 0.9), eps=1e-7
            )
            self.generator_opt = torch.optim.Adam(
                self.generator.parameters(),
                lr=1e-4,
                betas=(0.0, 0.9),
                eps=1e-7,
            )

    def penalty(self, real, fake):
        """Returns `mean((||grad D(x_hat)|| - 1)^2)` on random interpolates."""
        alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1))
        x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(
            self.critic(x_hat).sum(), x_hat, create_graph=True
        )
        axes = tuple(range(1, grad.dim()))
        norm = grad.square().sum(dim=axes).add(1e-12).sqrt()
        return (norm - 1).square().mean()

    def critic_step(self, real):
        """One critic update on a real batch `(m, *sample_shape)`."""
        noise = torch.randn(real.shape[0], self.latent_dim)
        with torch.no_grad():
            fake = self.generator(noise)
        loss = self.critic(fake).mean() - self.critic(real).mean()
        if self.model == "wgan-gp":
            loss = loss + 10.0 * self.penalty(real, fake)
        self.critic_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.critic_opt.step()
        if self.model == "wgan":
            with torch.no_grad():
                for p in self.critic.parameters():
                    p.clamp_(-0.01, 0.01)
        return loss.detach()

    def generator_step(self, batch_size):
        """One generator update."""
        for p in self.critic.parameters():
            p.requires_grad_(False)
        noise = torch.randn(batch_size, self.latent_dim)
        loss = -self.critic(self.generator(noise)).mean()
        self.generator_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_opt.step()
        for p in self.critic.parameters():
            p.requires_grad_(True)
        return loss.detach()

    def run(self, images, iterations, batch_size=64):
        """Runs generator iterations, each on `n_critic` fresh real batches.

        Args:
            images: Float tensor `(N, *sample_shape)` in [-1, 1] with
                `N >= iterations * n_critic * batch_size`.
            iterations: Generator iterations to run.
            batch_size: Critic batch size.

        Returns:
            The last `(critic_loss, generator_loss)` as floats.
        """
        needed = iterations * self.n_critic * batch_size
        if images.shape[0] < needed:
            raise ValueError(
                f"images must hold at least {needed} images for "
                f"{iterations} iterations, got {images.shape[0]}."
            )
        # A fresh shuffle each call, as `fit(shuffle=True)` does per epoch.
        order = torch.randperm(images.shape[0])[:needed]
        batches = iter(order.split(batch_size))
        for _ in range(iterations):
            for _ in range(self.n_critic):
                critic_loss = self.critic_step(images[next(batches)])
            generator_loss = self.generator_step(batch_size)
        return float(critic_loss), float(generator_loss)
