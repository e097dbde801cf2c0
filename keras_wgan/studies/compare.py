"""GAN, non-saturating GAN, WGAN and WGAN-GP side by side, one budget.

`run_comparison` trains each variant with the same networks (the same
initial weights: the seed is reset before each model is built), the same
data and the same budget of generator iterations and/or training seconds,
evaluates the samples every `eval_every` generator iterations and writes a
report folder (see `keras_wgan.report`).

What is measured depends on the data:

- MNIST and Fashion-MNIST: the classifier FID against held-out real images
  (lower is better), the classifier score and the classes covered, all with
  the classifier shipped for the dataset (`keras_wgan.quality`).
- The 2D toy mixtures (`toy-8gaussians`, `toy-25gaussians`): FID does not
  apply. A sample is *high quality* when it lies within 3 standard
  deviations of its nearest mode centre; a mode is *covered* when it gets
  at least a quarter of its fair share (`n / (4 K)` of `n` samples, `K`
  modes) of high-quality samples. Both follow the toy benchmarks of
  Srivastava et al. (2017, VEEGAN) and Metz et al. (2017, unrolled GANs).
- Every toy set, the swiss roll included: the energy distance
  `2 E|X - Y| - E|X - X'| - E|Y - Y'|` between the samples and held-out
  real points (Szekely and Rizzo, 2013), 0 only when the distributions
  coincide.

At every evaluation the critic's gap `mean D(real) - mean D(fake)` on fixed
held-out real samples and fixed noise is logged (the Wasserstein estimate
for WGAN and WGAN-GP; the logit gap of a GAN's discriminator), and so are
the per-layer gradient norms of the critic loss
(`keras_wgan.diagnostics.layer_gradient_norms`).
"""

import dataclasses
import datetime
import math
import os
import platform
import time

import keras
import numpy as np

from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy
from keras_wgan import argument_validation
from keras_wgan.errors import NonFiniteError

#: The variants by command-line name: (class name in keras_wgan, label).
VARIANTS = {
    "gan": ("MinimaxGAN", "GAN (minimax)"),
    "nsgan": ("NonSaturatingGAN", "GAN (non-saturating)"),
    "wgan": ("WGAN", "WGAN (clipping)"),
    "wgan-gp": ("WGANGP", "WGAN-GP"),
}
IMAGE_DATASETS = ("mnist", "fashion_mnist")
#: Toy data sets by command-line name: the key of `toy.DISTRIBUTIONS_2D`.
TOY_DATASETS = {
    "toy-8gaussians": "8gaussians",
    "toy-25gaussians": "25gaussians",
    "toy-swissroll": "swissroll",
}
DATASETS = IMAGE_DATASETS + tuple(TOY_DATASETS)
# Mode centres and (scaled) standard deviations of the toy mixtures, with
# the samplers' default parameters.
_GRID = np.array([(x, y) for x in range(-4, 5, 2) for y in range(-4, 5, 2)])
_MIXTURES = {
    "8gaussians": (toy.eight_gaussians_centres(), 0.02 / 1.414),
    "25gaussians": ((_GRID / 2.828).astype("float32"), 0.05 / 2.828),
}
TOY_TRAIN_SIZE = 100_000
# Real points scored by the critic (gap, gradient norms) at each evaluation.
CRITIC_PROBE_SIZE = 256
# Images per sample grid in the report (an 8 x 8 grid).
GRID_SAMPLES = 64


