"""Numbers in clinical text: sample sizes, percentages, doses, frequencies, durations, p-values, CIs.

Plain functions over compiled regular expressions (one pass each over the text, no per-token
Python loop). :func:`find_quantities` returns :class:`~jakatlas.extract.types.Quantity` objects
sorted by position; overlapping readings are resolved in favour of the more specific kind
(a CI bound or a dose is not also a bare percentage).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from jakatlas.extract._extensions import doc_text, may_hold_study
from jakatlas.extract.types import Quantity, QuantityKind

__all__ = [
    "WORD_NUMBERS",
    "QuantityFinder",
    "make_quantity_finder",
    "find_quantities",
    "normalise_frequency",
    "parse_number",
]

WORD_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}
_WORDNUM = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_INT = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_DEC = r"(?:\d+(?:[.·]\d+)?|[.·]\d+)"
_POP = (
    r"(?:patients?|participants?|subjects?|individuals?|adults?|adolescents?|children|infants?|"
    r"cases?|people|persons?|women|men|girls|boys|volunteers?|pts)"
)
# Words allowed between a count and the population noun ("35 HS patients", "12 adult patients").
_STOP = (
    r"(?:of|with|in|on|at|for|to|and|or|had|have|has|were|was|who|received|receiving|treated|"
    r"than|from|by|per|the|these|those|all|each|weeks?|months?|years?|days?|hours?|mg|times?|"
    r"dose|doses|groups?|arms?|trials?|studies|study)"
)
_GAP = rf"(?:(?!{_STOP}\b)[A-Za-z][A-Za-z-]*\s+){{0,3}}?"
# '281 adult patients': a population word used as a modifier of the noun that follows it
_POP_HEAD = rf"(?:\s+{_POP}\b)?"

_N_FIELD = re.compile(rf"(?<!\w)(?=[A-Za-z])(?:enrolled|enrollment|enrolment|sample size|participants|patients|subjects|"
                      rf"population)\s*:\s*(?P<num>{_INT})\b", re.I)
_N_PATTERNS: tuple[re.Pattern[str], ...] = (
    _N_FIELD,
    re.compile(rf"(?<!\w)(?=[nN])[nN]\s*=\s*(?P<num>{_INT})\b"),
    re.compile(rf"(?<!\w)(?=[A-Za-z])(?:a total of|total of|enrolled|enrolling|included|including|recruited|randomi[sz]ed)\s+"
               rf"(?P<num>{_INT}|{_WORDNUM})\s+{_GAP}{_POP}\b{_POP_HEAD}", re.I),
    re.compile(rf"(?<![\w.,%/-])(?=[\dA-Za-z])(?<!phase )(?<!week )(?P<num>{_INT}|{_WORDNUM})\s+"
               rf"(?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s+)?{_GAP}{_POP}\b{_POP_HEAD}", re.I),
)

_PCT = re.compile(r"(?:[-−]\d|\d)\d*(?:[.·]\d+)?\s?(?:%|per ?cent\b)")
_PCT_CMP = re.compile(r"(?:[≥≤<>]=?\s*|\b(?:at least|more than|less than|greater than|over|up to|above|below)\s+"
                      r"(?:an?\s+)?)$", re.I)
_SINGLE = re.compile(r"(?<!\w)(?=[A-Za-z])(?:patient|woman|man|boy|girl|child|infant|case)(?![-\w])(?!\s+(?:series|reports?|stud))", re.I)
_SINGLE_BEFORE = re.compile(r"\b(?P<num>a|an|one|single)\s+(?:single\s+)?(?:\d{1,3}-(?:year|month)-old\s+)?"
                            r"(?:(?!case\b)[a-z]+\s+)?$", re.I)
_DOSE = re.compile(
    r"(?=\d)(?<![\w.])(?P<num>\d+(?:[.·]\d+)?)(?:\s?(?:,\s?(?:and|or)|and|or|/|,)\s?\d+(?:[.·]\d+)?)*\s?"
    r"(?P<unit>mg/kg(?:/d(?:ay)?)?|mg/m2|mg/d(?:ay)?\b|mg/g\b|mg\b|mcg\b|µg\b|μg\b|g/day\b|g\b|IU\b|units?\b)"
    r"(?!\s*/\s*(?:[dD]?[lL]|[mM][lL])\b)",  # '0.07 mg/dL', '5 µg/mL': a concentration, not a dose
)
_CRITERIA_NAME = re.compile(r"(?:\s*/\s*\d+\s*%)*\s*(?:improvement|response)\s+criteri(?:a|on)\b", re.I)
_CI_LEVEL = re.compile(r"\s*(?:CIs?|CrIs?|confidence intervals?|credible intervals?)\b", re.I)
_PCT_DOSE = re.compile(
    r"(?=\d)(?<![\w.])(?P<num>\d+(?:[.·]\d+)?)\s?(?P<pct>%)\s+(?=(?:\w+\s+)?(?:cream|ointment|gel|lotion|solution|foam|"
    r"topical|emulsion)\b)",
    re.I,
)
_PCT_DOSE_AFTER = re.compile(r"(?<!\w)(?=[A-Za-z])(?:cream|ointment|gel|lotion|solution|foam)\s+(?P<num>\d+(?:[.·]\d+)?)\s?(?P<pct>%)",
                             re.I)
_FREQUENCIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:once[- ](?:a[- ])?dai?ly|once (?:a|per) day|one time daily|q\.d\.|qd\b|QD\b|OD\b|"
                r"every day)", re.I), "once daily"),
    (re.compile(r"(?:(?<=mg )|(?<=mg/day )|(?<=% ))daily\b|\b(?:a|per|total|the|at a)\s+daily\s+dose\b|"
                r"\bdaily\s+doses?\s+of\b", re.I), "once daily"),
    (re.compile(r"\b(?:twice[- ](?:a[- ])?daily|twice (?:a|per) day|two times (?:a|per) day|two times daily|"
                r"b\.i\.d\.?|bid\b|BID\b|every 12 hours)", re.I), "twice daily"),
    (re.compile(r"\b(?:three times (?:a |per )?day|three times daily|thrice daily|t\.i\.d\.?|tid\b)", re.I),
     "three times daily"),
    (re.compile(r"\b(?:every other day|alternate days?)\b", re.I), "every other day"),
    (re.compile(r"\b(?:every (?P<w>\d+|two|three|four|six|eight) weeks|q(?P<q>\d)w\b)", re.I), "every {} weeks"),
    (re.compile(r"\b(?:biweekly|fortnightly)\b", re.I), "every 2 weeks"),
    (re.compile(r"\b(?:once[- ]weekly|once (?:a|per) week|weekly|every week|qw\b)|(?<=mg/)(?:week|wk)\b", re.I),
     "weekly"),
    (re.compile(r"\b(?:once[- ]monthly|monthly|every month|once (?:a|per) month)\b", re.I), "monthly"),
)
_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week", "wks": "week",
          "month": "month", "months": "month", "mo": "month", "year": "year", "years": "year", "yr": "year",
          "yrs": "year"}
_DUR = re.compile(
    rf"(?<![\w.])(?=[\dA-Za-z])(?:\d+(?:[.·]\d+)?|{_WORDNUM})\s*(?:[- ]|‐)?\s*(?:days?|weeks?|wks?|months?|mo|years?|yrs?)\b", re.I
)
_DUR_PARTS = re.compile(
    rf"(?P<num>\d+(?:[.·]\d+)?|{_WORDNUM})\s*(?P<hy>[- ]|‐)?\s*(?P<unit>days?|weeks?|wks?|months?|mo|years?|yrs?)",
    re.I,
)
_DUR_TAIL = re.compile(r"[- ](?:old|of age)\b|-long\b", re.I)
_DUR_PREP = re.compile(
    r"\b(?P<prep>for|after|over|during|at|through|up to|within|by|until|of|(?:treatment |study )?"
    r"(?:duration|period|length)\s*:)\s*(?:(?:a|an|the|up to|approximately|about|around|at least|more than|least|"
    r"first|additional|further)\s+)*$",
    re.I,
)
_WEEK_N = re.compile(r"(?<!\w)(?=[A-Za-z])(?P<unit>week|month|day)\s+(?P<num>\d+)\b", re.I)
_WEEK_PREP = re.compile(r"\b(?:at|by|through|until|to|after)\s*$", re.I)
_AGE_BEFORE = re.compile(
    r"\b(?:aged?|ages|older than|younger than|history|duration|onset|since)\b(?:\s+(?:of|at|was|were|is|"
    r"over|under|between|mean|median|about|approximately))*\s*$",
    re.I,
)
_P = re.compile(r"(?<!\w)(?=[pP])[pP]\s*(?P<op>[<>≤≥=]|&lt;|&gt;)\s*(?P<num>0?[.·]\d+(?:\s*[x×]\s*10\s*[-−]\s*\d+)?|1[.·]0+|\d(?:[.·]\d+)?[eE][-−]\d+)")
#: 'Nine women and one man', 'six adults, two adolescents and one child': groups listed together
_N_EQUALS = re.compile(r"\s*n\s*=", re.I)
_GROUP_JOIN = re.compile(r"\s*(?:,|,?\s+and)\s+", re.I)
_DAILY_AFTER_DRUG = re.compile(r"\d\s?(?:mg|mcg|µg|g)\b(?:/kg)?\s+of\s+[A-Za-z][\w-]*\s+(?P<f>daily)\b", re.I)
_P_OPERATORS = {"≤": "<=", "≥": ">="}
_CI = re.compile(
    r"(?P<lvl>\d{2})\s?%\s*(?:CI|confidence interval|CrI)[\s,:=]*(?P<lo>[-−]?\d+(?:[.·]\d+)?)\s*%?\s*"
    r"(?:-|–|—|to|,)\s*(?P<hi>[-−]?\d+(?:[.·]\d+)?)",
    re.I,
)


def parse_number(text: str) -> float | None:
    """A float from digits ('1,200', '0·5', '−3') or an English number word ('two'); else None."""
    t = text.strip().lower().replace(",", "").replace("·", ".").replace("−", "-").replace("–", "-")
    if t in WORD_NUMBERS:
        return float(WORD_NUMBERS[t])
    tens, _, unit = t.partition("-")
    if unit and tens in WORD_NUMBERS and unit in WORD_NUMBERS:
        return float(WORD_NUMBERS[tens] + WORD_NUMBERS[unit])
    try:
        return float(t)
    except ValueError:
        return None


_FREQUENCY_ANY = re.compile(
    r"(?<!\w)(?=[A-Za-z])(?:" + "|".join(f"(?P<f{i}>{p.pattern})" for i, (p, _) in enumerate(_FREQUENCIES)) + ")", re.I
)


def _frequency_match(m: re.Match[str]) -> str:
    i = int((m.lastgroup or "f0")[1:])
    canon = _FREQUENCIES[i][1]
    if "{}" not in canon:
        return canon
    num = re.search(r"\d+|two|three|four|six|eight", m[0], re.I)
    value = parse_number(num[0]) if num else None
    return canon.format(int(value) if value is not None else 2)


def normalise_frequency(text: str) -> str | None:
    """Canonical frequency for a written one ('BID' -> 'twice daily'); None if not a frequency."""
    for pattern, canon in _FREQUENCIES:
        m = pattern.search(text)
        if m:
            return _frequency_text(m, canon)
    return None


def _frequency_text(m: re.Match[str], canon: str) -> str:
    if "{}" not in canon:
        return canon
    raw = m.groupdict().get("w") or m.groupdict().get("q") or "2"
    num = parse_number(raw)
    return canon.format(int(num) if num is not None else raw)


def _overlaps(a: Quantity, taken: list[tuple[int, int]]) -> bool:
    return any(a.start < e and s < a.end for s, e in taken)


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """All quantities in ``text[start:end]`` with document offsets, sorted by position."""
    end = len(text) if end is None else end
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity, *, block: bool = True) -> None:
        out.append(q)
        if block:
            taken.append((q.start, q.end))

    for m in _CI.finditer(text, start, end):
        lo, hi = parse_number(m["lo"]), parse_number(m["hi"])
        if lo is not None and hi is not None:
            add(Quantity(QuantityKind.CI, m.start(), m.end(), None, None, m[0], extra={"low": lo, "high": hi}))
    for m in _P.finditer(text, start, end):
        num = m["num"].replace("·", ".").replace("−", "-")
        mant = re.match(r"([\d.]+)\s*[x×]\s*10\s*-\s*(\d+)", num)
        val = float(mant[1]) * 10 ** -int(mant[2]) if mant else parse_number(num)
        op = {"&lt;": "<", "&gt;": ">"}.get(m["op"], m["op"])
        add(Quantity(QuantityKind.P_VALUE, m.start(), m.end(), val, None, f"p {op} {m['num']}", role=_P_OPERATORS.get(op, op)))
    for pattern in (_PCT_DOSE, _PCT_DOSE_AFTER):
        for m in pattern.finditer(text, start, end):
            q = Quantity(QuantityKind.DOSE, m.start("num"), m.end("pct"), parse_number(m["num"]), "%", f"{m['num']}%")
            if not _overlaps(q, taken):
                add(q)
    for m in _DOSE.finditer(text, start, end):
        unit = m["unit"]
        q = Quantity(QuantityKind.DOSE, m.start(), m.end(), parse_number(m["num"]), unit, re.sub(r"\s+", " ", m[0]))
        if not _overlaps(q, taken) and not (unit in ("g", "units", "unit") and not _dose_context(text, m.end())):
            add(q)
    for m in _FREQUENCY_ANY.finditer(text, start, end):
        q = Quantity(QuantityKind.FREQUENCY, m.start(), m.end(), None, None, _frequency_match(m))
        if not _overlaps(q, taken):
            add(q)
    for m in _DAILY_AFTER_DRUG.finditer(text, start, end):  # '4 mg of baricitinib daily'
        q = Quantity(QuantityKind.FREQUENCY, m.start("f"), m.end("f"), None, None, "once daily")
        if not _overlaps(q, taken):
            add(q)
    for m in _WEEK_N.finditer(text, start, end):
        num = parse_number(m["num"])
        at = _WEEK_PREP.search(text, max(start, m.start() - 10), m.start())
        q = Quantity(QuantityKind.DURATION, at.start() if at else m.start(), m.end(), num,
                     _UNITS[m["unit"].lower()], text[at.start() if at else m.start(): m.end()], role="at")
        if not _overlaps(q, taken):
            add(q)
    for found in _DUR.finditer(text, start, end):
        parts = _DUR_PARTS.match(text, found.start(), found.end())
        if parts is None:
            continue
        if _DUR_TAIL.match(text, parts.end(), end) or _AGE_BEFORE.search(text, max(0, parts.start() - 30),
                                                                          parts.start()):
            continue  # an age, not a duration
        num = parse_number(parts["num"])
        prep_m = _DUR_PREP.search(text, max(start, parts.start() - 45), parts.start())
        prep = (prep_m["prep"] if prep_m else "").lower()
        following = text[parts.end(): parts.end() + 30].lower()
        if prep in ("for", "over", "during", "of", "up to", "within") or prep.endswith(":") or \
                re.match(r"\s+of\s+(?:\w+\s+)?(?:treatment|therapy)\b", following):
            role: str | None = "for"
        elif prep in ("after", "at", "by", "through", "until"):
            role = "at"
        elif parts["hy"] and parts["hy"] != " " and re.match(r"[\s,]*(?:[\w-]+[\s,]+){0,3}?(?:trial|study|treatment|course|"
                                                        r"period|extension|follow|therapy)", following):
            role = "adj"
        else:
            role = None
        q_start = prep_m.start() if prep_m and role in ("for", "at") else parts.start()
        q = Quantity(QuantityKind.DURATION, q_start, parts.end(), num, _UNITS[parts["unit"].lower()],
                     text[q_start: parts.end()].strip(), role=role)
        if num is not None and not _overlaps(q, taken):
            add(q)
    for m in _PCT.finditer(text, start, end):
        a = m.start()
        raw = re.sub(r"\s?(?:%|per ?cent)$", "", m[0])
        if raw[0] in "-−" and a > 0 and text[a - 1].isdigit():
            raw, a = raw[1:], a + 1  # '10-20%': a range, not a negative number
        elif a > 0 and text[a - 1] in "0123456789.·":
            continue
        q = Quantity(QuantityKind.PERCENT, a, m.end(), parse_number(raw), "%", text[a: m.end()].strip())
        if _overlaps(q, taken):
            continue
        cmp = _PCT_CMP.search(text, max(start, a - 16), a)
        if cmp:
            q.text = text[cmp.start(): m.end()]
        if _CI_LEVEL.match(text, m.end(), end):
            q.role = "ci_level"  # 'overlapping 95% CIs': the level of an interval, not a result
        elif _CRITERIA_NAME.match(text, m.end(), end):
            q.role = "name"  # 'the ACR 20%/50%/70% improvement criteria': part of a name
        elif cmp or re.match(r"\s*(?:or (?:more|greater|higher)|reduction|improvement|decrease)\b",
                                text[m.end(): m.end() + 20], re.I) and _threshold_context(text, m.start()) \
                and not re.search(r"[.·]\d", raw):  # 'a 37.4% fall' is a result, thresholds are round
            q.role = "threshold"
        add(q)
    for m in _SINGLE.finditer(text, start, end):
        before = _SINGLE_BEFORE.search(text, max(start, m.start() - 40), m.start())
        if before:
            q = Quantity(QuantityKind.N, before.start("num"), m.end(), 1.0, None, text[before.start("num"): m.end()])
            if not _overlaps(q, taken):
                add(q)
    for pat in _N_PATTERNS:
        for m in pat.finditer(text, start, end):
            val = parse_number(m["num"])
            q = Quantity(QuantityKind.N, m.start("num"), m.end(), val, None, m[0], role="intro" if pat is _N_FIELD else None)
            if val is None or val < 1 or _overlaps(q, taken):
                continue
            add(q)
    out.sort(key=lambda q: (q.start, q.end))
    return _sum_groups(text, out)


def _sum_groups(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """'Nine women and one man': counts of groups listed together are one sample size (their sum)."""
    out: list[Quantity] = []
    for q in quantities:
        prev = out[-1] if out else None
        if (q.kind == QuantityKind.N and prev is not None and prev.kind == "n" and q.value is not None
                and prev.value is not None and q.role is None and prev.role is None
                and not _N_EQUALS.match(q.text) and not _N_EQUALS.match(prev.text)
                and _GROUP_JOIN.fullmatch(text, prev.end, q.start)):
            out[-1] = Quantity(QuantityKind.N, prev.start, q.end, prev.value + q.value, None, text[prev.start: q.end])
            continue
        out.append(q)
    return out


def _dose_context(text: str, pos: int) -> bool:
    return bool(re.match(r"\s*(?:/|per|daily|once|twice|weekly|every|of\s+\w+tinib)", text[pos: pos + 20], re.I))


def _threshold_context(text: str, pos: int) -> bool:
    """'a 50% reduction in ...' as part of a responder definition (preceded by a/an/least)."""
    return bool(re.search(r"(?:\b(?:a|an|least|≥)\s*)$", text[max(0, pos - 8): pos], re.I))


class QuantityFinder:
    """Sets ``doc._.quantities`` for the document body (empty when no study is possible)."""

    def __call__(self, doc: Doc) -> Doc:
        if not may_hold_study(doc):
            doc._.quantities = []
            return doc
        start, end = doc._.main_span or (0, len(doc_text(doc)))
        found = find_quantities(doc_text(doc), start, end)
        longs = [(a.long_start, a.long_end) for a in doc._.abbreviations or []]
        for q in found:  # '... 20% improvement criteria (ACR20)': part of a name, not a result
            if q.kind == QuantityKind.PERCENT and q.role is None and any(a <= q.start and q.end <= b for a, b in longs):
                q.role = "name"
        doc._.quantities = found
        return doc


@Language.factory("jakatlas_quantities", assigns=["doc._.quantities"])
def make_quantity_finder(nlp: Language, name: str) -> QuantityFinder:
    """Factory: sample sizes, percentages, doses, frequencies, durations, p-values and CIs."""
    return QuantityFinder()
