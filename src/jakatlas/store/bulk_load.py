"""``jakatlas ingest --load``: the latest view of a bulk ingest into the atlas as living-update records.

Each citation of the merged latest view (:mod:`jakatlas.bulk.latest`) that holds candidate
studies becomes a :class:`~jakatlas.store.living.FetchedItem` (source ``pubmed``, record id =
PMID, content hash = the article's SHA-256) and goes through :func:`~jakatlas.store.living.store_batch`,
the path of ``jakatlas update``: the same record ids, the same replacement of a changed record,
and the same linking of candidates to studies already in the atlas by NCT id, PMID, DOI or fuzzy
key. A PMID whose last row is a ``DeleteCitation`` is passed on as deleted, which sets aside the
candidates of an earlier load. Loading again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jakatlas.bulk.latest import latest_rows
from jakatlas.models.evidence import ExtractionResult
from jakatlas.store.living import BatchCounts, FetchedItem, store_batch

__all__ = ["BATCH", "load_latest"]

BATCH = 200
_COLUMNS = "pmid, doi, registry_ids, title, year, first_author, publication_types, record_sha256, text, result"


def _items(out: Path) -> Iterator[FetchedItem]:
    for pmid in (r["pmid"] for r in latest_rows(out, include_deleted=True, where="kind = 'delete'",
                                                 columns="pmid")):
        yield FetchedItem(source="pubmed", record_id=pmid, pmid=pmid, content_hash="deleted", status="deleted")
    for row in latest_rows(out, where="result IS NOT NULL", columns=_COLUMNS):
        yield _item(row)


def _item(row: dict[str, Any]) -> FetchedItem:
    types = {t.lower() for t in row["publication_types"] or []}
    return FetchedItem(
        source="pubmed", record_id=row["pmid"], pmid=row["pmid"], doi=row["doi"],
        nct=(row["registry_ids"] or [None])[0], title=row["title"], content_hash=row["record_sha256"],
        status="retracted" if "retracted publication" in types else "active",
        first_author=row["first_author"], year=row["year"], kind="pubmed_xml", text=row["text"],
        result=ExtractionResult.model_validate_json(row["result"]))


def load_latest(out: str | Path, url: str, *, actor: str = "ingest") -> BatchCounts:
    """Store the latest candidates of the ingest in ``out`` in the atlas at ``url``, in batches."""
    counts = BatchCounts()
    batch: list[FetchedItem] = []
    for item in _items(Path(out)):
        batch.append(item)
        if len(batch) >= BATCH:
            counts.add(store_batch(url, batch, actor=actor))
            batch = []
    if batch:
        counts.add(store_batch(url, batch, actor=actor))
    return counts