@dataclasses.dataclass(frozen=True)
class CompareConfig:
    """What `run_comparison` trains and how long.

    Args:
        dataset: One of `DATASETS`.
        out: Folder of the report.
        variants: Names from `VARIANTS`, in report order.
        iterations: Generator iterations per variant, or `None`.
        seconds: Training seconds per variant (evaluation not counted), or
            `None`. At least one of `iterations` and `seconds` is required;
            with both, a variant stops at whichever comes first.
        eval_every: Evaluate every this many generator iterations.
        eval_samples: Samples generated per evaluation (the same noise at
            every evaluation).
        width: Network width; `None` gives 32 for images (`mnist_critic`,
            `mnist_generator`) and 128 for toy data (`toy_critic`,
            `toy_generator`, 3 hidden layers).
        batch_size: Real samples per critic update.
        learning_rate: Learning rate of both optimizers of every variant,
            replacing each paper's default; `None` keeps the defaults.
        latent_dim: Noise size; `None` gives 128 for images, 2 for toys.
        seed: Seed of the weights, the noise and the data order.

    Example:

    >>> CompareConfig("toy-8gaussians", "runs/cmp", iterations=500)
    """

    dataset: str
    out: str
    variants: tuple = tuple(VARIANTS)
    iterations: int = None
    seconds: float = None
    eval_every: int = 50
    eval_samples: int = 2000
    width: int = None
    batch_size: int = 64
    learning_rate: float = None
    latent_dim: int = None
    seed: int = 0

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(
                f"dataset must be one of {', '.join(DATASETS)}, got "
                f"{self.dataset!r}."
            )
        variants = tuple(self.variants)
        if not variants or len(set(variants)) != len(variants) or any(
            v not in VARIANTS for v in variants
        ):
            raise ValueError(
                "variants must be distinct names from "
                f"{', '.join(VARIANTS)}, got {list(variants)}."
            )
        object.__setattr__(self, "variants", variants)
        if self.iterations is None and self.seconds is None:
            raise ValueError(
                "give iterations (generator iterations per variant) or "
                "seconds (training seconds per variant), or both."
            )
        if self.iterations is not None:
            argument_validation.check_int("iterations", self.iterations)
        if self.seconds is not None:
            argument_validation.check_float("seconds", self.seconds, inclusive=False)
        argument_validation.check_int("eval_every", self.eval_every)
        argument_validation.check_int("eval_samples", self.eval_samples, minimum=2)
        argument_validation.check_int("batch_size", self.batch_size)
        argument_validation.check_int("seed", self.seed, minimum=0)
        if self.learning_rate is not None:
            argument_validation.check_float(
                "learning_rate", self.learning_rate, inclusive=False
            )
        image = self.dataset in IMAGE_DATASETS
        for name, default in (("width", 32 if image else 128),
                              ("latent_dim", 128 if image else 2)):
            value = getattr(self, name)
            value = default if value is None else argument_validation.check_int(
                name, value)
            object.__setattr__(self, name, value)

    @property
    def is_toy(self):
        return self.dataset in TOY_DATASETS


# -------------------------------------------------------------------- data


@dataclasses.dataclass
class ComparisonData:
    """Training samples, held-out reference samples, and where they came from.

    Attributes:
        train: Array of training samples.
        reference: Held-out real samples that generated ones are scored
            against.
        notes: Sentences for the report about the data's origin.
    """

    train: np.ndarray
    reference: np.ndarray
    notes: list


def load_data(config):
    """Loads the training and reference samples of `config.dataset`.

    MNIST trains on the 60k train digits when a source has them, else on
    the 10k test digits shipped with the package, which are then also the
    FID reference. Fashion-MNIST trains on its train split and is scored
    against its test split. Toy sets draw `TOY_TRAIN_SIZE` training points
    and `eval_samples` reference points from different seeds.

    Args:
        config: A `CompareConfig`.

    Returns:
        A `ComparisonData`.

    Example:

    >>> data = load_data(CompareConfig("toy-swissroll", "out", seconds=60))
    >>> data.train.shape
    (100000, 2)
    """
    from keras_wgan import data

    if config.is_toy:
        sampler = toy.DISTRIBUTIONS_2D[TOY_DATASETS[config.dataset]]
        return ComparisonData(
            sampler(TOY_TRAIN_SIZE, seed=config.seed),
            sampler(config.eval_samples, seed=config.seed + 1),
            [f"Training data: {TOY_TRAIN_SIZE} points of "
             f"`keras_wgan.toy.{sampler.__name__}` (seed {config.seed}); "
             f"reference: {config.eval_samples} other points (seed "
             f"{config.seed + 1})."],
        )
    if config.dataset == "fashion_mnist":
        return ComparisonData(
            data.load_fashion_mnist("train"),
            data.load_fashion_mnist("test"),
            ["Training data: the Fashion-MNIST train split (60,000 images); "
             "FID reference: the test split (10,000 images), never trained "
             "on. The classifier was trained on the train split."],
        )
    reference = data.load_mnist("test")
    try:
        train = data.load_mnist("train", stand_in=False)
        notes = ["Training data: the MNIST train split; FID reference: the "
                 "10,000 test digits."]
    except FileNotFoundError:
        train = reference
        notes = ["Training data and FID reference: the same 10,000 MNIST "
                 "test digits shipped with the package (the 60,000 train "
                 "digits were not available offline), so the FID measures "
                 "closeness to the training set."]
    notes.append(
        "The MNIST classifier behind FID, score and coverage was trained on "
        "the first 8,000 of those test digits "
        "(`keras_wgan/resources/classifiers/mnist.json`), so the reference "
        "set is not independent of the classifier."
    )
    return ComparisonData(train, reference, notes)


