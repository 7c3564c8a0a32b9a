"""The extraction pipeline and the public entry points.

``spacy.blank("en")`` plus six components: ``jakatlas_segmenter`` -> ``jakatlas_entities`` ->
``jakatlas_abbreviations`` -> ``jakatlas_quantities`` -> ``jakatlas_cues`` -> ``jakatlas_studies``.
The pipeline is built once per process (:func:`get_pipeline`). :func:`extract` reads one text or
:class:`~jakatlas.ingest.Document`; :func:`extract_many` streams many through ``nlp.pipe`` and
skips documents that fail the relevance pre-screen (:func:`~jakatlas.extract.prescreen.is_relevant`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from jakatlas.extract import abbreviations as _abbreviations  # noqa: F401  (registers factories)
from jakatlas.extract import cues as _cues  # noqa: F401
from jakatlas.extract import entities as _entities  # noqa: F401
from jakatlas.extract import quantities as _quantities  # noqa: F401
from jakatlas.extract import segment as _segment  # noqa: F401
from jakatlas.extract._extensions import may_hold_study
from jakatlas.extract.assembly import assemble, build_sentences
from jakatlas.extract.design import evidence_level
from jakatlas.extract.prescreen import prescreen_for
from jakatlas.extract.vocab import Vocabulary
from jakatlas.ingest.document import Document
from jakatlas.models.evidence import ExtractionResult, Mention, SourceInfo, Span, Study

__all__ = [
    "PIPE_NAMES",
    "build_pipeline",
    "documents_index",
    "extract",
    "extract_many",
    "extract_path",
    "get_pipeline",
    "pipeline_vocabulary",
]

PIPE_NAMES: tuple[str, ...] = (
    "jakatlas_segmenter",
    "jakatlas_entities",
    "jakatlas_abbreviations",
    "jakatlas_quantities",
    "jakatlas_cues",
    "jakatlas_studies",
)


class StudyAssembler:
    """Sets ``doc._.studies`` from the annotated document (see :mod:`jakatlas.extract.assembly`)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary

    def __call__(self, doc: Doc) -> Doc:
        doc._.studies = assemble(build_sentences(doc, self.vocab), self.vocab) if may_hold_study(doc) else []
        return doc


@Language.factory(
    "jakatlas_studies",
    default_config={"vocabulary": {"@misc": "jakatlas.vocabulary.v1"}},
    assigns=["doc._.studies"],
    requires=["doc.ents", "doc._.quantities", "doc._.cues", "doc._.sentences"],
)
def make_study_assembler(nlp: Language, name: str, *, vocabulary: Vocabulary) -> StudyAssembler:
    """Factory: studies assembled from sentences."""
    return StudyAssembler(vocabulary)


#: Components that take the vocabulary (the segmenter and the quantity finder need none).
_VOCABULARY_PIPES = frozenset({"jakatlas_entities", "jakatlas_abbreviations", "jakatlas_cues", "jakatlas_studies"})


def build_pipeline(vocabulary: Vocabulary | None = None) -> Language:
    """A fresh pipeline on ``spacy.blank("en")`` with all jakatlas components.

    ``vocabulary`` replaces the shipped knowledge base's (:func:`~jakatlas.extract.vocab.build_vocabulary`
    of another knowledge base or lexicon); every component then reads that one and nothing else.
    """
    nlp = spacy.blank("en")
    config: dict[str, Any] = {}
    if vocabulary is not None:
        key = f"jakatlas.vocabulary.custom.{id(vocabulary)}"
        registry.misc.register(key, func=lambda: vocabulary)
        config = {"vocabulary": {"@misc": key}}
    for name in PIPE_NAMES:
        nlp.add_pipe(name, config=config if name in _VOCABULARY_PIPES else {})
    return nlp


def pipeline_vocabulary(nlp: Language) -> Vocabulary:
    """The vocabulary the pipeline's components were built with."""
    assembler = nlp.get_pipe("jakatlas_studies")
    if not isinstance(assembler, StudyAssembler):
        raise TypeError("not a jakatlas pipeline (build it with build_pipeline())")
    return assembler.vocab


