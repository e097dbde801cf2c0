"""The quality of a generator against its dataset, with the real-data floor.

`evaluate_generator` measures what the pretrained models' records report
(`keras_wgan.pretrained_info(name)["quality"]`) for any generator of a
dataset with a shipped classifier: the classifier FID of `num_samples`
images from `generate(seed=...)` against the dataset's test split, their
classifier score, the classes covered and the smallest class's share, for
a conditional model the share of images in the class asked for, and beside
them the same numbers of as many real training images (the floor: the
value of a generator that reproduced its training data). `Reference` holds
the test split's logits and the floor, computed once for many generators
(the checkpoints of a run).
"""

import dataclasses
import functools
from typing import Any

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.quality.classifiers import CLASSIFIER_DATASETS
from keras_wgan.quality.classifiers import load_classifier
from keras_wgan.quality.features import classifier_logits
from keras_wgan.quality.labels import requested_class_accuracy
from keras_wgan.quality.summary import logit_quality

#: The keys of one measurement, in the order a summary shows them.
EVALUATION_NAMES = ("classifier_fid", "classifier_score", "classes_covered",
                    "smallest_class_fraction", "class_accuracy")


def _load(dataset, split, labels=False):
    from keras_wgan import data

    return data.DATASETS[dataset](split, return_labels=labels)


@functools.lru_cache(maxsize=None)
def _classifier_and_test_logits(dataset):
    """The dataset's classifier and its logits of the whole test split.

    Kept for the life of the process: both come from files shipped with the
    package, and each `Reference` of the dataset (each `evaluate`, each
    checkpoint scored in a process) would otherwise classify the whole test
    split again. The logits are read-only, as they are shared.
    """
    classifier = load_classifier(dataset)
    logits = classifier_logits(_load(dataset, "test"), classifier,
                               min_images=2)
    logits.setflags(write=False)
    return classifier, logits


def _measure(real_logits, logits, labels=None, num_classes=None):
    values = logit_quality(real_logits, logits)
    counts = np.asarray(values["class_counts"])
    values["classes_covered"] = int(values["classes_covered"])
    values["classifier_score"] = float(values["classifier_score"])
    values["classifier_fid"] = float(values["classifier_fid"])
    values["smallest_class_fraction"] = float(counts.min() / counts.sum())
    if labels is not None:
        accuracy = requested_class_accuracy(logits, labels, num_classes)
        if accuracy is not None:
            values["class_accuracy"] = accuracy
    return values


@dataclasses.dataclass(frozen=True)
class Reference:
    """A dataset's test-split logits and its real-data floor.

    Build it with `Reference.of(dataset, num_samples)`.

    Attributes:
        dataset: The dataset name, one of `CLASSIFIER_DATASETS`.
        classifier: Its shipped classifier (`load_classifier(dataset)`).
        logits: The test split's logits.
        floor: The measurement of the first `num_samples` images of the
            training split (with their labels' class accuracy), a dict as
            `evaluate_generator`'s `"model"`.
        num_samples: The images the floor was measured on.
    """

    dataset: str
    classifier: object
    logits: np.ndarray
    floor: dict
    num_samples: int

    @classmethod
    def of(cls, dataset: str, num_samples: int = 10000,
           split: str = "train") -> "Reference":
        """Loads the classifier and the data, and measures the floor.

        The classifier and the test split's logits are computed once per
        process and dataset, and shared by its references.

        Args:
            dataset: One of `CLASSIFIER_DATASETS`.
            num_samples: Real training images of the floor, an int >= 2
                (use the generated images' count).
            split: The split the floor's images come from.

        Returns:
            A `Reference`.
        """
        dataset = argument_validation.check_choice("dataset", dataset,
                                                   CLASSIFIER_DATASETS)
        num_samples = argument_validation.check_int("num_samples",
                                                    num_samples, minimum=2)
        classifier, logits = _classifier_and_test_logits(dataset)
        images, labels = _load(dataset, split, labels=True)
        if num_samples > len(images):
            raise ValueError(
                f"num_samples must be <= {len(images)} (the {split} images "
                f"of {dataset}, for the floor), got {num_samples}.")
        real = classifier_logits(images[:num_samples], classifier,
                                 min_images=2)
        floor = _measure(logits, real, labels[:num_samples],
                         int(labels.max()) + 1)
        return cls(dataset, classifier, logits, floor, num_samples)


def evaluate_generator(model: keras.Model, reference: Reference,
                       num_samples: int | None = None,
                       seed: int = 0) -> dict[str, Any]:
    """Measures a generator against a `Reference`, with the floor beside.

    The images are `model.generate(num_samples, seed=seed)`; a conditional
    model (one with `num_classes`) draws the classes in turn, and its
    `"class_accuracy"` is the share of them the classifier puts in the
    class asked for (`requested_class_accuracy`: for a model of coloured
    MNIST's 10 digits, the digit the coloured MNIST classifier reads,
    whatever the colours).

    Args:
        model: A `keras_wgan.AdversarialModel` whose images fit the
            reference's classifier.
        reference: A `Reference` of the model's dataset.
        num_samples: Images to generate, an int >= 2; `None`: the
            reference's `num_samples`.
        seed: Int seed of the noise.

    Returns:
        A dict: `"model"`, the measurement (`"classifier_fid"`,
        `"classifier_score"`, `"classes_covered"`, `"class_counts"`,
        `"smallest_class_fraction"` and, for a conditional model,
        `"class_accuracy"`); `"floor"`, the reference's; `"dataset"`,
        `"num_samples"` and `"seed"`.

    Example:

    >>> gan = keras_wgan.pretrained("mnist-wgan")
    >>> reference = Reference.of("mnist", num_samples=500)
    >>> result = evaluate_generator(gan, reference)
    >>> result["model"]["classes_covered"], result["floor"]["classes_covered"]
    (10, 10)
    >>> result["model"]["classifier_fid"] > result["floor"]["classifier_fid"]
    True
    """
    num_samples = argument_validation.check_int(
        "num_samples", reference.num_samples if num_samples is None
        else num_samples, minimum=2)
    seed = argument_validation.check_int("seed", seed, minimum=0)
    num_classes = getattr(model, "num_classes", None)
    labels = None
    if num_classes is None:
        images = model.generate(num_samples, seed=seed)
    else:
        labels = np.arange(num_samples) % num_classes
        images = model.generate(num_samples, labels=labels, seed=seed)
    logits = classifier_logits(images, reference.classifier, min_images=2)
    values = _measure(reference.logits, logits, labels, num_classes)
    return {
        "dataset": reference.dataset,
        "num_samples": num_samples,
        "seed": seed,
        "model": values,
        "floor": reference.floor,
    }
