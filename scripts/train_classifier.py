"""Trains a classifier of keras_wgan.quality and writes it as package data.

Writes `<dataset>.weights.h5` and `<dataset>.json` (what it was trained and
evaluated on, the held-out accuracy, the floor of the classifier FID, the
command, the seed and the library versions) into
`keras_wgan/resources/classifiers/`:

    python scripts/train_classifier.py --dataset mnist
    python scripts/train_classifier.py --dataset fashion_mnist
    python scripts/train_classifier.py --dataset coloured_mnist

Each classifier trains on its dataset's train split (60,000 images) and is
evaluated on the test split (10,000 images), which it never sees. MNIST's
splits are embedded in keras_wgan, so MNIST and coloured MNIST need no
download; see the loaders of `keras_wgan.data.DATASETS` for the sources.
The coloured MNIST classifier learns the 200 joint classes of
`keras_wgan.data.coloured_mnist.joint_labels` (digit, stroke colour,
background colour); its record adds the digit and colour accuracies of
`keras_wgan.quality.coloured_mnist_predictions`.

The floor, also recorded: the classifier FID (with its score and classes
covered) of the first 10,000 and 2,000 train images against the test split,
the value of a generator that reproduced the training data.

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
from keras_wgan import quality  # noqa: E402
from keras_wgan.data import coloured_mnist  # noqa: E402
from keras_wgan.quality import architecture  # noqa: E402

DEFAULT_OUTPUT_DIR = os.path.join(
    _ROOT, "keras_wgan", "resources", "classifiers"
)

_EPOCHS = 5  # passes over the 60,000 training images
_MAX_SHIFT = 2  # pixels, each way, of the random shifts
# Train images whose FID against the test split is recorded as the floor:
# the sample sizes of the pretrained models' records and of the comparisons.
_FLOOR_COUNTS = (10_000, 2_000)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True,
                        choices=quality.CLASSIFIER_DATASETS)
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


# How the records describe each dataset: (title, what its images are).
_TITLES = {
    "mnist": ("MNIST", "digits"),
    "fashion_mnist": ("Fashion-MNIST", "images"),
    "coloured_mnist": ("coloured MNIST", "digits"),
}


def _split(dataset, split, args):
    """Images and class labels of a split (coloured MNIST: joint labels)."""
    load = data.DATASETS[dataset]
    if dataset == "coloured_mnist":
        images, digits, colours = load(
            split, data_dir=args.data_dir, return_labels=True,
            download=args.download, return_colours=True)
        return images, coloured_mnist.joint_labels(digits, colours)
    return load(split, data_dir=args.data_dir, return_labels=True,
                download=args.download)


def num_classes(dataset):
    if dataset == "coloured_mnist":
        return coloured_mnist.NUM_JOINT_CLASSES
    return len(data.class_names(dataset))


# Coloured MNIST's joint classes are each a digit, a stroke colour and a
# background colour. A head of 200 joint logits alone would learn each
# class's weights from its own two-hundredth of the images (a digit's
# shape 20 times over, once per colour pair); so training uses a head of
# 10 + 5 + 5 factor logits, one cross-entropy per factor, and the shipped
# head the sums of a class's three factor logits: the same Dense layer on
# the same features, with the weights shared by construction. The factors
# are independent in the data, so no joint logit needs more than the sum.
_FACTOR_SIZES = (10, len(data.PALETTE), len(data.PALETTE))


def factor_matrix():
    """The 0/1 matrix `(20, 200)` from factor logits to joint logits.

    Column `j` sums the factor logits of joint class `j`'s digit, stroke
    colour and background colour (`coloured_mnist.split_joint_labels`).
    """
    digits, colours = coloured_mnist.split_joint_labels(
        np.arange(coloured_mnist.NUM_JOINT_CLASSES))
    parts = [np.eye(size)[part] for size, part in
             zip(_FACTOR_SIZES, (digits, colours[:, 0], colours[:, 1]))]
    return np.concatenate(parts, axis=1).T


def factor_targets(labels):
    """The (digit, stroke, background) of joint labels: `(N, 3)` int64."""
    digits, colours = coloured_mnist.split_joint_labels(labels)
    return np.concatenate([digits[:, None], colours], axis=1)


def factor_loss(y_true, y_pred):
    """The sum of the three factors' cross-entropies, from factor logits."""
    total = 0.0
    start = 0
    for i, size in enumerate(_FACTOR_SIZES):
        total += keras.losses.sparse_categorical_crossentropy(
            y_true[:, i], y_pred[:, start:start + size], from_logits=True)
        start += size
    return total


def shipped_weights(trained, bare, factored):
    """Copies the trained weights into `bare`, summing factor logits."""
    for source, target in zip(trained.layers, bare.layers):
        weights = source.get_weights()
        if factored and source.name == architecture.LOGITS_LAYER:
            kernel, bias = weights
            weights = [kernel @ factor_matrix(), bias @ factor_matrix()]
        target.set_weights(weights)


