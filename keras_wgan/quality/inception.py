"""Inception metrics of RGB images (IS, FID, KID), through torch-fidelity.

The rest of `keras_wgan.quality` judges 28x28 digits with a small domain
classifier. Papers on natural images (CIFAR-10, CelebA, LSUN) report the
same kinds of numbers with one particular Inception network instead: the
Inception score (Salimans et al., 2016, arXiv:1606.03498), the Frechet
Inception Distance (Heusel et al., 2017, arXiv:1706.08500) and the Kernel
Inception Distance (Binkowski et al., 2018, arXiv:1801.01401).
`inception_metrics` computes them with torch-fidelity, whose values its
documentation reports to match the reference implementations up to
floating-point precision ("Numerical Precision of torch-fidelity",
https://torch-fidelity.readthedocs.io/en/latest/precision.html).

torch-fidelity is an optional extra: `pip install keras-wgan[inception]`.
It runs on the torch package whatever the Keras backend (torch is always
installed with keras-wgan), and downloads the Inception weights from
GitHub into torch hub's cache at its first use.
"""

import http.client
import importlib
import importlib.metadata
import os
from collections.abc import Sequence

import keras
import numpy as np

from keras_wgan import argument_validation
from keras_wgan.data.pixels import from_unit_range
from keras_wgan.tensor_types import ArrayLike

#: The metrics `inception_metrics` computes, by their keys in its result.
INCEPTION_METRIC_NAMES = ("inception_score", "fid", "kid")

# torch-fidelity's switch for each metric.
_SWITCHES = {"inception_score": "isc", "fid": "fid", "kid": "kid"}
_PAIRED = ("fid", "kid")  # the metrics that compare with real images
_DEFAULT_EXTRACTOR = "inception-v3-compat"
_INSTALL = "pip install keras-wgan[inception]"


def inception_metrics(fake_images: ArrayLike,
                      real_images: ArrayLike | None = None, *,
                      metrics: Sequence[str] = INCEPTION_METRIC_NAMES,
                      batch_size: int = 64,
                      feature_extractor: str | None = None,
                      kid_subset_size: int = 1000, isc_splits: int = 10,
                      verbose: bool = False
                      ) -> dict[str, float | tuple[float, float]]:
    """Returns the Inception score, FID and KID of generated RGB images.

    The images go to torch-fidelity's `calculate_metrics` with its
    defaults otherwise (so with the Inception network of the papers):

    - `"inception_score"`: `exp(E_x KL(p(y|x) || p(y)))` of the fake
      images' Inception class probabilities (Salimans et al., 2016),
      computed on each of `isc_splits` equal parts of them (shuffled with
      torch-fidelity's fixed seed); the result is the mean and standard
      deviation over the parts. Higher is better.
    - `"fid"`: the Frechet distance between Gaussians fitted to the real
      and the fake images' 2048 Inception pool features (Heusel et al.,
      2017). Lower is better, 0 for identical statistics.
    - `"kid"`: the unbiased estimate of the squared maximum mean
      discrepancy between the same features, with the cubic polynomial
      kernel (Binkowski et al., 2018), on 100 pairs of random subsets of
      `kid_subset_size` images from each set; the result is its mean and
      standard deviation. Lower is better; values slightly below 0 mean
      the two sets are alike.

    The images are turned into 8-bit pixels once, by
    `keras_wgan.data.from_unit_range` (`(x + 1) * 127.5` rounded to the
    nearest integer, halves to even, which gives images loaded from 8-bit
    files their pixels back exactly), grey images are repeated into three
    channels, and torch-fidelity reads them as uint8 `(3, H, W)` tensors,
    as it reads image files. The Inception network resizes them to
    299x299 itself. The computation runs on the torch package, on the GPU
    when torch sees one, whatever the Keras backend.

    Papers give these numbers for 50,000 generated images against the
    whole training set (KID with subsets of 1,000); the estimates of FID
    and of the score depend on the number of images, so only numbers
    taken that way compare with published ones.

    Args:
        fake_images: Generated images, an array `(N, height, width, 3)`
            (or `(N, height, width, 1)`, grey) of floats in `[-1, 1]`.
        real_images: Real images of the same form, required for `"fid"`
            and `"kid"`; the sizes may differ from the fake ones'.
        metrics: A tuple of names from `INCEPTION_METRIC_NAMES`.
        batch_size: Images per forward pass of the network.
        feature_extractor: The name of a feature extractor registered with
            `torch_fidelity.register_feature_extractor`, or `None` for
            torch-fidelity's Inception network (`"inception-v3-compat"`);
            only that one gives numbers comparable with papers.
        kid_subset_size: Images per KID subset, at most the number of
            images in either set.
        isc_splits: The parts the fake images are split into for the
            Inception score, at most their number.
        verbose: Whether torch-fidelity reports its progress on stderr.

    Returns:
        A dict with one entry per requested metric, in the order asked:
        `"inception_score"`: `(mean, std)`, `"fid"`: a float, `"kid"`:
        `(mean, std)`; Python floats.

    Raises:
        ImportError: torch-fidelity is not installed, or its torchvision
            does not load with the installed torch; the message says
            what to install.
        FileNotFoundError: The feature extractor's weights are not in
            torch hub's cache and cannot be downloaded (offline); the
            message names the file, its URL and the folder to put it in.

    Example:

    The arguments are checked before torch-fidelity is needed:

    >>> images = np.random.default_rng(0).uniform(-1, 1, (20, 32, 32, 3))
    >>> inception_metrics(images, metrics=("fid",))
    Traceback (most recent call last):
    ...
    ValueError: real_images is required for fid, got None; ...
    >>> inception_metrics(images, images, kid_subset_size=50)
    Traceback (most recent call last):
    ...
    ValueError: kid_subset_size=50 exceeds the 20 images of fake_images; ...
    """
    metrics = _check_metrics(metrics)
    batch_size = argument_validation.check_int("batch_size", batch_size)
    kid_subset_size = argument_validation.check_int(
        "kid_subset_size", kid_subset_size, minimum=2)
    isc_splits = argument_validation.check_int("isc_splits", isc_splits)
    sets = {"fake_images": _pixels(fake_images, "fake_images")}
    paired = [name for name in metrics if name in _PAIRED]
    if paired and real_images is None:
        raise ValueError(
            f"real_images is required for {' and '.join(paired)}, got None; "
            "pass real images or metrics=('inception_score',)."
        )
    if paired:
        sets["real_images"] = _pixels(real_images, "real_images")
    for name, pixels in sets.items():
        _check_count(name, len(pixels), metrics, kid_subset_size, isc_splits)

    fidelity = _import_torch_fidelity()
    extractor = _check_extractor(fidelity, feature_extractor)
    import torch

    switches = {_SWITCHES[name]: True for name in metrics}
    try:
        values = fidelity.calculate_metrics(
            input1=_dataset(sets["fake_images"]),
            input2=_dataset(sets["real_images"]) if paired else None,
            feature_extractor=extractor,
            cuda=torch.cuda.is_available(),
            batch_size=batch_size,
            kid_subset_size=kid_subset_size,
            isc_splits=isc_splits,
            # The images are already in memory: no worker processes to
            # copy them into, and no feature cache under torch's home.
            save_cpu_ram=True,
            cache=False,
            verbose=bool(verbose),
            **switches,
        )
    # urllib's errors are OSErrors; a cut connection can also end in an
    # HTTPException. Nothing else in the computation touches files.
    except (OSError, http.client.HTTPException) as error:
        raise _weights_error(fidelity, extractor, error) from error
    return {name: _value(fidelity, values, name) for name in metrics}


