"""Worker for test_cross_backend.py: runs under the backend in KERAS_BACKEND.

Commands, several to a process separated by `--` (each process pays for
importing Keras and its backend once):
  numbers OUT.npz          loss, constraint and penalty on fixed inputs
  train-save MODEL.keras   short WGAN-GP run, then save
  load-train MODEL.keras OUT.npz   load, record state, train on
  conditional-train-save MODEL.keras   the same for a ConditionalWGANGP
  conditional-load-train MODEL.keras OUT.npz
"""

import sys

import keras_wgan  # noqa: F401  (sets the default backend first)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

from keras_wgan import backend  # noqa: E402
from keras_wgan import penalty  # noqa: E402


def _fixed_critic():
    rng = np.random.default_rng(0)
    critic = keras_wgan.nets.architectures.mnist_critic(width=4)
    critic.set_weights(
        [rng.normal(scale=0.2, size=w.shape).astype("float32")
         for w in critic.get_weights()]
    )
    return critic


def numbers(out):
    rng = np.random.default_rng(1)
    y_pred = rng.normal(size=(6, 1)).astype("float32")
    y_true = np.array([-1, -1, -1, 1, 1, 1], "float32")[:, None]
    weights = rng.normal(size=(5, 7)).astype("float32") * 0.05
    x_hat = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    critic = _fixed_critic()

    def objective():
        norms = penalty.gradient_norm(critic, x_hat)
        value = ops.mean(ops.square(norms - 1.0))
        return 10.0 * value + ops.mean(critic(x_hat)), {"norms": norms,
                                                        "penalty": value}

    loss, aux, grads = backend.value_and_grad(objective,
                                              critic.trainable_variables)
    np.savez(
        out,
        # The inputs too, so that the test recomputes the outputs from them.
        input_y_true=y_true, input_y_pred=y_pred, input_weights=weights,
        input_scores=ops.convert_to_numpy(critic(x_hat)),
        loss=ops.convert_to_numpy(keras_wgan.WassersteinLoss()(y_true, y_pred)),
        clipped=ops.convert_to_numpy(keras_wgan.ClipConstraint(0.03)(weights)),
        norms=ops.convert_to_numpy(aux["norms"]),
        penalty=ops.convert_to_numpy(aux["penalty"]),
        objective=ops.convert_to_numpy(loss),
        **{f"grad_{i}": ops.convert_to_numpy(g) for i, g in enumerate(grads)},
    )


def _digits(count):
    return keras_wgan.data.load_mnist(split="test")[:count]


def _labelled(count):
    """Random 8x8 images and labels of 3 classes, the same on every backend."""
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (count, 8, 8, 1)).astype("float32"),
            rng.integers(0, 3, count))


def train_save(path, conditional=False):
    keras.utils.set_random_seed(0)
    if conditional:
        dcgan = keras_wgan.nets.dcgan
        gan = keras_wgan.ConditionalWGANGP(
            dcgan.dcgan_critic((8, 8, 1), width=2, num_classes=3),
            dcgan.dcgan_generator(4, (8, 8, 1), width=2, num_classes=3),
            num_classes=3, n_critic=2, seed=3)
        data = _labelled(64)
    else:
        gan = keras_wgan.WGANGP(
            keras_wgan.nets.architectures.mnist_critic(width=4),
            keras_wgan.nets.architectures.mnist_generator(latent_dim=8, width=4),
            n_critic=2, seed=3)
        data = (_digits(64),)
    gan.compile()
    gan.fit(*data, batch_size=8, epochs=1, verbose=0)
    gan.save(path)
    np.savez(path + ".npz", *[ops.convert_to_numpy(v) for v in gan.variables],
             *[ops.convert_to_numpy(v) for v in gan.critic_optimizer.variables])


def load_train(path, out, conditional=False):
    gan = keras.models.load_model(path)
    loaded = [ops.convert_to_numpy(v) for v in gan.variables] + [
        ops.convert_to_numpy(v) for v in gan.critic_optimizer.variables]
    data = _labelled(64) if conditional else (_digits(64),)
    history = gan.fit(*data, batch_size=8, epochs=1, verbose=0)
    np.savez(out, *loaded,
             critic_iterations=int(gan.critic_optimizer.iterations),
             generator_iterations=int(gan.generator_optimizer.iterations),
             estimate=history.history["wasserstein_estimate"][0])


COMMANDS = {
    "numbers": numbers, "train-save": train_save, "load-train": load_train,
    "conditional-train-save": lambda *a: train_save(*a, conditional=True),
    "conditional-load-train": lambda *a: load_train(*a, conditional=True),
}


def split_commands(argv):
    """`["a", "x", "--", "b", "y"]` -> `[["a", "x"], ["b", "y"]]`."""
    commands = [[]]
    for word in argv:
        if word == "--":
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


if __name__ == "__main__":
    for command, *arguments in split_commands(sys.argv[1:]):
        COMMANDS[command](*arguments)
