"""The README is documentation a user runs: its Python blocks execute and its example
output is what the command prints."""

from __future__ import annotations

import matplotlib
import pytest

from sim.cli import main
from tests.files import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    """Fenced blocks of a language that start a line (not indented ones)."""
    blocks, current, kind = [], None, None
    for line in README.splitlines():
        if current is None and line.startswith("```"):
            current, kind = [], line[3:].strip()
        elif current is not None and line.startswith("```"):
            if kind == lang:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


PYTHON = [b for b in _blocks("python") if b.startswith("from sim import")]


def test_readme_has_the_python_examples():
    assert len(PYTHON) == 2


@pytest.mark.parametrize("code", PYTHON, ids=["sweep", "run"])
def test_python_blocks_run(code, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})


def _regenerate_docs():
    import importlib.util

    spec = importlib.util.spec_from_file_location("regenerate_docs",
                                                  ROOT / "scripts/regenerate_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated():
    """The docs' generated blocks, regenerated once for all the tests below."""
    module = _regenerate_docs()
    cache: dict[str, str] = {}
    return module, cache


@pytest.mark.parametrize("doc", ["README.md", "scenarios/iran_2026/README.md",
                                 "scenarios/history/README.md",
                                 "docs/teaching/instructor_notes.md"])
def test_generated_blocks_are_current(doc, generated):
    module, cache = generated
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert module.blocks(text), f"{doc} has no generated blocks"
    assert module.regenerate(text, cache) == text, \
        "stale numbers; run: python scripts/regenerate_docs.py"


def test_baseline_excerpt_is_what_run_prints(capsys, at_root):
    block = _regenerate_docs().BLOCK.search(README)["body"]
    excerpt = block.strip().strip("`").strip()
    assert main(["run", "scenarios/iran_2026/baseline.yaml", "--trials", "20000",
                 "--seed", "7", "--quiet"]) == 0
    printed = capsys.readouterr().out
    for line in excerpt.splitlines():
        assert line in printed, line


def test_every_command_the_help_lists_is_shown_in_the_readme(capsys):
    """The command list as `escalation --help` prints it: each line names one command
    (a help text that wraps would put a stray word where a command belongs), and the
    README's command-line block shows each as `escalation COMMAND`."""
    import re

    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out.split("COMMAND\n", 1)[1].split("\n\n")[0]
    commands = [m[1] for m in re.finditer(r"^ {4}(\S+)", listed, re.M)]
    assert len(commands) == len(listed.strip().splitlines()), listed
    shell = "\n".join(_blocks("sh"))
    missing = [c for c in commands if f"escalation {c}" not in shell]
    assert commands and not missing, f"the README never shows: {missing}"
