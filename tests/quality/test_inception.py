"""keras_wgan.quality.inception: the plumbing to torch-fidelity, and the
errors that name what is missing.

The Inception weights are not downloaded here: the metrics are computed
with a small feature extractor of our own, registered through
torch-fidelity's public API, whose features and logits the tests can also
compute directly. The tests that need torch-fidelity skip without it; the
argument checks and the missing-package errors run everywhere.
"""

import importlib
import importlib.abc
import importlib.metadata
import importlib.util
import re
import sys
import types
import urllib.error

import keras
import numpy as np
import pytest

from keras_wgan import quality

TINY = "keras-wgan-test-tiny"
NUM_CLASSES = 4


def _in_packages(name, packages=("torch_fidelity", "torchvision")):
    return name.split(".")[0] in packages


def _stand_in_torchvision():
    """The modules torch-fidelity 0.4.0 imports from torchvision.

    At import time torch-fidelity needs only the names `torchvision`,
    `torchvision.datasets.CIFAR10`, `CIFAR100` and `STL10` (base classes of
    its dataset wrappers) and the module `torchvision.transforms.functional`
    (read from its source). Nothing in them works: the dataset classes
    raise when built, and the modules have no functions, so a call into
    torchvision fails rather than returning something made up.
    """

    def unavailable(self, *args, **kwargs):
        raise RuntimeError("the tests' stand-in torchvision has no datasets")

    datasets = types.ModuleType("torchvision.datasets")
    for name in ("CIFAR10", "CIFAR100", "STL10"):
        setattr(datasets, name, type(name, (), {"__init__": unavailable}))
    functional = types.ModuleType("torchvision.transforms.functional")
    transforms = types.ModuleType("torchvision.transforms")
    transforms.functional = functional
    torchvision = types.ModuleType("torchvision")
    torchvision.datasets, torchvision.transforms = datasets, transforms
    return {module.__name__: module
            for module in (torchvision, datasets, transforms, functional)}


@pytest.fixture(scope="module")
def fidelity():
    """torch_fidelity, with our tiny feature extractor registered.

    PyPI's Linux torchvision wheels are built against CUDA torch; with the
    CPU torch of requirements.txt `import torchvision` fails ("operator
    torchvision::nms does not exist", pytorch/pytorch#122494), and
    torch-fidelity imports torchvision when it is imported. The paths
    tested here never call torchvision (the images come as an in-memory
    Dataset, not as files to transform, and the features from our own
    extractor, not VGG16, CLIP or DINOv2), so where the real torchvision
    does not import, torch-fidelity is imported over a stand-in that holds
    only the names it needs at import time (`_stand_in_torchvision`).
    Where the real one imports, it is used. The modules are put back as
    they were afterwards, so no other test sees the stand-in.
    """
    if importlib.util.find_spec("torch_fidelity") is None:
        pytest.skip("torch-fidelity is not installed "
                    "(pip install keras-wgan[inception])")
    before = {name: module for name, module in sys.modules.items()
              if _in_packages(name)}
    try:
        importlib.import_module("torchvision")
    except (ImportError, RuntimeError):
        for name in [name for name in sys.modules
                     if _in_packages(name, ("torchvision",))]:
            del sys.modules[name]
        sys.modules.update(_stand_in_torchvision())
    try:
        import torch_fidelity

        if TINY not in torch_fidelity.registry.FEATURE_EXTRACTORS_REGISTRY:
            torch_fidelity.register_feature_extractor(
                TINY, _tiny_extractor_class(torch_fidelity))
        yield torch_fidelity
    finally:
        for name in [name for name in sys.modules if _in_packages(name)]:
            del sys.modules[name]
        sys.modules.update(before)


