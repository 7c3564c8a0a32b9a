"""Command-line interface: a thin Typer layer over the Python API."""

from __future__ import annotations

import importlib
import sys

from jakatlas.cli import _lazy
from jakatlas.cli._app import app
from jakatlas.errors import JakatlasError

__all__ = ["app", "main"]


#: Every command: the module under ``jakatlas.cli`` that defines it and its one-line help, which
#: ``jakatlas --help`` shows without importing the module (``tests/cli/test_startup.py`` keeps both true).
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("atlas", "Build (or refresh) the atlas database from the curated knowledge base."),
    "drugs": ("atlas", "List the drugs of the knowledge base (JAK inhibitors first)."),
    "diseases": ("atlas", "List the diseases of the knowledge base with their abbreviations and study counts."),
    "show": ("atlas", "Show a disease or a drug with its evidence from the atlas."),
    "add": ("atlas", "Extract evidence from a document and store it as candidates (not curated)."),
    "token": ("atlas", "Manage curator API tokens."),
    "meta": ("meta_cmd", "Pool studies with a meta-analysis (results match R's metafor)."),
    "extract": ("extract_cmd", "Extract studies (drug, disease, design, n, dose, outcomes, adverse events) and entity mentions."),
    "prisma": ("prisma_cmd", "The PRISMA 2020 flow of the living updates: identified, screened, extracted, included, rejected with reasons."),
    "references": ("references_cmd", "Export a reference list (a disease's dossier, a drug's page, or search results) as RIS or BibTeX."),
    "search": ("search_cmd", "Search diseases, drugs, cytokines, outcome measures and studies, ranked, with the matches shown."),
    "ingest": ("ingest_cmd", "Screen and extract PubMed baseline and update files into Parquet, one Dask task per file."),
    "serve": ("web_cmd", "Serve the atlas: web pages, JSON API (/api/v1, docs at /docs) and FHIR R5 (/fhir)."),
    "dossier": ("synthesis_cmd", "Write the evidence dossier of a disease: evidence table, effect sizes with a forest plot, placebo context, GRADE certainty, mechanism coverage, safety and references."),
    "map": ("synthesis_cmd", "Draw the evidence-gap map: diseases x JAK inhibitors, bubble = patients or studies, colour = best OCEBM 2011 level."),
    "grade": ("synthesis_cmd", "OCEBM 2011 level of every study and GRADE certainty per drug and outcome, with reasons."),
    "infer": ("infer_cmd", "Did the intervention significantly increase, decrease or not change the outcome? With the evidence."),
    "infer-train": ("infer_cmd", "Train the two-stage evidence-inference model on the train split and record its figures."),
    "infer-eval": ("infer_cmd", "Score the pipeline: pipeline and oracle-span macro-F1, evidence-identification accuracy."),
    "mechanism": ("synthesis_cmd", "Cytokines of a disease, their JAK pairs, and each JAK inhibitor's coverage (with an optional Hill-equation model at a free concentration)."),
    "update": ("update_cmd", "Fetch new and revised records from PubMed and ClinicalTrials.gov and store them as candidates."),
    "new": ("update_cmd", "What is new: records fetched by 'jakatlas update', their candidate studies and links."),
}
_lazy.REGISTRY.update(COMMANDS)


def _load_commands() -> None:
    """Import every command module (for documentation checks; running a command loads only its own)."""
    for module in dict.fromkeys(mod for mod, _ in COMMANDS.values()):
        importlib.import_module(f"jakatlas.cli.{module}")


_lazy._ALL.append(_load_commands)


def main() -> None:
    """Entry point: run the app; print jakatlas errors on one line without a traceback."""
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
