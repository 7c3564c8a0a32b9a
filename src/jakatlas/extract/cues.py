"""Lexical cues the assembler reads: ordinal study references, study groups, comparisons,
adverse events, background statements, evidence statements, negation and hedging.

Each finder is a compiled regular expression over the text; :func:`find_cues` runs them all
(plus the design and phase cues of :mod:`jakatlas.extract.design`) and returns
:class:`~jakatlas.extract.types.Cue` objects sorted by position.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from jakatlas.data.lexicon import Lexicon, load_lexicon
from jakatlas.extract._extensions import doc_text, may_hold_study
from jakatlas.extract.design import DESIGN_PATTERNS, NAMED_SERIES, normalise_phase
from jakatlas.extract.negation import hedge_cues, in_scopes, negation_scopes
from jakatlas.extract.quantities import parse_number
from jakatlas.extract.types import Cue, CueKind
from jakatlas.extract.vocab import Vocabulary

__all__ = ["CueFinder", "adverse_event_pattern", "find_cues", "find_trial_names", "make_cue_finder", "ordinal_value",
           "word_cue_pattern"]

_ORD_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
              "i": 1, "ii": 2, "iii": 3, "iv": 4, "a": 1, "b": 2, "c": 3}
_STUDY_NOUN = r"(?:study|trial|cohort|part|RCT|investigation|series|report|case)"
_ORDINAL = re.compile(
    rf"\b(?P<w>first|second|third|fourth|1st|2nd|3rd|4th|former|latter)\s+(?:[\w-]+\s+){{0,2}}?{_STUDY_NOUN}\b"
    rf"|\b{_STUDY_NOUN}\s+(?P<d>[1-4]|I{{1,3}}V?|IV|[ABC])\b(?![-./]\d)",
    re.I,
)
_GROUP = re.compile(
    r"(?<!phase )(?<!phase)(?<![\w-])(?P<k>two|three|four|2|3|4|both|these|the two|the three|a pair of)\s+"
    r"(?:[\w,-]+\s+){0,5}?(?:trials|studies|RCTs|reports|cohorts|case series|publications|papers|articles)\b",
    re.I,
)
_LEAD_ORDINAL = re.compile(
    r"\W*(?:in\s+)?the\s+(?P<w>first|second|third|fourth|former|latter)\b(?!\s+(?:time|line|dose|doses|week|"
    r"weeks|month|months|year|years|patient|patients|author|authors|two|three|half|step|sign|signs|symptoms?))",
    re.I,
)
# '..., and 12% versus 6% in the second.', '; in the second, 33%': a study addressed without its noun
_ELLIPTIC_ORDINAL = re.compile(r"(?<=[,;]\s)in the (?P<w>first|second|third|fourth|former|latter)\b(?=\s*[,;.)])"
                               r"|\bin the (?P<v>first|second|third|fourth|former|latter)(?=\s*[.;]?\s*$)", re.I)
_TRIAL_NAME = re.compile(
    r"(?<![\w-])(?P<name>(?=[\w-]*[A-Z][\w-]*[A-Z][\w-]*[A-Z])[A-Z][A-Za-z]*(?:-[A-Za-z]{1,5}\d{0,2}|-?\d{1,2}[A-Za-z]?)*"
    r"(?: \d{1,2}\b)?)(?![\w-])"
)
_TRIAL_NOUN = re.compile(r"\b(?:trials?|stud(?:y|ies)|programmes?|programs?|extension|cohorts?|RCTs?|phase)\b", re.I)
_LABEL_AHEAD = re.compile(r"[A-Z][A-Z ,&/-]*:")
_NOT_NAME = re.compile(r"(?:P?STAT|JAK|TYK|IL|CD|CCL|CXCL|HLA|NCT|EUCTR)\d|\d")
_COMPARE = re.compile(
    r"\b(?:versus|vs\.?|compared (?:with|to|the)|compared|comparison (?:with|of)|than|head[- ]to[- ]head|"
    r"against|relative to|superior(?:ity)? to|non-?inferior(?:ity)? to)\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"\b(?:(?:the )?only approved|(?:is|are|was|were|been) approved|approved (?:for|in|by)|approval|licensed|"
    r"standard of care|first-line|conventional|currently available|previous(?:ly)?|prior|failed|failure of|"
    r"inadequate(?:ly)? respon\w*|refractory to|resistant to|despite|intoleran\w*|after stopping|"
    r"discontinued|switched from|in addition to|concomitant|background)\b",
    re.I,
)
_EVIDENCE = re.compile(
    r"\b(?:efficac\w*|effective\w*|improv\w*|respon\w*|remission|clear\w*|resol\w*|benefi\w*|amelior\w*|"
    r"success\w*|led to|resulted in|result\w*|achiev\w*|reduc\w*|decreas\w*|outcomes?|demonstrat\w*|"
    r"showed|shown|restor\w*|regrowth|repigment\w*|treated|received|responded|healed|worked|helped|"
    r"successful\w*|started|initiated|switched to|administered|prescribed|regress\w*|remitted|(?:was|were|been) added|"
    r"(?:brought|came|kept|was|were) under control|controlled)\b",
    re.I,
)
_SPECULATIVE = re.compile(
    r"\b(?:being (?:investigated|explored|studied|evaluated|tested)|under (?:investigation|study)|"
    r"has (?:also )?been explored|have (?:also )?been explored|is explored|will be|planned|ongoing|"
    r"might become|may become|could become|rationale|hypothesi[sz]ed|(?:are|is|will be) (?:still )?needed|"
    r"warranted|future (?:studies|trials|research)|further (?:studies|trials|research)|remains? to be|"
    r"needs? confirmation|confirmation in)\b",
    re.I,
)
_NEW_STUDY = re.compile(
    r"(?<!\w)(?=[AaSsTt])(?:another|a second|a third|a further|a separate|a subsequent|an additional|a later|"
    r"second|the later|the subsequent|the more recent|a more recent)\s+(?:[\w-]+\s+){0,3}?(?:study|trial|report|analysis|cohort|case series|series|case)\b",
    re.I,
)
_SUMMARY = re.compile(r"\W*(?:in summary|in conclusion|to conclude|overall|taken together|in sum|"
                      r"(?:(?:Dr|Prof|Professor)\.?\s+)?[A-Z][\w'’-]+\s+(?:concluded|closed|summed up|summari[sz]ed)\b)",
                      re.I)


def ordinal_value(text: str) -> int | None:
    """1 for 'first study'/'study 1'/'Study A', 2 for 'second trial', ...; None otherwise."""
    m = _ORDINAL.search(text)
    if not m:
        return None
    word = (m["w"] or m["d"] or "").lower()
    if word in _ORD_WORDS:
        return _ORD_WORDS[word]
    num = parse_number(word)
    return int(num) if num else None


def _flexible(phrase: str) -> str:
    """A lexicon phrase as a pattern in which a space and a hyphen stand for each other."""
    return re.sub(r"\\[ -]", "[- ]", re.escape(phrase))


def adverse_event_pattern(lexicon: Lexicon) -> str:
    """Adverse-event terms of the lexicon, each optionally preceded by qualifiers ('serious', 'any')."""
    quals = "|".join(_flexible(q) for q in sorted(lexicon.adverse_event_qualifiers, key=len, reverse=True))
    terms = "|".join(_flexible(t) for t in sorted(lexicon.adverse_event_terms, key=len, reverse=True))
    lead = rf"(?:(?:{quals})\s+)*" if quals else ""
    return rf"{lead}(?:{terms})(?![\w-])"


def word_cue_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """Design, comparison, background, evidence, speculation and adverse-event cues in ONE pattern
    (one scan of the text instead of one per cue family)."""
    parts = [("phase", _PHASE_WORD)] + [(f"d_{kind}", p.pattern) for kind, p in DESIGN_PATTERNS]
    parts += [("compare", _COMPARE.pattern), ("background", _BACKGROUND.pattern), ("evidence", _EVIDENCE.pattern),
              ("speculative", _SPECULATIVE.pattern), ("ae", adverse_event_pattern(lexicon))]
    # '(?<!\w)(?=[A-Za-z])' lets the engine reject a non-word-start position with one test
    return re.compile(r"(?<!\w)(?=[A-Za-z])(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in parts) + ")",
                      re.I)


_PHASE_WORD = r"\bphase\s*:?\s*(?:phase\s*)?(?:IV|I{1,3}|[1-4])[ab]?(?:\s*/\s*(?:IV|I{1,3}|[1-4])[ab]?)?\b"


@cache
def _shipped_words() -> re.Pattern[str]:
    return word_cue_pattern(load_lexicon())


def find_cues(text: str, start: int = 0, end: int | None = None, words: re.Pattern[str] | None = None) -> list[Cue]:
    """All assembler cues in ``text[start:end]``, sorted by position (``words``: the compiled
    :func:`word_cue_pattern` of the vocabulary's lexicon; the shipped one by default)."""
    end = len(text) if end is None else end
    words = words or _shipped_words()
    out: list[Cue] = []
    for m in words.finditer(text, start, end):
        kind = m.lastgroup or ""
        if kind.startswith("d_"):
            out.append(Cue(CueKind.DESIGN, kind[2:], m.start(), m.end()))
            if kind == "d_case_series" and NAMED_SERIES.match(text, m.start()):
                out.append(Cue(CueKind.DESIGN, "named_series", m.start(), m.end()))
        elif kind == "phase":
            phase = normalise_phase(m[0])
            out.append(Cue(CueKind.DESIGN, "trial", m.start(), m.end()))
            if phase:
                out.append(Cue(CueKind.PHASE, phase, m.start(), m.end()))
        elif kind == "ae":
            out.append(Cue(CueKind.AE, m[0], m.start(), m.end()))
        else:
            out.append(Cue(CueKind(kind), m[0].lower(), m.start(), m.end()))
    for m in _ORDINAL.finditer(text, start, end):
        word = (m["w"] or m["d"] or "").lower()
        if word in ("former", "latter"):
            out.append(Cue(CueKind.ANAPHOR, word, m.start(), m.end()))
            continue
        value = _ORD_WORDS.get(word)
        if value is None:
            num = parse_number(word)
            value = int(num) if num else None
        if value:
            out.append(Cue(CueKind.ORDINAL, str(value), m.start(), m.end()))
    lead = _LEAD_ORDINAL.match(text, start, end)
    if lead:
        word = lead["w"].lower()
        out.append(Cue(CueKind.ANAPHOR, word, lead.start("w"), lead.end("w")) if word in ("former", "latter")
                   else Cue(CueKind.ORDINAL, str(_ORD_WORDS[word]), lead.start("w"), lead.end("w")))
    if any(c.kind in ("ordinal", "anaphor") for c in out):  # 'the first trial ... in the second', not '... patient'
        for m in _ELLIPTIC_ORDINAL.finditer(text, start, end):
            g = "w" if m["w"] else "v"
            word = m[g].lower()
            out.append(Cue(CueKind.ANAPHOR, word, m.start(g), m.end(g)) if word in ("former", "latter")
                       else Cue(CueKind.ORDINAL, str(_ORD_WORDS[word]), m.start(g), m.end(g)))
    for m in _GROUP.finditer(text, start, end):
        k = m["k"].lower().replace("the ", "")
        value = {"both": 2, "these": 0, "a pair of": 2}.get(k)
        if value is None:
            num = parse_number(k)
            value = int(num) if num else 0
        definite = k in ("both", "these") or m["k"].lower().startswith("the ")
        out.append(Cue(CueKind.GROUP_REF if definite else CueKind.GROUP, str(value), m.start(), m.end()))
    for m in _NEW_STUDY.finditer(text, start, end):
        out.append(Cue(CueKind.NEW_STUDY, m[0].lower(), m.start(), m.end()))
    summary = _SUMMARY.match(text, start, end)
    if summary:
        out.append(Cue(CueKind.SUMMARY, summary[0].strip().lower(), summary.start(), summary.end()))
    for s, e in negation_scopes(text, start, end):
        out.append(Cue(CueKind.NEGATION, text[s:e], s, e))
    for s, e, word in hedge_cues(text, start, end):
        out.append(Cue(CueKind.HEDGE, word, s, e))
    out.sort(key=lambda c: (c.start, c.end))
    return out


def find_trial_names(text: str, sentences: list[tuple[int, int]], taken: list[tuple[int, int]],
                     exclude: set[str], not_names: frozenset[str] = frozenset()) -> list[Cue]:
    """Named trials ('BRAVE-AA1', 'DELTA 2', 'STOP-HS1'): capitalised names that some sentence
    calls a trial or study (the noun within a few words), then every occurrence of those names."""
    names: set[str] = set()
    found: list[tuple[int, int, str]] = []
    for s, e in sentences:
        for m in _TRIAL_NAME.finditer(text, s, e):
            name = m["name"]
            key = re.sub(r"[\s-]+", "", name).upper()
            base = re.split(r"[\s\d-]", name, maxsplit=1)[0].upper()
            if base in not_names or text.startswith(".", m.end()) and text[m.end() + 1: m.end() + 2].isdigit():
                continue
            if _LABEL_AHEAD.match(text, m.start(), e):
                continue  # 'DESIGN, SETTING AND PARTICIPANTS:' is a field label
            if key in not_names or name in exclude or len(key) < 4 or _NOT_NAME.match(key) \
                    or any(m.start() < b and a < m.end() for a, b in taken):
                continue
            found.append((m.start(), m.end(), key))
            window = text[max(s, m.start() - 60): min(e, m.end() + 70)]
            if _TRIAL_NOUN.search(window):
                names.add(key)
    # siblings: 'BRAVE-AA1 and BRAVE-AA2' -> both are names when one is
    stems = {re.sub(r"\d+[A-Za-z]?$", "", n) for n in names}
    return [Cue(CueKind.TRIAL, k, a, b) for a, b, k in found
            if k in names or (re.sub(r"\d+[A-Za-z]?$", "", k) in stems and k[-1].isdigit())]


class CueFinder:
    """Per-sentence cues (negation scopes do not cross sentences); marks negated/hedged entities."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.words = word_cue_pattern(vocabulary.lexicon)
        self.not_names = frozenset(vocabulary.lexicon.not_trial_names)

    def __call__(self, doc: Doc) -> Doc:
        if not may_hold_study(doc):
            doc._.cues = []
            return doc
        text = doc_text(doc)
        sentences = doc._.sentences or [(0, len(text))]
        cues: list[Cue] = []
        for s, e in sentences:
            cues.extend(find_cues(text, s, e, self.words))
        taken = [(e.start_char, e.end_char) for e in doc.ents]
        short_forms = {a.short for a in (doc._.abbreviations or [])}
        cues.extend(find_trial_names(text, sentences, taken, short_forms, self.not_names))
        cues.sort(key=lambda c: (c.start, c.end))
        doc._.cues = cues
        scopes = [(c.start, c.end) for c in cues if c.kind == CueKind.NEGATION]
        starts = [s for s, _ in sentences]
        hedged = {_sentence_of(sentences, starts, c.start) for c in cues if c.kind == CueKind.HEDGE} - {None}
        for ent in doc.ents:
            if scopes and in_scopes(ent.start_char, ent.end_char, scopes):
                ent._.negated = True
            if hedged and _sentence_of(sentences, starts, ent.start_char) in hedged:
                ent._.hedged = True
        return doc


def _sentence_of(sentences: list[tuple[int, int]], starts: list[int], pos: int) -> int | None:
    """Index of the sentence holding ``pos`` (sentences are in order and disjoint), by bisection;
    one lookup per entity keeps this linear where a scan of all sentences per entity and hedge was cubic."""
    i = bisect_right(starts, pos) - 1
    return i if i >= 0 and sentences[i][0] <= pos < sentences[i][1] else None


@Language.factory("jakatlas_cues", default_config={"vocabulary": {"@misc": "jakatlas.vocabulary.v1"}},
                  assigns=["doc._.cues", "span._.negated", "span._.hedged"], requires=["doc.ents"])
def make_cue_finder(nlp: Language, name: str, *, vocabulary: Vocabulary) -> CueFinder:
    """Factory: design, phase, ordinal, comparison, adverse-event, negation and hedge cues."""
    return CueFinder(vocabulary)
