"""Trains a classifier of keras_wgan.quality and writes it as package data.

Writes `<dataset>.weights.h5` and `<dataset>.json` (what it was trained and
evaluated on, the held-out accuracy, the command, the seed and the library
versions) into `keras_wgan/resources/classifiers/`:

    python scripts/train_classifier.py --dataset mnist
    python scripts/train_classifier.py --dataset fashion_mnist

Each classifier trains on its dataset's train split (60,000 images) and is
evaluated on the test split (10,000 images), which it never sees. MNIST's
splits are embedded in keras_wgan, so it needs no download; see
`keras_wgan.data.load_mnist` and `load_fashion_mnist` for the sources.

Runs are seeded (`--seed`): the same seed, backend (`--backend`, JAX by
default, the fastest here), library versions and CPU give the same weights.
"""

import argparse
import importlib.metadata
import json
import math
import os
import platform
import shlex
import sys
import time

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)


def _backend_from_argv(argv):
    """The --backend value, read before Keras is imported (it fixes it)."""
    for i, arg in enumerate(argv):
        if arg == "--backend" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--backend="):
            return arg.split("=", 1)[1]
    return "jax"


os.environ["KERAS_BACKEND"] = _backend_from_argv(sys.argv[1:])

import keras_wgan  # noqa: E402  (sets the torch default before keras loads)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_wgan import data  # noqa: E402
from keras_wgan.quality import architecture  # noqa: E402

DEFAULT_OUTPUT_DIR = os.path.join(
    _ROOT, "keras_wgan", "resources", "classifiers"
)

_EPOCHS = 5  # passes over the 60,000 training images
_MAX_SHIFT = 2  # pixels, each way, of the random shifts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True,
                        choices=["mnist", "fashion_mnist"])
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training images (default 5)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3,
                        help="Adam's initial rate, decayed to 0 by a cosine")
    parser.add_argument("--width", type=int, default=16,
                        help="filters of the first convolution")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None,
                        help="folder with the official IDX files")
    parser.add_argument("--download", action="store_true",
                        help="let keras.datasets download the data when "
                             "no local source has it")
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    # JAX by default: the shipped classifiers were trained with it (their
    # records' "versions"), so the default reproduces them. The weights
    # load on every backend whichever trained them.
    parser.add_argument("--backend", default="jax",
                        choices=["jax", "torch", "tensorflow"],
                        help="Keras backend to train with (default: jax)")
    return parser.parse_args(argv)


_LOADERS = {
    # dataset: (loader, title, what its images are)
    "mnist": ("load_mnist", "MNIST", "digits"),
    "fashion_mnist": ("load_fashion_mnist", "Fashion-MNIST", "images"),
}


def _split(loader, split, args):
    return getattr(data, loader)(split, data_dir=args.data_dir,
                                 return_labels=True, download=args.download)


def load_data(args):
    """Returns `(x_train, y_train, x_eval, y_eval, trained_on, evaluated_on)`.

    The classifier trains on the train split and is evaluated on the test
    split. The last two describe the data for the JSON record.
    """
    loader, title, noun = _LOADERS[args.dataset]
    x_train, y_train = _split(loader, "train", args)
    x_eval, y_eval = _split(loader, "test", args)
    return (
        x_train, y_train, x_eval, y_eval,
        _record(f"{loader}('train')", 0, len(x_train),
                f"the {title} train split ({len(x_train):,} {noun})"),
        _record(f"{loader}('test')", 0, len(x_eval),
                f"the {title} test split ({len(x_eval):,} {noun}), never "
                "seen in training"),
    )


def _record(loader, start, stop, description):
    return {
        "loader": f"keras_wgan.data.{loader}",
        "indices": [start, stop],
        "count": stop - start,
        "description": description,
    }


