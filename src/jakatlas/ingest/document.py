"""The unit every reader produces: plain text that offsets index, plus what the source told us.

A reader never edits :attr:`Document.text` after building it: spans computed by the NLP layer
are half-open ``[start, end)`` character offsets into exactly this string.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

__all__ = ["Kind", "KINDS", "RECORD_SEPARATOR", "Section", "Document", "combine_records"]

Kind = Literal["text", "html", "pubmed_xml", "ctgov_json"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
RECORD_SEPARATOR = "\n\n\n"


class Section(NamedTuple):
    """A named ``[start, end)`` range of :attr:`Document.text` (a heading, an abstract part...)."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """One read input, or one record of a multi-record input.

    Attributes
    ----------
    text:
        Plain text; NFC-normalised, newlines are ``\\n``.
    kind:
        ``"text"``, ``"html"``, ``"pubmed_xml"`` or ``"ctgov_json"``.
    sha256:
        Hex digest of the raw bytes (for a record cut from a larger input: of the record's bytes).
    source_id:
        File name, ``PMID:<n>`` or an NCT id.
    sections:
        Named ranges of ``text``; for a multi-record input, one ``record:<id>`` range per record.
    records:
        For a multi-record input (a PubMed set, a CT.gov ``{"studies": [...]}`` page), one
        :class:`Document` per record, each with its own text and offsets; empty otherwise.
    structured:
        Metadata parsed from a structured source (PubMed fields; CT.gov ``study`` as a
        :class:`~jakatlas.models.evidence.Study` and the raw ``record``); ``None`` for text/HTML.
    warnings:
        Problems that did not stop reading (e.g. undecodable bytes replaced).
    """

    text: str
    kind: Kind
    sha256: str
    source_id: str
    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    records: list[Document] = field(default_factory=list)
    structured: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def iter_records(self) -> Iterator[Document]:
        """Yield each record of a multi-record input, or this document itself."""
        if self.records:
            yield from self.records
        else:
            yield self

    def section(self, name: str) -> Section | None:
        """The first section called ``name``, if any."""
        return next((s for s in self.sections if s.name == name), None)


def combine_records(
    records: list[Document], *, sha256: str, source_id: str, kind: Kind, warnings: list[str]
) -> Document:
    """One document for a multi-record input: record texts joined, one ``record:<id>`` section each."""
    pieces: list[str] = []
    sections: list[Section] = []
    offset = 0
    for record in records:
        if pieces:
            pieces.append(RECORD_SEPARATOR)
            offset += len(RECORD_SEPARATOR)
        pieces.append(record.text)
        sections.append(Section(f"record:{record.source_id}", offset, offset + len(record.text)))
        offset += len(record.text)
    return Document(
        text="".join(pieces),
        kind=kind,
        sha256=sha256,
        source_id=source_id,
        title=f"{len(records)} records",
        sections=sections,
        records=records,
        structured={"records": len(records)},
        warnings=warnings,
    )
