"""``jakatlas prisma``: the PRISMA 2020 flow of the living updates."""

from __future__ import annotations

from pathlib import Path

import typer

from jakatlas.cli._app import DB_OPTION, app


@app.command()
def prisma(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the diagram (.png or .svg) or the counts (.json)."),
    db: str | None = DB_OPTION,
) -> None:
    """The PRISMA 2020 flow of the living updates: identified, screened, extracted, included, rejected with reasons.

    Example: jakatlas prisma --out flow.png
    """
    from jakatlas.errors import InputError
    from jakatlas.report.plots import figure_bytes
    from jakatlas.report.prisma import prisma_counts, prisma_figure
    from jakatlas.store.atlas import Atlas

    counts = prisma_counts(Atlas(db))
    if out is None:
        typer.echo(counts.model_dump_json(indent=2))
        return
    ext = out.suffix.lower().lstrip(".")
    if ext == "json":
        out.write_text(counts.model_dump_json(indent=2) + "\n", encoding="utf-8")
    elif ext in ("png", "svg"):
        out.write_bytes(figure_bytes(prisma_figure(counts), ext))  # type: ignore[arg-type]
    else:
        raise InputError(f"Cannot write a PRISMA flow to {out.name!r}: unknown extension {out.suffix!r}.",
                         hint="Use .png, .svg or .json.")
    typer.echo(f"Wrote the PRISMA flow to {out}: {sum(counts.identified.values())} records identified, "
               f"{counts.included} {'study' if counts.included == 1 else 'studies'} included.")