def ensure_inception_weights() -> str:
    """Checks that torch-fidelity loads and its Inception weights are here.

    The weights are looked for where torch-fidelity looks (torch hub's
    cache) and, if absent, downloaded there as torch-fidelity would at its
    first use, so that a command can refuse before it measures anything.

    Returns:
        The path of the weights file.

    Raises:
        ImportError: torch-fidelity is not installed or does not load; the
            message says what to install.
        FileNotFoundError: the weights are not in the cache and could not
            be downloaded; the message names the file, its URL and the
            folder to put it in.
    """
    fidelity = _import_torch_fidelity()
    import torch

    url = fidelity.feature_extractor_inceptionv3.URL_INCEPTION_V3
    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    path = os.path.join(folder, url.rsplit("/", 1)[-1])
    if not os.path.isfile(path):
        try:
            os.makedirs(folder, exist_ok=True)
            torch.hub.download_url_to_file(url, path, progress=False)
        except (OSError, http.client.HTTPException) as error:
            raise _weights_error(fidelity, _DEFAULT_EXTRACTOR,
                                 error) from error
    return path


def _check_metrics(metrics):
    if isinstance(metrics, str) or not isinstance(metrics, (tuple, list)):
        raise ValueError(
            f"metrics must be a tuple of names from {INCEPTION_METRIC_NAMES}, "
            f"got {metrics!r}."
        )
    unknown = [name for name in metrics if name not in INCEPTION_METRIC_NAMES]
    if not metrics or unknown or len(set(metrics)) != len(metrics):
        raise ValueError(
            "metrics must be a non-empty tuple of distinct names from "
            f"{INCEPTION_METRIC_NAMES}, got {tuple(metrics)!r}."
        )
    return tuple(metrics)


