"""Abbreviation definitions in running text, after Schwartz & Hearst (2003).

Schwartz AS, Hearst MA. A simple algorithm for identifying abbreviation definitions in biomedical
text. Pac Symp Biocomput 2003:451-462. A short form is a parenthesised token of one or two words
(``hidradenitis suppurativa (HS)``); its long form is found by matching the short form's
characters right to left in the words before the parenthesis, the first character at a word start.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from jakatlas.extract._extensions import doc_text
from jakatlas.extract.types import Abbreviation
from jakatlas.extract.vocab import Vocabulary

__all__ = ["AbbreviationResolver", "best_long_form", "find_abbreviations", "make_abbreviation_resolver"]

_PAREN = re.compile(r"\(([^()\[\]]{1,12})\)")
_WORD = re.compile(r"\S+")


def best_long_form(short: str, candidate: str) -> str | None:
    """The shortest suffix of ``candidate`` that spells ``short`` (Schwartz & Hearst's algorithm)."""
    s_idx = len(short) - 1
    l_idx = len(candidate) - 1
    while s_idx >= 0:
        c = short[s_idx].lower()
        if not c.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (
            candidate[l_idx].lower() != c or (s_idx == 0 and l_idx > 0 and candidate[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    start = candidate.rfind(" ", 0, l_idx + 1) + 1
    return candidate[start:]


def _valid_short(short: str) -> bool:
    words = short.split()
    return (
        0 < len(words) <= 2
        and 2 <= len(short) <= 10
        and short[0].isalnum()
        and any(ch.isupper() for ch in short)
        and not re.fullmatch(r"[\d\s.,;:%-]+|[A-Z]{1,3}\d{6,}|(?:19|20)\d\d[a-z]?", short)
        and not re.search(r"\bet al\b|\bp\b", short)
    )


def find_abbreviations(text: str, start: int = 0, end: int | None = None) -> list[Abbreviation]:
    """All ``long form (SF)`` definitions in ``text[start:end]``, with document offsets."""
    end = len(text) if end is None else end
    out: list[Abbreviation] = []
    for m in _PAREN.finditer(text, start, end):
        short = m.group(1).strip()
        if not _valid_short(short):
            continue
        max_words = min(len(short) + 5, len(short) * 2)
        # candidate window: up to max_words words before the parenthesis, within the sentence
        window_start = max(start, m.start() - 200)
        before = text[window_start: m.start()]
        cut = max(before.rfind(". "), before.rfind("; "), before.rfind("\n"), before.rfind(": "))
        if cut >= 0:
            before = before[cut + 2:]
        words = list(_WORD.finditer(before))[-max_words:]
        if not words:
            continue
        offset = m.start() - len(before)
        cand_start = offset + words[0].start()
        candidate = text[cand_start: offset + words[-1].end()]
        long = best_long_form(short, candidate)
        if not long:
            continue
        long_end = cand_start + len(candidate)
        stripped = long.rstrip(" ,;:")
        long_end -= len(long) - len(stripped)
        if len(stripped) <= len(short) or short.lower() in stripped.lower().split():
            continue
        lead = len(m.group(1)) - len(m.group(1).lstrip())
        out.append(Abbreviation(short, stripped, m.start(1) + lead, long_end - len(stripped), long_end))
    return out


_GENERIC_WORDS = frozenset({"disease", "disorder", "syndrome", "score", "scale", "index", "rating", "global",
                            "assessment", "chronic", "severity", "total", "response", "treatment"})


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _GENERIC_WORDS}


# 'American College of Rheumatology 20% improvement criteria (ACR20)', 'Disease Activity Score (DAS)':
# a long form that names an instrument defines a measure even when the knowledge base lacks it
_MEASURE_LONG = re.compile(r"\b(?:scores?|index|scales?|criteria|questionnaire|assessment|inventory|instrument|"
                           r"tool|count|response|rate)\b", re.I)


class AbbreviationResolver:
    """Finds definitions; short forms of recognised long forms become entities of the same kind.

    A short form defined with a long form that shares no content word with the knowledge-base
    entity it would otherwise match ("Alzheimer disease (AD)") stops matching it in this document.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.words: dict[str, set[str]] = {}
        for t in vocabulary.terms:  # long forms only: a bare short form says nothing of its meaning
            if " " in t.text.strip():
                self.words.setdefault(t.id, set()).update(_content_words(t.text))

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        start, end = doc._.main_span or (0, len(text))
        abbrevs = find_abbreviations(text, start, end)
        doc._.abbreviations = abbrevs
        clashes = self._redefined(text, list(doc.ents), start)
        if clashes:
            doc.ents = [e for e in doc.ents if (e.text, e.kb_id_) not in clashes]
        if not abbrevs:
            return doc
        ents = list(doc.ents)
        resolved: dict[str, Span] = {}
        unresolved: dict[str, set[str]] = {}
        defined: dict[str, tuple[str, str, str]] = {}  # short -> (label, id, canonical) of a new measure
        for a in abbrevs:
            lf = next((e for e in ents if e.end_char == a.long_end and e.start_char >= a.long_start - 1
                       and e.label_ != "REGISTRY_ID"), None)
            if lf is not None:
                resolved[a.short] = lf
            else:
                unresolved[a.short] = _content_words(a.long)
                inside = any(e.start_char < a.long_end and a.long_start < e.end_char for e in ents)
                if _MEASURE_LONG.search(a.long) and not inside:
                    defined[a.short] = ("OUTCOME_MEASURE", f"defined:{a.short.lower()}", a.short)
        if unresolved:
            # a clash can only be seen when the knowledge base knows what the short form stands for
            ents = [e for e in ents if not (e.text in unresolved and e.label_ in ("DISEASE", "OUTCOME_MEASURE")
                                            and self.words.get(e.kb_id_)
                                            and not unresolved[e.text] & self.words.get(e.kb_id_, set()))]
        sources = {k: (v.label_, v.kb_id_, v._.canonical) for k, v in resolved.items()} | defined
        if sources:
            taken = [(e.start_char, e.end_char) for e in ents]
            pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(sources, key=len, reverse=True)))
                                 + r")(?![\w])")
            new: list[Span] = []
            for m in pattern.finditer(text, start, end):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                label, kb_id, canonical = sources[m[0]]
                span = doc.char_span(m.start(), m.end(), label=label, kb_id=kb_id, alignment_mode="expand")
                if span is None or span.text != m[0] and any(span.start_char < e and s < span.end_char for s, e in taken):
                    continue
                span._.canonical = canonical
                new.append(span)
                taken.append((span.start_char, span.end_char))
            ents = sorted(ents + new, key=lambda e: e.start)
        doc.ents = ents
        return doc

    def _redefined(self, text: str, ents: list[Span], lo: int) -> set[tuple[str, str]]:
        """Short forms the document defines for something else, even where the definition escapes
        the Schwartz-Hearst rules: the first occurrence is bracketed after words that share none
        with the knowledge base's meaning ('benzylpenicillin (PG)' is not pyoderma gangrenosum)."""
        first: dict[str, Span] = {}
        for e in ents:
            first.setdefault(e.text, e)
        out: set[tuple[str, str]] = set()
        for sf, e in first.items():
            if e.label_ not in ("DISEASE", "OUTCOME_MEASURE") or not _SHORT_FORM.fullmatch(sf):
                continue
            if text[e.start_char - 1: e.start_char] != "(" or text[e.end_char: e.end_char + 1] != ")":
                continue
            meaning = self.words.get(e.kb_id_)
            before = _content_words(text[max(lo, e.start_char - _LONG_FORM_REACH): e.start_char - 1])
            if meaning and not before & meaning:
                out.add((sf, e.kb_id_))
        return out


#: a short form: capitals and digits ('PG', 'HS', 'AD', 'DLQI', 'ACR20')
_SHORT_FORM = re.compile(r"[A-Z][A-Z0-9-]{1,6}")
#: characters before a bracketed short form read as its long form (about six words)
_LONG_FORM_REACH = 60


@Language.factory(
    "jakatlas_abbreviations",
    default_config={"vocabulary": {"@misc": "jakatlas.vocabulary.v1"}},
    assigns=["doc._.abbreviations", "doc.ents"],
    requires=["doc.ents"],
)
def make_abbreviation_resolver(nlp: Language, name: str, *, vocabulary: Vocabulary) -> AbbreviationResolver:
    """Factory: Schwartz & Hearst abbreviation definitions resolved to entities."""
    return AbbreviationResolver(vocabulary)