def _tiny_extractor_class(torch_fidelity):
    import torch

    class TinyExtractor(torch_fidelity.FeatureExtractorBase):
        """A fixed random convolution (features) and a brightness classifier.

        `features`: the mean over the image of 8 tanh units of a 3x3
        convolution with seeded random weights, for FID and KID.
        `logits`: 4 classes by mean brightness, sharply (class k for a
        brightness near (k + 0.5) / 4), for the Inception score. The
        batches it receives are kept in `seen`.
        """

        seen = []

        def __init__(self, name, features_list, **kwargs):
            super().__init__(name, features_list)
            generator = torch.Generator().manual_seed(0)
            self.conv = torch.nn.Conv2d(3, 8, 3)
            with torch.no_grad():
                self.conv.weight.copy_(torch.randn(
                    self.conv.weight.shape, generator=generator) / 27 ** 0.5)
                self.conv.bias.zero_()

        @staticmethod
        def get_provided_features_list():
            return ("features", "logits")

        @staticmethod
        def get_default_feature_layer_for_metric(metric):
            return {"isc": "logits", "fid": "features",
                    "kid": "features"}[metric]

        @staticmethod
        def can_be_compiled():
            return False

        def forward(self, x):
            TinyExtractor.seen.append(x.clone())
            outputs = tiny_outputs(self.conv, x)
            return tuple(outputs[name] for name in self.features_list)

    return TinyExtractor


def tiny_outputs(conv, pixels):
    """The tiny extractor's outputs for uint8 pixels (N, 3, H, W)."""
    import torch

    x = pixels.to(torch.float32) / 255.0
    brightness = x.mean(dim=(1, 2, 3))
    centres = (torch.arange(NUM_CLASSES) + 0.5) / NUM_CLASSES
    return {
        "features": torch.tanh(conv(x)).mean(dim=(2, 3)),
        "logits": -200.0 * (brightness[:, None] - centres) ** 2,
    }


def _extractor(fidelity):
    return fidelity.registry.FEATURE_EXTRACTORS_REGISTRY[TINY]


