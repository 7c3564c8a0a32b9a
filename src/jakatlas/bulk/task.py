"""One ingest task: a PubMed baseline or update file -> one Parquet file of records and candidates.

The file is checked against its ``.md5`` sidecar, stream-parsed article by article with element
clearing (:func:`jakatlas.ingest.pubmed.iter_pubmed_updates`; memory stays flat), screened for
relevance (:func:`jakatlas.extract.is_relevant`) and the relevant records extracted
(:func:`jakatlas.extract.extract_many`). Rows go to a temporary file renamed into place only when
the whole input is done, then the manifest entry is written; a failure leaves neither.
"""

from __future__ import annotations

import glob
import gzip
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from jakatlas.bulk.inputs import InputFile, file_md5
from jakatlas.bulk.manifest import (
    ManifestEntry,
    output_path,
    parser_version,
    pipeline_version,
    write_entry,
)
from jakatlas.errors import JakatlasError
from jakatlas.extract import extract_many, is_relevant
from jakatlas.ingest.document import Document
from jakatlas.ingest.pubmed import DeletedCitation, iter_pubmed_updates

__all__ = ["BATCH", "SCHEMA", "TaskOutcome", "process_file"]

BATCH = 256
SCHEMA = pa.schema([
    ("input", pa.string()),
    ("seq", pa.int32()),
    ("kind", pa.string()),  # "article" or "delete"
    ("pmid", pa.string()),
    ("pmid_version", pa.int32()),
    ("doi", pa.string()),
    ("registry_ids", pa.list_(pa.string())),
    ("title", pa.string()),
    ("year", pa.int32()),
    ("first_author", pa.string()),
    ("publication_types", pa.list_(pa.string())),
    ("record_sha256", pa.string()),
    ("relevant", pa.bool_()),
    ("candidates", pa.int32()),
    ("text", pa.string()),  # kept for relevant records: candidate spans index it
    ("result", pa.string()),  # extraction contract JSON when the record holds candidates
])


class TaskOutcome(BaseModel):
    """What happened to one input: done (with its manifest entry) or failed (with why)."""

    input: str
    status: str  # "done" | "failed"
    entry: ManifestEntry | None = None
    error: str | None = None


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))
    return path.open("rb")


def _rows(name: str, items: list[Document | DeletedCitation], start: int) -> list[dict[str, Any]]:
    docs = [it for it in items if isinstance(it, Document)]
    relevant = [d for d in docs if is_relevant(d.text)]
    results = dict(zip((id(d) for d in relevant), extract_many(relevant, prescreen=False), strict=True))
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items, start):
        if isinstance(item, DeletedCitation):
            rows.append({"input": name, "seq": i, "kind": "delete", "pmid": item.pmid,
                         "pmid_version": item.version, "registry_ids": [], "publication_types": [],
                         "relevant": False,
                         "candidates": 0})
            continue
        meta = item.structured or {}
        result = results.get(id(item))
        n = len(result.studies) if result is not None else 0
        rows.append({
            "input": name, "seq": i, "kind": "article", "pmid": meta.get("pmid"),
            "pmid_version": meta.get("pmid_version", 1), "doi": meta.get("doi"),
            "registry_ids": list(meta.get("registry_ids") or []), "title": item.title,
            "year": meta.get("year"), "first_author": (meta.get("authors") or [None])[0],
            "publication_types": list(meta.get("publication_types") or []), "record_sha256": item.sha256, "relevant": result is not None,
            "candidates": n, "text": item.text if result is not None else None,
            "result": result.model_dump_json() if result is not None and n else None,
        })
    return rows


def _batches(stream: IO[bytes], label: str) -> Iterator[list[Document | DeletedCitation]]:
    batch: list[Document | DeletedCitation] = []
    for item in iter_pubmed_updates(stream, label):
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(spec: InputFile, tmp: Path) -> dict[str, int]:
    counts = {"records": 0, "deletions": 0, "relevant": 0, "candidates": 0}
    seq = 0
    with _open(Path(spec.path)) as stream, pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
        for batch in _batches(stream, spec.name):
            rows = _rows(spec.name, batch, seq)
            seq += len(rows)
            writer.write_table(pa.Table.from_pylist(rows, schema=SCHEMA))
            for r in rows:
                counts["records" if r["kind"] == "article" else "deletions"] += 1
                counts["relevant"] += int(r["relevant"])
                counts["candidates"] += r["candidates"]
        if seq == 0:
            writer.write_table(SCHEMA.empty_table())
    return counts


def process_file(spec: InputFile, out: str) -> TaskOutcome:
    """Verify, parse, screen and extract one input into ``OUT/records/<name>.parquet`` (atomically).

    Bad input (MD5 mismatch, corrupt gzip, malformed XML) is reported in the outcome and leaves no
    output; anything else (a bug, a dying worker) propagates so Dask can retry the task.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    out_dir = Path(out)
    final = output_path(out_dir, spec.name)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{glob.escape(spec.name)}.*.tmp"):  # left by a killed run
        stale.unlink(missing_ok=True)
    md5 = file_md5(Path(spec.path))
    if spec.expected_md5 is not None and md5 != spec.expected_md5:
        return TaskOutcome(input=spec.name, status="failed", error=(
            f"{spec.name}: MD5 mismatch (file {md5}, {spec.name}.md5 says {spec.expected_md5}); "
            "download the file again."))
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{spec.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        counts = _write(spec, tmp)
        os.replace(tmp, final)
    except JakatlasError as exc:
        return TaskOutcome(input=spec.name, status="failed", error=str(exc))
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return TaskOutcome(input=spec.name, status="failed", error=(
            f"{spec.name}: corrupt or truncated gzip ({exc}); download the file again."))
    finally:
        tmp.unlink(missing_ok=True)
    entry = ManifestEntry(input=spec.name, md5=md5, bytes=spec.size, parser_version=parser_version(),
                          pipeline_version=pipeline_version(), output=final.relative_to(out_dir).as_posix(),
                          seconds=round(time.perf_counter() - started, 3),
                          cpu_seconds=round(time.process_time() - cpu_started, 3), **counts)
    write_entry(out_dir, entry)
    return TaskOutcome(input=spec.name, status="done", entry=entry)
