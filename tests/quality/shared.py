"""Classifier outputs shared by the quality tests, computed once per set.

A forward pass over a thousand images is the expensive part of these
tests; each public function of images is still called on images somewhere.
"""

import functools

import numpy as np

from keras_wgan import data
from keras_wgan import quality


@functools.lru_cache(maxsize=None)
def classifier(dataset="mnist"):
    return quality.load_classifier(dataset)


@functools.lru_cache(maxsize=1)
def digits():
    """The 10,000 MNIST test digits and their labels."""
    return data.load_mnist("test", return_labels=True)


@functools.lru_cache(maxsize=1)
def coloured():
    """The 10,000 coloured MNIST test images, their digits and colours."""
    return data.load_coloured_mnist("test", return_labels=True,
                                    return_colours=True)


def held_out():
    """The MNIST digits the shipped classifier never saw (the test split),
    and labels."""
    start, stop = quality.classifier_info("mnist")["evaluated_on"]["indices"]
    images, labels = digits()
    return images[start:stop], labels[start:stop]


def noise(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


@functools.lru_cache(maxsize=None)
def logits(name):
    sets = {
        "held_out": lambda: held_out()[0],
        # Digits the classifier trained on: real, but not the held-out ones.
        "reference": lambda: data.load_mnist("train")[:1000],
        "noise": lambda: noise(1000),
    }
    if name == "coloured":
        return quality.classifier_logits(coloured()[0],
                                         classifier("coloured_mnist"))
    return quality.classifier_logits(sets[name](), classifier())


def fid(a, b):
    """The classifier FID between two of the cached logit sets."""
    return quality.frechet_distance(*quality.feature_statistics(logits(a)),
                                    *quality.feature_statistics(logits(b)))
