"""Bulk ingestion of the PubMed baseline and its updates on Dask, and extraction of long documents.

Layered after :mod:`jakatlas.extract` (uses only its public API)::

    from jakatlas.bulk import run_ingest, latest_rows
    summary = run_ingest(["baseline/"], "out/", workers=2)

Long documents (over spaCy's 1,000,000-character limit, or merely long) are extracted section by
section in linear time by :func:`jakatlas.bulk.chunked.extract_long`. Names are imported on first
use, so the long-document path needs neither Dask nor pyarrow.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "IngestSummary",
    "InputFile",
    "ManifestEntry",
    "discover_inputs",
    "extract_long",
    "latest_rows",
    "latest_summary",
    "read_manifest",
    "run_ingest",
]

_WHERE = {
    "IngestSummary": "run",
    "run_ingest": "run",
    "InputFile": "inputs",
    "discover_inputs": "inputs",
    "ManifestEntry": "manifest",
    "read_manifest": "manifest",
    "latest_rows": "latest",
    "latest_summary": "latest",
    "extract_long": "chunked",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"jakatlas.bulk.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jakatlas.bulk' has no attribute {name!r}")