@cache
def get_pipeline() -> Language:
    """The process-wide pipeline (built on first use)."""
    return build_pipeline()


@dataclass(frozen=True, slots=True)
class _Part:
    """One record of a document and where its text sits in the document's text."""

    record: Document
    offset: int


def _as_document(source: str | Document) -> Document:
    if isinstance(source, Document):
        return source
    if not isinstance(source, str):
        raise TypeError(f"extract() takes a str or a Document, not {type(source).__name__}")
    sha = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    return Document(text=source, kind="text", sha256=sha, source_id="text")


def _parts(doc: Document) -> list[_Part]:
    if not doc.records:
        return [_Part(doc, 0)]
    starts = {s.name: s.start for s in doc.sections}
    out: list[_Part] = []
    cursor = 0
    for rec in doc.records:
        offset = starts.get(f"record:{rec.source_id}")
        if offset is None:
            found = doc.text.find(rec.text, cursor)
            offset = found if found >= 0 else cursor
        out.append(_Part(rec, offset))
        cursor = offset + len(rec.text)
    return out


def _shift_study(study: Study, offset: int, ident: str) -> Study:
    def sh(spans: list[Span]) -> list[Span]:
        return [Span(start=s.start + offset, end=s.end + offset) for s in spans]

    outcomes = [o.model_copy(update={"spans": sh(o.spans)}) for o in study.outcomes]
    return study.model_copy(update={"id": ident, "spans": sh(study.spans), "outcomes": outcomes})


def _registry_study(study: Study, vocab: Vocabulary) -> Study:
    """Names of a ClinicalTrials.gov record mapped to INNs and knowledge-base diseases."""
    return study.model_copy(update={
        "interventions": [i.model_copy(update={"name": vocab.canonical("DRUG", i.name)}) for i in study.interventions],
        "comparators": [c.model_copy(update={"name": vocab.canonical("DRUG", c.name)}) for c in study.comparators],
        "diseases": [d.model_copy(update={"name": vocab.canonical("DISEASE", d.name)}) for d in study.diseases],
        "evidence_level": study.evidence_level or evidence_level(study.design, bool(study.comparators)),
    })


def _pubmed_study(study: Study, record: dict[str, Any], single: bool) -> Study:
    """The record's publication type fills a design and phase the text does not state, and its
    registry ids go to its only study. (The record's PMID and DOI stay on the document, not on
    each study: the store's linker would take two studies of one paper for duplicates.)"""
    update: dict[str, Any] = {}
    hint = record.get("design_hint")
    if study.design is None and hint:
        update["design"] = hint
        update["evidence_level"] = evidence_level(hint, bool(study.comparators))
    if study.phase is None and record.get("phase_hint"):
        update["phase"] = record["phase_hint"]
    ids = [r for r in record.get("registry_ids") or [] if isinstance(r, str)]
    if single and ids:
        update["registry_ids"] = list(dict.fromkeys([*study.registry_ids, *ids]))
    return study.model_copy(update=update)


def _mentions(doc: Doc, offset: int, vocab: Vocabulary) -> list[Mention]:
    out = [Mention(label=e.label_, text=e.text, id=e.kb_id_ or None, start=e.start_char + offset,
                   end=e.end_char + offset) for e in doc.ents]
    short = vocab.measure_short_forms
    for e in doc.ents:  # 'EASI score', 'IGA response': the named instrument is a mention too
        head = e.text.split(" ", 1)[0]
        if e.label_ == "OUTCOME_MEASURE" and " " in e.text and head in short:
            out.append(Mention(label=e.label_, text=head, id=short[head], start=e.start_char + offset,
                               end=e.start_char + len(head) + offset))
    ent_starts = {e.start_char for e in doc.ents}
    for a in doc._.abbreviations or []:
        if a.short_start not in ent_starts:
            out.append(Mention(label="ABBREVIATION", text=a.short, id=a.long.lower(),
                               start=a.short_start + offset, end=a.short_start + len(a.short) + offset))
    out.sort(key=lambda m: (m.start, m.end))
    return out


