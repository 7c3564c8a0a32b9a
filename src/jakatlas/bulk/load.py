"""Moving the latest relevant candidates of an ingest into the atlas.

Only the merged latest view is loaded (:mod:`jakatlas.bulk.latest`): a citation revised by an
update is loaded as revised, a deleted one not at all. The atlas is reached through the small
:class:`CandidateSink` interface (``jakatlas.store.Atlas`` satisfies it), which keeps this package
below the store layer; the sink de-duplicates per document (the record's SHA-256); each result
names its record as ``PMID:<n>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from jakatlas.bulk.latest import latest_rows
from jakatlas.models.evidence import ExtractionResult

__all__ = ["CandidateSink", "LoadReport", "load_latest"]


class CandidateSink(Protocol):
    """Where candidates go: ``add_candidates(result, text, actor=...)`` returning added/existing ids."""

    def add_candidates(self, result: ExtractionResult, text: str, *, actor: str = ...) -> Any: ...


class LoadReport(BaseModel):
    records: int = 0
    added: int = 0
    existing: int = 0


def load_latest(out: str | Path, sink: CandidateSink, *, actor: str = "ingest") -> LoadReport:
    """Add every latest record that holds candidate studies to ``sink``; running it again adds nothing."""
    report = LoadReport()
    rows = latest_rows(out, where="result IS NOT NULL", columns="pmid, text, result")
    for row in rows:
        result = ExtractionResult.model_validate_json(row["result"])
        added = sink.add_candidates(result, row["text"] or "", actor=actor)
        report.records += 1
        report.added += len(added.added)
        report.existing += len(added.existing)
    return report
