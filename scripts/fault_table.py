"""Writes the fault table of the docs from the tests that prove it.

Every test marked `@pytest.mark.fault(fault=..., happens=..., kept=...)` in
`tests/cli/test_faults.py` and `tests/cli/test_faults_startup.py` is one
row: the fault, what the command does about it, what is kept, and the
test's id. The tests are read as source
(nothing is imported or run), so the table is made in a moment:

    python scripts/fault_table.py            # writes docs/guides/faults.md
    python scripts/fault_table.py --check    # exit 1 if the page is stale
"""

import argparse
import ast
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The test modules whose marked tests are the rows, in order.
TESTS = ("tests/cli/test_faults.py", "tests/cli/test_faults_startup.py")
PAGE = os.path.join("docs", "guides", "faults.md")

_HEADER = """\
# Faults and what `train` keeps

Each row is a fault of the data, the run folder, the machine or the
command line, what `python -m keras_wgan train` does about it, and what of
an earlier run it keeps. Every row is proven by the test named in its last
column, which makes the fault for real (real
files, permissions, signals and processes) and checks that nothing was
lost. This page is written by `python scripts/fault_table.py` from those
tests; a test fails when the two disagree.

A refusal is one line on stderr that names the option and what it
expects, with exit status 2, and comes before anything is written or
deleted.

| Fault | What happens | What is kept | Test |
|---|---|---|---|
"""


def faults(source):
    """`[(test name, {fault, happens, kept})]` of the marked tests, in order.

    Args:
        source: The text of a test module.

    Example:

    >>> faults('''
    ... @pytest.mark.fault(fault="a", happens="b", kept="c")
    ... def test_x(): pass
    ... ''')
    [('test_x', {'fault': 'a', 'happens': 'b', 'kept': 'c'})]
    """
    rows = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call)
                    and ast.unparse(decorator.func) == "pytest.mark.fault"):
                cells = {keyword.arg: ast.literal_eval(keyword.value)
                         for keyword in decorator.keywords}
                rows.append((node.name, cells))
    return rows


def table(sources):
    """The Markdown page: `sources` maps a test module's path to its text."""
    lines = [_HEADER]
    for path, source in sources.items():
        for name, cells in faults(source):
            row = [cells["fault"], cells["happens"], cells["kept"],
                   f"`{path}::{name}`"]
            lines.append("| " + " | ".join(cell.replace("|", "\\|")
                                             for cell in row) + " |\n")
    return "".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the page is up to date")
    args = parser.parse_args(argv)
    sources = {}
    for path in TESTS:
        with open(os.path.join(_ROOT, path)) as f:
            sources[path] = f.read()
    page = table(sources)
    path = os.path.join(_ROOT, PAGE)
    if args.check:
        current = open(path).read() if os.path.exists(path) else None
        if current != page:
            print(f"{PAGE} is out of date: run python scripts/fault_table.py",
                  file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(page)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
