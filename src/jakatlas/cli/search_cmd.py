"""``jakatlas search``: ranked full-text search across the atlas."""

from __future__ import annotations

from enum import StrEnum

import typer

from jakatlas.cli._app import DB_OPTION, FORMAT_OPTION, OutputFormat, app


class Kind(StrEnum):
    disease = "disease"
    drug = "drug"
    cytokine = "cytokine"
    outcome = "outcome"
    study = "study"


def _plain(html_text: str) -> str:
    import html

    return html.unescape(html_text.replace("<mark>", "").replace("</mark>", ""))


def _rich(html_text: str) -> str:
    import html

    from rich.markup import escape

    parts = html_text.replace("</mark>", "<mark>").split("<mark>")
    return "".join(f"[bold yellow]{escape(html.unescape(p))}[/]" if i % 2 else escape(html.unescape(p))
                   for i, p in enumerate(parts))


@app.command()
def search(
    query: str = typer.Argument(..., help="Words, a name, a trial acronym, a registry id, a PMID or a DOI."),
    kind: list[Kind] = typer.Option([], "--kind", "-k", help="Search only these kinds (repeatable)."),
    candidates: bool = typer.Option(False, "--candidates", help="Include unreviewed extracted candidates."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=200, help="Most results to show."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Search diseases, drugs, cytokines, outcome measures and studies, ranked, with the matches shown.

    Every word must match (as a prefix). SQLite FTS5 on the default database, PostgreSQL text search
    on a server.

    Example: jakatlas search "NCT04430855" --kind study
    """
    from jakatlas.cli.render import console, markdown_table, print_json, table
    from jakatlas.store.atlas import Atlas
    from jakatlas.store.search import KINDS
    from jakatlas.store.search import search as text_search

    kinds = tuple(k.value for k in kind) or KINDS
    hits = text_search(Atlas(db), query, kinds=kinds, candidates=candidates, limit=limit)  # type: ignore[arg-type]
    if fmt is OutputFormat.json:
        print_json([h.model_dump(mode="json") for h in hits])
        return
    headers = ["Kind", "Title", "Matched in", "Id"]
    if fmt is OutputFormat.md:
        rows = [[h.kind + (" (candidate)" if h.status == "candidate" else ""), _plain(h.title_html),
                 _plain(h.snippet_html), h.ref] for h in hits]
        print(markdown_table(headers, rows))
        return
    if not hits:
        console.print(f"No results for {query!r}.", markup=False)
        return
    rows = [[h.kind + ("\n(candidate)" if h.status == "candidate" else ""), _rich(h.title_html),
             _rich(h.snippet_html), h.ref] for h in hits]
    table(f"{len(hits)} result{'s' if len(hits) != 1 else ''} for {query!r}", headers, rows, markup=True)
