"""Study design, phase and level of evidence from cue words (OCEBM 2011).

Design cues ("randomised", "open-label", "case series", "cohort", "in mice") are found by
regular expressions; :func:`classify_design` combines a study's cues with its sample size and
control arm. :func:`evidence_level` maps a design to the Oxford Centre for Evidence-Based
Medicine 2011 level for treatment benefits by looking it up in the one shipped table
(:mod:`jakatlas.data.ocebm`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jakatlas.data.ocebm import ocebm_table
from jakatlas.extract.types import Cue, CueKind

__all__ = [
    "CASE_SERIES_MAX_N",
    "NAMED_SERIES",
    "REVIEWED_DESIGNS",
    "DESIGN_PATTERNS",
    "classify_design",
    "evidence_level",
    "find_design_cues",
    "study_level",
    "normalise_phase",
]

#: Largest uncontrolled, untitled report still called a case series rather than left unknown.
CASE_SERIES_MAX_N = 20

#: (design cue kind, pattern) pairs.
DESIGN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("systematic_review", re.compile(r"\b(?:systematic(?:al)? (?:literature )?reviews?|meta-?analys[ie]s|"
                                     r"pooled analys[ie]s of (?:randomi[sz]ed|controlled))\b", re.I)),
    ("nonrandomized", re.compile(r"\bnon-?randomi[sz]ed\b", re.I)),
    ("rct", re.compile(r"\b(?:randomi[sz]ed|randomi[sz]ation|randomly (?:assigned|allocated)|"
                       r"(?:placebo|vehicle|sham)[- ]controlled|double[- ]blind(?:ed)?|triple[- ]blind(?:ed)?|"
                       r"RCTs?)\b", re.I)),
    ("open_label", re.compile(r"\bopen[- ]label(?:led)?\b", re.I)),
    ("single_arm", re.compile(r"\b(?:single[- ]arm|uncontrolled|single[- ]group)\b", re.I)),
    ("trial", re.compile(r"\b(?:trials?(?!\s+(?:instruments?|endpoints?|registr\w*|data|evidence|designs?|sites?|"
                         r"outcomes?|measures?))|phase\s*(?:I{1,3}V?|IV|[1-4]))\b", re.I)),
    ("pilot", re.compile(r"\b(?:pilot|proof[- ]of[- ]concept)\b", re.I)),
    ("case_control", re.compile(r"\bcase[- ]control\b", re.I)),
    ("case_series", re.compile(r"\b(?:case series|series of|(?:(?:this|the|our|a|an|small|larger?|retrospective|prospective|"
                               r"real[- ]world|single[- ]cent(?:re|er)|multicent(?:re|er)|clinical|published) )+series)\b", re.I)),
    ("cohort", re.compile(r"\b(?:cohort|retrospective(?:ly)?|prospective(?:ly)?|registry|real[- ]world|"
                          r"observational|chart review|claims database|population-based)\b", re.I)),
    ("case_report", re.compile(r"\b(?:case report(?!s)|case presentation|(?:we|authors) (?:report|describe|present) "
                               r"(?:a|an|the case|one)\b)", re.I)),
    ("case_reports", re.compile(r"\b(?:case reports|cases|(?:several|different|multiple|two|three|further|other|"
                                r"these|recent) (?:case )?reports)\b", re.I)),
    ("review", re.compile(r"\b(?:(?:narrative|literature|comprehensive) review|review(?:ed)? (?:of|the) "
                          r"literature|this review)\b", re.I)),
    ("preclinical", re.compile(r"\b(?:in vitro|ex vivo|mice|murine|mouse|rats?|animal models?|cell lines?|"
                               r"xenografts?|organoids?|preclinical|cultured)\b", re.I)),
)
#: 'case series' in so many words: it outranks a passing mention of a trial in the same sentence.
NAMED_SERIES = re.compile(r"case series\b", re.I)
_PHASE = re.compile(r"\bphase\s*:?\s*(?:phase\s*)?(?P<a>IV|I{1,3}|[1-4])(?P<x>[ab])?(?:\s*/\s*(?P<b>IV|I{1,3}|[1-4])(?P<y>[ab])?)?\b",
                    re.I)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def normalise_phase(text: str) -> str | None:
    """'Phase IIb' -> '2b', 'phase 2/3' -> '2/3'; None when ``text`` names no phase."""
    m = _PHASE.search(text)
    if not m:
        return None
    out = _ROMAN.get(m["a"].lower(), m["a"]) + (m["x"] or "").lower()
    if m["b"]:
        out += "/" + _ROMAN.get(m["b"].lower(), m["b"]) + (m["y"] or "").lower()
    return out


def find_design_cues(text: str, start: int = 0, end: int | None = None) -> list[Cue]:
    """Design and phase cues in ``text[start:end]``."""
    end = len(text) if end is None else end
    out = [Cue(CueKind.DESIGN, kind, m.start(), m.end())
           for kind, pattern in DESIGN_PATTERNS for m in pattern.finditer(text, start, end)]
    out += [Cue(CueKind.DESIGN, "named_series", c.start, c.end) for c in out
            if c.value == "case_series" and NAMED_SERIES.match(text, c.start)]
    for m in _PHASE.finditer(text, start, end):
        phase = normalise_phase(m[0])
        if phase:
            out.append(Cue(CueKind.PHASE, phase, m.start(), m.end()))
    out.sort(key=lambda c: c.start)
    return out


def classify_design(cues: Iterable[str], n: int | None, *, controlled: bool = False,
                    placebo: bool = False) -> str | None:
    """A contract design from cue kinds, the sample size and whether there is a control arm.

    Precedence follows the strength of the statement: an explicit systematic review, RCT,
    case-control or cohort wins; trials without randomisation are open-label (uncontrolled) or
    non-randomised (controlled), except that a placebo- or vehicle-controlled trial counts as
    randomised unless it says otherwise; without trial cues a single patient is a case report and a small
    uncontrolled group (n <= :data:`CASE_SERIES_MAX_N`) a case series. Otherwise ``None``.
    """
    c = set(cues)
    if "systematic_review" in c:
        return "systematic_review"
    if "preclinical" in c and n is None and not c & {"rct", "trial", "case_report", "case_series", "cohort"}:
        return "preclinical"
    if "rct" in c and "nonrandomized" not in c:
        return "rct"
    if "case_control" in c:
        return "case_control"
    if "nonrandomized" in c:
        return "nonrandomized_trial" if controlled else "open_label_trial"
    trialish = bool(c & {"trial", "open_label", "single_arm", "pilot"})
    if "named_series" in c and not c & {"open_label", "single_arm", "pilot"} or (
            "case_series" in c and not c & {"trial", "open_label"}):  # 'before that trial, a case series ...'
        return "case_report" if n == 1 else "case_series"
    if "cohort" in c and not (c & {"open_label", "single_arm"}):
        return "cohort"
    if trialish:
        if "open_label" in c or "single_arm" in c:
            return "open_label_trial" if not (controlled and not placebo) else "nonrandomized_trial"
        if placebo:
            return "rct"  # a placebo- or vehicle-controlled trial is randomised unless said otherwise
        return "nonrandomized_trial" if controlled else "open_label_trial"
    if n == 1 or ("case_report" in c and n is None):
        return "case_report"
    if c & {"case_series", "case_report", "case_reports"}:
        return "case_series"
    if n is not None and 1 < n and not controlled:
        return "case_series"  # an uncontrolled group of treated patients, whatever its size
    if "review" in c:
        return "narrative_review"
    if "preclinical" in c:
        return "preclinical"
    return None


def evidence_level(design: str | None, controlled: bool | None = None) -> int | None:
    """OCEBM 2011 treatment-benefit level from the shipped table (``data/ocebm.json``); None when unknown."""
    return ocebm_table().level(design, controlled)


#: Design cues that say what a systematic review reviews -> the reviewed design (OCEBM 2011 grades a
#: review by the studies it pools: level 1 only for randomised trials).
REVIEWED_DESIGNS: dict[str, str] = {
    "rct": "rct", "nonrandomized": "nonrandomized_trial", "cohort": "cohort", "case_control": "case_control",
    "case_series": "case_series", "named_series": "case_series", "case_reports": "case_series",
    "case_report": "case_report", "single_arm": "open_label_trial", "open_label": "open_label_trial",
}


def study_level(design: str | None, cues: Iterable[str], *, controlled: bool) -> int | None:
    """The OCEBM 2011 level of one study: a primary study's from its design and whether it has a
    concurrent control group; a systematic review's from the designs its cues say it reviews (the
    weakest when mixed; None when the text does not say)."""
    if design == "systematic_review":
        reviewed = {REVIEWED_DESIGNS[c] for c in cues if c in REVIEWED_DESIGNS}
        return ocebm_table().review_level(reviewed)
    return evidence_level(design, controlled)
