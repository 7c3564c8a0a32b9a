"""Entity recognition from the knowledge base: drugs, diseases, cytokines, JAKs, STATs, measures, trial ids.

Knowledge-base names are matched with two spaCy ``PhraseMatcher`` objects (``LOWER`` for names,
``ORTH`` for short upper-case forms); families with regular surface forms (STAT1-6, JAK1-3, TYK2,
IL-n, IFN-x) and registry identifiers (NCT, EudraCT, ISRCTN, ...) by compiled regular
expressions. Overlaps keep the longest match (then the earlier one). A disease preceded by a
subtype word ("erosive lichen planus") is widened to include it and carries the variant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from jakatlas.data._kb import norm_key
from jakatlas.extract._extensions import doc_text
from jakatlas.extract.vocab import GENERIC_VARIANTS, Vocabulary

__all__ = ["Candidate", "EntityRecognizer", "find_pattern_entities", "make_entity_recognizer", "resolve_overlaps"]

_PRIORITY = {"REGISTRY_ID": 7, "DRUG": 6, "OUTCOME_MEASURE": 5, "DISEASE": 4, "CYTOKINE": 3, "JAK": 2, "STAT": 1}
_REGISTRY = re.compile(
    r"\b(?:NCT\d{8}|ISRCTN\d{8}|EUCTR\d{4}-\d{6}-\d{2}|(?<=EudraCT )\d{4}-\d{6}-\d{2}|"
    r"(?<=EudraCT: )\d{4}-\d{6}-\d{2}|(?<=EudraCT No\. )\d{4}-\d{6}-\d{2}|\d{4}-\d{6}-\d{2}(?=\D|$)|"
    r"ChiCTR-?[A-Z]{0,4}-?\d{6,}|jRCT\d{10}|DRKS\d{8}|ACTRN\d{14}|CTRI/\d{4}/\d{2,3}/\d{6})\b"
)
_STAT = re.compile(r"\b(?:p-?)?(?:STAT|Stat)[- ]?(?P<n>[1-6])(?P<x>[ab])?\b")
_JAK = re.compile(r"\b(?:JAK[- ]?(?P<n>[1-3])|(?P<t>TYK[- ]?2)|(?P<g>JAKs?))\b(?![-/]?STAT)")
_CYTOKINE = re.compile(
    r"\b(?:IL|[Ii]nterleukin)[- ]?\d{1,2}[A-F]?\b|\b(?:IFN|[Ii]nterferon)[- ]?(?:γ|gamma|α|alpha|β|beta|λ|lambda)"
    r"|\bTNF[- ]?(?:α|alpha)|\bTSLP\b"
)
# 'golidocitinib', 'momelotinib': kinase-inhibitor INNs ('-tinib'; '-citinib' for JAK inhibitors, WHO INN stems)
_INN_TINIB = re.compile(r"\b[A-Za-z][a-z]{2,}tinib\b")
# 'HS-PGA', 'AD-QoL', 'PN-1': a short disease form fused to a following name is part of an acronym
_FUSED_AFTER = re.compile(r"-[A-Z0-9]")
_GLUED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*-$")
_PREV_WORDS = re.compile(r"([A-Za-z][A-Za-z-]*)(?:\s+([A-Za-z][A-Za-z-]*))?\s+$")


@dataclass(slots=True)
class Candidate:
    """An entity candidate by character offsets, before overlap resolution."""

    start: int
    end: int
    label: str
    id: str
    canonical: str | None = None
    variant: str | None = None


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates: longest first, then higher label priority, then earlier."""
    order = sorted(cands, key=lambda c: (-(c.end - c.start), -_PRIORITY.get(c.label, 0), c.start))
    kept: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in order:
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        kept.append(c)
        taken.append((c.start, c.end))
    kept.sort(key=lambda c: c.start)
    return kept


