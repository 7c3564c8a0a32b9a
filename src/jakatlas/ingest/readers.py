"""Read a user document (path or bytes) into a :class:`~jakatlas.ingest.document.Document`.

Four kinds are read: plain text (kept exactly as decoded, so offsets index the file), HTML (the
article's text), PubMed efetch XML and ClinicalTrials.gov API v2 JSON. Every failure is an
:class:`~jakatlas.errors.InputError` whose message says how to fix it.

Example::

    doc = read_document("report.txt")
    start, end = main_text_span(doc.text)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jakatlas.errors import InputError
from jakatlas.ingest._text import (
    MAX_BYTES_ENV,
    SNIFF_BYTES,
    check_not_binary,
    decode_bytes,
    default_max_bytes,
    sha256_hex,
)
from jakatlas.ingest.boilerplate import main_text_span
from jakatlas.ingest.ctgov import ctgov_records, render_study
from jakatlas.ingest.document import KINDS, Document, Kind, Section, combine_records
from jakatlas.ingest.html import html_to_text
from jakatlas.ingest.pubmed import iter_pubmed_stream, parse_pubmed_text

__all__ = ["detect_kind", "iter_documents", "main_text_span", "read_document", "read_documents",
           "study_document"]

Source = str | os.PathLike[str] | bytes | bytearray | memoryview
_EXTENSIONS: dict[str, Kind] = {
    ".json": "ctgov_json",
    ".xml": "pubmed_xml",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
_HTML_MARK = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]")
_HTML_FRAGMENT = re.compile(r"<(?:div|p|article|section|main|h[1-6]|table|ul|ol|span|a|title|meta)[\s>/]")
_PUBMED_MARK = re.compile(r"<!doctype\s+pubmedarticleset|<pubmed(?:book)?article(?:set)?[\s>]")


def _label(name: str | None) -> str:
    return name or "input"


def _sniff_text(head: bytes) -> str:
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def detect_kind(raw: bytes, name: str | None = None) -> Kind:
    """Guess the kind of ``raw`` from its first bytes; the extension of ``name`` breaks ties.

    Raises :class:`InputError` for binary data and for empty input.
    """
    label = _label(name)
    head = bytes(raw[:SNIFF_BYTES])
    check_not_binary(head, label)
    sniff = _sniff_text(head).lstrip()
    if not sniff and len(raw) <= SNIFF_BYTES:
        raise InputError(f"{label} is empty; give a document with text.")
    ext = Path(name).suffix.lower() if name else ""
    low = sniff[:4096].lower()
    if (
        sniff.startswith("{")
        or re.match(r"\[\s*(?:[{\[\]]|$)", sniff)
        or (sniff.startswith("[") and ext == ".json")
    ):
        return "ctgov_json"
    if sniff.startswith("[") and len(raw) <= SNIFF_BYTES and _is_json(sniff):
        return "ctgov_json"
    if _PUBMED_MARK.search(low):
        return "pubmed_xml"
    if _HTML_MARK.search(low):
        return "html"
    if low.startswith("<?xml"):
        return "html" if ext in {".html", ".htm", ".xhtml"} else "pubmed_xml"
    if sniff.startswith("<") and ext in _EXTENSIONS and _EXTENSIONS[ext] != "text":
        return _EXTENSIONS[ext]
    if sniff.startswith("<") and _HTML_FRAGMENT.match(low):
        return "html"
    return _EXTENSIONS.get(ext, "text")


def _human(size: int) -> str:
    return f"{size:,} bytes" if size < 1048576 else f"{round(size / 1048576, 1):g} MB"


def _too_large(label: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{label} is {_human(size)}, over the {_human(limit)} input limit; raise the limit "
        f"with max_bytes=... or the {MAX_BYTES_ENV} environment variable (e.g. {MAX_BYTES_ENV}=256)."
    )


def _load(source: Source, name: str | None, max_bytes: int | None) -> tuple[bytes, str, str]:
    """Return the raw bytes, a label for messages and the source id."""
    limit = default_max_bytes() if max_bytes is None else max_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        label = _label(name)
        if len(raw) > limit:
            raise _too_large(label, len(raw), limit)
        return raw, label, name or f"sha256:{sha256_hex(raw)[:12]}"
    path = Path(source)
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise _too_large(label, size, limit)
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file; check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{label} is a directory; give a file.") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied; make the file readable.") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read the file ({exc.strerror or exc}); check the path.") from None
    if len(raw) > limit:
        raise _too_large(label, len(raw), limit)
    return raw, label, name or path.name


def _check_kind(kind: str | None) -> Kind | None:
    if kind is None or kind in KINDS:
        return kind  # type: ignore[return-value]
    raise InputError(f"Unknown document kind {kind!r}; use one of {', '.join(KINDS)}.")


def _text_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 200 and not first.endswith((".", ";", ",", ":")) else None


def _text_document(text: str, sha: str, source_id: str, warnings: list[str]) -> Document:
    start, end = main_text_span(text)
    sections = [Section("main", start, end)]
    trailing = len(text.rstrip())
    if end < trailing:
        sections.append(Section("boilerplate", end + len(text[end:]) - len(text[end:].lstrip()), trailing))
    return Document(
        text=text,
        kind="text",
        sha256=sha,
        source_id=source_id,
        title=_text_title(text),
        sections=sections,
        warnings=warnings,
    )


def _parse_json(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the file "
            "or download it again."
        ) from None
    except RecursionError:
        raise InputError(
            f"{label}: the JSON is nested too deeply to read; give a ClinicalTrials.gov study."
        ) from None
    except ValueError as exc:
        raise InputError(
            f"{label}: cannot read the JSON ({exc}); fix the file or download it again."
        ) from None


def _record_sha(record: dict[str, Any], label: str) -> str:
    try:
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    except (RecursionError, ValueError, TypeError):
        raise InputError(f"{label}: a study record is nested too deeply to read; check the file.") from None
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _ctgov_document(text: str, sha: str, label: str, source_id: str, warnings: list[str], *,
                    records: list[dict[str, Any]] | None = None) -> Document:
    if records is None:
        records = ctgov_records(_parse_json(text, label), label)
    docs = []
    for record in records:
        rendering = render_study(record, label)
        docs.append(
            Document(
                text=rendering.text,
                kind="ctgov_json",
                sha256=sha if len(records) == 1 else _record_sha(record, label),
                source_id=rendering.nct_id or source_id,
                title=rendering.title,
                sections=rendering.sections,
                structured={"nct_id": rendering.nct_id, "study": rendering.study, "record": record},
                warnings=list(warnings) if len(records) == 1 else [],
            )
        )
    if len(docs) == 1:
        return docs[0]
    return combine_records(docs, sha256=sha, source_id=source_id, kind="ctgov_json", warnings=warnings)


def study_document(study: dict[str, Any], canonical: bytes, name: str) -> Document:
    """The document of one ClinicalTrials.gov study already parsed from an API response.

    ``canonical`` is the study's canonical JSON (it gives the content hash); the result equals
    ``read_document(canonical, "ctgov_json", name=name)`` without decoding and parsing the JSON again.
    """
    if len(canonical) > default_max_bytes():
        return read_document(canonical, "ctgov_json", name)  # the size error, worded as for a file
    return _ctgov_document("", sha256_hex(canonical), name, name, [], records=ctgov_records(study, name))


def read_document(
    source: Source, kind: Kind | str | None = None, name: str | None = None, *, max_bytes: int | None = None
) -> Document:
    """Read a path (``str``/``PathLike``) or raw ``bytes`` into a :class:`Document`.

    ``kind`` overrides detection; ``name`` labels messages and becomes the source id (default:
    the file name). ``max_bytes`` overrides the input size limit (default 64 MB, or
    ``$JAKATLAS_MAX_INPUT_MB``). A multi-record input returns one document whose ``records``
    hold one document per record.
    """
    wanted = _check_kind(kind)
    raw, label, source_id = _load(source, name, max_bytes)
    if not raw:
        raise InputError(f"{label} is empty (0 bytes); give a document with text.")
    check_not_binary(raw[:SNIFF_BYTES], label)
    chosen: Kind = wanted or detect_kind(raw, label)
    text, warnings = decode_bytes(raw, label)
    if not text or text.isspace():
        raise InputError(f"{label} is empty (only whitespace); give a document with text.")
    sha = sha256_hex(raw)
    if chosen == "text":
        return _text_document(text, sha, source_id, warnings)
    if chosen == "html":
        page = html_to_text(text, label)
        return Document(
            text=page.text,
            kind="html",
            sha256=sha,
            source_id=source_id,
            title=page.title,
            sections=page.sections,
            warnings=warnings,
        )
    if chosen == "pubmed_xml":
        return parse_pubmed_text(text, sha256=sha, label=label, warnings=warnings, source_id=source_id)
    return _ctgov_document(text, sha, label, source_id, warnings)


def read_documents(
    source: Source, kind: Kind | str | None = None, name: str | None = None, *, max_bytes: int | None = None
) -> Iterator[Document]:
    """Read ``source`` whole and yield one document per record (see :func:`read_document`)."""
    yield from read_document(source, kind, name, max_bytes=max_bytes).iter_records()


def iter_documents(
    source: Source, kind: Kind | str | None = None, *, name: str | None = None, max_bytes: int | None = None
) -> Iterator[Document]:
    """Yield one document per record, streaming PubMed XML files article by article.

    A PubMed XML file is parsed incrementally in constant memory, so the size limit does not
    apply to it; other kinds are read whole (see :func:`read_document`). Streamed articles carry
    the SHA-256 of their own XML element; undecodable bytes in a streamed file are an error.
    """
    wanted = _check_kind(kind)
    if isinstance(source, bytes | bytearray | memoryview):
        yield from read_documents(source, wanted, name, max_bytes=max_bytes)
        return
    path = Path(source)
    label = name or str(path)
    try:
        fh = path.open("rb")
    except OSError:
        yield from read_documents(source, wanted, name, max_bytes=max_bytes)  # raises the right error
        return
    with fh:
        head = fh.read(SNIFF_BYTES)
        if not head:
            raise InputError(f"{label} is empty (0 bytes); give a document with text.")
        check_not_binary(head, label)
        chosen = wanted or detect_kind(head, name or path.name)
        if chosen == "pubmed_xml":
            fh.seek(0)
            yield from iter_pubmed_stream(fh, label)
            return
    yield from read_documents(source, chosen, name, max_bytes=max_bytes)
