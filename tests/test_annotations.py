"""Every public function and method of the package is annotated.

Public: a module-level function whose name has no leading underscore, or a
method of such a class (`__init__` and `__call__` included), in any module
of `keras_wgan/`. Annotated: every parameter but `self`/`cls`, and the
return value (`__init__` may leave it out once a parameter is annotated).
`mypy keras_wgan` checks the annotations themselves (`.ci/run`). This is
the one test of the package's annotations, for every subpackage.
"""

import ast
import pathlib

import pytest

# Read as source: the check needs no Keras backend.
PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "keras_wgan"

_PUBLIC_DUNDERS = ("__init__", "__call__")


def _complete(function, method):
    arguments = function.args
    parameters = [*arguments.posonlyargs, *arguments.args,
                  *arguments.kwonlyargs]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                 for d in function.decorator_list)
    if method and not static and parameters:
        parameters = parameters[1:]  # self or cls
    parameters += [a for a in (arguments.vararg, arguments.kwarg) if a]
    if any(p.annotation is None for p in parameters):
        return False
    if function.returns is None:
        return function.name == "__init__" and bool(parameters)
    return True


def public_functions(tree):
    """Yields `(qualified name, node, is_method)` of a module's public
    functions and methods."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not node.name.startswith("_"):
                yield node.name, node, False
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        and (not item.name.startswith("_")
                             or item.name in _PUBLIC_DUNDERS):
                    yield f"{node.name}.{item.name}", item, True


def unannotated(root=PACKAGE):
    """Returns `path:line name` of every public function of `root` that
    lacks an annotation."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text())
        for name, node, method in public_functions(tree):
            if not _complete(node, method):
                found.append(f"keras_wgan/{relative}:{node.lineno} {name}")
    return found


def test_every_public_function_is_annotated():
    offenders = unannotated()
    assert not offenders, "not annotated:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source, complete", [
    ("def f(x: int) -> int: ...", True),
    ("def f(x) -> int: ...", False),
    ("def f(x: int): ...", False),
    ("def f(*args: int, **kwargs: str) -> None: ...", True),
    ("def f(*args, **kwargs: str) -> None: ...", False),
    ("def _f(x): ...", True),  # private: not checked
    ("class A:\n    def __init__(self, x: int): ...", True),
    ("class A:\n    def __init__(self): ...", False),
    ("class A:\n    def m(self) -> None: ...", True),
    ("class A:\n    @classmethod\n    def m(cls, c: dict) -> 'A': ...", True),
    ("class A:\n    @staticmethod\n    def m(x) -> None: ...", False),
    ("class A:\n    def _m(self, x): ...", True),
    ("class _A:\n    def m(self, x): ...", True),
])
def test_the_check_finds_missing_annotations(tmp_path, source, complete):
    (tmp_path / "module.py").write_text(source)
    assert (unannotated(tmp_path) == []) == complete
