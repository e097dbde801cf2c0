"""The model's random stream: noise for its updates, samples for you.

`Sampling` is mixed into `keras_wgan.AdversarialModel`; it reads the
model's `latent_dim`, `seed_generator` and `generator_samples`. The
training step draws the generator's input through `sample_noise`,
`noise_for` and `generator_input`, all from the model's `SeedGenerator`,
whose state is saved with the model so that a resumed run continues the
same stream. `generate` samples through `sampler(raw)`, the function from
noise to samples, so a model that samples another way (a moving average of
its generator, the images of a BiGAN's pairs) overrides that one method.
`in_batches` runs any such function over many inputs, batch by batch, to
float32 NumPy.
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
from keras_wgan import distribute
from keras_wgan.data import batches

_SEED_STATE_KEY = "seed_generator_state"

if TYPE_CHECKING:
    # To the type checker the mixin is the model it is mixed into.
    from keras import Model as _MixedInto
else:
    _MixedInto = object


def in_batches(samples: Callable[[int, int], Any], count: int,
               batch_size: int) -> np.ndarray:
    """Returns `samples(start, stop)` over `range(count)` as one array.

    Batches of `batch_size`, without gradients, as float32 NumPy even
    under a mixed-precision policy whose networks compute in (b)float16:
    image files, FID and plots expect float32.

    Args:
        samples: A function of the rows `start:stop` to their outputs.
        count: The number of rows.
        batch_size: Rows per call, an int >= 1.

    Returns:
        The outputs concatenated along the first axis, float32 NumPy.

    Example:

    >>> rows = np.arange(5, dtype="float32")
    >>> in_batches(lambda start, stop: 2 * rows[start:stop], 5, batch_size=2)
    array([0., 2., 4., 6., 8.], dtype=float32)
    """
    batch_size = argument_validation.check_int("batch_size", batch_size)
    parts = [
        ops.convert_to_numpy(backend.no_grad(
            samples, start, min(start + batch_size, count)))
        for start in range(0, count, batch_size)
    ]
    return np.concatenate(parts, axis=0).astype("float32")


def check_noise(noise: Any, latent_dim: int | None) -> Any:
    """Returns `noise` as a float32 tensor `(n, latent_dim)`, or raises.

    Example:

    >>> check_noise(np.zeros((2, 3)), latent_dim=4)
    Traceback (most recent call last):
    ...
    ValueError: noise must have shape (n, 4), got (2, 3).
    """
    noise = ops.convert_to_tensor(noise, dtype="float32")
    if len(noise.shape) != 2 or noise.shape[1] != latent_dim:
        raise ValueError(
            f"noise must have shape (n, {latent_dim}), "
            f"got {tuple(noise.shape)}."
        )
    return noise


class Sampling(_MixedInto):
    """The noise and sampling methods of `keras_wgan.AdversarialModel`."""

    #: The size of the noise; `None` for a model whose generators take no
    #: noise (`keras_wgan.CycleGAN`).
    latent_dim: int | None
    seed_generator: keras.random.SeedGenerator
    generator_samples: Callable[..., Any]

    def sample_noise(self, batch_size: int) -> Any:
        """Returns `(batch_size, latent_dim)` noise from the model's stream."""
        # Under data parallelism, this replica's rows of the global draw.
        return distribute.replica_rows(
            lambda rows: keras.random.normal(
                (rows, self.latent_dim), seed=self.seed_generator
            ),
            batch_size,
        )

    def noise_for(self, real: Any) -> Any:
        """Returns the generator input of a fake batch to set beside `real`.

        Fresh noise for each sample of `real`; a conditional model also
        passes on `real`'s labels.
        """
        return self.sample_noise(batches.batch_length(real))

    def generator_input(self, real: Any) -> Any:
        """Returns the input of the generator update after the critic's on `real`.

        Fresh noise (`sample_noise`) of `real`'s batch size; a model whose
        generator objective also needs real samples (BiGAN's encoder)
        returns them beside it.
        """
        return self.sample_noise(batches.batch_length(real))

    def save_own_variables(self, store: Any) -> None:
        # Keras does not save a SeedGenerator's state; without it a loaded
        # model would restart its noise stream from the seed instead of
        # continuing where the saved run was.
        super().save_own_variables(store)
        store[_SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store: Any) -> None:
        if _SEED_STATE_KEY not in store.keys():
            raise ValueError(
                f"the checkpoint has no '{_SEED_STATE_KEY}' for "
                f"{type(self).__name__}; it was not saved by keras_wgan."
            )
        self.seed_generator.state.assign(store[_SEED_STATE_KEY])

    def generate(self, num_samples: int, seed: int | None = None,
                 batch_size: int = 256, raw: bool = False) -> np.ndarray:
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

    def generate_from(self, noise: Any, batch_size: int = 256,
                      raw: bool = False) -> np.ndarray:
        """Maps latent vectors `(n, latent_dim)` to samples (float32 NumPy).

        `raw` as for `generate`.
        """
        noise = check_noise(noise, self.latent_dim)
        sampler = self.sampler(raw)
        return in_batches(
            lambda start, stop: sampler(noise[start:stop]),
            noise.shape[0],
            batch_size,
        )

    def sampler(self, raw: bool = False) -> Callable[[Any], Any]:
        """Returns the function from noise to samples that `generate` uses.

        The generator in inference mode; a model that keeps a moving average
        of its generator returns that unless `raw`.
        """
        del raw
        return lambda noise: self.generator_samples(noise, False)
