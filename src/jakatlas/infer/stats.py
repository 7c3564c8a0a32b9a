"""Parse the statistics a results sentence reports: p-values and confidence intervals.

A p-value is read with its comparison (``=``, ``<``, ``>``, ``≤``, ``≥``), including the forms
"P = .03", "p<0·001", "P-value 0.20", "p = 1.2 × 10−4", "P = 3e-5" and "NS" (not significant).
A confidence interval is read from "95% CI 0.28–5.09", "95% confidence interval (CI) = −0.13 to
−2.76", "(95% CI, 1.02, 6.56)" or a bare interval after a ratio estimate ("RR 0.76 (0.59-0.98)").
Its null value is 1 on a ratio scale (odds, risk, hazard or rate ratio: the words before it say
so) and 0 on a difference scale; an interval excludes the null when both bounds lie on one side
(Altman & Bland, BMJ 2011;343:d2090, doi:10.1136/bmj.d2090, on reading CIs against the null).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Interval", "PValue", "normalise_numbers", "parse_intervals", "parse_p_values"]

Op = Literal["=", "<", ">"]
Scale = Literal["ratio", "difference"]

_DASHES = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "\u2013",
                         "\u00b7": ".", "\u2009": " ", "\u00a0": " ", "\u202f": " "})
_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_SCI = rf"(?P<mant>{_NUM})(?:\s*(?:[x×*]\s*10\s*\^?\s*(?P<exp>[-+]?\s*\d+)|[eE](?P<exp2>[-+]?\d+)))?"
_P = re.compile(
    r"(?<![A-Za-z])(?:p|P)(?:\s*-?\s*values?)?\s*(?:\(\w+\))?\s*(?P<op>[=<>≤≥]|<=|>=|<\s*or\s*=|is|of|was)\s*" + _SCI
)
_NS = re.compile(r"(?<![A-Za-z])(?:NS|n\.s\.)(?![A-Za-z])")
_CI_HEAD = re.compile(
    r"(?:\d{2}(?:\.\d)?\s*%\s*(?:CI|CrI|C\.I\.|confidence\s+(?:interval|limits?)|credible\s+interval)s?"
    r"(?:\s*\((?:CI|CrI)\))?|\bCI\b)",
    re.I,
)
_ESTIMATE = re.compile(rf"(?P<est>{_NUM})\D{{0,25}}$")
_BOUNDS = re.compile(rf"(?P<lo>{_NUM})\s*%?\s*(?:to|-|\u2013|,|;|and|/)\s*(?P<hi>{_NUM})")
_BARE = re.compile(rf"(?P<est>{_NUM})\s*[(\[]\s*(?P<lo>{_NUM})\s*(?:-|\u2013|to|,|;)\s*(?P<hi>{_NUM})\s*[)\]]")
_RATIO = re.compile(
    r"\b(?:ORs?|aORs?|RRs?|aRRs?|HRs?|aHRs?|IRRs?|odds|hazard|risk\s+ratio|rate\s+ratio|relative\s+risk|ratio)\b", re.I
)


@dataclass(frozen=True, slots=True)
class PValue:
    """A reported p-value: ``op`` is ``=``, ``<`` or ``>``; ``value`` is ``None`` for "NS"."""

    op: Op
    value: float | None
    start: int
    end: int

    @property
    def significant(self) -> bool | None:
        """True below 0.05, False at or above it, None when the report does not settle it."""
        if self.value is None:
            return False
        if self.op == "<":
            return self.value <= 0.05
        if self.op == ">":
            return False if self.value >= 0.05 else None
        return self.value < 0.05


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval with its scale (null value 1 for ratios, 0 for differences)."""

    low: float
    high: float
    scale: Scale
    start: int
    end: int

    @property
    def null(self) -> float:
        return 1.0 if self.scale == "ratio" else 0.0

    @property
    def side(self) -> int:
        """+1 when the whole interval lies above the null, -1 below it, 0 when it crosses."""
        lo, hi = min(self.low, self.high), max(self.low, self.high)
        if lo > self.null:
            return 1
        if hi < self.null:
            return -1
        return 0


def normalise_numbers(text: str) -> str:
    """Map minus signs, Unicode hyphens and decimal middle dots to ASCII; same length as ``text``."""
    return text.translate(_DASHES)


def _float(raw: str) -> float:
    return float(raw.replace(",", ""))


def _value(m: re.Match[str]) -> float | None:
    try:
        v = _float(m.group("mant"))
        exp = m.group("exp") or m.group("exp2")
        if exp is not None:
            v *= 10.0 ** int(exp.replace(" ", ""))
    except (ValueError, OverflowError):
        return None
    return v


def parse_p_values(text: str) -> list[PValue]:
    """Every p-value in ``text``, in order.

    >>> [(p.op, p.value) for p in parse_p_values("fell (P = .03) but not pain (p>0.05; NS)")]
    [('=', 0.03), ('>', 0.05), ('=', None)]
    """
    text = normalise_numbers(text)
    out: list[PValue] = []
    for m in _P.finditer(text):
        raw = m.group("op").replace(" ", "")
        op: Op = "<" if raw in ("<", "≤", "<=", "<or=") else ">" if raw in (">", "≥", ">=") else "="
        v = _value(m)
        if v is None or not 0.0 <= v <= 1.0:
            continue
        out.append(PValue(op, v, m.start(), m.end()))
    out.extend(PValue("=", None, m.start(), m.end()) for m in _NS.finditer(text))
    out.sort(key=lambda p: p.start)
    return out


def _scale(text: str, start: int, lo: float, hi: float, est: float | None = None) -> Scale:
    """Ratio when a ratio is named just before, or when the estimate sits in the geometric middle."""
    lo, hi = min(lo, hi), max(lo, hi)
    if lo <= 0:
        return "difference"
    if _RATIO.search(text[max(0, start - 60) : start]):
        return "ratio"
    if est is None:
        m = _ESTIMATE.search(text, max(0, start - 40), start)
        est = _float(m.group("est")) if m else None
    if est is not None and lo < est < hi and est < 20:
        geometric = abs(math.log(est / lo) - math.log(hi / est))
        arithmetic = abs((est - lo) - (hi - est)) / est
        return "ratio" if geometric < arithmetic else "difference"
    return "difference"


def parse_intervals(text: str) -> list[Interval]:
    """Every confidence interval in ``text``, with its scale.

    >>> [(i.low, i.high, i.scale, i.side) for i in parse_intervals("RR 0.76 (95% CI 0.59-0.98)")]
    [(0.59, 0.98, 'ratio', -1)]
    """
    text = normalise_numbers(text)
    out: list[Interval] = []
    taken: list[tuple[int, int]] = []
    for h in _CI_HEAD.finditer(text):
        m = _BOUNDS.search(text, h.end(), min(len(text), h.end() + 70))
        if m is None or any(c.isdigit() for c in text[h.end() : m.start()]):
            continue
        lo, hi = _float(m.group("lo")), _float(m.group("hi"))
        out.append(Interval(lo, hi, _scale(text, h.start(), lo, hi), h.start(), m.end()))
        taken.append((h.start(), m.end()))
    for m in _BARE.finditer(text):
        if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
            continue
        lo, hi, est = _float(m.group("lo")), _float(m.group("hi")), _float(m.group("est"))
        if not min(lo, hi) <= est <= max(lo, hi):
            continue  # "12 (3-40)" style medians with ranges are not intervals around an estimate
        out.append(Interval(lo, hi, _scale(text, m.start(), lo, hi, est), m.start(), m.end()))
    out.sort(key=lambda i: i.start)
    return out
