"""Living-update commands: update (fetch from PubMed and CT.gov) and new (what arrived)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from jakatlas.cli._app import DB_OPTION, FORMAT_OPTION, OutputFormat, app
from jakatlas.cli.render import console, counted, markdown_table, print_json, table
from jakatlas.errors import InputError
from jakatlas.store.atlas import Atlas


class SourceChoice(StrEnum):
    pubmed = "pubmed"
    ctgov = "ctgov"
    all = "all"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date.", hint="Give it as YYYY-MM-DD, e.g. 2026-01-31.") from None


@app.command()
def update(
    source: SourceChoice = typer.Option(SourceChoice.all, "--source", help="Which source to search."),
    since: str | None = typer.Option(None, "--since", help="Search from this date (YYYY-MM-DD) instead of "
                                     "the day before the last run's watermark.", show_default=False),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the date windows and what each query searches; "
                                 "fetch nothing."),
    show_queries: bool = typer.Option(False, "--show-queries", help="With --dry-run: print every query in full "
                                      "(PubMed term, CT.gov query.intr and query.cond)."),
    db: str | None = DB_OPTION,
) -> None:
    """Fetch new and revised records from PubMed and ClinicalTrials.gov and store them as candidates.

    Linked to studies already in the atlas by NCT id, PMID, DOI or title/first author/year, so
    nothing counts twice. Base URLs: JAKATLAS_EUTILS_URL, JAKATLAS_CTGOV_URL; NCBI_EMAIL,
    NCBI_TOOL and NCBI_API_KEY identify you to NCBI.

    Example: jakatlas update --source pubmed --since 2026-01-01
    """
    from jakatlas.updates import SOURCES, plan_update, run_update

    start = _date(since, "--since")
    atlas = Atlas(db)
    atlas.require_built()
    sources = SOURCES if source == SourceChoice.all else (source.value,)
    if dry_run:
        for plan in plan_update(atlas, sources, since=start):  # type: ignore[arg-type]
            mark = plan.watermark.isoformat() if plan.watermark else "none"
            print(f"{plan.source}: {plan.since.isoformat()} to {plan.until.isoformat()} (watermark {mark}), "
                  f"{len(plan.queries)} queries")
            for q in plan.queries:
                if not show_queries:
                    print(f"  {q.drug}: {', '.join(q.drug_terms)} ({counted(len(q.disease_terms), 'disease term')})")
                elif plan.source == "pubmed":
                    print(f"  {q.drug}: {q.pubmed}")
                else:
                    print(f"  {q.drug}: query.intr={q.ctgov_intr} query.cond={q.ctgov_cond}")
        if not show_queries:
            print("Each query searches any of the drug's names together with any of the disease terms; "
                  "add --show-queries to print the queries in full.")
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} records"),
                  TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Searching", total=None)

        def tick(src: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"Fetching {src}", completed=done, total=total)

        summaries = run_update(atlas, sources, since=start, progress=tick)  # type: ignore[arg-type]
    for sm in summaries:
        c = sm.counts
        stamp = f", data of {sm.data_timestamp}" if sm.data_timestamp else ""
        print(f"{sm.source} {sm.since.isoformat()} to {sm.until.isoformat()}{stamp}: fetched {c.fetched}, "
              f"new {c.new}, updated {c.updated}, withdrawn {c.withdrawn}, linked to existing {c.linked}, "
              f"failed {len(c.failed)}" + ("" if sm.complete else " (watermark kept; run again)"))
        for reason in c.failed[:20]:
            print(f"  failed: {reason}")
        if len(c.failed) > 20:
            print(f"  ... and {len(c.failed) - 20} more")


@app.command()
def new(
    since: str | None = typer.Option(None, "--since", help="Only records that arrived or changed on or after "
                                     "this date (YYYY-MM-DD).", show_default=False),
    disease: str | None = typer.Option(None, "--disease", help="Only evidence on this disease.", show_default=False),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """What is new: records fetched by 'jakatlas update', their candidate studies and links.

    Example: jakatlas new --since 2026-01-01 --disease HS --format md
    """
    from jakatlas.data import knowledge_base
    from jakatlas.store.living import whats_new

    start = _date(since, "--since")
    dis = knowledge_base().disease(disease).name if disease else None
    atlas = Atlas(db)
    atlas.require_built()
    atlas.migrate()
    entries = whats_new(atlas.url, since=start, disease=dis)
    if fmt == OutputFormat.json:
        print_json([e.model_dump(mode="json") for e in entries])
        return
    headers = ["Changed", "Record", "Change", "Title", "Studies"]
    rows = [[_when(e.changed_at), e.record, e.change, e.title or "", _studies(e.studies)] for e in entries]
    if fmt == OutputFormat.md:
        print(markdown_table(headers, rows))
        return
    if not rows:
        print("Nothing new" + (f" since {start.isoformat()}" if start else "") + ". Run 'jakatlas update' to fetch.")
        return
    table(None, headers, rows)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _studies(studies: list[dict]) -> str:
    parts = []
    for s in studies:
        text = f"{s['id']} ({s['status']})"
        if s.get("same_as"):
            text += f" = {s['same_as']} by {s['link_basis']}"
        parts.append(text)
    return "; ".join(parts)
