"""Features for the two stages: evidence-sentence ranking and three-way direction classification.

Stage 1 scores a sentence as evidence for a prompt from its overlap with the prompt's outcome,
intervention and comparator (word prefixes weighted by their rarity within the article, as in
BM25-style term weighting, Robertson & Zaragoza 2009, doi:10.1561/1500000019), the same overlap of
its neighbours, the statistics it reports, and the section it sits in. Stage 2 reads one evidence
text: the p-values and intervals of :mod:`jakatlas.infer.stats`, negated significance ("no
significant", "did not differ"), direction words, and the order in which the intervention and
the comparator are named, since "A was higher than B" flips when the comparator comes first.
Prompt mentions are masked (``xint``, ``xcmp``, ``xout``) before n-grams are counted so the
n-gram model learns patterns, not drug names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from jakatlas.infer.sentences import Span
from jakatlas.infer.stats import normalise_numbers, parse_intervals, parse_p_values

__all__ = ["ArticleView", "PromptTerms", "abbreviation_stems", "classify_dense", "evidence_dense", "mask_prompt", "prompt_terms"]

_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_STOP = frozenset(
    "a an the of in on at to for with and or by from as is are was were be been vs versus than that this these "
    "those plus group groups patients patient subjects treatment treated therapy receiving received per its their "
    "after before during between compared".split()
)
_PREFIX = 6
_HEADING = re.compile(r"^(ABSTRACT|BODY)\.?([A-Z &/\-]*)", re.M)
_NO_DIFF = re.compile(
    r"\b(?:no|not|nor|without|neither)\b[^.;]{0,40}?\b(?:significan\w*|differ\w*|change\w*|effect\w*)|"
    r"\b(?:similar|comparable|equivalent|non-?significant\w*|insignificant\w*|unchanged|did not differ|"
    r"failed to|n\.?s\.?)\b",
    re.I,
)
_SIGNIFICANT = re.compile(r"\bsignifican\w*", re.I)
_UP = re.compile(
    r"\b(?:increas\w*|higher|greater|more|improv\w*|rais\w*|rise|rose|elevat\w*|gain\w*|longer|larger|"
    r"better|enhanc\w*|superior|boost\w*|exceed\w*|augment\w*|prolong\w*)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:decreas\w*|lower|less|fewer|reduc\w*|declin\w*|fell|fall\w*|drop\w*|shorter|smaller|worse|"
    r"diminish\w*|attenuat\w*|inferior|suppress\w*|lowered|decline\w*|prevent\w*)\b",
    re.I,
)
_COMPARE_NUMS = re.compile(
    r"(?P<a>-?\d+(?:\.\d+)?)\s*%?[^\d;]{0,30}?\b(?:vs\.?|versus|compared (?:with|to)|and|to)\s+(?P<b>-?\d+(?:\.\d+)?)"
)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def stems(text: str) -> list[str]:
    return [t[:_PREFIX] for t in tokens(text) if t not in _STOP]


@dataclass
class PromptTerms:
    """Content-word prefixes of a prompt's three parts (shared words removed from I and C)."""

    outcome: set[str]
    intervention: set[str]
    comparator: set[str]
    outcome_bigrams: set[tuple[str, str]]


def abbreviation_stems(text: str) -> list[tuple[str, set[str]]]:
    """``(short form, long-form stems)`` for every "long form (SF)" the article defines
    (Schwartz & Hearst 2003, via :func:`jakatlas.extract.abbreviations.find_abbreviations`)."""
    from jakatlas.extract.abbreviations import find_abbreviations

    out: dict[str, set[str]] = {}
    for a in find_abbreviations(text):
        long = set(stems(a.long))
        short = a.short.lower()[:_PREFIX]
        if long and short not in out and short not in _STOP:
            out[short] = long
    return sorted(out.items())


