"""Rendering helpers shared by commands: Rich tables, JSON and Markdown."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["console", "print_json", "table", "markdown_table"]

def _width() -> int | None:
    """Terminal width on a terminal; 160 columns when piped (Rich would otherwise use 80)."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return 160


console = Console(highlight=False, width=_width(), soft_wrap=True)


def print_json(obj: Any) -> None:
    """One JSON document on stdout (no Rich markup, no wrapping)."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


WIDE = {"Result": 6, "Source": 3, "Synonyms": 2, "Identifiers": 2, "Title": 3, "Matched in": 4}
NARROW = {"n", "Level", "Studies"}


def table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, markup: bool = False) -> None:
    """A Rich table; prose columns (Result, Source) get the spare width. Cells are plain text unless
    ``markup`` is true (then they carry Rich markup, already escaped by the caller)."""
    from rich.text import Text

    t = Table(title=title, show_lines=True, header_style="bold", expand=True)
    for h in headers:
        t.add_column(h, overflow="fold", ratio=None if h in NARROW else WIDE.get(h, 1), no_wrap=h in NARROW)
    for r in rows:
        cells = ("" if v is None else str(v) for v in r)
        t.add_row(*(Text.from_markup(c) if markup else Text(c) for c in cells))
    console.print(t)


def _cell(v: Any) -> str:
    return ("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 study``, ``2 studies``: a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
