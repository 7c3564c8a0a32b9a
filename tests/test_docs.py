"""The README documents every command, and its two set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from jakatlas.cli import _load_commands, app

REPO = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    _load_commands()
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {s}" for s in subs] if subs else [name]
    return names


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if not re.search(rf"jakatlas {re.escape(c)}\b", readme)]
    assert not missing, f"document these commands in README.md: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = 'pip install -e ".[test]" && python -m pytest -q -n 2'
    assert command in readme
    assert ci.rstrip().splitlines()[-1].replace("pip install -q -e", "pip install -e") == command
