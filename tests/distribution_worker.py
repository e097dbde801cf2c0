"""Trains small GANs on one device, then on 2 data-parallel replicas.

Run by `tests/test_distribution.py` in a new process (under `torchrun
--nproc-per-node 2` on torch), because the replicas need process-level
setup: a process group (torch), host devices made before JAX starts, or
logical CPU devices made before TensorFlow starts. The chief writes, as
`.npz` under the folder of `sys.argv[1]`, every weight of each model after
training on one device (`<model>_one.npz`) and on 2 replicas
(`<model>_two.npz`), and the logged metrics.
"""

import json
import os
import sys

if os.environ.get("KERAS_BACKEND") == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
elif os.environ.get("KERAS_BACKEND") == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_wgan  # noqa: E402
from keras_wgan import distribute  # noqa: E402

MODELS = {"wgan": keras_wgan.WGAN, "wgan_gp": keras_wgan.WGANGP}


def train(name, images):
    """Trains model `name` 2 epochs; returns (weights, history)."""
    keras.utils.set_random_seed(0)
    critic = keras.Sequential([
        keras.Input((4, 4, 1)), keras.layers.Flatten(),
        keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    generator = keras.Sequential([
        keras.Input((3,)), keras.layers.Dense(16, activation="tanh"),
        keras.layers.Reshape((4, 4, 1))])
    gan = MODELS[name](critic, generator, n_critic=2, seed=1)
    # A large rate, so that a wrong gradient shows in the weights.
    gan.compile(learning_rate=1e-2)
    history = gan.fit(images, batch_size=8, epochs=2, verbose=0)
    weights = [keras.ops.convert_to_numpy(v) for v in
               gan.critic.weights + gan.generator.weights]
    return weights, history.history


def main(folder):
    images = np.random.default_rng(0).uniform(
        -1, 1, (32, 4, 4, 1)).astype("float32")
    one = {name: train(name, images) for name in MODELS}
    with distribute.data_parallel(None if keras.backend.backend() == "torch"
                                  else 2):
        replicas = distribute.replicas()
        two = {name: train(name, images) for name in MODELS}
    if not distribute.is_chief():
        return
    logs = {"replicas": replicas}
    for name in MODELS:
        for tag, runs in (("one", one), ("two", two)):
            np.savez(os.path.join(folder, f"{name}_{tag}.npz"),
                     *runs[name][0])
            logs[f"{name}_{tag}"] = runs[name][1]
    with open(os.path.join(folder, "logs.json"), "w") as f:
        json.dump(logs, f)


if __name__ == "__main__":
    main(sys.argv[1])
