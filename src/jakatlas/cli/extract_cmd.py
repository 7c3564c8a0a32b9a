"""``jakatlas extract``: studies and entity mentions from one document (a thin layer over the API)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any

import typer

from jakatlas.cli._app import app
from jakatlas.cli.render import console, counted, print_json, table
from jakatlas.errors import JakatlasError
from jakatlas.models.evidence import ExtractionResult, Study

__all__ = ["ExtractFormat", "ExtractKind", "extract_command", "result_payload"]


class ExtractKind(StrEnum):
    auto = "auto"
    text = "text"
    html = "html"
    pubmed_xml = "pubmed_xml"
    ctgov_json = "ctgov_json"


class ExtractFormat(StrEnum):
    json = "json"
    table = "table"
    text = "text"


STUDY_HEADERS = ["Study", "Interventions", "Comparators", "Disease", "Design", "Phase", "n", "Duration",
                 "Outcomes", "Adverse events", "Level"]


def result_payload(result: ExtractionResult, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON object of the extraction contract; ``documents`` is added for multi-record inputs."""
    payload = result.model_dump(mode="json")
    if len(documents) > 1:
        payload["documents"] = documents
    return payload


def _num(v: float | None) -> str:
    return "" if v is None else (f"{v:g}")


def _study_row(s: Study) -> list[object]:
    ivs = "; ".join(" ".join(x for x in (i.name, i.dose, i.frequency, i.route) if x) for i in s.interventions)
    diseases = "; ".join(d.name + (f" ({d.variant})" if d.variant else "") for d in s.diseases)
    outcomes = "; ".join(
        f"{o.measure} {_num(o.value)}{o.unit or ''}"
        + (f" vs {_num(o.comparator_value)}" if o.comparator_value is not None else "")
        + (f" (baseline {_num(o.baseline_value)})" if o.baseline_value is not None else "")
        for o in s.outcomes
    )
    aes = "; ".join(
        ("no " if a.negated else "") + a.term + (f" {_num(a.value)}{a.unit or ''}" if a.value is not None else "")
        for a in s.adverse_events
    )
    duration = f"{_num(s.duration.value)} {s.duration.unit}" if s.duration else ""
    return [s.id, ivs, ", ".join(c.name for c in s.comparators), diseases, (s.design or "").replace("_", " "),
            s.phase, s.n, duration, outcomes, aes, s.evidence_level]


def _read(path: str, kind: ExtractKind) -> Any:
    from jakatlas.ingest import read_document

    wanted = None if kind is ExtractKind.auto else kind.value
    if path == "-":
        data = sys.stdin.buffer.read()
        return read_document(data, wanted, name="<stdin>")
    return read_document(path, wanted)


@app.command("extract")
def extract_command(
    path: str = typer.Argument(..., metavar="PATH|DIR|GLOB|-",
                               help="Document, folder or glob of documents; '-' reads standard input."),
    kind: ExtractKind = typer.Option(ExtractKind.auto, "--kind", "-k",
                                     help="Input kind; 'auto' detects it from the name and content."),
    fmt: ExtractFormat = typer.Option(ExtractFormat.table, "--format", "-f",
                                      help="json: the extraction contract; table: studies; text: the plain "
                                           "text that spans index."),
) -> None:
    """Extract studies (drug, disease, design, n, dose, outcomes, adverse events) and entity mentions.

    Reads plain text, HTML, PubMed XML or ClinicalTrials.gov JSON. Offsets in the JSON index the
    plain text printed by --format text. A folder or glob gives one result per file (a JSON
    array with --format json); long documents are read in sections, with a progress bar.

    Example: jakatlas extract report.txt --format json
    """
    from jakatlas.cli._inputs import expand_paths

    paths = expand_paths(path)
    payloads: list[dict[str, Any]] = []
    failed = 0
    for p in paths:
        try:
            payload = _extract_one(p, kind, fmt)
        except JakatlasError as exc:
            if len(paths) == 1:
                raise
            failed += 1
            typer.echo(f"Error: {exc}", err=True)
            continue
        if payload is not None:
            payloads.append(payload)
    if fmt is ExtractFormat.json:
        print_json(payloads[0] if len(paths) == 1 else payloads)
    if failed:
        raise typer.Exit(2)


def _extract_one(path: str, kind: ExtractKind, fmt: ExtractFormat) -> dict[str, Any] | None:
    from jakatlas.cli._inputs import extract_with_progress
    from jakatlas.extract import documents_index

    document = _read(path, kind)
    if fmt is ExtractFormat.text:
        sys.stdout.write(document.text if document.text.endswith("\n") else document.text + "\n")
        return None
    result = extract_with_progress(document, path)
    if fmt is ExtractFormat.json:
        return result_payload(result, documents_index(document, result))
    title = f"{result.source.id}: {counted(len(result.studies), 'study', 'studies')}, {counted(len(result.mentions), 'mention')}"
    if not result.studies:
        console.print(title)
        return None
    table(title, STUDY_HEADERS, [_study_row(s) for s in result.studies])
    return None
