"""Trains a BiGAN on MNIST and measures its encoder with a linear probe.

    python scripts/train_bigan.py --model bigan --epochs 5
    python scripts/train_bigan.py --model bigan-gp --epochs 5

Trains `keras_wgan.BiGAN` (the paper's cross-entropy) or `keras_wgan.BiGANGP`
(Wasserstein loss, penalty on the joint input) on the 60,000 MNIST train
digits with the networks of `keras_wgan.nets.bigan` and the MNIST generator,
then writes into `--out` (default `docs/bigan/`):

- `<model>.json`: the linear-probe accuracy on the 10,000 test digits of
  the trained encoder (probe fitted on the train digits' codes, encoder
  frozen), of a randomly initialised encoder of the same architecture (the
  baseline) and of the raw pixels; the MNIST classifier's accuracy on the
  reconstructions `G(E(x))` of the test digits (does the digit survive the
  round trip?); the iterations, the wall time, the settings and the command;
- `<model>_reconstructions.png`: the first 20 train digits (top row) and
  their reconstructions (bottom row);
- `<model>_samples.png`: 100 generated digits.

It prints the numbers it writes. `--train-limit` trains and probes on the
first N train digits only (a quick run).
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
from keras_wgan.nets import architectures  # noqa: E402
from keras_wgan.nets import bigan  # noqa: E402

MODELS = {"bigan": keras_wgan.BiGAN, "bigan-gp": keras_wgan.BiGANGP}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="bigan")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.2,
                        help="the joint critic's dropout rate")
    parser.add_argument("--n-critic", type=int, default=None,
                        help="critic updates per generator update (default: "
                        "the model's, 1 for bigan, 5 for bigan-gp)")
    parser.add_argument("--probe-epochs", type=int, default=20)
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(_ROOT, "docs", "bigan"))
    return parser.parse_args(argv)


def build(args):
    """Returns the compiled model of `args`."""
    kwargs = {} if args.n_critic is None else {"n_critic": args.n_critic}
    model = MODELS[args.model](
        bigan.mnist_joint_critic(args.latent_dim, args.width, args.dropout),
        architectures.mnist_generator(args.latent_dim, args.width),
        bigan.mnist_encoder(args.latent_dim, args.width),
        seed=args.seed, **kwargs)
    model.compile()
    return model


def probe(encoder, train, test, args):
    """The linear-probe test accuracy of `encoder`'s codes."""
    codes = [encoder.predict(x, batch_size=500, verbose=0)
             for x, _ in (train, test)]
    return keras_wgan.quality.linear_probe(
        codes[0], train[1], codes[1], test[1], epochs=args.probe_epochs,
        seed=args.seed)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    train = keras_wgan.data.load_mnist("train", return_labels=True)
    test = keras_wgan.data.load_mnist("test", return_labels=True)
    if args.train_limit:
        train = tuple(part[:args.train_limit] for part in train)
    model = build(args)
    # The probe's baseline: an untrained encoder of the same architecture.
    random_encoder = bigan.mnist_encoder(args.latent_dim, args.width,
                                         name="random_encoder")
    start = time.time()
    history = model.fit(train[0], batch_size=args.batch_size,
                        epochs=args.epochs, verbose=2)
    train_seconds = time.time() - start
    iterations = int(model.generator_optimizer.iterations)

    os.makedirs(args.out, exist_ok=True)
    classifier = keras_wgan.quality.load_classifier("mnist")
    reconstructions = model.reconstruct(test[0])
    first = train[0][:20]
    record = {
        "model": type(model).__name__,
        "probe_accuracy": probe(model.encoder, train, test, args),
        "random_encoder_probe_accuracy": probe(random_encoder, train, test,
                                               args),
        "pixel_probe_accuracy": keras_wgan.quality.linear_probe(
            train[0].reshape(len(train[0]), -1), train[1],
            test[0].reshape(len(test[0]), -1), test[1],
            epochs=args.probe_epochs, seed=args.seed),
        "reconstruction_digit_accuracy": keras_wgan.quality.label_accuracy(
            reconstructions, test[1], classifier),
        "test_digit_accuracy": keras_wgan.quality.label_accuracy(
            test[0], test[1], classifier),
        "generator_iterations": iterations,
        "train_seconds": round(train_seconds, 1),
        "final_logs": {k: round(float(v[-1]), 4)
                       for k, v in history.history.items()},
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "train_images": len(train[0]),
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "command": "python " + shlex.join(
            ["scripts/train_bigan.py"] + (sys.argv[1:] if argv is None
                                          else list(argv))),
    }
    name = args.model.replace("-", "_")
    with open(os.path.join(args.out, f"{name}.json"), "w") as file:
        json.dump(record, file, indent=2)
        file.write("\n")
    image_grids.save_image_grid(
        np.concatenate([first, model.reconstruct(first)]),
        os.path.join(args.out, f"{name}_reconstructions.png"), columns=20)
    image_grids.save_image_grid(
        model.generate(100, seed=args.seed),
        os.path.join(args.out, f"{name}_samples.png"), columns=10)
    print(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main()
