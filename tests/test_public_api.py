"""The public names of the package, pinned.

Each subpackage and each public top-level module lists its public names in
a sorted `__all__`; the lists below repeat them, so that adding, removing or
renaming a public name is a conscious change made in two places. Every
pinned name is documented: a module, class or function by its docstring, a
constant by a comment above its assignment (`#:`, as mkdocstrings reads
it).
"""

import ast
import importlib
import inspect
import pathlib
import pkgutil
import types

import pytest

import keras_wgan
from keras_wgan import _exports

PACKAGE = pathlib.Path(keras_wgan.__file__).parent

EXPECTED = {
    "keras_wgan": [
        "AdversarialModel",
        "BiGAN",
        "BiGANGP",
        "ClipConstraint",
        "ConditionalWGANGP",
        "CycleGAN",
        "DRAGAN",
        "HingeLoss",
        "MinimaxGAN",
        "NonFiniteError",
        "NonSaturatingGAN",
        "PRETRAINED_MODELS",
        "SNGANHinge",
        "WGAN",
        "WGANGP",
        "WGANLP",
        "WGANR1",
        "WGANSN",
        "WassersteinGAN",
        "WassersteinLoss",
        "callbacks",
        "data",
        "distribute",
        "dragan_penalty",
        "gradient_penalty",
        "hinge_loss",
        "joint_gradient_penalty",
        "latent",
        "models",
        "nets",
        "one_sided_penalty",
        "pretrained",
        "pretrained_info",
        "quality",
        "r1_penalty",
        "wasserstein_loss",
    ],
    "keras_wgan.argument_validation": [
        "check_batch_range",
        "check_choice",
        "check_class_labels",
        "check_float",
        "check_generator",
        "check_images",
        "check_int",
        "check_linear_output",
        "check_no_batch_norm",
        "check_samples",
        "check_scalar_output",
        "model_input_shape",
        "model_output_shape",
    ],
    "keras_wgan.backend": [
        "SUPPORTED_BACKENDS",
        "apply_gradients",
        "clip",
        "data_parallel",
        "data_shard",
        "fused_conv2d",
        "fused_conv2d_transpose",
        "fused_layer_call",
        "fused_step",
        "input_gradient",
        "is_chief",
        "lost_replica",
        "no_grad",
        "reduce_gradients",
        "reduce_logs",
        "replica_count",
        "run_step",
        "step_shard",
        "synchronize",
        "value_and_grad",
    ],
    "keras_wgan.callbacks": [
        "Checkpoint",
        "QualityMetrics",
        "SampleGrid",
        "TensorBoard",
        "TerminateOnNonFinite",
    ],
    "keras_wgan.cli": [
        "SampleConfig",
        "TrainConfig",
        "UsageError",
        "build_parser",
        "console_main",
        "main",
    ],
    "keras_wgan.constraints": ["ClipConstraint"],
    "keras_wgan.data": [
        "DATASETS",
        "IMAGE_DATASETS",
        "PALETTE",
        "class_names",
        "from_unit_range",
        "load_cifar10",
        "load_cifar100",
        "load_coloured_mnist",
        "load_coloured_mnist_joint",
        "load_fashion_mnist",
        "load_images",
        "load_mnist",
        "read_idx",
        "to_unit_range",
    ],
    "keras_wgan.distribute": [
        "ReplicaLost",
        "check_batch_size",
        "data_parallel",
        "is_chief",
        "lost_replica",
        "replica_rows",
        "replicas",
    ],
    "keras_wgan.errors": ["NonFiniteError"],
    "keras_wgan.explorer": ["Explorer"],
    "keras_wgan.image_grids": ["block_columns", "image_grid",
                               "save_image_grid"],
    "keras_wgan.latent": [
        "INTERPOLATIONS",
        "interpolate",
        "latents_by_class",
        "walk",
    ],
    "keras_wgan.losses": [
        "HingeLoss",
        "WASSERSTEIN_FAKE_LABEL",
        "WASSERSTEIN_REAL_LABEL",
        "WassersteinLoss",
        "hinge_loss",
        "wasserstein_estimate",
        "wasserstein_loss",
    ],
    "keras_wgan.models": [
        "AdversarialModel",
        "BiGAN",
        "BiGANGP",
        "ConditionalWGANGP",
        "CrossEntropyGAN",
        "CycleGAN",
        "DRAGAN",
        "IterationSchedule",
        "LabelledSamples",
        "MinimaxGAN",
        "NonSaturatingGAN",
        "SNGANHinge",
        "Samples",
        "VARIANTS",
        "WGAN",
        "WGANGP",
        "WGANLP",
        "WGANR1",
        "WGANSN",
        "WassersteinGAN",
        "get_variant",
        "linear_decay",
    ],
    "keras_wgan.nets": [
        "architectures",
        "bigan",
        "conditional",
        "cyclegan",
        "dcgan",
        "layers",
        "registry",
        "resnet",
        "spectral",
    ],
    "keras_wgan.penalty": [
        "NORM_EPSILON",
        "dragan_penalty",
        "gradient_norm",
        "gradient_penalty",
        "interpolate",
        "joint_gradient_penalty",
        "one_sided_penalty",
        "perturb",
        "r1_penalty",
        "squared_gradient_norm",
    ],
    "keras_wgan.quality": [
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
    ],
    "keras_wgan.studies": [
        "diagnostics",
        "fixed_generator",
        "toy",
        "transport",
    ],
    "keras_wgan.tensor_types": ["ArrayLike", "Seed", "Tensor"],
    "keras_wgan.tensorboard": ["TensorBoard", "png_bytes"],
    "keras_wgan.version": ["__version__"],
    "keras_wgan.zoo": [
        "PRETRAINED_MODELS",
        "load_weights_bytes",
        "pretrained",
        "pretrained_info",
        "quality_history",
        "weights_bytes",
    ],
}