def _expand(part: set[str], abbreviations: list[tuple[str, set[str]]]) -> set[str]:
    """Add a short form whose long form the prompt part spells out, and the long form of a short
    form it uses ("conventional fractionation" <-> "CF")."""
    extra: set[str] = set()
    for short, long in abbreviations:
        if short in part:
            extra |= long
        elif len(long & part) * 3 >= len(long) * 2:
            extra.add(short)
    return part | extra


def prompt_terms(intervention: str, comparator: str, outcome: str,
                 abbreviations: list[tuple[str, set[str]]] | None = None) -> PromptTerms:
    """The prompt's content stems; ``abbreviations`` (from the article) add short and long forms."""
    i, c, o = set(stems(intervention)), set(stems(comparator)), stems(outcome)
    oset = set(o)
    if abbreviations:
        i, c, oset = _expand(i, abbreviations), _expand(c, abbreviations), _expand(oset, abbreviations)
    return PromptTerms(oset, i - c, c - i, set(zip(o, o[1:], strict=False)))


class ArticleView:
    """Sentences of one article with their stems, statistics and section, computed once."""

    def __init__(self, text: str, spans: list[Span]) -> None:
        self.text = text
        self.spans = spans
        self.stems = [stems(s.text) for s in spans]
        self.sets = [set(s) for s in self.stems]
        df: Counter[str] = Counter()
        for s in self.sets:
            df.update(s)
        n = max(len(spans), 1)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.max_idf = math.log(1 + n)
        heads = [(m.start(), m.group(1), m.group(2)) for m in _HEADING.finditer(text)]
        self.section: list[tuple[int, str]] = []
        k, cur = 0, ("BODY", "")
        for sp in spans:
            while k < len(heads) and heads[k][0] <= sp.start:
                cur = (heads[k][1], heads[k][2])
                k += 1
            self.section.append((1 if cur[0] == "ABSTRACT" else 0, cur[1]))
        self.stat = [_stat_flags(s.text) for s in spans]
        self.abbreviations = abbreviation_stems(text)

    def terms(self, intervention: str, comparator: str, outcome: str) -> PromptTerms:
        """The prompt's terms, expanded with this article's abbreviations."""
        return prompt_terms(intervention, comparator, outcome, self.abbreviations)


def _stat_flags(text: str) -> list[float]:
    ps = parse_p_values(text)
    cis = parse_intervals(text)
    sig = sum(1 for p in ps if p.significant)
    nonsig = sum(1 for p in ps if p.significant is False)
    return [
        float(bool(ps)), float(sig > 0), float(nonsig > 0), float(bool(cis)),
        float(bool(_NO_DIFF.search(text))), float(bool(_SIGNIFICANT.search(text))),
        float(bool(_UP.search(text) or _DOWN.search(text))), min(sum(c.isdigit() for c in text), 40) / 40,
        float("\n" in text), math.log1p(len(text)) / 7,
    ]


def _overlap(view: ArticleView, i: int, terms: set[str]) -> tuple[float, float]:
    if not terms or i < 0 or i >= len(view.sets):
        return 0.0, 0.0
    hit = terms & view.sets[i]
    total = sum(view.idf.get(t, view.max_idf) for t in terms)
    return len(hit) / len(terms), sum(view.idf.get(t, view.max_idf) for t in hit) / total


def evidence_dense(view: ArticleView, terms: PromptTerms, i: int) -> list[float]:
    """Dense features of sentence ``i`` as evidence for the prompt."""
    o_rec, o_w = _overlap(view, i, terms.outcome)
    i_rec, i_w = _overlap(view, i, terms.intervention)
    c_rec, c_w = _overlap(view, i, terms.comparator)
    prev_o = _overlap(view, i - 1, terms.outcome)[1]
    next_o = _overlap(view, i + 1, terms.outcome)[1]
    st = view.stems[i]
    bi = set(zip(st, st[1:], strict=False))
    o_bi = len(bi & terms.outcome_bigrams) / len(terms.outcome_bigrams) if terms.outcome_bigrams else 0.0
    abstract, section = view.section[i]
    n = max(len(view.spans), 1)
    sec = [float(k in section) for k in ("RESULT", "CONCLUSION", "METHOD", "DISCUSSION", "BACKGROUND", "INTRO")]
    return [
        o_rec, o_w, i_rec, i_w, c_rec, c_w, prev_o, next_o, o_bi, max(prev_o, next_o, o_w),
        o_w * i_w, o_w * (i_w + c_w), float(o_rec == 1.0), float(abstract), i / n,
        *sec, *view.stat[i],
        o_w * view.stat[i][0], o_w * view.stat[i][4], o_w * view.stat[i][5],
    ]


