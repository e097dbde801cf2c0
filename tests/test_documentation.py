"""The documentation's commands run as written, and its tables come from
the result files.

Every shell command in a `bash` block of README.md and docs/ is checked
(`documented_commands`): `python -m keras_wgan` commands run for real with
`--dry-run` (every option checked, the data loaded, the model built), or
are parsed when the command has no `--dry-run`, when they need what an
earlier command writes (`--resume`,
`--checkpoint`), a placeholder path, data that is not on this machine or
another backend; scripts and benchmarks must exist and know every flag
given to them; files named by the set-up commands must exist. A command of
a kind this test does not know fails it, so a new kind is not silently
left unchecked.
"""

import glob
import os
import re
import shlex

import keras
import pytest

from keras_wgan import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = ".venv/bin/python"
# Generated reports of the studies: they quote the commands that made them.
_REPORTS = ("docs/compare/", "docs/lipschitz/")
# Data a dry run cannot load on a machine without it.
_DOWNLOADED = ("fashion_mnist", "cifar10", "cifar100")


def documentation_files():
    """README.md and every Markdown page under docs/ but the reports."""
    files = [os.path.join(ROOT, "README.md")] + sorted(
        glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True))
    return [f for f in files
            if not os.path.relpath(f, ROOT).startswith(_REPORTS)]


def shell_blocks(text):
    """The contents of the ```bash (or sh, shell) blocks of `text`."""
    return re.findall(r"^```(?:bash|sh|shell)\n(.*?)^```", text,
                      re.MULTILINE | re.DOTALL)


def documented_commands():
    """`(file, line, words, env)` for every command of every shell block.

    `words` is one command (a `&&` chain is split), with the shell
    variables of its block expanded; `env` holds its leading variable
    assignments and the block's `export`s.
    """
    commands = []
    for path in documentation_files():
        with open(path) as f:
            text = f.read()
        for block in shell_blocks(text):
            variables = {}
            block = block.replace("\\\n", " ")
            for line in block.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                expanded = re.sub(r"\$(\w+)",
                                  lambda m: variables.get(m.group(1),
                                                          m.group(0)), line)
                words = shlex.split(expanded)
                if words[0] == "export":
                    variables.update(w.split("=", 1) for w in words[1:])
                    continue
                if len(words) == 1 and "=" in words[0]:
                    name, value = words[0].split("=", 1)
                    variables[name] = value
                    continue
                part = []
                for word in words + ["&&"]:
                    if word != "&&":
                        part.append(word)
                        continue
                    env = {k: v for k, v in variables.items() if k.isupper()}
                    while part and re.match(r"^[A-Z_]+=", part[0]):
                        name, value = part.pop(0).split("=", 1)
                        env[name] = value
                    commands.append((os.path.relpath(path, ROOT), line,
                                     part, env))
                    part = []
    return commands


COMMANDS = documented_commands()


def _strip_wrappers(words):
    """The command without `nice -n N` and `env` in front of it."""
    while words and words[0] in ("nice", "env"):
        words = words[3:] if words[0] == "nice" else words[1:]
        while words and re.match(r"^[A-Z_]+=", words[0]):
            words = words[1:]
    return words


def _script_flags_known(script, arguments):
    with open(os.path.join(ROOT, script)) as f:
        source = f.read()
    unknown = [word.split("=")[0] for word in arguments
               if word.startswith("--")
               and f'"{word.split("=")[0]}"' not in source]
    assert not unknown, f"{script} has no option {', '.join(unknown)}"


_available = {}


def _data_available(name):
    if name not in _available:
        from keras_wgan import data

        try:
            data.load_images(name, split="test", verbose=False)
            _available[name] = True
        except (ValueError, FileNotFoundError, OSError):
            _available[name] = False
    return _available[name]


def _needs_state_or_placeholder(arguments):
    if "--resume" in arguments or "--checkpoint" in arguments:
        return True  # needs the run an earlier command writes
    if any("path/to/" in word for word in arguments):
        return True
    if "--recipe" in arguments:
        return True  # the recipe's data, CIFAR-10, is downloaded
    for option in ("--dataset",):
        if option in arguments:
            value = arguments[arguments.index(option) + 1]
            if value in _DOWNLOADED and not _data_available(value):
                return True
    return False