def _result(doc: Document, parsed: list[tuple[_Part, Doc | None]], vocab: Vocabulary) -> ExtractionResult:
    studies: list[Study] = []
    mentions: list[Mention] = []
    for part, sdoc in parsed:
        structured = part.record.structured or {}
        registry = structured.get("study") if part.record.kind == "ctgov_json" else None
        found: list[Study] = [_registry_study(registry, vocab)] if isinstance(registry, Study) else []
        if sdoc is not None:
            if not found:
                found = list(sdoc._.studies or [])
                if part.record.kind == "pubmed_xml":
                    found = [_pubmed_study(st, structured, len(found) == 1) for st in found]
            mentions.extend(_mentions(sdoc, part.offset, vocab))
        for st in found:
            studies.append(_shift_study(st, part.offset, f"s{len(studies) + 1}"))
    source = SourceInfo(id=doc.source_id, kind=doc.kind, sha256=doc.sha256, title=doc.title)
    return ExtractionResult(source=source, studies=studies, mentions=mentions, warnings=list(doc.warnings))


def extract(source: str | Document) -> ExtractionResult:
    """Extract studies and entity mentions from one text or :class:`~jakatlas.ingest.Document`.

    Example::

        >>> from jakatlas.extract import extract
        >>> r = extract("Three patients with erosive lichen planus improved on tofacitinib 5 mg twice daily.")
        >>> r.studies[0].interventions[0].name, r.studies[0].n, r.studies[0].design
        ('tofacitinib', 3, 'case_series')
    """
    doc = _as_document(source)
    nlp = get_pipeline()
    parts = _parts(doc)
    return _result(doc, [(p, nlp(_make_doc(nlp, p.record.text))) for p in parts], pipeline_vocabulary(nlp))


def _make_doc(nlp: Language, text: str) -> Doc:
    """Tokenise ``text`` and keep the string (``Doc.text`` would rebuild it from the tokens)."""
    doc = nlp.make_doc(text)
    doc._.text = text
    return doc


def extract_path(path: str | os.PathLike[str], kind: str | None = None) -> ExtractionResult:
    """Read ``path`` (text, HTML, PubMed XML or ClinicalTrials.gov JSON) and extract from it."""
    from jakatlas.ingest import read_document

    return extract(read_document(path, kind))


def extract_many(sources: Iterable[str | Document], *, prescreen: bool = True,
                 batch_size: int = 64) -> Iterator[ExtractionResult]:
    """Stream results, one per input, through ``nlp.pipe``; memory stays flat.

    With ``prescreen`` (default), records that mention no JAK inhibitor, JAK/STAT term or
    dermatosis skip the pipeline and yield an empty result.
    """
    nlp = get_pipeline()
    vocab = pipeline_vocabulary(nlp)
    relevant = prescreen_for(vocab)
    pending: dict[int, tuple[Document, list[tuple[_Part, Doc | None]], int]] = {}

    def feed() -> Iterator[tuple[Doc, tuple[int, _Part, bool]]]:
        for i, src in enumerate(sources):
            doc = _as_document(src)
            parts = _parts(doc)
            pending[i] = (doc, [], len(parts))
            for p in parts:
                run = not prescreen or relevant(p.record.text)
                yield _make_doc(nlp, p.record.text if run else ""), (i, p, run)

    next_out = 0
    for sdoc, (i, part, run) in nlp.pipe(feed(), as_tuples=True, batch_size=batch_size):
        doc, parsed, total = pending[i]
        parsed.append((part, sdoc if run else None))
        while next_out in pending and len(pending[next_out][1]) == pending[next_out][2]:
            d, p, _ = pending.pop(next_out)
            yield _result(d, p, vocab)
            next_out += 1


def documents_index(doc: Document, result: ExtractionResult) -> list[dict[str, Any]]:
    """Per-record summary for a multi-record input (empty for a single document)."""
    if not doc.records:
        return []
    out: list[dict[str, Any]] = []
    for part in _parts(doc):
        start, end = part.offset, part.offset + len(part.record.text)
        ids = [s.id for s in result.studies if s.spans and start <= s.spans[0].start < end]
        out.append({"id": part.record.source_id, "kind": part.record.kind, "sha256": part.record.sha256,
                    "title": part.record.title, "start": start, "end": end, "studies": ids})
    return out
