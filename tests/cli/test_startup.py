"""Start-up: ``jakatlas --help`` lists every command without importing the command modules."""

from __future__ import annotations

import json
import subprocess
import sys

import typer.main

from jakatlas.cli import COMMANDS, _load_commands, app

HEAVY = ("jakatlas.store", "jakatlas.extract", "jakatlas.synthesis", "sqlalchemy", "spacy", "numpy")


def _modules_after(argv: list[str]) -> list[str]:
    code = (
        "import json, sys\n"
        f"sys.argv = {['jakatlas', *argv]!r}\n"
        "from jakatlas.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_registry_names_every_command_with_its_module_and_help() -> None:
    _load_commands()
    group = typer.main.get_command(app)
    real = {}
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = next(iter(getattr(cmd, "commands", {}).values()), None)
        callback = (sub or cmd).callback
        module = callback.__module__.rsplit(".", 1)[-1] if callback else None
        real[name] = (module, cmd.get_short_help_str(limit=10_000))
    assert real == COMMANDS, "keep jakatlas.cli.COMMANDS equal to the commands (module, one-line help)"


def test_help_lists_commands_without_importing_them() -> None:
    loaded = _modules_after(["--help"])
    heavy = [m for m in loaded if m.startswith(HEAVY)]
    assert heavy == [], f"'jakatlas --help' imported {heavy[:5]}: import them inside the command"
    assert not any(m.startswith("jakatlas.cli.") and m not in ("jakatlas.cli._app", "jakatlas.cli._lazy")
                   for m in loaded)


def test_a_command_loads_only_its_own_module() -> None:
    loaded = _modules_after(["meta", "--help"])
    assert "jakatlas.cli.meta_cmd" in loaded
    assert "jakatlas.cli.atlas" not in loaded
    assert "jakatlas.cli.synthesis_cmd" not in loaded


def test_unknown_command_still_suggests_the_closest() -> None:
    proc = subprocess.run([sys.executable, "-c", "from jakatlas.cli import main; main()", "bulid"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "No such command 'bulid'. Did you mean 'build'?" in proc.stderr