def augment(images, rng, flip):
    """Shifts each image by up to `_MAX_SHIFT` pixels each way (and flips).

    The shifted-in border is -1, the background of images in [-1, 1].
    """
    m = _MAX_SHIFT
    padded = np.pad(images, ((0, 0), (m, m), (m, m), (0, 0)),
                    constant_values=-1.0)
    shifts = rng.integers(0, 2 * m + 1, size=(len(images), 2))
    out = np.empty_like(images)
    # One slice per distinct shift instead of one per image.
    for dy in range(2 * m + 1):
        for dx in range(2 * m + 1):
            chosen = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            out[chosen] = padded[chosen, dy:dy + 28, dx:dx + 28]
    if flip:
        flipped = rng.random(len(images)) < 0.5
        out[flipped] = out[flipped, :, ::-1]
    return out


def accuracy(classifier, images, labels, batch_size=1000):
    predictions = np.concatenate([
        np.argmax(classifier.predict_on_batch(images[i:i + batch_size]), 1)
        for i in range(0, len(images), batch_size)
    ])
    return float(np.mean(predictions == labels)), int(
        np.sum(predictions != labels))


def _versions():
    versions = {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy": np.__version__,
        "keras_wgan": keras_wgan.__version__,
    }
    for name in ("torch", "jax", "tensorflow"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


def main(argv=None):
    args = parse_args(argv)
    epochs = args.epochs or _EPOCHS
    loaded = load_data(args)
    x_train, y_train, x_eval, y_eval, trained_on, evaluated_on = loaded
    print(f"training on {trained_on['description']}; evaluating on "
          f"{evaluated_on['description']}", flush=True)

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    classifier = architecture.image_classifier(num_classes=10,
                                               width=args.width)
    steps = epochs * math.ceil(len(x_train) / args.batch_size)
    classifier.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    flip = args.dataset == "fashion_mnist"  # clothes, unlike digits, mirror
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        x = augment(x_train[order], rng, flip)
        history = classifier.fit(x, y_train[order], batch_size=args.batch_size,
                                 epochs=1, shuffle=False, verbose=0)
        held_out, _ = accuracy(classifier, x_eval, y_eval)
        print(f"epoch {epoch + 1}/{epochs}: loss "
              f"{history.history['loss'][0]:.4f}, train accuracy "
              f"{history.history['accuracy'][0]:.4f}, held-out accuracy "
              f"{held_out:.4f} ({time.perf_counter() - start:.0f} s)",
              flush=True)
    seconds = time.perf_counter() - start
    final, errors = accuracy(classifier, x_eval, y_eval)

    os.makedirs(args.output_dir, exist_ok=True)
    weights = f"{args.dataset}.weights.h5"
    # The weights of a compiled model's file include the optimizer's state
    # (twice the model's size for Adam); a fresh copy saves only the model.
    bare = architecture.image_classifier(num_classes=10, width=args.width)
    bare.set_weights(classifier.get_weights())
    bare.save_weights(os.path.join(args.output_dir, weights))
    record = {
        "dataset": args.dataset,
        "weights": weights,
        "architecture": "keras_wgan.quality.image_classifier",
        "num_classes": 10,
        "width": args.width,
        "outputs": "logits",
        "trained_on": trained_on,
        "evaluated_on": evaluated_on,
        "accuracy": final,
        "errors": errors,
        "training": {
            "epochs": epochs,
            "batch_size": args.batch_size,
            "optimizer": f"Adam, learning rate {args.learning_rate} decayed "
                         "to 0 by a cosine over all steps",
            "augmentation": f"random shifts of up to {_MAX_SHIFT} pixels each "
                            "way" + (", random horizontal flips" if flip
                                     else ""),
            "seconds": round(seconds, 1),
        },
        "seed": args.seed,
        "command": "python scripts/train_classifier.py "
                   + shlex.join(sys.argv[1:] if argv is None else argv),
        "versions": _versions(),
    }
    path = os.path.join(args.output_dir, f"{args.dataset}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    print(f"held-out accuracy {final:.4f} ({errors} errors of "
          f"{len(y_eval)}); wrote {weights} and {os.path.basename(path)} to "
          f"{args.output_dir}", flush=True)


if __name__ == "__main__":
    main()