def load_data(args):
    """Returns `(x_train, y_train, x_eval, y_eval, trained_on, evaluated_on)`.

    The classifier trains on the train split and is evaluated on the test
    split. The last two describe the data for the JSON record.
    """
    loader = data.DATASETS[args.dataset].__name__
    title, noun = _TITLES[args.dataset]
    x_train, y_train = _split(args.dataset, "train", args)
    x_eval, y_eval = _split(args.dataset, "test", args)
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

    The shifted-in border is the background: -1 for grey images (black in
    [-1, 1]), the image's edge pixels for colour ones, whose background
    has a colour (coloured MNIST's digits keep 6 pixels of it on each side).
    """
    m = _MAX_SHIFT
    height, width = images.shape[1:3]
    widths = ((0, 0), (m, m), (m, m), (0, 0))
    if images.shape[-1] == 1:
        padded = np.pad(images, widths, constant_values=-1.0)
    else:
        padded = np.pad(images, widths, mode="edge")
    shifts = rng.integers(0, 2 * m + 1, size=(len(images), 2))
    out = np.empty_like(images)
    # One slice per distinct shift instead of one per image.
    for dy in range(2 * m + 1):
        for dx in range(2 * m + 1):
            chosen = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            out[chosen] = padded[chosen, dy:dy + height, dx:dx + width]
    if flip:
        flipped = rng.random(len(images)) < 0.5
        out[flipped] = out[flipped, :, ::-1]
    return out


def held_out_accuracy(logits, labels, dataset):
    """The accuracy, errors and, for coloured MNIST, each label's accuracy."""
    accuracy = quality.accuracy_from_logits(logits, labels)
    results = {"accuracy": accuracy,
               "errors": int(np.sum(np.argmax(logits, axis=1) != labels))}
    if dataset == "coloured_mnist":
        digits, colours = coloured_mnist.split_joint_labels(labels)
        found_digits, found_colours = quality.coloured_mnist_predictions(
            logits)
        results.update({
            "digit_accuracy": float(np.mean(found_digits == digits)),
            "stroke_accuracy": float(np.mean(found_colours[:, 0]
                                             == colours[:, 0])),
            "background_accuracy": float(np.mean(found_colours[:, 1]
                                                 == colours[:, 1])),
        })
    return results


def floor(classifier, x_train, eval_logits):
    """The quality of real train images against the test split, per size."""
    sizes = []
    for count in _FLOOR_COUNTS:
        values = quality.logit_quality(eval_logits, quality.classifier_logits(
            x_train[:count], classifier, min_images=2))
        sizes.append({
            "train_images": count,
            "fid": round(values["classifier_fid"], 2),
            "score": round(values["classifier_score"], 3),
            "classes_covered": values["classes_covered"],
        })
    return {
        "measured_on": (
            "classifier FID, score and classes covered of the first "
            "train_images images of the train split, the FID against the "
            f"{len(eval_logits):,} images of the test split: the value of a "
            "generator that reproduced the training data, for as many "
            "samples"),
        "sizes": sizes,
    }


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
    network = {"num_classes": num_classes(args.dataset), "width": args.width,
               "image_shape": x_train.shape[1:]}
    factored = args.dataset == "coloured_mnist"
    if factored:
        classifier = quality.image_classifier(
            **dict(network, num_classes=sum(_FACTOR_SIZES)))
        targets = factor_targets(y_train)
    else:
        classifier = quality.image_classifier(**network)
        targets = y_train
    steps = epochs * math.ceil(len(x_train) / args.batch_size)
    loss = factor_loss if factored else (
        keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    classifier.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
        ),
        loss=loss,
        metrics=[] if factored else ["accuracy"],
    )
    flip = args.dataset == "fashion_mnist"  # clothes, unlike digits, mirror
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        x = augment(x_train[order], rng, flip)
        history = classifier.fit(x, targets[order], batch_size=args.batch_size,
                                 epochs=1, shuffle=False, verbose=0).history
        logits = quality.classifier_logits(x_eval, classifier)
        held_out = quality.accuracy_from_logits(
            logits @ factor_matrix() if factored else logits, y_eval)
        train = ("" if factored else
                 f", train accuracy {history['accuracy'][0]:.4f}")
        print(f"epoch {epoch + 1}/{epochs}: loss {history['loss'][0]:.4f}"
              f"{train}, held-out accuracy {held_out:.4f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start

    os.makedirs(args.output_dir, exist_ok=True)
    weights = f"{args.dataset}.weights.h5"
    # The weights of a compiled model's file include the optimizer's state
    # (twice the model's size for Adam); a fresh copy saves only the model.
    bare = quality.image_classifier(**network)
    shipped_weights(classifier, bare, factored)
    bare.save_weights(os.path.join(args.output_dir, weights))
    eval_logits = quality.classifier_logits(x_eval, bare)
    results = held_out_accuracy(eval_logits, y_eval, args.dataset)
    record = {
        "dataset": args.dataset,
        "weights": weights,
        "architecture": "keras_wgan.quality.image_classifier",
        "image_shape": list(network["image_shape"]),
        "num_classes": network["num_classes"],
        "width": args.width,
        "outputs": "logits",
        "trained_on": trained_on,
        "evaluated_on": evaluated_on,
        **results,
        "training": {
            "epochs": epochs,
            "batch_size": args.batch_size,
            "optimizer": f"Adam, learning rate {args.learning_rate} decayed "
                         "to 0 by a cosine over all steps",
            "augmentation": f"random shifts of up to {_MAX_SHIFT} pixels each "
                            "way" + (", random horizontal flips" if flip
                                     else ""),
            "seconds": round(seconds, 1),
            **({"head": "10 digit, 5 stroke and 5 background colour logits, "
                        "the sum of three cross-entropies; the shipped "
                        "logit of each joint class is the sum of its three "
                        "factor logits"} if factored else {}),
        },
        "floor": floor(bare, x_train, eval_logits),
        "seed": args.seed,
        "command": "python scripts/train_classifier.py "
                   + shlex.join(sys.argv[1:] if argv is None else argv),
        "versions": _versions(),
    }
    path = os.path.join(args.output_dir, f"{args.dataset}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    print(f"held-out {results}; floor {record['floor']['sizes']}; wrote "
          f"{weights} and {os.path.basename(path)} to {args.output_dir}",
          flush=True)


if __name__ == "__main__":
    main()
