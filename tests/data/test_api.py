"""The public names of keras_wgan.data: a change to them is a conscious one."""

import importlib
import inspect
import pkgutil

from keras_wgan import data
import pytest

pytestmark = pytest.mark.backend_independent


PUBLIC = [
    "DATASETS",
    "IMAGE_DATASETS",
    "PALETTE",
    "class_names",
    "from_unit_range",
    "load_cifar10",
    "load_cifar100",
    "load_coloured_mnist",
    "load_fashion_mnist",
    "load_images",
    "load_mnist",
    "read_idx",
    "to_unit_range",
]


def test_the_public_names_are_pinned_and_sorted():
    assert data.__all__ == PUBLIC
    assert data.__all__ == sorted(data.__all__)
    for name in PUBLIC:
        assert hasattr(data, name), name


def _public_functions():
    """Every public function and method defined in a module of the package."""
    for info in pkgutil.iter_modules(data.__path__, "keras_wgan.data."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(
                    value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                yield f"{info.name}.{name}", value
            elif inspect.isclass(value):
                for method_name, method in vars(value).items():
                    if inspect.isfunction(method) and (
                            not method_name.startswith("_")
                            or method_name == "__init__"):
                        yield f"{info.name}.{name}.{method_name}", method


def test_every_public_function_is_typed():
    functions = dict(_public_functions())
    assert "keras_wgan.data.pixels.to_unit_range" in functions
    for name, function in functions.items():
        signature = inspect.signature(function)
        assert signature.return_annotation is not signature.empty, name
        for parameter in signature.parameters.values():
            if parameter.name != "self":
                assert parameter.annotation is not parameter.empty, (
                    name, parameter.name)
