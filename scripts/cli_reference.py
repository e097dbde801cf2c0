"""The command-line reference page, made from the argparse parsers.

The docs build (`scripts/mkdocs_hooks.py`) puts it where a page has the
line `<!-- cli-reference -->`, so the reference cannot drift from the
options the command line accepts.

    .venv/bin/python scripts/cli_reference.py

With `--write-help` it writes `keras_wgan/cli_help.json` instead, the
texts that `--help` prints without loading Keras; run it after changing an
option (tests/cli/test_help.py fails until then).
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


def help_texts():
    """The `--help` text of the program and of each command, by command
    name ("" for the program), as `keras_wgan/__main__.py` prints them."""
    from keras_wgan.__main__ import HELP_COLUMNS
    from keras_wgan.cli import build_parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_COLUMNS)
    try:
        parser = build_parser()
        texts = {"": parser.format_help()}
        for name, command in parser.command_parsers.items():
            texts[name] = command.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return texts


def write_help():
    """Writes `keras_wgan/cli_help.json`, the texts `--help` prints."""
    import json

    from keras_wgan.__main__ import HELP_FILE

    with open(HELP_FILE, "w") as f:
        json.dump(help_texts(), f, indent=1, sort_keys=True)
        f.write("\n")
    return HELP_FILE


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-help"]:
        print("wrote", write_help())
    else:
        print(reference())
