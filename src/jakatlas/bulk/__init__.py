"""Bulk ingestion of the PubMed baseline and its updates on Dask, and extraction of long documents.

Layered after :mod:`jakatlas.extract` (uses only its public API)::

    from jakatlas.bulk import run_ingest, latest_rows
    summary = run_ingest(["baseline/"], "out/", workers=2)

Long documents (over spaCy's 1,000,000-character limit, or merely long) are extracted section by
section in linear time by :func:`jakatlas.bulk.chunked.extract_long`.
"""

from __future__ import annotations

from jakatlas.bulk.inputs import InputFile, discover_inputs
from jakatlas.bulk.latest import latest_rows, latest_summary
from jakatlas.bulk.manifest import ManifestEntry, read_manifest
from jakatlas.bulk.run import IngestSummary, run_ingest

__all__ = [
    "IngestSummary",
    "InputFile",
    "ManifestEntry",
    "discover_inputs",
    "latest_rows",
    "latest_summary",
    "read_manifest",
    "run_ingest",
]