# ----------------------------------------------------------------- metrics


def energy_distance(x, y):
    """Returns the energy distance between two samples of points.

    `2 E|X - Y| - E|X - X'| - E|Y - Y'|` with Euclidean distances, each
    expectation the mean over all pairs (the V-statistic, so the distance
    of a sample to itself is 0). It is >= 0 and 0 only for identical
    distributions (Szekely and Rizzo, 2013).

    Args:
        x: Array `(n, d)`.
        y: Array `(m, d)`.

    Returns:
        Python float.

    Example:

    >>> energy_distance(np.zeros((3, 2)), np.ones((3, 2)))  # 2 * sqrt(2)
    2.8284271247461903
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")

    def mean_distance(a, b):
        return float(np.mean(np.linalg.norm(a[:, None] - b[None], axis=-1)))

    value = 2 * mean_distance(x, y) - mean_distance(x, x) - mean_distance(y, y)
    return max(value, 0.0)


def mixture_quality(points, centres, std):
    """Returns high-quality fraction and covered modes of a Gaussian mixture.

    Args:
        points: Array `(n, 2)` of samples.
        centres: Array `(K, 2)` of mode centres.
        std: Standard deviation of each mode.

    Returns:
        A dict with `high_quality` (the fraction of samples within `3 std`
        of their nearest centre), `modes_covered` (modes with at least
        `n / (4 K)` of those samples) and `mode_counts` (high-quality
        samples per mode, a list).

    Example:

    >>> mixture_quality(toy.eight_gaussians(2000, seed=0),
    ...                 toy.eight_gaussians_centres(), 0.02 / 1.414)
    """
    points = np.asarray(points, dtype="float64")
    distances = np.linalg.norm(points[:, None] - centres[None], axis=-1)
    nearest = np.argmin(distances, axis=1)
    good = distances[np.arange(len(points)), nearest] <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centres))
    return {
        "high_quality": float(np.mean(good)),
        "modes_covered": int(np.sum(counts >= len(points) / (4 * len(centres)))),
        "mode_counts": counts.tolist(),
    }


class ToyQuality:
    """Scores 2D samples: energy distance, and for mixtures modes and quality.

    Args:
        name: Key of `toy.DISTRIBUTIONS_2D`.
        reference: Held-out real points `(n, 2)`.

    Example:

    >>> ToyQuality("8gaussians", reference)(samples)["energy_distance"]
    """

    #: The metric the "final" and "best" columns use; lower is better.
    primary = "energy_distance"

    def __init__(self, name, reference):
        self.reference = np.asarray(reference, dtype="float32")
        self.mixture = _MIXTURES.get(name)
        self.num_modes = None if self.mixture is None else len(
            self.mixture[0])

    def __call__(self, samples):
        values = {"energy_distance": energy_distance(samples, self.reference)}
        if self.mixture is not None:
            values.update(mixture_quality(samples, *self.mixture))
        return values


class ImageQuality:
    """Scores images with the shipped classifier: FID, score, coverage.

    Args:
        dataset: `"mnist"` or `"fashion_mnist"`.
        reference: Held-out real images, the FID reference.

    Example:

    >>> ImageQuality("mnist", load_mnist("test"))(images)["classifier_fid"]
    """

    primary = "classifier_fid"
    num_modes = 10

    def __init__(self, dataset, reference):
        from keras_wgan import quality

        self._quality = quality
        self.classifier = quality.load_classifier(dataset)
        logits = self._logits(reference)
        self._statistics = quality.feature_statistics(logits, "reference")

    def _logits(self, images):
        return self._quality.classifier_logits(
            images, self.classifier, "images", 500, min_images=2)

    def __call__(self, samples):
        logits = self._logits(samples)
        coverage = self._quality.coverage_from_logits(logits)
        return {
            "classifier_fid": self._quality.frechet_distance(
                *self._statistics,
                *self._quality.feature_statistics(logits, "samples")),
            "classifier_score": self._quality.score_from_logits(logits),
            "classes_covered": coverage.covered,
            "class_counts": coverage.counts.tolist(),
        }


def make_evaluator(config, data):
    """Returns the `ImageQuality` or `ToyQuality` for `config.dataset`."""
    if config.is_toy:
        return ToyQuality(TOY_DATASETS[config.dataset], data.reference)
    return ImageQuality(config.dataset, data.reference)


def real_baseline(config, data, evaluator):
    """Scores `eval_samples` training samples as if a generator drew them.

    This is the best a generator can reach with this many samples: the
    estimates (FID above all) are biased upwards for finite samples.

    Returns:
        The evaluator's dict of numbers.
    """
    rng = np.random.default_rng(config.seed)
    count = min(config.eval_samples, len(data.train))
    return evaluator(data.train[rng.choice(len(data.train), count, False)])


# ------------------------------------------------------------------ models


def build_variant(name, config):
    """Builds and compiles one variant with the shared networks.

    The global seed is reset first, so every variant starts from the same
    initial critic and generator weights. Each model keeps its own
    defaults (n_critic, clip value or penalty weight, optimizer) except
    the learning rate when `config.learning_rate` is set.

    Args:
        name: Key of `VARIANTS`.
        config: A `CompareConfig`.

    Returns:
        A compiled `keras_wgan.AdversarialModel`.
    """
    import keras_wgan
    from keras_wgan.nets import architectures

    keras.utils.set_random_seed(config.seed)
    if config.is_toy:
        critic = toy.toy_critic(2, width=config.width)
        generator = toy.toy_generator(config.latent_dim, 2, width=config.width)
    else:
        critic = architectures.mnist_critic(width=config.width)
        generator = architectures.mnist_generator(
            latent_dim=config.latent_dim, width=config.width)
    model_class = getattr(keras_wgan, VARIANTS[name][0])
    model = model_class(critic, generator, seed=config.seed)
    model.compile(learning_rate=config.learning_rate)
    return model


def describe_optimizer(optimizer):
    """Returns e.g. `"Adam(lr=0.0001, beta_1=0, beta_2=0.9)"`."""
    config = optimizer.get_config()
    parts = [f"lr={float(config['learning_rate']):g}"]
    parts += [f"{key}={config[key]:g}" for key in ("beta_1", "beta_2", "rho")
              if key in config]
    return f"{type(optimizer).__name__}({', '.join(parts)})"


def describe_model(model):
    """Returns the settings of a variant that the report lists."""
    settings = {"class": type(model).__name__, "n_critic": model.n_critic,
                "optimizer": describe_optimizer(model.critic_optimizer)}
    if getattr(model, "clip_value", None) is not None:
        settings["clip_value"] = model.clip_value
    if hasattr(model, "gp_weight"):
        settings["gp_weight"] = model.gp_weight
    return settings


# ---------------------------------------------------------------- training


class _Probe:
    """Fixed real samples and noise on which the critic is inspected."""

    def __init__(self, config, data):
        rng = np.random.default_rng(config.seed + 2)
        count = min(CRITIC_PROBE_SIZE, len(data.reference))
        self.real = data.reference[rng.choice(len(data.reference), count,
                                               False)]
        self.noise = rng.standard_normal(
            (count, config.latent_dim)).astype("float32")

    def measure(self, model):
        fake = model.generate_from(self.noise)
        gap = float(np.mean(diagnostics.critic_values(model.critic, self.real))
                    - np.mean(diagnostics.critic_values(model.critic, fake)))
        norms = diagnostics.layer_gradient_norms(model.critic, self.real, fake)
        return gap, norms


class BudgetAndEvaluation(keras.callbacks.Callback):
    """Stops `fit` at the budget and evaluates at the end of every epoch.

    `fit` is run with `steps_per_epoch=eval_every`, so an epoch ends every
    `eval_every` generator iterations (weights are in the model then on
    every backend). Training time is counted without the evaluations.

    Args:
        config: A `CompareConfig`.
        evaluate: Function `(model, iteration) -> None` recording one
            evaluation.
    """

    def __init__(self, config, evaluate):
        super().__init__()
        self.config = config
        self.evaluate = evaluate
        self.iterations = 0
        self.train_seconds = 0.0
        self.evaluated_at = None
        self._started = None

    def on_train_begin(self, logs=None):
        self.evaluate(self.model, 0)
        self.evaluated_at = 0
        self._started = time.perf_counter()

    def _pause(self):
        self.train_seconds += time.perf_counter() - self._started

    def on_train_batch_end(self, batch, logs=None):
        self.iterations += 1
        elapsed = self.train_seconds + time.perf_counter() - self._started
        if (self.config.iterations is not None
                and self.iterations >= self.config.iterations) or (
                    self.config.seconds is not None
                    and elapsed >= self.config.seconds):
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self._pause()
        self.evaluate(self.model, self.iterations)
        self.evaluated_at = self.iterations
        self._started = time.perf_counter()

    def on_train_end(self, logs=None):
        if self._started is not None and self.evaluated_at != self.iterations:
            self._pause()
            self._started = None


def train_variant(name, config, data, evaluator, probe, log=print):
    """Trains one variant within the budget and evaluates it along the way.

    Args:
        name: Key of `VARIANTS`.
        config: A `CompareConfig`.
        data: A `ComparisonData`.
        evaluator: An `ImageQuality` or `ToyQuality`.
        probe: The fixed critic inputs (`_Probe`).
        log: Function called with one progress line per evaluation.

    Returns:
        `(result, arrays)`: `result` a JSON-ready dict (settings, history
        of evaluations, final and best values, iterations, seconds, status);
        `arrays` a dict with the final `samples` and the critic `weights`.
    """
    from keras_wgan.callbacks import TerminateOnNonFinite

    model = build_variant(name, config)
    label = VARIANTS[name][1]
    history = []
    sample_noise_seed = config.seed + 3

    def evaluate(model, iteration):
        samples = model.generate(config.eval_samples, seed=sample_noise_seed)
        finite = bool(np.all(np.isfinite(samples)))
        values = evaluator(samples) if finite else {}
        gap, norms = probe.measure(model)
        record = {"iteration": iteration,
                  "train_seconds": round(budget.train_seconds, 3),
                  **values, "critic_gap": gap, "gradient_norms": norms}
        history.append(record)
        log(_progress_line(label, record, config, evaluator))

    budget = BudgetAndEvaluation(config, evaluate)
    epochs = (10**9 if config.iterations is None
              else math.ceil(config.iterations / config.eval_every))
    status = "completed"
    try:
        model.fit(data.train, batch_size=config.batch_size, epochs=epochs,
                  steps_per_epoch=config.eval_every, verbose=0,
                  callbacks=[TerminateOnNonFinite(), budget])
    except NonFiniteError as error:
        status = f"stopped: {error}"
        log(f"{label}: {status}")
    if budget.evaluated_at != budget.iterations:
        # Stopped by the clock within an epoch, or by a NaN.
        evaluate(model, budget.iterations)
    samples = model.generate(
        GRID_SAMPLES if not config.is_toy else config.eval_samples,
        seed=sample_noise_seed)
    result = {
        "name": name, "label": label, **describe_model(model),
        "iterations": budget.iterations,
        "train_seconds": round(budget.train_seconds, 3),
        "seconds_per_iteration": (budget.train_seconds / budget.iterations
                                  if budget.iterations else None),
        "status": status, "history": history,
        **summarize(history, evaluator.primary),
    }
    arrays = {"samples": samples,
              "weights": diagnostics.critic_weights(model.critic)}
    return result, arrays


def summarize(history, primary):
    """Returns the `final` evaluation and the `best` one by `primary`."""
    scored = [r for r in history if r.get(primary) is not None
              and math.isfinite(r[primary])]
    best = min(scored, key=lambda r: r[primary]) if scored else None
    return {"final": history[-1] if history else None,
            "best": None if best is None else {
                "iteration": best["iteration"], primary: best[primary]}}


def _progress_line(label, record, config, evaluator):
    total = config.iterations if config.iterations is not None else "?"
    parts = [f"{label}: iteration {record['iteration']}/{total}",
             f"{record['train_seconds']:.1f} s"]
    for key in ("classifier_fid", "classifier_score", "energy_distance",
                "high_quality"):
        if key in record:
            parts.append(f"{key} {record[key]:.4g}")
    for key in ("classes_covered", "modes_covered"):
        if key in record:
            parts.append(f"{key} {record[key]}/{evaluator.num_modes}")
    if evaluator.primary not in record:
        parts.append("samples not finite")
    parts.append(f"critic gap {record['critic_gap']:.4g}")
    return ", ".join(parts)


# ------------------------------------------------------------------ runner


def machine_description():
    """Returns the machine, backend and versions the report states."""
    import keras_wgan

    backend = keras.backend.backend()
    versions = {"keras": keras.__version__,
                "keras_wgan": keras_wgan.__version__,
                "numpy": np.__version__}
    try:
        module = __import__({"tensorflow": "tensorflow"}.get(backend, backend))
        versions[backend] = module.__version__
    except ImportError:  # pragma: no cover - the backend imported already
        pass
    threads = None
    if backend == "torch":
        import torch

        threads = torch.get_num_threads()
    return {
        "backend": backend,
        "cpu_count": os.cpu_count(),
        "torch_threads": threads,
        # Other processes slow a shared machine down; this says how busy it
        # was.
        "load_average": (os.getloadavg()[0] if hasattr(os, "getloadavg")
                         else None),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def run_comparison(config, data=None, command=None, log=print):
    """Trains every variant of `config` and writes the report folder.

    Args:
        config: A `CompareConfig`.
        data: A `ComparisonData`, or `None` to call `load_data(config)`.
        command: The command line to record in the report, or `None`.
        log: Function called with each progress line.

    Returns:
        The results dict also written to `results.json`.

    Example:

    ```python
    config = CompareConfig("toy-8gaussians", "runs/toy", iterations=500,
                           batch_size=256)
    results = run_comparison(config)
    results["variants"][0]["final"]["modes_covered"]
    ```
    """
    from keras_wgan.studies import report

    data = load_data(config) if data is None else data
    started = datetime.datetime.now(datetime.timezone.utc)
    evaluator = make_evaluator(config, data)
    probe = _Probe(config, data)
    results = {
        "command": command,
        "config": dataclasses.asdict(config),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "data": {"train": len(data.train), "reference": len(data.reference),
                 "notes": data.notes},
        "primary_metric": evaluator.primary,
        "num_modes": evaluator.num_modes,
        "real_data": real_baseline(config, data, evaluator),
        "variants": [],
    }
    arrays = {}
    for name in config.variants:
        result, arrays[name] = train_variant(name, config, data, evaluator,
                                             probe, log)
        results["variants"].append(result)
    results["total_seconds"] = round(
        (datetime.datetime.now(datetime.timezone.utc) - started)
        .total_seconds(), 1)
    paths = report.write_report(config.out, results, arrays,
                                data.reference, config.is_toy)
    log(f"wrote the report to {paths['report']}")
    return results
