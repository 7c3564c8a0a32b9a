"""Outcome and adverse-event numbers of one sentence, clause by clause.

Candidate figures are the free percentages of a clause plus plain numbers in a value position
("fell by 5.2", "to 9.5", "of 28"). Readings, in order: "from A to B" (value B, baseline A);
"X% higher in the A group than in B" (a between-arm difference); a comparator phrase
("versus 57%", "compared with 28.8% of placebo recipients", "against a fall of 2.5 on placebo")
gives its figure as ``comparator_value`` to every figure listed before it in the clause; the
remaining figures stand alone. Changes are signed from their verb ("fell by", "an X%
reduction"), and enumerations ("by 5.2 with 15 mg, by 6.9 with 45 mg") keep the sign. A figure
belongs to the nearest outcome measure in the clause or sentence or, failing that, to the measure
carried over from the previous sentence of the paragraph ("... the DLQI, 15% at baseline. This
proportion rose to 54%"). In a clause about adverse events the percentages are event rates, one
per inline study reference ("70% (study 1) and 81% (study 2)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jakatlas.extract.assembly.measures import (
    generic_measures,
    last_before,
    measure_for,
    unknown_score_before,
)
from jakatlas.extract.assembly.sentences import Ent, Sent
from jakatlas.extract.cues import ordinal_value
from jakatlas.extract.quantities import parse_number
from jakatlas.extract.types import Quantity, QuantityKind
from jakatlas.models.evidence import AdverseEvent, Duration, Outcome

__all__ = ["BASELINE", "Carry", "FoundAE", "FoundOutcome", "arm_after", "clause_outcomes", "free_span", "inline_ordinal", "names_baseline"]

_NUM = r"[-−+]?\d+(?:[.·]\d+)?"
_DOWN = r"(?:fell|fallen|falls?|decreas\w*|declin\w*|dropp\w*|drops?|reduc\w*|lower\w*|diminish\w*)"
_UP = r"(?:rose|rises?|risen|increas\w*|improv\w*|climb\w*|grew|grow\w*)"
#: a unit written after a figure of a score or an angle ('15 degrees', '12 points')
_UNIT_WORD = r"(?:°|degrees?\b|points?\b)"
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:an?\s+(?:mean|median|average)\s+(?:of\s+)?)?(?P<b>{_NUM})\s*(?P<bu>%)?\s*(?:{_UNIT_WORD}\s*)?"
    rf"(?:\([^()]*\)\s*)?"
    rf"(?:at baseline\s*)?(?:\([^()]*\)\s*)?to\s+(?:an?\s+(?:mean|median)\s+(?:of\s+)?)?(?P<v>{_NUM})\s*(?P<vu>%)?"
    rf"(?:\s*{_UNIT_WORD})?",
    re.I,
)
_HIGHER = re.compile(
    rf"(?P<v>{_NUM})\s*(?P<vu>%)?\s*(?:points?\s+)?(?P<dir>higher|greater|more|better|larger|lower|less|smaller)\b"
    rf"(?P<mid>.{{0,80}}?)\bthan\b(?P<rest>.{{0,80}})",
    re.I,
)
_COMPARATOR = re.compile(
    rf"(?:\bversus|\bvs\.?|\bcompared (?:with|to)|\bagainst|\brelative to)\s+(?:(?:a|an|the|only)\s+)?"
    rf"(?:(?P<dir>fall|drop|decrease|reduction|decline|rise|increase|improvement|change|gain)\s+(?:of\s+)?)?"
    rf"(?P<neg>[-−]\s)?(?P<c>{_NUM})\s*(?P<cu>%)?",
    re.I,
)
_PLAIN = re.compile(rf"(?<![\w.%/·≤≥<>=-])(?P<v>{_NUM})(?![\w%·]|[.]\d|\s*/\s*\d|\s*(?:%|mg|weeks?|months?|years?|days?|"
                    rf"patients|participants|points?\s+(?:higher|lower)|or (?:less|more|lower|higher|fewer|greater|"
                    rf"above|below|better)|and (?:above|below)))")
_RANGE_BEFORE = re.compile(r"\b(?:rang\w*|scales?|scored|scoring|estimat\w*|graded|rated|between)\b[^.;]{0,40}$", re.I)
_CONTROL_ARM = re.compile(r"\b(?:placebo|vehicle|control|comparator|comparison)\b", re.I)
_VALUE_BEFORE = re.compile(
    r"(?:\bby|\bof|\bto|\bwas|\bwere|\bis|=|:|\breached|\bachieved|\baveraged|\bscore)\s+"
    r"(?:an?\s+(?:mean|median|average)\s+(?:of\s+)?)?$",
    re.I,
)
# '... and for stroke 1.2 (95% CI 0.8-1.7)': a figure given with its confidence interval is an estimate
_ESTIMATE_AFTER = re.compile(r"\s*\(\s*\d{2}\s?%\s*(?:CI|confidence interval|CrI)\b", re.I)
_DEFINITION = re.compile(r"\b(?:meaning|defined as|i\.e\.|that is|namely)\b", re.I)
_DISPERSION = re.compile(r"(?:\bSD|\bSE|\bSEM|\bIQR|\brange|±|\+/-)\s*[:=]?\s*$")
_FRACTION = re.compile(r"\s+(?:of|out of)\s+(?:the\s+)?\d", re.I)
_FRACTION_BEFORE = re.compile(r"\d\s+(?:of|out of)\s+(?:the\s+)?$", re.I)
_THRESHOLD_BEFORE = re.compile(r"(?:\bat least|\bmore than|\bless than|\bup to|[≥≤<>]=?)\s*$", re.I)
_ENUM_PLAIN = re.compile(r"\s*%?\s*(?:,\s*)?(?:and|or)?\s*(?:by\s+)?$", re.I)
_SIGN_BEFORE = re.compile(rf"(?P<dir>{_DOWN}|{_UP})\s+(?:[\w-]+\s+){{0,2}}?by\s+(?:an?\s+(?:mean|median|average)\s+"
                          rf"(?:of\s+)?)?$", re.I)
_RESPECTIVELY = re.compile(r"\s*%?\s*(?:\([^()]*\)\s*)?,?\s*respectively\b", re.I)
# what a plain number counts when it is not a result: people ('209 (of 333) patients') or the
# joints of a score's name ('Disease Activity Score of 28 joints', 'a 28-joint count')
_COUNT_OF = re.compile(r"\s*(?:\([^()]*\)\s*)?\)?\s*(?:patients|participants|subjects|people|individuals|adults|"
                       r"children|women|men)\b|\s*-?\s*joints?\b", re.I)
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*(?:and|or))\s*", re.I)
# '13 points with tofacitinib and 2.57 points with methotrexate': the same figure in the next arm
_ARM_LIST_GAP = re.compile(r"\s*(?:points?\s+)?(?:with|on|in|for)\s+(?:the\s+)?[\w-]+(?:\s+(?:group|arm))?"
                           r"\s*(?:,|,?\s*(?:and|or|versus|vs\.?))\s*(?=[-−+]?\d[\d.]*\s*points?\s+(?:with|on|in|for)\b)",
                           re.I)
# ', and by 6.9', ', and the DLQI by 40%': the verb of the figure before is understood
_ENUM_BY = re.compile(r"(?:,|\band|\bor)\s+(?:(?:the|its|their)\s+)?(?:(?!(?:was|were|is|are|been|has|have|had)\b|"
                      r"\w+ed\b)[\w-]+\s+){0,3}?by\s+$", re.I)
# 'a mean improvement of 66.6%', 'a reduction in the score of 30%': the noun gives the direction
_SIGN_NOUN_BEFORE = re.compile(r"(?P<dir>improvement|reduction|decrease|decline|drop|fall|increase|rise)s?\s+"
                               r"(?:from\s+baseline\s+)?(?:(?:in|of)\s+(?:the\s+)?(?:[\w-]+\s+){1,3}?)?(?:of|was|were|:)\s+$", re.I)
# '... was - 6.2': a minus sign set apart from its number (not a range '10 - 20')
_SPACED_MINUS = re.compile(r"(?:\b(?:was|were|is|are|of|by|to|versus|vs\.?|and|or)\s+|[(:=]\s*)[-−]\s$", re.I)
# 'compared with placebo', 'versus the control group': a comparison with the control arm
_BARE_COMPARISON = re.compile(r"\b(?:versus|vs\.?|compared (?:with|to)|relative to)\s+(?:the\s+)?"
                              r"(?:placebo|vehicle|control)(?:\s+(?:group|arm))?\b", re.I)
#: characters after a comparison within which its own figure may start ('placebo (−2.3)' is 2)
_BARE_GAP = 3
# the end of a bracketed figure ('(−7.1)', '(−5.9; P<0.01)')
_BRACKET_END = re.compile(r"\s*[);,]")
#: characters before a figure searched for an elliptic 'and the MEASURE by' (three words of a name)
_ENUM_REACH = 40
#: characters before a figure searched for its detached minus sign ('versus - ' is 10)
_MINUS_REACH = 12
# '15/20 patients', '15 of 20 patients': a count over a group size, read as a proportion
_PROPORTION = re.compile(r"(?<![\w./-])(?P<k>\d{1,4})\s*(?:/|of|out of)\s*(?P<n>\d{1,4})(?![\d.,:/%]|\s*(?:mg|ml|kg|%|mm)\b)"
                         r"(?!\s*\(\s*\d+(?:[.·]\d+)?\s*%)", re.I)
# 'fell from 28 and 18 to 9 and 5, respectively': listed baselines and values, one pair per measure
_LIST = rf"{_NUM}\s*%?(?:\s*(?:,|,?\s*and)\s*{_NUM}\s*%?)+"
_FROM_TO_LIST = re.compile(rf"\bfrom\s+(?P<b>{_LIST})\s+to\s+(?P<v>{_LIST})(?=[\s,]*(?:\([^()]*\)\s*)?,?\s*respectively)",
                           re.I)
_LIST_ITEM = re.compile(rf"{_NUM}\s*(?P<u>%)?")
# '44% greater with X', '20 points higher': a difference between arms, not a figure of one arm
_DIFFERENCE_AFTER = re.compile(r"\s*%?\s*(?:points?\s+)?(?:greater|higher|more|less|lower|better|smaller|larger|fewer)\b"
                               r"(?!\s+than)", re.I)
# '2.9% with vehicle', '21% of placebo recipients', '8% in the methotrexate group': the arm a figure is of
_FIGURE_OF = re.compile(r"\s*%?\s*(?:\([^()]*\)\s*)?(?:points?\s+)?(?:of\s+(?:the\s+)?(?:patients|participants|those)\s+)?"
                        r"(?:with|on|in|for|receiving|taking|given|of|among)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?", re.I)
_RESPECTIVELY_AT = re.compile(r"\brespectively\b", re.I)
_SIGN_AFTER = re.compile(r"\s*%?\s*(?:mean\s+|median\s+|relative\s+)?(?P<dir>reduction|decrease|decline|drop|"
                         r"improvement|increase|rise)\b", re.I)
_DOWN_RX = re.compile(_DOWN + r"|reduction|decrease|decline|drop|fall", re.I)
BASELINE = re.compile(r"\b(?:at|from) baseline\b|\bbaseline (?:value|score|level|proportion)\b", re.I)
# 'mean improvements from baseline in the DLQI were 6.2': a change measured from baseline, not its value
_CHANGE_BEFORE = re.compile(r"\b(?:chang|improv|reduc|decreas|increas|declin|fell|fall|drop|ris|rose|differ)\w*\s+"
                            r"(?:[\w-]+\s+){0,2}$", re.I)


def names_baseline(text: str, lo: int, hi: int) -> bool:
    """``text[lo:hi]`` gives a figure at baseline ('from 28 at baseline'), not a change from it."""
    return any(not (m[0].lower().startswith("from") and _CHANGE_BEFORE.search(text, max(lo, m.start() - 40), m.start()))
               for m in BASELINE.finditer(text, lo, hi))
_COMPARATOR_FIGURE = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:of\s+)?(?:with|on|in|for|receiving)\s+(?:the\s+)?"
                                r"(?:placebo|vehicle)\b", re.I)
_INLINE_ORDINAL = re.compile(r"\s*\(\s*((?:in\s+)?(?:study|trial|cohort|part)\s+\w+)\s*\)", re.I)
_CITATION = re.compile(r"\d+(?:\s*[,–-]\s*\d+)*\]")
_BLOCKING = ("n", "dose", "duration", "ci", "p_value", "frequency")


@dataclass(slots=True)
class Carry:
    """What a sentence leaves for the next one in its paragraph."""

    measure: Ent | None = None
    listed: bool = False  # the measure was the last of several the sentence named ('HAQ, DAS28 and ESR')
    baseline: float | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class FoundOutcome:
    outcome: Outcome
    pos: int
    arm: Ent | None = None
    comparator: Ent | None = None


@dataclass(slots=True)
class FoundAE:
    ae: AdverseEvent
    pos: int | None = None
    ordinal: int | None = None


def free_span(s: Sent, start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    if any(start < e and s_ < end for s_, e in taken):
        return False
    for q in s.quants:
        if q.kind in _BLOCKING and q.start < end and start < q.end:
            return False
        if q.kind == QuantityKind.PERCENT and q.role == "threshold" and q.start <= start < q.end:
            return False
    if any(e.start < end and start < e.end for e in s.ents):
        return False
    return not _CITATION.match(s.doc_text, start)


def _num(m: re.Match[str], group: str) -> float | None:
    return parse_number(m[group]) if m[group] is not None else None


def _timepoint(s: Sent, pos: int) -> Duration | None:
    durs = [q for q in s.quant(QuantityKind.DURATION) if q.value is not None and q.unit]
    q = min(durs, key=lambda d: (d.role != "at", abs(d.start - pos)), default=None)
    return Duration(value=q.value, unit=q.unit) if q is not None and q.value is not None else None  # type: ignore[arg-type]


def _after(s: Sent, kind: str, pos: int) -> float | tuple[float, float] | None:
    for q in s.quants:
        if q.kind == kind and q.start >= pos:
            if kind == "ci":
                return q.extra["low"], q.extra["high"]
            return q.value
    return None


def _after_q(s: Sent, kind: str, pos: int) -> Quantity | None:
    return next((q for q in s.quants if q.kind == kind and q.start >= pos), None)


def arm_after(s: Sent, pos: int, limit: int = 45) -> Ent | None:
    for e in s.drugs + s.comparators:
        if pos <= e.start <= pos + limit:
            return e
    return None


def inline_ordinal(s: Sent, end: int) -> int | None:
    m = _INLINE_ORDINAL.match(s.doc_text, end, s.end)
    return ordinal_value(m.group(1)) if m else None


@dataclass(slots=True)
class _Val:
    start: int
    end: int
    value: float
    unit: str | None
    sign: int = 0  # -1 fell, +1 rose, 0 unsigned
    improve: bool = False  # the direction word was 'improvement' (a fall on a score where lower is better)


def _continues_list(text: str, end: int, start: int) -> bool:
    """The figure at ``start`` continues the list of the figure ending at ``end`` ('5.2, 6.9 and 6.3';
    '13 points with X and 2.57 points with Y')."""
    if _LIST_GAP.fullmatch(text, end, start):
        return True
    arm = _ARM_LIST_GAP.match(text, end)
    return arm is not None and arm.end() == start


def _candidates(s: Sent, taken: list[tuple[int, int]]) -> list[_Val]:
    text = s.doc_text
    out: list[_Val] = []
    for q in s.quant(QuantityKind.PERCENT):
        if q.role is None and q.value is not None and free_span(s, q.start, q.end, taken) \
                and not _DISPERSION.search(text, max(s.start, q.start - 8), q.start) \
                and not _DIFFERENCE_AFTER.match(text, q.end, s.end):
            out.append(_Val(q.start, q.end, q.value, "%"))
    for m in _PLAIN.finditer(text, s.start, s.end):
        value = parse_number(m["v"])
        if value is None or not free_span(s, m.start(), m.end(), taken):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", m["v"]):
            continue
        if _FRACTION.match(text, m.end(), s.end) or _FRACTION_BEFORE.search(text, max(s.start, m.start() - 8),
                                                                              m.start()):
            continue  # '8 of 10 patients'
        if _THRESHOLD_BEFORE.search(text, max(s.start, m.start() - 16), m.start()) or _DISPERSION.search(
                text, max(s.start, m.start() - 8), m.start()):
            continue  # 'at least 4 points'
        if _DIFFERENCE_AFTER.match(text, m.end(), s.end):
            continue
        if _COUNT_OF.match(text, m.end(), s.end):
            continue  # '209 (of 333) patients', 'Score of 28 joints': a count, not a result
        listed = any(v.unit is None and v.end < m.start() and _continues_list(text, v.end, m.start()) for v in out)
        if _SPACED_MINUS.search(text, max(s.start, m.start() - _MINUS_REACH), m.start()) or (
                m["v"][0] in "-−" and text[m.start() - 1: m.start()] == "(" and _BRACKET_END.match(text, m.end())):
            listed = True  # 'was - 6.2', 'with 15 mg (−7.1)': a signed figure
        if listed or _VALUE_BEFORE.search(text, max(s.start, m.start() - 30), m.start()) or _ESTIMATE_AFTER.match(
                text, m.end(), s.end):
            out.append(_Val(m.start(), m.end(), value, None))  # 'fell by 5.2, 6.9 and 6.3': the list goes on
    if s.of("OUTCOME_MEASURE"):
        for m in _PROPORTION.finditer(text, s.start, s.end):
            k, n = int(m["k"]), int(m["n"])
            if 0 < n and k <= n and free_span(s, m.start("k"), m.end("k"), taken) and not any(
                    v.start < m.end() and m.start() < v.end for v in out):
                out.append(_Val(m.start(), m.end(), round(100.0 * k / n, 1), "%"))
    out.sort(key=lambda v: v.start)
    prev, prev_end = 0, s.start
    for v in out:
        minus = _SPACED_MINUS.search(text, max(s.start, v.start - _MINUS_REACH), v.start)
        before = _SIGN_BEFORE.search(text, max(s.start, v.start - 45), v.start) or _SIGN_NOUN_BEFORE.search(
            text, max(s.start, v.start - 45), v.start)
        after = _SIGN_AFTER.match(text, v.end, s.end)
        if minus:
            v.sign = -1
        elif before:
            v.sign = -1 if _DOWN_RX.match(before["dir"]) else 1
            v.improve = before["dir"].lower().startswith("improv")
        elif after:
            v.sign = -1 if _DOWN_RX.match(after["dir"]) else 1
            v.improve = after["dir"].lower().startswith("improv")
        elif _ENUM_BY.search(text, max(s.start, v.start - _ENUM_REACH), v.start) or (
                prev and _ENUM_PLAIN.fullmatch(text, prev_end, v.start)):
            v.sign = prev
        prev, prev_end = v.sign, v.end
    return out


def _signed(v: _Val) -> float:
    return -abs(v.value) if v.sign < 0 else v.value


def _respective(s: Sent, measures: list[Ent], cands: list[_Val], taken: list[tuple[int, int]]
                ) -> list[tuple[Ent, _Val]]:
    """'the EASI and the DLQI fell by 72% and 60%, respectively': one figure per measure, in order."""
    resp = _RESPECTIVELY_AT.search(s.doc_text, s.start, s.end)
    named = list({m.id: m for m in measures}.values())
    if resp is None or len(named) < 2:
        return []
    listed = [m for m in named if m.end <= resp.start()]
    if len(listed) < 2:
        return []
    vals = [v for v in cands if listed[-1].end <= v.start < resp.start() and free_span(s, v.start, v.end, taken)]
    if len(vals) != len(listed):
        return []
    return list(zip(listed, vals, strict=True))


# a figure followed by what happened to the people it counts ('38.3% (drug A) and 38.2% (drug B) of
# patients tested positive for antidrug antibodies'): a proportion of its own, not the carried measure
_EVENT_AFTER = re.compile(r"\s*%?\s*(?:\([^()]*\)\s*)?(?:(?:and|or|,)\s*[\d.]+\s*%?\s*(?:\([^()]*\)\s*)?)*"
                          r"of\s+(?:the\s+)?(?:patients|participants|subjects)\s+(?:tested|developed|discontinued|"
                          r"withdrew|stopped|died|experienced|reported|required|needed)\b", re.I)


def clause_outcomes(s: Sent, carry: Carry, taken: list[tuple[int, int]], falling: frozenset[str]) -> list[FoundOutcome]:
    measures = s.of("OUTCOME_MEASURE")
    if len(measures) > 1:  # 'An AN50 response, meaning a 50% fall in AN count, ...': skip the definition
        cut = _DEFINITION.search(s.doc_text, measures[0].end, s.end)
        if cut:
            measures = [m for m in measures if m.start < cut.start()] or measures
    found: list[FoundOutcome] = []
    text, lo, hi = s.doc_text, s.start, s.end

    first_fig = min([q.start for q in s.quant(QuantityKind.PERCENT)] + [m.start() for m in _PLAIN.finditer(text, lo, hi)
                                                              if free_span(s, m.start(), m.end(), [])] + [hi])
    measure_first = bool(measures) and measures[0].start < first_fig

    def emit(pos: int, value: float | None, unit: str | None, *, comparator: float | None = None,
             baseline: float | None = None, arm: Ent | None = None, comp: Ent | None = None,
             measure: Ent | None = None, end: int | None = None, improve: bool = False) -> None:
        if measure is None:
            measure = measure_for(measures, pos, end or pos, text, measure_first, (lo, hi))
            if measure is None and unknown_score_before(s, pos):
                return  # 'ACR20 response at week 24 was 74.6%': a score the vocabulary lacks, not the last one named
            if measure is None and carry.measure is not None and _EVENT_AFTER.match(text, end or pos, hi):
                return  # '38.3% of patients tested positive for antibodies': an event, not the measure before
            if carry.listed:  # 'HAQ, DAS28 and ESR were recorded. The total effective rate was 80%'
                measure = measure or last_before(generics, pos) or carry.measure
            else:
                measure = measure or carry.measure or last_before(generics, pos)
        if measure is None or value is None:
            return
        if improve and measure.id in falling:  # 'an improvement of 40%' in a score where lower is better
            value = -abs(value)
            comparator = -abs(comparator) if comparator is not None else None
        if baseline is None and carry.measure is not None and measure.id == carry.measure.id:
            baseline = carry.baseline
        ci = _after(s, "ci", pos)
        pq = _after_q(s, "p_value", pos)
        out = Outcome(
            measure=measure.canonical, value=value, unit=unit, comparator_value=comparator, baseline_value=baseline,
            timepoint=_timepoint(s, pos), p_value=pq.value if pq is not None else None,
            p_operator=pq.role if pq is not None else None,
            ci_low=ci[0] if isinstance(ci, tuple) else None, ci_high=ci[1] if isinstance(ci, tuple) else None,
        )
        found.append(FoundOutcome(out, pos, arm, comp))

    generics: list[Ent] = []
    if not measures:  # 'the total effective rate was 80%': a rate the sentence names, before any carried measure
        generics = generic_measures(text, lo, hi)
        if not generics and carry.measure is None:
            return found
    for m in _FROM_TO_LIST.finditer(text, lo, hi):
        bs, vs = list(_LIST_ITEM.finditer(m["b"])), list(_LIST_ITEM.finditer(m["v"]))
        named = [x for x in {e.id: e for e in measures if e.end <= m.start()}.values()]
        if len(bs) == len(vs) == len(named) >= 2:
            for e, bm, vm in zip(named, bs, vs, strict=True):
                unit = "%" if bm["u"] or vm["u"] else None
                emit(m.start("v") + vm.start(), parse_number(vm[0].rstrip("% ")), unit, baseline=parse_number(
                    bm[0].rstrip("% ")), measure=e)
            taken.append((m.start(), m.end()))
    for m in _FROM_TO.finditer(text, lo, hi):
        head = text[max(lo, m.start() - 40): m.start()]
        change = re.search(rf"\b(?:{_DOWN}|{_UP}|chang\w*|moved|went|shifted)\b", head, re.I)
        if not change and (_RANGE_BEFORE.search(head) or parse_number(m["b"]) == 0):
            taken.extend([(m.start("b"), m.end("b")), (m.start("v"), m.end("v"))])
            continue
        if free_span(s, m.start("b"), m.end("b"), taken) and free_span(s, m.start("v"), m.end("v"), taken):
            taken.extend([(m.start("b"), m.end("b")), (m.start("v"), m.end("v"))])
            emit(m.start("v"), _num(m, "v"), "%" if m["vu"] or m["bu"] else None, baseline=_num(m, "b"),
                 arm=arm_after(s, m.end()))
    for m in _HIGHER.finditer(text, lo, hi):
        if free_span(s, m.start("v"), m.end("v"), taken):
            taken.append((m.start("v"), m.end("v")))
            sign = -1.0 if m["dir"].lower() in ("lower", "less", "smaller") else 1.0
            mid_start, rest_start = m.start("mid"), m.start("rest")
            arm = next((e for e in s.drugs if mid_start <= e.start < rest_start), None)
            comp = next((e for e in s.comparators + s.drugs if e.start >= rest_start and e is not arm), None)
            value = _num(m, "v")
            emit(m.start("v"), sign * value if value is not None else None, "%" if m["vu"] else None,
                 arm=arm, comp=comp)
    if names_baseline(text, lo, hi) and not found:
        for v in _candidates(s, taken):
            carry.baseline = v.value
            taken.append((v.start, v.end))
            return found
    cands = _candidates(s, taken)
    for e, v in _respective(s, measures, cands, taken):
        taken.append((v.start, v.end))
        emit(v.start, _signed(v), v.unit, measure=e, end=v.end, improve=v.improve, arm=arm_after(s, v.end))
    cands = [v for v in cands if free_span(s, v.start, v.end, taken)]
    comps = [m for m in _COMPARATOR.finditer(text, lo, hi) if free_span(s, m.start("c"), m.end("c"), taken)]
    inside = {v.start for m in comps for v in cands if m.start("c") <= v.start < m.end("c")}
    events: list[tuple[int, re.Match[str] | _Val | int]] = [(m.start(), m) for m in comps]
    events += [(v.start, v) for v in cands if v.start not in inside]
    # 'compared with placebo (P<0.01)': a comparison with no figure closes the figures listed before it
    starts = [v.start for v in cands]
    events += [(m.start(), m.end()) for m in _BARE_COMPARISON.finditer(text, lo, hi)
               if not any(m.end() <= x <= m.end() + _BARE_GAP for x in starts)]
    events.sort(key=lambda ev: ev[0])
    pending: list[_Val] = []
    prev_end = lo

    def flush(comparator: float | None, comp: Ent | None = None) -> None:
        for v in pending:
            emit(v.start, _signed(v), v.unit, comparator=comparator, arm=arm_after(s, v.end), comp=comp, end=v.end,
                 improve=v.improve)
        pending.clear()

    for _, ev in events:
        if isinstance(ev, int):
            flush(None)
            continue
        if isinstance(ev, _Val):
            v = ev
            if not free_span(s, v.start, v.end, taken):
                continue
            taken.append((v.start, v.end))
            before = re.split(r",\s*and\b|;|\band\s+by\b", text[max(prev_end, v.start - 40): v.start])[-1]
            prev_end = v.end
            limit = min([x.start for x in cands if x.start > v.start] + [v.end + 30])
            comp_after = any(v.end < e.start <= limit and _FIGURE_OF.fullmatch(text, v.end, e.start)
                             for e in s.comparators) and not any(v.end < e.start <= limit for e in s.drugs)
            control_before = bool(_CONTROL_ARM.search(before)) and not any(
                v.start - len(before) <= e.start < v.start for e in s.drugs)
            if _COMPARATOR_FIGURE.match(text, v.end, hi) or control_before or comp_after:
                if pending:
                    # '13 points with X and 2.57 points with Y' after 'a reduction of': the same direction
                    same = v.sign == 0 and all(x.sign < 0 for x in pending)
                    flush(-abs(v.value) if same else _signed(v))
                else:
                    lone = next((f for f in reversed(found) if f.outcome.comparator_value is None), None)
                    if lone is not None:
                        lone.outcome = lone.outcome.model_copy(update={"comparator_value": _signed(v)})
                continue
            pending.append(v)
            continue
        m = ev
        if not pending:
            continue
        c = parse_number(m["c"])
        explicit = m["c"][0] in "-−+" or m["neg"] is not None
        if c is not None and m["neg"] is not None:
            c = -abs(c)
        if c is not None and not explicit and (m["dir"] and _DOWN_RX.match(m["dir"])
                                               or all(v.sign < 0 for v in pending)):
            c = -abs(c)
        turn = _SIGN_AFTER.match(text, m.end(), hi)  # 'against a 3.4% rise'
        if c is not None and not explicit and turn:
            c = -abs(c) if _DOWN_RX.match(turn["dir"]) else abs(c)
        taken.append((m.start("c"), m.end("c")))
        prev_end = m.end()
        flush(c, next((e for e in s.comparators + s.drugs if m.end("c") <= e.start <= m.end("c") + 60), None))
    if len(pending) == 2 and not found and _RESPECTIVELY.match(text, pending[1].end, hi) and not s.drugs \
            and not s.quant(QuantityKind.DOSE) and pending[0].unit == pending[1].unit:
        # 'occurred in 32.4% and 46.7% respectively' after 'X was compared with Y': treated arm first
        first, second = pending
        pending.clear()
        emit(first.start, _signed(first), first.unit, comparator=_signed(second))
    flush(None)
    return found