def find_pattern_entities(text: str, vocab: Vocabulary, start: int = 0, end: int | None = None) -> list[Candidate]:
    """Registry ids, STATs, JAKs and cytokine families found by regular expressions."""
    end = len(text) if end is None else end
    out: list[Candidate] = []
    for m in _REGISTRY.finditer(text, start, end):
        out.append(Candidate(m.start(), m.end(), "REGISTRY_ID", m[0].upper(), m[0].upper()))
    for m in _STAT.finditer(text, start, end):
        ident = f"stat{m['n']}{m['x'] or ''}"
        out.append(Candidate(m.start(), m.end(), "STAT", ident, ident.upper()))
    for m in _JAK.finditer(text, start, end):
        ident = f"jak{m['n']}" if m["n"] else ("tyk2" if m["t"] else "jak")
        out.append(Candidate(m.start(), m.end(), "JAK", ident, ident.upper()))
    known = vocab.drug_forms
    for m in _INN_TINIB.finditer(text, start, end):
        name = m[0].lower()
        if name not in known:
            out.append(Candidate(m.start(), m.end(), "DRUG", name, name))
    for m in _CYTOKINE.finditer(text, start, end):
        key = norm_key(m[0]).replace("interleukin", "il").replace("interferon", "ifn")
        ident = vocab.cytokine_index.get(key) or vocab.cytokine_index.get(norm_key(m[0])) or key
        out.append(Candidate(m.start(), m.end(), "CYTOKINE", ident, m[0]))
    return out


class EntityRecognizer:
    """Phrase matching over the knowledge-base vocabulary plus regex families."""

    def __init__(self, nlp: Language, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.keys: dict[int, tuple[str, str, str, str | None]] = {}
        groups: dict[tuple[str, str, str, str | None, bool], list[str]] = {}
        for t in vocabulary.terms:
            groups.setdefault((t.label, t.id, t.canonical, t.variant, t.exact_case), []).append(t.text)
        for (label, ident, canon, variant, exact), texts in groups.items():
            key = f"{label}\t{ident}\t{variant or ''}\t{'exact' if exact else 'lower'}"
            self.keys[nlp.vocab.strings.add(key)] = (label, ident, canon, variant)
            matcher = self.exact if exact else self.lower
            matcher.add(key, [nlp.make_doc(t) for t in dict.fromkeys(texts)])

    def candidates(self, doc: Doc) -> list[Candidate]:
        out: list[Candidate] = []
        text = doc_text(doc)
        for matcher in (self.lower, self.exact):
            for match_id, s, e in matcher(doc):
                label, ident, canon, variant = self.keys[match_id]
                start = doc[s].idx
                last = doc[e - 1]
                end = last.idx + len(last)
                if matcher is self.exact and (_GLUED.search(text, max(0, start - 12), start)
                                              or label == "DISEASE" and _FUSED_AFTER.match(text, end)):
                    continue  # 'STOP-HS', 'TRuE-PN', 'HS-PGA': part of a capitalised compound name
                out.append(Candidate(start, end, label, ident, canon, variant))
        out.extend(find_pattern_entities(doc_text(doc), self.vocab))
        return out

    def widen_variant(self, text: str, c: Candidate) -> Candidate:
        """'erosive lichen planus': take the subtype word into the span and the variant."""
        if c.label != "DISEASE" or c.variant:
            return c
        m = _PREV_WORDS.search(text, max(0, c.start - 40), c.start)
        if not m:
            return c
        known = self.vocab.disease_variants.get(c.id, {})
        two = f"{m[1]} {m[2]}".lower() if m[2] else None
        for word, start in ((two, m.start(1)), ((m[2] or m[1]).lower(), m.start(2) if m[2] else m.start(1))):
            if word and (word in known or word in GENERIC_VARIANTS):
                return Candidate(start, c.end, c.label, c.id, c.canonical, known.get(word, word))
        return c

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        lo, hi = doc._.main_span or (0, len(text))
        kept = resolve_overlaps([c for c in self.candidates(doc) if lo <= c.start and c.end <= hi])
        kept = resolve_overlaps([self.widen_variant(text, c) for c in kept])
        spans: list[Span] = []
        for c in kept:
            span = doc.char_span(c.start, c.end, label=c.label, kb_id=c.id, alignment_mode="expand")
            if span is None or any(span.start < s.end and s.start < span.end for s in spans):
                continue
            span._.canonical = c.canonical
            span._.variant = c.variant
            spans.append(span)
        doc.ents = spans
        return doc


@Language.factory(
    "jakatlas_entities",
    default_config={"vocabulary": {"@misc": "jakatlas.vocabulary.v1"}},
    assigns=["doc.ents", "span._.canonical", "span._.variant"],
)
def make_entity_recognizer(nlp: Language, name: str, *, vocabulary: Vocabulary) -> EntityRecognizer:
    """Factory: knowledge-base entity recognizer."""
    return EntityRecognizer(nlp, vocabulary)
