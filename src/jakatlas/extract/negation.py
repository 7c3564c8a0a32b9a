"""Negation and hedging scopes, NegEx-style.

Chapman WW, Bridewell W, Hanbury P, Cooper GF, Buchanan BG. A simple algorithm for identifying
negated findings and diseases in discharge summaries. J Biomed Inform 2001;34:301-310.
Pre-negation triggers ("no", "none", "without") open a scope that runs forward over at most
:data:`MAX_SCOPE_WORDS` words and stops at a termination term ("but", "however", punctuation);
post-negation triggers ("were not observed") run backward the same way; pseudo-triggers
("not only", "no significant change") are skipped. Hedge cues ("may", "might", "suggest") mark
tentative statements (Light, Qiu & Srinivasan 2004 use the same cue class for speculation).
"""

from __future__ import annotations

import re

__all__ = ["MAX_SCOPE_WORDS", "hedge_cues", "in_scopes", "negation_scopes"]

MAX_SCOPE_WORDS = 6

_PSEUDO = re.compile(
    r"(?<!\w)(?=[A-Za-z])(?:not only|no (?:significant |further )?(?:change|increase|difference)s?|not necessarily|"
    r"no longer|not been (?:fully )?elucidated|without (?:a |any )?(?:doubt|exception)|gram[- ]negative|"
    r"not respond|did not respond|does not respond|no or only)\b",
    re.I,
)
_PRE = re.compile(
    r"(?<!\w)(?=[A-Za-z])(?:no|not|none|neither|nor|without|never|absence of|absent|free of|lack of|no evidence of|"
    r"did not (?:have|show|develop|experience|report)|denied|denies|zero)\b",
    re.I,
)
_POST = re.compile(
    r"(?<!\w)(?=[A-Za-z])(?:(?:was|were|is|are|has been|have been) (?:not|never) (?:observed|seen|reported|detected|found|"
    r"noted|recorded|identified)|(?:was|were|is|are) absent|(?:was|were) ruled out|did not occur|"
    r"(?:is|are|was|were|remains?|still) (?:still )?(?:lacking|missing|unavailable)|lacking)\b",
    re.I,
)
_TERMINATE = re.compile(r"\b(?:but|however|although|though|except|aside from|apart from|whereas|yet|while|which)\b|[.;:!?]")
_WORDS = re.compile(r"\S+")
_HEDGE = re.compile(
    r"(?<!\w)(?=[A-Za-z])(?:may|might|could|possibly|perhaps|suggests?|suggested|suggesting|suspected|"
    r"appears? to|seems? to|likely|unclear|hypothes[iz]e[ds]?|presumably)\b",
    re.I,
)


def _forward(text: str, pos: int, end: int) -> int:
    stop = _TERMINATE.search(text, pos, end)
    limit = stop.start() if stop else end
    words = list(_WORDS.finditer(text, pos, limit))[:MAX_SCOPE_WORDS]
    return words[-1].end() if words else pos


def _backward(text: str, pos: int, start: int) -> int:
    last = start
    for m in _TERMINATE.finditer(text, start, pos):
        last = m.end()
    words = list(_WORDS.finditer(text, last, pos))[-MAX_SCOPE_WORDS:]
    return words[0].start() if words else pos


def negation_scopes(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Negated character ranges in ``text[start:end]`` (one sentence is the intended unit)."""
    end = len(text) if end is None else end
    pseudo = [(m.start(), m.end()) for m in _PSEUDO.finditer(text, start, end)]
    scopes: list[tuple[int, int]] = []
    for m in _PRE.finditer(text, start, end):
        if any(s <= m.start() < e for s, e in pseudo):
            continue
        scope_end = _forward(text, m.end(), end)
        if scope_end > m.end():
            scopes.append((m.start(), scope_end))
    for m in _POST.finditer(text, start, end):
        scope_start = _backward(text, m.start(), start)
        if scope_start < m.start():
            scopes.append((scope_start, m.end()))
    return scopes


def in_scopes(start: int, end: int, scopes: list[tuple[int, int]]) -> bool:
    """True when ``[start, end)`` lies inside one of ``scopes``."""
    return any(s <= start and end <= e for s, e in scopes)


def hedge_cues(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Hedge cue words in ``text[start:end]`` as ``(start, end, cue)``."""
    end = len(text) if end is None else end
    return [(m.start(), m.end(), m[0].lower()) for m in _HEDGE.finditer(text, start, end)]
