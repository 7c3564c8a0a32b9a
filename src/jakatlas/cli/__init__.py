"""Command-line interface: a thin Typer layer over the Python API."""

from __future__ import annotations

import sys

from jakatlas.cli._app import app
from jakatlas.errors import JakatlasError

__all__ = ["app", "main"]


def _load_commands() -> None:
    import importlib

    for mod in ("atlas", "meta_cmd", "extract_cmd", "web_cmd", "synthesis_cmd"):
        try:
            importlib.import_module(f"jakatlas.cli.{mod}")
        except ModuleNotFoundError as exc:  # a command module still under construction
            if exc.name != f"jakatlas.cli.{mod}":
                raise


def main() -> None:
    """Entry point: run the app; print jakatlas errors on one line without a traceback."""
    _load_commands()
    try:
        app()
    except JakatlasError as exc:
        _fail(str(exc), exc.exit_code)
    except OSError as exc:  # files the command was pointed at: missing, unreadable, a folder...
        where = f": {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}. Check the path and its permissions.", 2)


def _fail(message: str, code: int) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"Error: {message}", markup=False)
    sys.exit(code)
