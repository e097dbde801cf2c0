"""A Keras callback that scores a GAN's samples during training."""

import logging
import time
from typing import Any
from typing import cast

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.quality.classifiers import CLASSIFIER_DATASETS
from keras_wgan.quality.classifiers import load_classifier
from keras_wgan.quality.features import check_classifier
from keras_wgan.quality.features import classifier_logits
from keras_wgan.quality.summary import METRIC_NAMES
from keras_wgan.quality.summary import logit_quality
from keras_wgan.tensor_types import ArrayLike

_LOGGER = logging.getLogger(__name__)


@keras.saving.register_keras_serializable(package="keras_wgan")
class QualityMetrics(keras.callbacks.Callback):
    """Scores generated samples with a classifier every `every` epochs.

    At the end of the first epoch of each `fit` call, of every `every`-th
    epoch and of the last one, it draws `num_samples` images with the
    model's `generate(num_samples, seed=seed)` (the same noise each time,
    so that epochs are compared on equal terms) and writes three numbers
    into the epoch's `logs`:

    - `classifier_fid`: `classifier_fid` between `real_images` and the
      samples (lower is better);
    - `classifier_score`: `classifier_score` of the samples (1 to 10,
      higher is better);
    - `classes_covered`: the number of classes `mode_coverage` finds among
      the samples.

    Keras hands the same `logs` dict to the callbacks in list order and
    appends its own `History` and progress bar after the ones you pass, so
    the numbers appear in `History.history` and on the `verbose=1` epoch
    line, and in a `keras.callbacks.CSVLogger` or `TensorBoard` placed
    *after* this callback in the list (one placed before it sees the epoch
    without them). Each run also logs one line on
    the `"keras_wgan"` logger (unless `verbose=0`) and is kept in
    `self.results`.

    Epochs where it does not run get no entry: nothing is written into
    their `logs` rather than a NaN placeholder. `History.history[key]`
    then holds one value per evaluated epoch (`self.results` says which
    epochs those were), and a `CSVLogger` writes `NA` in those rows. A
    `CSVLogger` fixes its columns at the first epoch it writes, which is
    why the first epoch is always evaluated: the columns then exist. (A
    `fit` with `initial_epoch` resuming a CSV file whose header lacks them
    cannot gain them.)

    The real images' logits are computed once, at the first run. The
    FID estimate is biased upwards for small sample counts, so compare only
    runs with the same `num_samples` and the same `real_images`.

    Args:
        real_images: Real images `(N, 28, 28, 1)` in [-1, 1], N >= 2, e.g.
            `keras_wgan.data.load_mnist("test")`: the reference of the FID.
        dataset: `"mnist"` or `"fashion_mnist"`: use the shipped classifier
            for that dataset (`load_classifier`). Give this or `classifier`.
        classifier: A `keras.Model` from images to logits, instead of
            `dataset`.
        every: Evaluate after every `every`-th epoch, an int >= 1 (the
            first and the last epoch of `fit` are always evaluated).
        num_samples: Images generated per evaluation, an int >= 2 (default
            1000).
        seed: Int seed of the samples' noise.
        batch_size: Images per forward pass of the generator and the
            classifier.
        verbose: 1 to log a line per evaluation, 0 for none.

    Example:

    ```python
    metrics = keras_wgan.quality.QualityMetrics(
        keras_wgan.data.load_mnist("test"), dataset="mnist", every=5)
    history = gan.fit(images, epochs=20, callbacks=[
        metrics, keras.callbacks.CSVLogger("runs/a/log.csv")])
    history.history["classifier_fid"]  # epochs 1, 5, 10, 15, 20
    ```
    """

    def __init__(self, real_images: ArrayLike, dataset: str | None = None,
                 classifier: keras.Model | None = None, every: int = 1,
                 num_samples: int = 1000, seed: int = 0,
                 batch_size: int = 500, verbose: int = 1) -> None:
        super().__init__()
        if (dataset is None) == (classifier is None):
            raise ValueError(
                f"give exactly one of dataset (one of {CLASSIFIER_DATASETS}) "
                "and classifier (a keras.Model to logits), got "
                + ("both." if dataset is not None else "neither.")
            )
        if dataset is not None:
            argument_validation.check_choice("dataset", dataset, CLASSIFIER_DATASETS)
        self.dataset = dataset
        self.every = argument_validation.check_int("every", every)
        self.num_samples = argument_validation.check_int("num_samples", num_samples,
                                                minimum=2)
        self.seed = argument_validation.check_int("seed", seed, minimum=0)
        self.batch_size = argument_validation.check_int("batch_size", batch_size)
        if verbose not in (0, 1):
            raise ValueError(f"verbose must be 0 or 1, got {verbose!r}.")
        self.verbose = verbose
        self.classifier = (
            load_classifier(cast(str, dataset)) if classifier is None
            else classifier
        )
        image_shape = check_classifier(self.classifier)
        if not hasattr(real_images, "shape"):
            real_images = np.asarray(real_images)
        argument_validation.check_images(real_images, "real_images", image_shape)
        if real_images.shape[0] < 2:
            raise ValueError(
                "real_images must hold at least 2 images to estimate a "
                f"covariance, got {real_images.shape[0]}."
            )
        self.real_images = np.asarray(real_images, dtype="float32")
        self.results: list[dict[str, float | int]] = []
        self._real_logits: np.ndarray | None = None
        self._evaluated_this_fit = False

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not callable(getattr(self.model, "generate", None)):
            raise ValueError(
                "QualityMetrics needs a model with a generate(num_samples, "
                f"seed=...) method (WGAN, WGANGP), got "
                f"{type(self.model).__name__}."
            )
        self._evaluated_this_fit = False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        last_epoch = epoch + 1 == self.params.get("epochs")
        due = (epoch + 1) % self.every == 0 or last_epoch
        if self._evaluated_this_fit and not due:
            return
        self._evaluated_this_fit = True
        start = time.perf_counter()
        values = self.evaluate()
        if logs is not None:
            logs.update(values)
        self.results.append({"epoch": epoch + 1, **values})
        if self.verbose:
            _LOGGER.info(
                f"epoch {epoch + 1}: classifier_fid "
                f"{values['classifier_fid']:.4g}, classifier_score "
                f"{values['classifier_score']:.3f}, classes_covered "
                f"{values['classes_covered']}/{self._num_classes} "
                f"({self.num_samples} samples, "
                f"{time.perf_counter() - start:.1f} s)"
            )

    def evaluate(self) -> dict[str, float | int]:
        """Generates the samples and scores them with the current generator.

        Returns:
            A dict with the float `"classifier_fid"`, the float
            `"classifier_score"` and the int `"classes_covered"`.
        """
        if self._real_logits is None:
            self._real_logits = classifier_logits(
                self.real_images, self.classifier, "real_images",
                self.batch_size, 2)
        samples = self.model.generate(self.num_samples, seed=self.seed,
                                      batch_size=self.batch_size)
        fake = classifier_logits(samples, self.classifier,
                                 "generated samples", self.batch_size, 2)
        values = logit_quality(self._real_logits, fake)
        return {name: values[name] for name in METRIC_NAMES}

    @property
    def _num_classes(self):
        return self.classifier.output_shape[-1]

    def get_config(self) -> dict[str, Any]:
        return {
            "real_images": keras.saving.serialize_keras_object(
                self.real_images
            ),
            "dataset": self.dataset,
            "classifier": (
                None if self.dataset is not None
                else keras.saving.serialize_keras_object(self.classifier)
            ),
            "every": self.every,
            "num_samples": self.num_samples,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "verbose": self.verbose,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "QualityMetrics":
        config = dict(config)
        for key in ("real_images", "classifier"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(
                    config[key]
                )
        return cls(**config)
