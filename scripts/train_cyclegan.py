"""Trains a CycleGAN between MNIST and coloured MNIST; measures digit survival.

    python scripts/train_cyclegan.py --epochs 1

Domain A is MNIST padded with 2 black pixels to 32x32 and repeated to 3
channels (`keras_wgan.data.load_images("mnist", image_size=32,
channels=3)`), so that both domains have one shape and the identity loss
applies; domain B is coloured MNIST (`load_coloured_mnist`), which pads
MNIST the same way. Trains `keras_wgan.CycleGAN` with the networks of
`keras_wgan.nets.cyclegan` on the train splits, each domain shuffled on its
own (domain B's digits are the train digits too, in another order each
epoch, never paired), then writes into `--out` (default `docs/cyclegan/`):

- `cyclegan.json`: the digit accuracy of the shipped classifiers on the
  translations of the test splits: coloured -> MNIST by the MNIST
  classifier (the translation made grey, `0.299 R + 0.587 G + 0.114 B`,
  and cropped back to 28x28), MNIST -> coloured by the coloured MNIST
  classifier (its digit, `keras_wgan.quality.coloured_mnist_predictions`);
  beside them the same classifiers on the untranslated test images, the
  iterations, the wall time, the settings and the command;
- `a_to_b.png`, `b_to_a.png`: the first 10 test images of a domain (top
  row) and their translations (bottom row).

It prints the numbers it writes. `--train-limit` trains on the first N
images of each domain only (a quick run).
"""

import argparse
import json
import os
import shlex
import sys
import time

# Make the checkout importable when the script runs from it.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import keras_wgan  # noqa: E402  (sets the torch default before keras loads)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_wgan import image_grids  # noqa: E402
from keras_wgan.nets import cyclegan  # noqa: E402

_LUMA = np.asarray([0.299, 0.587, 0.114], "float32")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--residual-blocks", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--test-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out",
                        default=os.path.join(_ROOT, "docs", "cyclegan"))
    return parser.parse_args(argv)


def load(split, limit=None):
    """Returns `(mnist, mnist_digits, coloured, coloured_digits)` of a split."""
    mnist, digits = keras_wgan.data.load_images(
        "mnist", image_size=32, channels=3, split=split, return_labels=True,
        verbose=False)
    coloured, coloured_digits = keras_wgan.data.load_coloured_mnist(
        split, return_labels=True)
    return tuple(part[:limit] for part in (mnist, digits, coloured,
                                           coloured_digits))


def as_mnist(images):
    """Grey 28x28x1 images of 32x32x3 ones: luma, the 2-pixel pad cropped."""
    return (images[:, 2:30, 2:30] @ _LUMA)[..., None]


def digit_accuracies(mnist, digits, coloured, coloured_digits, classifiers):
    """The digit accuracy of MNIST-like and coloured images."""
    logits = keras_wgan.quality.classifier_logits(
        coloured, classifiers["coloured_mnist"])
    predicted, _ = keras_wgan.quality.coloured_mnist_predictions(logits)
    return {
        "mnist_like": keras_wgan.quality.label_accuracy(
            as_mnist(mnist), digits, classifiers["mnist"]),
        "coloured": float(np.mean(predicted == coloured_digits)),
    }


def build(args):
    """Returns the compiled CycleGAN of `args`."""
    def translator():
        return cyclegan.image_translator(
            width=args.width, residual_blocks=args.residual_blocks)

    model = keras_wgan.CycleGAN(
        translator(), translator(), cyclegan.patch_critic(width=args.width),
        cyclegan.patch_critic(width=args.width), seed=args.seed)
    model.compile()
    return model


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    train = load("train", args.train_limit)
    test = load("test", args.test_limit)
    model = build(args)
    start = time.time()
    history = model.fit(train[0], train[2], batch_size=args.batch_size,
                        epochs=args.epochs,
                        steps_per_epoch=args.steps_per_epoch, verbose=2)
    train_seconds = time.time() - start

    classifiers = {name: keras_wgan.quality.load_classifier(name)
                   for name in ("mnist", "coloured_mnist")}
    a_to_b = model.translate(test[0])
    b_to_a = model.translate(test[2], "b_to_a")
    translated = digit_accuracies(b_to_a, test[3], a_to_b, test[1],
                                  classifiers)
    untranslated = digit_accuracies(test[0], test[1], test[2], test[3],
                                    classifiers)
    record = {
        "mnist_to_coloured_digit_accuracy": translated["coloured"],
        "coloured_to_mnist_digit_accuracy": translated["mnist_like"],
        "untranslated_coloured_digit_accuracy": untranslated["coloured"],
        "untranslated_mnist_digit_accuracy": untranslated["mnist_like"],
        "test_images": len(test[0]),
        "generator_iterations": int(model.generator_optimizer.iterations),
        "train_seconds": round(train_seconds, 1),
        "final_logs": {k: round(float(v[-1]), 4)
                       for k, v in history.history.items()},
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "command": "python " + shlex.join(
            ["scripts/train_cyclegan.py"] + (sys.argv[1:] if argv is None
                                             else list(argv))),
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cyclegan.json"), "w") as file:
        json.dump(record, file, indent=2)
        file.write("\n")
    for name, source, result in (("a_to_b", test[0], a_to_b),
                                 ("b_to_a", test[2], b_to_a)):
        image_grids.save_image_grid(
            np.concatenate([source[:10], result[:10]]),
            os.path.join(args.out, f"{name}.png"), columns=10)
    print(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main()
