"""Document readers: plain text, HTML, PubMed XML and ClinicalTrials.gov JSON to :class:`Document`.

Everything before NLP lives here: decoding, safety checks, format detection, and the plain text
whose character offsets every later span refers to.
"""

from __future__ import annotations

from jakatlas.ingest.boilerplate import main_text_span
from jakatlas.ingest.document import KINDS, Document, Kind, Section
from jakatlas.ingest.readers import detect_kind, iter_documents, read_document, read_documents

__all__ = [
    "KINDS",
    "Document",
    "Kind",
    "Section",
    "detect_kind",
    "iter_documents",
    "main_text_span",
    "read_document",
    "read_documents",
]
