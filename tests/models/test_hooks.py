"""Every model is written against the public hooks of its bases.

Read from the source (`ast`): no subclass of `AdversarialModel` overrides
`fit`, `train_step` or `test_step`; no class of `keras_wgan.models` or of
`keras_wgan.studies.fixed_generator` reads or calls a private (`_name`)
attribute that a base class in another module defines; and no module
there imports a private name of another module.
"""

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest

import keras_wgan
from keras_wgan import models
from keras_wgan.models.adversarial import AdversarialModel

pytestmark = pytest.mark.backends(
    "torch", reason="reads the source; the same on every backend")

_MODULES = sorted(
    [info.name for info in pkgutil.iter_modules(models.__path__,
                                                 "keras_wgan.models.")]
    + ["keras_wgan.studies.fixed_generator"])
# The one module that reads Keras's private attributes, each answer
# checked by tests/test_keras_internals.py; it is the package's own.
_ALLOWED_PRIVATE_IMPORTS = {"_keras_internals"}


def _classes():
    """Every class defined (by a class statement) in the modules above."""
    found = []
    for name in _MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (inspect.isclass(value) and value.__module__ == name
                    and _class_node(value) is not None):
                found.append(value)
    return found


def _class_node(cls):
    """The `ast.ClassDef` of `cls`, or `None` for a class made by `type()`."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return node
    return None


def _private_uses(node):
    """Yields `(name, line)` of each `self._name` and `super()._name`."""
    for child in ast.walk(node):
        if not isinstance(child, ast.Attribute):
            continue
        name = child.attr
        if not name.startswith("_") or name.startswith("__"):
            continue
        value = child.value
        if isinstance(value, ast.Name) and value.id in ("self", "cls"):
            yield name, child.lineno
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
              and value.func.id == "super"):
            yield name, child.lineno


def _defined_in_module(module_name):
    """The private names the module's classes define or assign to `self`."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target])
            for target in targets:
                if (isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"):
                    names.add(target.attr)
                elif isinstance(target, ast.Name):
                    names.add(target.id)
    return {name for name in names if name.startswith("_")}


def _foreign_bases(cls):
    return [base for base in cls.__mro__[1:]
            if base is not object and base.__module__ != cls.__module__]


def test_the_rules_see_every_model():
    classes = {cls.__name__ for cls in _classes()}
    assert {"AdversarialModel", "WassersteinGAN", "WGANGP", "WGANSN",
            "ConditionalWGANGP", "BiGANGP", "CycleGAN", "UnpairedSamples",
            "FixedGeneratorCritic", "CrossEntropyGAN"} <= classes


def test_no_model_overrides_fit_or_the_step():
    subclasses = [cls for cls in _classes()
                  if issubclass(cls, AdversarialModel)
                  and cls is not AdversarialModel]
    # The classes that FixedGeneratorCritic makes for each variant, too.
    pending = list(AdversarialModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("keras_wgan."):
            subclasses.append(cls)
    assert len(subclasses) > 20
    for cls in subclasses:
        for method in ("fit", "train_step", "test_step"):
            assert method not in vars(cls), f"{cls.__name__}.{method}"


def _violations(node, module_name, foreign):
    """The private names `node` uses that its module does not define."""
    own = _defined_in_module(module_name)
    found = []
    for child in node.body:  # a private method of a base, overridden
        if (isinstance(child, ast.FunctionDef) and child.name.startswith("_")
                and not child.name.startswith("__")):
            owners = [base.__name__ for base in foreign
                      if hasattr(base, child.name)]
            if owners:
                found.append(f"{module_name}:{child.lineno} {node.name} "
                             f"overrides {child.name} of {owners}")
    for name, line in _private_uses(node):
        owners = [base.__name__ for base in foreign if hasattr(base, name)]
        if owners or name not in own:
            found.append(f"{module_name}:{line} {node.name} uses {name}"
                         + (f", defined by {owners}" if owners else ""))
    return found


@pytest.mark.parametrize("cls", _classes(), ids=lambda cls: cls.__name__)
def test_no_class_uses_a_private_name_of_a_base_in_another_module(cls):
    assert _violations(_class_node(cls), cls.__module__,
                       _foreign_bases(cls)) == []


def test_the_rules_catch_a_variant_written_against_private_names():
    # The checks must be able to fail: a variant written the old way, in a
    # module of its own, overriding a private method of its base, reading
    # the base's trackers and calling a private method it does not define.
    source = textwrap.dedent("""
        class Old(WGANSN):
            def _update_trackers(self, logs):
                self._metric_trackers.clear()
                self._critic_update(logs)
                return super()._update_trackers(logs)
    """)
    node = ast.parse(source).body[0]
    found = _violations(node, "keras_wgan.models.registry",
                        _foreign_bases(keras_wgan.WGANSN))
    assert sorted(line.split(" ", 1)[1] for line in found) == [
        "Old overrides _update_trackers of "
        "['WassersteinGAN', 'MovingAverageModel', 'AdversarialModel']",
        "Old uses _critic_update",
        "Old uses _metric_trackers",
        "Old uses _update_trackers, defined by "
        "['WassersteinGAN', 'MovingAverageModel', 'AdversarialModel']",
    ]


@pytest.mark.parametrize("module_name", _MODULES)
def test_no_private_name_is_imported_across_modules(module_name):
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    imported_modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in _ALLOWED_PRIVATE_IMPORTS:
                    continue
                assert not alias.name.startswith("_"), (
                    f"{module_name} imports {alias.name} from {node.module}")
                imported_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported_modules.add((alias.asname or alias.name)
                                     .split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in imported_modules
                and node.value.id not in _ALLOWED_PRIVATE_IMPORTS):
            raise AssertionError(
                f"{module_name}:{node.lineno} reads "
                f"{node.value.id}.{node.attr}")


_HOOKS = ("critic_objective", "generator_objective", "evaluation_logs",
          "default_optimizer", "default_loss", "after_critic_update",
          "after_generator_update", "critic_update", "generator_update",
          "sample_noise", "noise_for", "generator_input", "critic_scores",
          "generator_samples", "check_networks", "networks",
          "player_variables", "fit_inputs", "sampler")


@pytest.mark.parametrize("hook", _HOOKS + ("call_network", "is_frozen",
                                          "metric_tracker"))
def test_every_hook_is_public_typed_and_documented(hook):
    method = getattr(AdversarialModel, hook)
    assert not hook.startswith("_")
    assert len(inspect.getdoc(method).splitlines()[0]) > 10
    signature = inspect.signature(method)
    assert signature.return_annotation is not inspect.Signature.empty
    if hook in _HOOKS:  # listed where a model's author reads first
        assert f"`{hook}(" in inspect.getdoc(AdversarialModel)