def check_keras_wgan(arguments, env, capsys):
    """Dry-runs a `python -m keras_wgan` command, or parses it."""
    backend = env.get("KERAS_BACKEND", "torch")
    parser = cli.build_parser()
    parser.parse_args(arguments)  # a renamed or unknown flag fails here
    if "--help" in arguments or "-h" in arguments:
        return
    command = parser.command_parsers.get(arguments[0])
    dry_runs = (command is not None
                and "--dry-run" in command._option_string_actions)
    if (not dry_runs or backend != keras.backend.backend()
            or "--devices" in arguments
            or _needs_state_or_placeholder(arguments)):
        return
    status = cli.main(arguments + ["--dry-run"])
    output = capsys.readouterr()
    assert status == 0, output.err
    assert "dry run: would" in output.out


def check_command(words, env, capsys):
    words = _strip_wrappers(list(words))
    program, arguments = words[0], words[1:]
    if program == "python3" and arguments[:2] == ["-m", "venv"]:
        return
    if program in (".venv/bin/pip", f"{PYTHON} -m pip"):
        for i, word in enumerate(arguments):
            if word == "-r":
                assert os.path.isfile(os.path.join(ROOT, arguments[i + 1]))
        return
    if program == ".venv/bin/mkdocs":
        assert arguments[0] in ("build", "serve")
        assert os.path.isfile(os.path.join(ROOT, "mkdocs.yml"))
        return
    if program == ".venv/bin/torchrun":
        while arguments and arguments[0].startswith("--"):
            takes_value = arguments[0] in ("--nproc-per-node",
                                           "--nproc_per_node")
            arguments = arguments[2:] if takes_value else arguments[1:]
        program = PYTHON
    assert program == PYTHON, (
        f"{program}: write commands as {PYTHON} ... (or teach this test "
        "the new kind of command)")
    if arguments[:2] == ["-m", "keras_wgan"]:
        return check_keras_wgan(arguments[2:], env, capsys)
    if arguments[:2] == ["-m", "pytest"]:
        for word in arguments[2:]:
            if not word.startswith("-") and word.startswith("tests"):
                assert os.path.exists(os.path.join(ROOT, word.split("::")[0]))
        return
    script = arguments[0]
    assert script.endswith(".py") and os.path.isfile(
        os.path.join(ROOT, script)), f"no script {script}"
    _script_flags_known(script, arguments[1:])


@pytest.mark.backend_independent
def test_commands_found():
    files = {path for path, _, _, _ in COMMANDS}
    assert "README.md" in files
    assert len(COMMANDS) > 30
    assert any(words[:3] == [PYTHON, "-m", "keras_wgan"]
               for _, _, words, _ in COMMANDS)


@pytest.mark.backends("torch", reason="the documented commands use the "
                      "default backend; others are parsed only")
@pytest.mark.parametrize(
    "path,line,words,env", COMMANDS,
    ids=[f"{path}:{' '.join(words)[:60]}" for path, _, words, _ in COMMANDS])
def test_documented_command_runs(path, line, words, env, tmp_path,
                                 monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # a dry run writes nothing, but be sure
    check_command(words, env, capsys)
    assert not os.listdir(tmp_path), (
        f"{path}: {line}: the dry run wrote {os.listdir(tmp_path)}")


@pytest.mark.backend_independent
def test_readme_and_ci_share_the_test_command():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        last = f.read().rstrip("\n").splitlines()[-1]
    blocks = shell_blocks(readme)
    assert blocks[1].strip() == last
    assert len(readme.splitlines()) <= 250


@pytest.mark.backend_independent
def test_every_result_file_has_its_table():
    import sys

    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import docs_tables

    asked = set()
    for path in documentation_files():
        with open(path) as f:
            for kind, arguments in docs_tables.markers(f.read()):
                table = docs_tables.render(kind, *arguments)
                assert table.count("\n|") >= 2
                asked.update(arguments)
    results = {os.path.relpath(p, os.path.join(ROOT, "docs"))
               for pattern in ("compare/*/results.json",
                               "lipschitz/*/summary.json",
                               "bigan/*.json", "cyclegan/*.json",
                               "coloured_mnist/*.json", "conditional/*.json")
               for p in glob.glob(os.path.join(ROOT, "docs", pattern))}
    assert results - asked == set()


@pytest.mark.backend_independent
def test_tables_hold_the_numbers_of_their_files():
    import json
    import sys

    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import docs_tables

    table = docs_tables.render("compare", "compare/mnist/results.json")
    with open(os.path.join(ROOT, "docs", "compare", "mnist",
                           "results.json")) as f:
        results = json.load(f)
    for variant in results["variants"]:
        row = next(line for line in table.splitlines()
                   if line.startswith(f"| {variant['label']} |"))
        final = variant["history"][-1][results["primary_metric"]]
        assert f"{final:.3g}" in row or f"{final:.0f}" in row, row
    table = docs_tables.render("bigan", "bigan/bigan.json")
    assert "87.2%" in table  # probe_accuracy 0.8715 of the file