def _direct(fidelity, images):
    """The tiny extractor's outputs, computed here, for images in [-1, 1]."""
    import torch

    extractor = _extractor(fidelity)(TINY, ["features", "logits"])
    pixels = np.round((np.asarray(images) + 1) * 127.5).astype(np.uint8)
    pixels = torch.from_numpy(pixels.transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        outputs = tiny_outputs(extractor.conv, pixels)
    return {name: value.numpy().astype(np.float64)
            for name, value in outputs.items()}


def _textures(count, seed, shift=0.0):
    """Smooth random RGB images, 16x16, in [-1, 1]: one distribution."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-0.6, 0.6, (count, 4, 4, 3))
    images = np.repeat(np.repeat(coarse, 4, axis=1), 4, axis=2)
    images += rng.normal(0, 0.1, images.shape)
    return np.clip(images + shift, -1, 1).astype("float32")


def _metrics(fake, real=None, **kwargs):
    return quality.inception_metrics(fake, real, feature_extractor=TINY,
                                     **kwargs)


def test_result_keys_and_shapes(fidelity):
    fake, real = _textures(40, 0), _textures(30, 1)
    result = _metrics(keras.ops.convert_to_tensor(fake), real,
                      kid_subset_size=20, isc_splits=4, batch_size=16)
    assert tuple(result) == quality.INCEPTION_METRIC_NAMES
    assert all(type(value) is float for value in result["inception_score"])
    assert len(result["inception_score"]) == 2
    assert type(result["fid"]) is float
    assert all(type(value) is float for value in result["kid"])
    assert len(result["kid"]) == 2
    # One metric, or some in another order: those, in that order.
    assert tuple(_metrics(fake, real, metrics=("kid", "inception_score"),
                          kid_subset_size=20)) == ("kid", "inception_score")
    only_score = _metrics(fake, metrics=["inception_score"], isc_splits=4)
    assert only_score == {"inception_score": result["inception_score"]}


def test_pixels_reach_the_extractor_once_and_exactly(fidelity):
    # Every 8-bit value, read as the data loaders read pixels, comes back
    # exactly, in the layout (N, 3, H, W); 0 is 127.5, rounded to even.
    pixels = np.arange(8 * 4 * 4 * 3).reshape(8, 4, 4, 3) % 256
    pixels[0, 0, 0] = (0, 255, 128)
    images = pixels.astype("float32") / 127.5 - 1
    images[0, 0, 0] = (-1.0, 1.0, 0.0)
    seen = _extractor(fidelity).seen
    seen.clear()
    _metrics(images, metrics=("inception_score",), isc_splits=1,
             batch_size=5)
    import torch

    received = torch.cat(seen)
    assert received.dtype == torch.uint8
    np.testing.assert_array_equal(received.numpy(),
                                  pixels.transpose(0, 3, 1, 2))
    # Grey images: the one channel three times.
    seen.clear()
    _metrics(images[..., :1], metrics=("inception_score",), isc_splits=1)
    received = torch.cat(seen).numpy()
    np.testing.assert_array_equal(
        received, np.repeat(pixels[..., :1], 3, axis=-1).transpose(0, 3, 1, 2))


def test_values_are_the_metrics_of_the_extractor_outputs(fidelity):
    fake, real = _textures(60, 2), _textures(50, 3, shift=0.2)
    result = _metrics(fake, real, metrics=("inception_score", "fid"),
                      isc_splits=1)
    fake_outputs, real_outputs = _direct(fidelity, fake), _direct(fidelity,
                                                                  real)
    assert result["fid"] == pytest.approx(quality.frechet_distance(
        *quality.feature_statistics(real_outputs["features"]),
        *quality.feature_statistics(fake_outputs["features"])), rel=1e-4)
    # One split: the score of all the logits, with no spread.
    assert result["inception_score"][0] == pytest.approx(
        quality.score_from_logits(fake_outputs["logits"]), rel=1e-6)
    assert result["inception_score"][1] == 0.0


def test_fid_and_kid_real_versus_real_and_shifted(fidelity):
    images = _textures(400, 4)
    shifted = _textures(200, 5, shift=0.3)
    options = dict(metrics=("fid", "kid"), kid_subset_size=100)
    same = _metrics(images, images, **options)
    halves = _metrics(images[:200], images[200:], **options)
    far = _metrics(images[:200], shifted, **options)
    assert far["fid"] > 1e-2
    assert same["fid"] == pytest.approx(0.0, abs=1e-6 * far["fid"])
    assert halves["fid"] < 0.05 * far["fid"]
    assert far["kid"][0] > 1e-3
    assert abs(halves["kid"][0]) < 0.05 * far["kid"][0]
    assert abs(same["kid"][0]) < 0.05 * far["kid"][0]


def test_inception_score_of_one_class_and_of_four(fidelity):
    # Uniform grey images at the centre brightness of each class.
    levels = 2 * (np.arange(NUM_CLASSES) + 0.5) / NUM_CLASSES - 1
    one_class = np.full((40, 8, 8, 3), levels[0], "float32")
    score = _metrics(one_class, metrics=("inception_score",))
    assert score["inception_score"][0] == pytest.approx(1.0, abs=1e-6)
    balanced = np.repeat(levels, 10)[:, None, None, None] * np.ones(
        (1, 8, 8, 3), "float32")
    score = _metrics(balanced, metrics=("inception_score",), isc_splits=1)
    assert score["inception_score"][0] == pytest.approx(NUM_CLASSES,
                                                        rel=1e-3)


def _one_line_error(error_type, match, function, *args, **kwargs):
    with pytest.raises(error_type, match=match) as caught:
        function(*args, **kwargs)
    assert "\n" not in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("fake, real, kwargs, message", [
    (2 * _textures(20, 0), None, {"metrics": ("inception_score",)},
     r"fake_images values must lie in \[-1, 1\]"),
    (_textures(20, 0), _textures(20, 0) - 1.5, {},
     r"real_images values must lie in \[-1, 1\]"),
    (_textures(20, 0)[..., :2], None, {"metrics": ("inception_score",)},
     r"fake_images must have shape \(N, height, width, 3\), or 1 channel"),
    (_textures(20, 0)[..., 0], None, {"metrics": ("inception_score",)},
     r"fake_images must have shape \(N, height, width, channels\)"),
    (np.zeros((20, 8, 8, 3), "uint8"), None, {},
     "fake_images must be floating point"),
    (_textures(20, 0)[:0], None, {}, "fake_images is empty"),
    (_textures(20, 0), None, {"metrics": "fid"},
     "metrics must be a tuple of names from"),
    (_textures(20, 0), None, {"metrics": ("fid", "is")},
     "metrics must be a non-empty tuple of distinct names"),
    (_textures(20, 0), None, {"metrics": ("fid", "fid")},
     "metrics must be a non-empty tuple of distinct names"),
    (_textures(20, 0), None, {"metrics": ()},
     "metrics must be a non-empty tuple of distinct names"),
    (_textures(20, 0), None, {}, "real_images is required for fid and kid"),
    (_textures(20, 0), None, {"metrics": ("kid",)},
     "real_images is required for kid"),
    (_textures(20, 0), _textures(30, 1), {"kid_subset_size": 25},
     r"kid_subset_size=25 exceeds the 20 images of fake_images"),
    (_textures(30, 0), _textures(20, 1), {"kid_subset_size": 25},
     r"kid_subset_size=25 exceeds the 20 images of real_images"),
    (_textures(20, 0), None, {"kid_subset_size": 1, "metrics": ("kid",)},
     "kid_subset_size must be an integer >= 2"),
    (_textures(1, 0), _textures(20, 1), {"metrics": ("fid",)},
     "fake_images must hold at least 2 images"),
    (_textures(9, 0), None, {"metrics": ("inception_score",)},
     r"isc_splits=10 exceeds the 9 images of fake_images"),
    (_textures(20, 0), None, {"metrics": ("inception_score",),
                              "batch_size": 0},
     "batch_size must be an integer >= 1"),
])
def test_bad_arguments(fake, real, kwargs, message):
    # Checked before torch-fidelity is imported: these run without it.
    _one_line_error(ValueError, message, quality.inception_metrics, fake,
                    real, **kwargs)


def test_unregistered_feature_extractor(fidelity):
    message = _one_line_error(
        ValueError, "feature_extractor must be None or a name registered",
        quality.inception_metrics, _textures(20, 0),
        metrics=("inception_score",), feature_extractor="inception")
    assert "'inception-v3-compat'" in message and TINY in message


@pytest.fixture
def fresh_import():
    """Lets a test import torch_fidelity and torchvision anew; puts the
    modules back as they were afterwards."""
    saved = {name: module for name, module in sys.modules.items()
             if _in_packages(name)}
    for name in saved:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if _in_packages(name)]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_missing_package_names_the_extra(fresh_import, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch_fidelity", None)
    _one_line_error(ImportError,
                    r"needs torch-fidelity .*install it with: pip install "
                    r"keras-wgan\[inception\]",
                    quality.inception_metrics, _textures(20, 0),
                    metrics=("inception_score",))


class _RaisingImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes `import torch_fidelity` raise what a CUDA torchvision raises
    with a CPU torch."""

    def find_spec(self, name, path, target=None):
        if name == "torch_fidelity":
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise RuntimeError("operator torchvision::nms does not exist")


def test_torchvision_mismatch_names_the_fix(fresh_import, monkeypatch):
    import torch

    monkeypatch.setattr(sys, "meta_path", [_RaisingImport(), *sys.meta_path])
    monkeypatch.setattr(torch.version, "cuda", None)
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version",
        lambda name: "0.28.0" if name == "torchvision" else real_version(name))
    message = _one_line_error(
        ImportError, re.escape("torch-fidelity cannot import torchvision "
                               f"0.28.0 with torch {torch.__version__}"),
        quality.inception_metrics, _textures(20, 0),
        metrics=("inception_score",))
    assert "operator torchvision::nms does not exist" in message
    assert message.endswith(
        "for this CPU torch: pip install torchvision==0.28.0+cpu "
        "--index-url https://download.pytorch.org/whl/cpu")