#: Public modules that do not list their names in `__all__` yet.
WITHOUT_ALL = {"keras_wgan.checkpoints"}


def _modules_that_curate():
    """The package, its subpackages and its public top-level modules."""
    names = {"keras_wgan"}
    for info in pkgutil.iter_modules([str(PACKAGE)], "keras_wgan."):
        short = info.name.rsplit(".", 1)[1]
        if not short.startswith("_") and short != "resources":
            names.add(info.name)
    return names


def test_every_public_module_is_pinned():
    assert _modules_that_curate() - WITHOUT_ALL == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_all_is_pinned_and_sorted(name):
    module = importlib.import_module(name)
    assert list(module.__all__) == EXPECTED[name]
    assert EXPECTED[name] == sorted(EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_name_exists(name):
    module = importlib.import_module(name)
    missing = [n for n in EXPECTED[name] if not hasattr(module, n)]
    assert not missing


def test_internals_stay_internal():
    # The studies, checkpoint files and the earlier top-level aliases are
    # reached through their own modules.
    for name in ("studies", "toy", "diagnostics", "checkpoints",
                 "architectures", "cli", "explorer", "backend"):
        assert name not in keras_wgan.__all__
    assert keras_wgan.toy is keras_wgan.studies.toy
    assert keras_wgan.architectures is keras_wgan.nets.architectures


def test_the_package_loads_exactly_its_exports():
    assert sorted(_exports.EXPORTS) == keras_wgan.__all__
    assert not set(_exports.ALIASES) & set(_exports.EXPORTS)


def _documented_constants():
    """`(module, name)` of the module-level assignments of the package with a
    comment right above them (`#:` by convention) or a string right below."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text().splitlines()
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        body = ast.parse("\n".join(lines)).body
        for node, after in zip(body, [*body[1:], None]):
            targets = []
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            commented = lines[node.lineno - 2].lstrip().startswith("#")
            followed = (isinstance(after, ast.Expr)
                        and isinstance(after.value, ast.Constant)
                        and isinstance(after.value.value, str))
            if commented or followed:
                found.update((module, target) for target in targets)
    return found


def _own_docstring(value):
    if isinstance(value, type):
        return vars(value).get("__doc__")
    return getattr(value, "__doc__", None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_pinned_name_is_documented(name):
    module = importlib.import_module(name)
    # A constant is documented where it is assigned: in this module or,
    # re-exported, in one below it.
    constants = {attribute for defined_in, attribute in _documented_constants()
                 if defined_in == name or defined_in.startswith(name + ".")}
    undocumented = []
    for attribute in EXPECTED[name]:
        value = getattr(module, attribute)
        if isinstance(value, (types.ModuleType, type)) or inspect.isroutine(value):
            documented = bool((_own_docstring(value) or "").strip())
        else:
            documented = attribute in constants
        if not documented:
            undocumented.append(attribute)
    assert not undocumented, f"{name}: no docstring or #: comment"
