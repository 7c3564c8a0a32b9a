"""``jakatlas ingest``: bulk ingestion of PubMed baseline/update files on Dask (a thin layer)."""

from __future__ import annotations

import sys

import typer

from jakatlas.cli._app import DB_OPTION, app
from jakatlas.cli.render import console

__all__ = ["ingest_command"]


@app.command("ingest")
def ingest_command(
    inputs: list[str] = typer.Argument(..., metavar="DIR_OR_GLOB...",
                                       help="Folders, files or glob patterns of pubmed*.xml.gz / *.xml files."),
    out: str = typer.Option(..., "--out", "-o", help="Output folder (Parquet records and the manifest)."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=0,
                                       help="Worker processes of the local cluster (default 1; 0 runs "
                                            "in this process without Dask)."),
    scheduler: str | None = typer.Option(None, "--scheduler",
                                         help="Address of an existing Dask scheduler, e.g. tcp://host:8786."),
    resume: bool = typer.Option(False, "--resume", help="Continue an ingest in --out: skip inputs already done "
                                                        "(same MD5, parser and pipeline version)."),
    load: bool = typer.Option(False, "--load", help="Then store the latest relevant candidates in the atlas."),
    progress: bool | None = typer.Option(None, "--progress/--no-progress",
                                         help="Dask progress bar (default: when the output is a terminal)."),
    db: str | None = DB_OPTION,
) -> None:
    """Screen and extract PubMed baseline and update files into Parquet, one Dask task per file.

    Each file is checked against its .md5, stream-parsed, screened for relevance and extracted,
    and written atomically with a manifest entry, so a killed run continues with --resume. Files
    apply in name order: a later record of a PMID replaces the earlier, DeleteCitation removes it.

    Example: jakatlas ingest 'baseline/pubmed25n*.xml.gz' --out ingest/ --workers 2
    """
    from jakatlas.bulk import latest_summary, run_ingest

    summary = run_ingest(inputs, out, workers=workers, scheduler=scheduler, resume=resume,
                         show_progress=sys.stdout.isatty() if progress is None else progress)
    for message in summary.failed.values():
        console.print(f"Skipped {message}", markup=False, highlight=False)
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    console.print(
        f"Ingested {len(summary.processed)} of {summary.inputs} files ({len(summary.skipped)} already done, "
        f"{len(summary.failed)} failed): {summary.records:,} records, {summary.candidates:,} candidate studies "
        f"in {summary.seconds:.1f} s ({rate:,.0f} records/s, {summary.workers} workers).",
        markup=False, highlight=False,
    )
    if summary.processed or summary.skipped:
        latest = latest_summary(out)
        console.print(f"Latest view: {latest['citations']:,} citations, {latest['relevant']:,} relevant, "
                      f"{latest['candidates']:,} candidate studies.", markup=False, highlight=False)
    if load:
        from jakatlas.store.atlas import Atlas
        from jakatlas.store.bulk_load import load_latest

        atlas = Atlas(db)
        atlas.migrate()
        c = load_latest(out, atlas.url)
        console.print(f"Loaded {c.fetched:,} records: {c.new:,} new, {c.updated:,} updated, {c.unchanged:,} "
                      f"unchanged, {c.withdrawn:,} withdrawn; {c.candidates:,} candidate studies, {c.linked:,} "
                      f"linked to studies already in the atlas.", markup=False, highlight=False)
        for reason in c.failed:
            console.print(f"Not loaded: {reason}", markup=False, highlight=False)
    if summary.failed:
        raise typer.Exit(1)
