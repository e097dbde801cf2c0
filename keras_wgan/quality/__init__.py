"""Sample quality of generators, judged by a small pretrained classifier.

The Inception-based metrics of natural images have a domain analogue for
MNIST, Fashion-MNIST and coloured MNIST: a small CNN trained on the dataset
itself (shipped with the package, `load_classifier`) stands in for
Inception. Each metric
comes as a function of images and, as TF-GAN pairs `classifier_score` with
`classifier_score_from_logits`, a function of precomputed logits:

- `classifier_fid` / `fid_from_logits`: Frechet distance between real and
  generated images in the classifier's logits (lower is better).
- `classifier_score` / `score_from_logits`: the Inception-score analogue,
  `exp(E_x KL(p(y|x) || p(y)))`, from 1 to 10 (higher is better).
- `mode_coverage` / `coverage_from_logits`: how many samples fall in each
  class.
- `logit_quality`: the three at once from logits, as every report uses
  them; `generator_quality`, of a generator's samples from a fixed seed; `QualityMetrics`, a callback writing them into the epoch logs.
- `label_accuracy` / `accuracy_from_logits`: the share of images in the
  class asked for (of a conditional generator); `coloured_mnist_accuracy`
  and `coloured_mnist_predictions`: the digit and colours of coloured MNIST
  images, from the joint classes of its classifier; `requested_class_accuracy`,
  the rule every report of a conditional model uses.

For RGB images, `inception_metrics` computes the Inception score, FID and
KID of the literature with torch-fidelity, an optional extra
(`pip install keras-wgan[inception]`).

Modules:

- `architecture`: the classifier's network (`image_classifier`).
- `classifiers`: the shipped classifiers and their training records.
- `features`: running a classifier over images (`classifier_logits`).
- `frechet`: the Frechet distance, of Gaussians and of logits.
- `scores`: the classifier score and mode coverage.
- `summary`: `logit_quality`, the three metrics of one set of logits.
- `labels`: whether images show the classes asked for.
- `callback`: `QualityMetrics`.
- `probe`: `linear_probe`, a softmax regression on an encoder's codes.
- `inception`: `inception_metrics`, through torch-fidelity.
- `evaluation`: `evaluate_generator`, a generator's numbers against its
  dataset's test split with the real-data floor (`Reference`), as the
  pretrained records and `python -m keras_wgan evaluate` report them.
"""

from keras_wgan.quality.architecture import image_classifier
from keras_wgan.quality.callback import QualityMetrics
from keras_wgan.quality.classifiers import CLASSIFIER_DATASETS
from keras_wgan.quality.classifiers import classifier_info
from keras_wgan.quality.classifiers import load_classifier
from keras_wgan.quality.features import classifier_logits
from keras_wgan.quality.frechet import classifier_fid
from keras_wgan.quality.frechet import feature_statistics
from keras_wgan.quality.frechet import fid_from_logits
from keras_wgan.quality.frechet import frechet_distance
from keras_wgan.quality.evaluation import EVALUATION_NAMES
from keras_wgan.quality.evaluation import Reference
from keras_wgan.quality.evaluation import evaluate_generator
from keras_wgan.quality.inception import INCEPTION_METRIC_NAMES
from keras_wgan.quality.inception import ensure_inception_weights
from keras_wgan.quality.inception import inception_metrics
from keras_wgan.quality.labels import accuracy_from_logits
from keras_wgan.quality.labels import coloured_mnist_accuracy
from keras_wgan.quality.labels import coloured_mnist_predictions
from keras_wgan.quality.labels import requested_class_accuracy
from keras_wgan.quality.labels import label_accuracy
from keras_wgan.quality.probe import linear_probe
from keras_wgan.quality.scores import ModeCoverage
from keras_wgan.quality.scores import classifier_score
from keras_wgan.quality.scores import coverage_from_logits
from keras_wgan.quality.scores import mode_coverage
from keras_wgan.quality.scores import score_from_logits
from keras_wgan.quality.summary import METRIC_NAMES
from keras_wgan.quality.summary import generator_quality
from keras_wgan.quality.summary import logit_quality

__all__ = [
    "CLASSIFIER_DATASETS",
    "EVALUATION_NAMES",
    "INCEPTION_METRIC_NAMES",
    "METRIC_NAMES",
    "ModeCoverage",
    "QualityMetrics",
    "Reference",
    "accuracy_from_logits",
    "classifier_fid",
    "classifier_info",
    "classifier_logits",
    "classifier_score",
    "coloured_mnist_accuracy",
    "coloured_mnist_predictions",
    "coverage_from_logits",
    "ensure_inception_weights",
    "evaluate_generator",
    "feature_statistics",
    "fid_from_logits",
    "frechet_distance",
    "generator_quality",
    "image_classifier",
    "inception_metrics",
    "label_accuracy",
    "linear_probe",
    "load_classifier",
    "logit_quality",
    "mode_coverage",
    "requested_class_accuracy",
    "score_from_logits",
]
