"""Extraction of long documents in sections, in time linear in their length.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters, error E088), and the
pipeline's cost per character grows with the length of the text it is given. A long document is
therefore cut into sections of about :data:`CHUNK_CHARS` characters at the strongest boundary
available (a blank line, else a line break, else a sentence end, else a space), each section is
extracted on its own through :func:`jakatlas.extract.extract`, and the studies and mentions are
shifted back by the section's offset, so every span indexes the whole document's text exactly.
Studies are numbered ``s1``, ``s2``... across the document. A study reported across a section
boundary, or an abbreviation defined in an earlier section, is seen only within its section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from jakatlas.extract import extract
from jakatlas.ingest.document import Document
from jakatlas.models.evidence import ExtractionResult, Mention, SourceInfo, Span, Study

__all__ = ["CHUNK_CHARS", "extract_long", "sections"]

#: Target section length. Sections this size keep the per-character cost flat (see the README's
#: large-document benchmark) while holding whole paragraphs of a report.
CHUNK_CHARS = 20_000
_BOUNDARIES = (re.compile(r"\n[ \t]*\n\s*"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))

Progress = Callable[[int, int], None]


def _cut(text: str, start: int, target: int) -> int:
    """End of the section that starts at ``start``: the last strong boundary in its second half."""
    limit = start + target
    if limit >= len(text):
        return len(text)
    lo = start + target // 2
    for pattern in _BOUNDARIES:
        last = None
        for m in pattern.finditer(text, lo, limit):
            last = m
        if last is not None:
            return last.end()
    return limit


def sections(text: str, target: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Half-open ``[start, end)`` sections covering ``text`` exactly, each at most ``target`` long."""
    start = 0
    while start < len(text):
        end = _cut(text, start, target)
        yield start, end
        start = end


def _shift(spans: list[Span], offset: int) -> list[Span]:
    return [Span(start=s.start + offset, end=s.end + offset) for s in spans]


def _shift_study(study: Study, offset: int, ident: str) -> Study:
    outcomes = [o.model_copy(update={"spans": _shift(o.spans, offset)}) for o in study.outcomes]
    return study.model_copy(update={"id": ident, "spans": _shift(study.spans, offset), "outcomes": outcomes})


def extract_long(source: str | Document, *, chunk_chars: int = CHUNK_CHARS,
                 progress: Progress | None = None) -> ExtractionResult:
    """:func:`jakatlas.extract.extract` for documents of any length (see the module docs).

    ``progress(done, total)`` is called with characters processed after each section. Documents
    of several records (a PubMed set, a CT.gov page) and short ones go to ``extract`` unchanged.
    """
    if isinstance(source, str):  # as extract() does: a "text" document named "text"
        sha = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        source = Document(text=source, kind="text", sha256=sha, source_id="text")
    if not isinstance(source, Document):
        raise TypeError(f"extract_long() takes a str or a Document, not {type(source).__name__}")
    doc, text = source, source.text
    if len(text) <= chunk_chars or doc.records or doc.kind == "ctgov_json":
        result = extract(doc)
        if progress is not None:
            progress(len(text), len(text))
        return result
    studies: list[Study] = []
    mentions: list[Mention] = []
    warnings: list[str] = list(doc.warnings)
    for start, end in sections(text, chunk_chars):
        part = extract(replace(doc, text=text[start:end], sections=[], structured=None, warnings=[]))
        for st in part.studies:
            studies.append(_shift_study(st, start, f"s{len(studies) + 1}"))
        mentions.extend(m.model_copy(update={"start": m.start + start, "end": m.end + start})
                        for m in part.mentions)
        warnings.extend(w for w in part.warnings if w not in warnings)
        if progress is not None:
            progress(end, len(text))
    info = SourceInfo(id=doc.source_id, kind=doc.kind, sha256=doc.sha256, title=doc.title)
    return ExtractionResult(source=info, studies=studies, mentions=mentions, warnings=warnings)