def test_real_torchvision_mismatch(fresh_import):
    if (importlib.util.find_spec("torch_fidelity") is None
            or importlib.util.find_spec("torchvision") is None):
        pytest.skip("torch-fidelity or torchvision is not installed")
    try:
        importlib.import_module("torchvision")
    except RuntimeError:
        pass
    else:
        pytest.skip("this torchvision imports with this torch")
    _one_line_error(ImportError, "torch-fidelity cannot import torchvision",
                    quality.inception_metrics, _textures(20, 0),
                    metrics=("inception_score",))


def test_missing_weights_offline(fidelity, monkeypatch, tmp_path):
    import torch

    # An empty torch home, and a download that fails at once as it does
    # offline (without it the test would fetch 90 MB where there is a
    # network).
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert torch.hub.get_dir() == str(tmp_path / "hub")
    requested = []

    def offline(url, *args, **kwargs):
        requested.append(url)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    url = fidelity.feature_extractor_inceptionv3.URL_INCEPTION_V3
    folder = tmp_path / "hub" / "checkpoints"
    message = _one_line_error(
        FileNotFoundError,
        r"The Inception weights weights-inception-2015-12-05-6726825d\.pth "
        "are not in ",
        quality.inception_metrics, _textures(20, 0),
        metrics=("inception_score",))
    assert requested == [url]
    assert f"download {url} and put it into {folder}" in message
    assert "URLError" in message and "Name or service not known" in message