def _pixels(images, name):
    """Checks images in [-1, 1]; returns them as uint8 (N, 3, H, W)."""
    images = keras.ops.convert_to_numpy(images)
    argument_validation.check_images(images, name)
    if images.shape[-1] not in (1, 3):
        raise ValueError(
            f"{name} must have shape (N, height, width, 3), or 1 channel for "
            f"grey images, got shape {images.shape}."
        )
    pixels = from_unit_range(images)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    return np.ascontiguousarray(pixels.transpose(0, 3, 1, 2))


def _check_count(name, count, metrics, kid_subset_size, isc_splits):
    if "kid" in metrics and count < kid_subset_size:
        raise ValueError(
            f"kid_subset_size={kid_subset_size} exceeds the {count} images "
            f"of {name}; pass more images or kid_subset_size <= {count}."
        )
    if "fid" in metrics and count < 2:
        raise ValueError(
            f"{name} must hold at least 2 images to estimate a covariance "
            f"for the FID, got {count}."
        )
    if ("inception_score" in metrics and name == "fake_images"
            and count < isc_splits):
        raise ValueError(
            f"isc_splits={isc_splits} exceeds the {count} images of "
            f"fake_images; pass more images or isc_splits <= {count}."
        )


def _import_torch_fidelity():
    """Returns the torch_fidelity module, or raises a one-line ImportError."""
    try:
        return importlib.import_module("torch_fidelity")
    except ImportError as error:
        raise ImportError(
            f"inception_metrics needs torch-fidelity ({error}); install it "
            f"with: {_INSTALL}"
        ) from error
    except RuntimeError as error:
        # torchvision registers operators of its compiled library, which
        # fail to load against another build of torch: PyPI's Linux
        # torchvision wheels need a CUDA torch (pytorch/pytorch#122494).
        raise ImportError(_torchvision_mismatch(error)) from error


def _torchvision_mismatch(error):
    import torch

    try:
        version = importlib.metadata.version("torchvision")
    except importlib.metadata.PackageNotFoundError:
        version = None
    if version is None:
        installed = pin = cpu_pin = "torchvision"
    else:
        installed = f"torchvision {version}"
        pin = f"torchvision=={version.split('+')[0]}"
        # An installed 0.28.0 satisfies "==0.28.0" and pip would keep it;
        # the local label "+cpu" asks for the other build.
        cpu_pin = f"{pin}+cpu"
    if torch.version.cuda is None:
        fix = (f"for this CPU torch: pip install {cpu_pin} "
               "--index-url https://download.pytorch.org/whl/cpu")
    else:
        fix = f"pip install {pin} from the index torch came from"
    return (
        f"torch-fidelity cannot import {installed} with torch "
        f"{torch.__version__} ({type(error).__name__}: {_one_line(error)}): "
        f"torchvision must be the build made for this torch; {fix}"
    )


def _check_extractor(fidelity, feature_extractor):
    registered = tuple(fidelity.registry.FEATURE_EXTRACTORS_REGISTRY)
    if feature_extractor is None:
        return _DEFAULT_EXTRACTOR
    if feature_extractor not in registered:
        raise ValueError(
            "feature_extractor must be None or a name registered with "
            f"torch_fidelity.register_feature_extractor, one of {registered}, "
            f"got {feature_extractor!r}."
        )
    return feature_extractor


def _dataset(pixels):
    """Returns uint8 (N, 3, H, W) pixels as the torch Dataset it reads."""
    import torch

    tensor = torch.from_numpy(pixels)

    class Images(torch.utils.data.Dataset):
        def __len__(self):
            return len(tensor)

        def __getitem__(self, index):
            return tensor[index]

    return Images()


def _weights_error(fidelity, extractor, error):
    import torch

    # Where torch.hub.load_state_dict_from_url looks before downloading.
    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    reason = f"{type(error).__name__}: {_one_line(error)}"
    if extractor != _DEFAULT_EXTRACTOR:
        return FileNotFoundError(
            f"feature extractor {extractor!r} could not load its weights "
            f"({reason}); if it downloads them with torch.hub, put the file "
            f"into {folder}"
        )
    url = fidelity.feature_extractor_inceptionv3.URL_INCEPTION_V3
    return FileNotFoundError(
        f"The Inception weights {url.rsplit('/', 1)[-1]} are not in {folder} "
        f"and could not be downloaded ({reason}); download {url} and put it "
        f"into {folder} (TORCH_HOME moves that folder)"
    )


def _one_line(error):
    return " ".join(str(error).split())


def _value(fidelity, values, name):
    if name == "fid":
        return float(values[fidelity.KEY_METRIC_FID])
    mean, std = {
        "inception_score": (fidelity.KEY_METRIC_ISC_MEAN,
                            fidelity.KEY_METRIC_ISC_STD),
        "kid": (fidelity.KEY_METRIC_KID_MEAN, fidelity.KEY_METRIC_KID_STD),
    }[name]
    return float(values[mean]), float(values[std])
