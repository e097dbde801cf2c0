"""Training throughput on 1 and on several data-parallel replicas.

Trains a WGAN-GP on the MNIST architecture (`--width`, latent 128,
n_critic 5) with the global critic batch `--batch-size` on random images
(throughput does not depend on the pixels) and prints one line: backend,
replicas, global batch, generator iterations a second and critic images a
second, timed over `--steps` iterations after one warm-up epoch (compiles,
first allocations).

Usage, one line a row of the table in docs/guides/multiple-devices.md:

    # torch: one process a replica
    python benchmarks/scaling.py
    torchrun --nproc-per-node 2 benchmarks/scaling.py
    # JAX, TensorFlow: replicas in one process
    KERAS_BACKEND=jax python benchmarks/scaling.py --devices 2
    KERAS_BACKEND=tensorflow python benchmarks/scaling.py --devices 2

On the CPU, JAX gets its host devices from XLA_FLAGS, set here before JAX
starts, and TensorFlow's CPU is split into logical devices here before
TensorFlow starts.
"""

import argparse
import os
import time

os.environ.setdefault("KERAS_BACKEND", "torch")


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=None,
                        help="replicas on JAX or TensorFlow")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--steps", type=int, default=20)
    return parser.parse_args()


def _make_devices(devices):
    backend = os.environ["KERAS_BACKEND"]
    if devices is None or devices == 1:
        return
    if backend == "jax":
        os.environ["XLA_FLAGS"] = (
            f"--xla_force_host_platform_device_count={devices}")
    elif backend == "tensorflow":
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * devices)


def main():
    args = _parse()
    _make_devices(args.devices)
    import contextlib

    import keras
    import numpy as np

    import keras_wgan
    from keras_wgan import distribute
    from keras_wgan.nets import architectures

    use = (keras.backend.backend() == "torch" and "WORLD_SIZE" in os.environ
           or args.devices not in (None, 1))
    scope = (distribute.data_parallel(args.devices) if use
             else contextlib.nullcontext())
    n_critic = 5
    images = np.random.default_rng(0).uniform(
        -1, 1, (args.batch_size * n_critic * args.steps, 28, 28, 1)
    ).astype("float32")
    with scope:
        replicas = distribute.replicas()
        keras.utils.set_random_seed(0)
        gan = keras_wgan.WGANGP(
            architectures.mnist_critic(width=args.width),
            architectures.mnist_generator(width=args.width),
            n_critic=n_critic, seed=0)
        gan.compile()
        gan.fit(images, batch_size=args.batch_size, epochs=1, verbose=0,
                steps_per_epoch=2)  # warm-up
        start = time.perf_counter()
        gan.fit(images, batch_size=args.batch_size, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
    if distribute.is_chief():
        rate = args.steps / seconds
        print(f"{keras.backend.backend()} replicas={replicas} "
              f"global_batch={args.batch_size} width={args.width} "
              f"iterations/s={rate:.2f} "
              f"critic_images/s={rate * args.batch_size * n_critic:.0f}")


if __name__ == "__main__":
    main()
