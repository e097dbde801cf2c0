"""The command-line reference page, made from the argparse parsers.

The docs build (`scripts/mkdocs_hooks.py`) puts it where a page has the
line `<!-- cli-reference -->`, so the reference cannot drift from the
options the command line accepts.

    python scripts/cli_reference.py
"""

import argparse
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

MARKER = "<!-- cli-reference -->"


def _option_row(action):
    names = ", ".join(f"`{name}`" for name in action.option_strings)
    if action.nargs == 0:
        value = ""
    elif action.choices is not None:
        value = "`{" + ",".join(map(str, action.choices)) + "}`"
    else:
        value = f"`{action.metavar or action.dest.upper()}`"
    text = (action.help or "").replace("|", "\\|").replace("\n", " ")
    if action.required:
        text = "**required.** " + text
    return f"| {names} | {value} | {text} |"


def reference():
    """Returns the Markdown reference of every command and option."""
    from keras_wgan.cli import build_parser

    parser = build_parser()
    parser.prog = "python -m keras_wgan"
    lines = []
    for name, command in parser.command_parsers.items():
        command.prog = f".venv/bin/python -m keras_wgan {name}"
        lines += [f"## {name}", "", command.description or "", "",
                  "```text", command.format_usage().strip(), "```", "",
                  "| option | value | what it does |", "|---|---|---|"]
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            lines.append(_option_row(action))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference())
