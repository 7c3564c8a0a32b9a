"""``jakatlas references``: reference lists as RIS or BibTeX for reference managers."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from jakatlas.cli._app import DB_OPTION, app


class RefFormat(StrEnum):
    ris = "ris"
    bibtex = "bibtex"
    json = "json"


@app.command()
def references(
    name: str = typer.Argument(..., help="Disease or drug (name, synonym, code); with --search, a full-text query."),
    search: bool = typer.Option(False, "--search", "-s", help="Export the references of the studies a search finds."),
    fmt: RefFormat = typer.Option(RefFormat.ris, "--format", "-f", help="Output format."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    db: str | None = DB_OPTION,
) -> None:
    """Export a reference list (a disease's dossier, a drug's page, or search results) as RIS or BibTeX.

    Example: jakatlas references "hidradenitis suppurativa" --format bibtex --out hs.bib
    """
    import json

    from jakatlas.models.knowledge import Disease
    from jakatlas.report import citations
    from jakatlas.store.atlas import Atlas
    from jakatlas.store.views import lookup

    atlas = Atlas(db)
    if search:
        refs = citations.search_references(atlas, name)
    else:
        rec = lookup(name)
        refs = (citations.disease_references(atlas, rec) if isinstance(rec, Disease)
                else citations.drug_references(atlas, rec))
    text = (json.dumps([r.model_dump() for r in refs], indent=2, ensure_ascii=False) + "\n"
            if fmt is RefFormat.json else citations.write_references(refs, fmt.value))
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {out}: {len(refs)} reference{'s' if len(refs) != 1 else ''} ({fmt.value}).")
