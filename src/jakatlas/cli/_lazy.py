"""Lazy command loading: ``jakatlas --help`` lists commands without importing them.

Each command module is imported only when its command runs (or its own ``--help`` is asked for), so
start-up costs Typer and Rich alone rather than spaCy, SQLAlchemy and the scientific stack.
The group lists commands from :data:`jakatlas.cli.COMMANDS` (name -> module, one-line help); a test
keeps that table equal to the real commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import typer.main
from typer import _click as click  # Typer vendors Click; its group API is typed with these classes
from typer.core import TyperCommand, TyperGroup

#: Filled by ``jakatlas.cli`` (kept there so the table of commands is read in one place).
REGISTRY: dict[str, tuple[str, str]] = {}
_ALL: list[Callable[[], None]] = []


def load(name: str | None) -> None:
    """Import the module that defines command ``name`` (every module when the name is unknown)."""
    entry = REGISTRY.get(name or "")
    if entry is None:
        for load_all in _ALL:
            load_all()
        return
    importlib.import_module(f"jakatlas.cli.{entry[0]}")


class LazyGroup(TyperGroup):
    """A Typer group whose commands come into being when they are resolved."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = list(REGISTRY)
        return names + [n for n in self.commands if n not in REGISTRY]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = self.commands.get(cmd_name)
        if cmd is not None or cmd_name not in REGISTRY:
            return cmd
        # Listing only: a stand-in that carries the one-line help, so nothing is imported.
        return TyperCommand(name=cmd_name, help=REGISTRY[cmd_name][1])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            load(args[0])
            self._refresh(ctx)
        return super().resolve_command(ctx, args)

    def _refresh(self, ctx: click.Context) -> None:
        from jakatlas.cli._app import app

        built: Mapping[str, click.Command] = typer.main.get_group(app).commands
        for name, cmd in built.items():
            self.commands.setdefault(name, cmd)
