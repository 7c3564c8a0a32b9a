"""The ingest manifest: one JSON entry per finished input, written atomically after its Parquet file.

Layout of an output folder::

    OUT/records/<input>.parquet     one row per article or deletion of <input>
    OUT/manifest/<input>.json       ManifestEntry, written only once the Parquet file is in place

An entry exists only for a complete output, so a run killed at any point resumes by skipping the
inputs whose entry matches (same MD5, parser and pipeline version) and redoing the rest.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import spacy
from pydantic import BaseModel, ValidationError

import jakatlas
from jakatlas.errors import InputError

__all__ = [
    "ManifestEntry",
    "atomic_write_bytes",
    "entry_path",
    "output_path",
    "parser_version",
    "pipeline_version",
    "read_manifest",
    "write_entry",
]

_SRC = Path(jakatlas.__file__).resolve().parent


def _digest(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in sorted(paths):
        h.update(p.relative_to(_SRC).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


@cache
def parser_version() -> str:
    """``jakatlas <version>+<hash>`` of the PubMed stream parser and the row builder."""
    files = [_SRC / "ingest" / "pubmed.py", _SRC / "ingest" / "_text.py", _SRC / "bulk" / "task.py"]
    return f"{jakatlas.__version__}+{_digest(files)}"


@cache
def pipeline_version() -> str:
    """``jakatlas <version>+<hash>`` of the extraction code, the knowledge base and spaCy's version."""
    files = [*(_SRC / "extract").glob("*.py"), *(_SRC / "data").glob("*.json"), *(_SRC / "models").glob("*.py")]
    return f"{jakatlas.__version__}+{_digest(files, spacy.__version__)}"


class ManifestEntry(BaseModel):
    """What one finished input produced."""

    input: str
    md5: str
    bytes: int
    records: int
    deletions: int
    relevant: int
    candidates: int
    parser_version: str
    pipeline_version: str
    output: str
    seconds: float
    cpu_seconds: float = 0.0


def output_path(out: Path, name: str) -> Path:
    return out / "records" / f"{name}.parquet"


def entry_path(out: Path, name: str) -> Path:
    return out / "manifest" / f"{name}.json"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_entry(out: Path, entry: ManifestEntry) -> None:
    atomic_write_bytes(entry_path(out, entry.input), entry.model_dump_json(indent=1).encode())


def read_manifest(out: Path) -> dict[str, ManifestEntry]:
    """Entries of ``out`` by input name; an entry whose Parquet file is missing does not count."""
    entries: dict[str, ManifestEntry] = {}
    folder = out / "manifest"
    if not folder.is_dir():
        return entries
    for path in sorted(folder.glob("*.json")):
        try:
            entry = ManifestEntry.model_validate_json(path.read_bytes())
        except ValidationError as exc:
            raise InputError(
                f"{path}: not a valid manifest entry ({exc.error_count()} errors); delete it and run "
                "again with --resume to redo that input."
            ) from None
        if output_path(out, entry.input).is_file():
            entries[entry.input] = entry
    return entries