def mask_prompt(text: str, terms: PromptTerms) -> str:
    """Lower-cased tokens of ``text`` with prompt words replaced by ``xint``, ``xcmp`` and ``xout``."""
    out: list[str] = []
    for t in tokens(normalise_numbers(text)):
        keys = {t[:_PREFIX], *(part[:_PREFIX] for part in t.split("-") if len(part) > 2)}
        if t in _STOP:
            out.append(t)
        elif keys & terms.intervention:
            out.append("xint")
        elif keys & terms.comparator:
            out.append("xcmp")
        elif keys & terms.outcome:
            out.append("xout")
        elif any(ch.isdigit() for ch in t):
            out.append("xnum")
        else:
            out.append(t)
    # collapse runs of the same placeholder ("xint xint" -> "xint")
    return " ".join(t for k, t in enumerate(out) if not (k and t.startswith("x") and out[k - 1] == t))


def _first(stem_list: list[str], terms: set[str]) -> int:
    for k, s in enumerate(stem_list):
        if s in terms:
            return k
    return -1


def classify_dense(text: str, terms: PromptTerms) -> list[float]:
    """Dense features of one evidence text for the direction classifier."""
    norm = normalise_numbers(text)
    ps = parse_p_values(norm)
    cis = parse_intervals(norm)
    sig = sum(1 for p in ps if p.significant)
    nonsig = sum(1 for p in ps if p.significant is False)
    vals = [p.value for p in ps if p.value is not None]
    min_p = min(vals) if vals else 1.0
    ci_up = sum(1 for c in cis if c.side > 0)
    ci_down = sum(1 for c in cis if c.side < 0)
    ci_cross = sum(1 for c in cis if c.side == 0)
    ratio_down = sum(1 for c in cis if c.side < 0 and c.scale == "ratio")
    ratio_up = sum(1 for c in cis if c.side > 0 and c.scale == "ratio")
    up = len(_UP.findall(norm))
    down = len(_DOWN.findall(norm))
    no_diff = len(_NO_DIFF.findall(norm))
    st = stems(norm)
    fi, fc = _first(st, terms.intervention), _first(st, terms.comparator)
    order = 0.0 if fi < 0 or fc < 0 else (1.0 if fi < fc else -1.0)
    if fi >= 0 and fc < 0:
        order = 0.5
    elif fc >= 0 and fi < 0:
        order = -0.5
    num_sign = 0.0
    m = _COMPARE_NUMS.search(norm)
    if m:
        a, b = float(m.group("a")), float(m.group("b"))
        num_sign = 1.0 if a > b else -1.0 if a < b else 0.0
    resp = float(bool(_RESPECTIVELY.search(norm)))
    dirn = float(up > down) - float(down > up)
    return [
        float(bool(ps)), float(sig > 0), float(nonsig > 0), float(sig > 0 and nonsig == 0),
        -math.log10(max(min_p, 1e-12)) / 12, float(min_p < 0.05),
        float(ci_up > 0), float(ci_down > 0), float(ci_cross > 0), float(ratio_up > 0), float(ratio_down > 0),
        min(up, 3) / 3, min(down, 3) / 3, dirn, min(no_diff, 3) / 3, float(bool(_SIGNIFICANT.search(norm))),
        order, dirn * order, num_sign, num_sign * order, resp, num_sign * resp * order,
        float(bool(ci_down)) * order, float(bool(ci_up)) * order,
    ]
