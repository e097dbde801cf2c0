"""Every public function of keras_wgan.data is typed (tests/test_public_api.py
pins the public names)."""

import importlib
import inspect
import pkgutil

from keras_wgan import data
import pytest

pytestmark = pytest.mark.backend_independent


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
