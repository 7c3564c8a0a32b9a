"""The Typer application object and options shared by every command."""

from __future__ import annotations

from enum import StrEnum

import typer

from jakatlas.cli._lazy import LazyGroup

app = typer.Typer(
    name="jakatlas",
    cls=LazyGroup,
    help="Living evidence atlas for JAK inhibitors in dermatology.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


DB_OPTION = typer.Option(
    None,
    "--db",
    envvar="JAKATLAS_DB",
    help="SQLAlchemy URL of the atlas database (default: SQLite file in the user data directory).",
    show_default=False,
)
FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="Output format.")


@app.callback()
def _root() -> None:
    """Living evidence atlas for JAK inhibitors in dermatology."""
    # A root callback makes Typer build a group even before any command module is imported.
