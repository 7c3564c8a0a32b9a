"""The README documents every command, and its two set-up commands are the ones CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import typer.main
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    command = 'pip install -e ".[test]" -c constraints.txt && python -m pytest -q -n 2'
    assert command in readme
    assert ci.rstrip().splitlines()[-1].replace("pip install -q -e", "pip install -e") == command


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def test_every_declared_dependency_is_pinned_in_constraints() -> None:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    unpinned = [str(r) for r in _declared() if canonicalize_name(r.name) not in pins]
    assert not unpinned, f"pin these in constraints.txt: {unpinned}"
    outside = [
        f"{r.name}=={pins[canonicalize_name(r.name)]} (declared {r.specifier})"
        for r in _declared()
        if not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not outside, f"constraints.txt pins versions pyproject.toml excludes: {outside}"


def test_test_tools_have_upper_bounds() -> None:
    tools = {"pytest", "schemathesis", "hypothesis", "playwright"}
    loose = [
        str(r)
        for r in _declared()
        if r.name in tools and not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)
    ]
    assert not loose, f"give these test tools an upper bound: {loose}"


def test_quick_start_says_how_to_get_chromium() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "apt-get install -y chromium" in quick
