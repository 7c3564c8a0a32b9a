"""Per-sentence view of an annotated ``Doc``: entities, quantities and cues bucketed by sentence,
with the paragraph/section structure and the role of every drug mention.

Drug roles: the study drug (a named JAK inhibitor; the unnamed class only when no agent is
named), comparators (placebo, vehicle, or another drug in a comparison: "versus", "compared
with", "than"), and background mentions (an approved standard, a failed prior treatment, a
co-medication) that create no study. A disease named as the indication of a drug after another
disease was reported on ("nail lichen planus in a patient treated with X for alopecia") is the
patient's background, not the study's disease.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from jakatlas.extract._extensions import doc_text
from jakatlas.extract.types import Cue, CueKind, Quantity, QuantityKind
from jakatlas.extract.vocab import CLASS_ID, Vocabulary

__all__ = ["Ent", "Sent", "build_sentences"]

_INDICATION_GAP = re.compile(
    r"^\s*(?:[\d.]+\s*mg\s*)?(?:\w+\s+)?(?:for|to treat|because of|due to)\s+"
    r"(?:(?:her|his|their|the|a|an|concomitant|coexisting|comorbid|severe|refractory|recalcitrant|"
    r"concurrent)\s+)*$",
    re.I,
)
_ARM_AFTER = re.compile(r"[\s-]*(?:group|arm|cohort|treated)\b", re.I)
_CONTROL_BEFORE = re.compile(r"\b(?:comparator|control)\s+(?:arm|group)\s+(?:\w+\s+){0,2}$|\b(?:versus|vs\.?|"
                             r"compared (?:with|to)|against|than)\s+(?:\w+\s+){0,3}$", re.I)
_LABEL = re.compile(r"\s*([^:\n]{1,60}):")
_CONTROL_LABEL = re.compile(r"\b(?:comparator|control|placebo|vehicle|reference)\b")
_OTHER_STUDY_GAP = re.compile(r"\b(?:to|and|while|whereas|but|or)\s+(?:an?|one|another)\s+(?:[\w-]+\s+){0,3}?"
                              r"(?:study|trial|cohort|series|analysis|registry|report)\b", re.I)
_TREATED_BEFORE = re.compile(r"\b(?:treated|treatment|therapy|receiving|received|taking|took|takes|given|using|used|"
                             r"on|started)\s+(?:with\s+)?$", re.I)


@dataclass(slots=True)
class Ent:
    """An entity mention as plain data."""

    label: str
    id: str
    canonical: str
    start: int
    end: int
    text: str
    variant: str | None = None
    negated: bool = False
    hedged: bool = False


@dataclass
class Sent:
    """One sentence with everything the assembler needs."""

    start: int
    end: int
    text: str
    doc_text: str
    para: int
    section: int
    heading: bool = False
    reference: bool = False
    lead: bool = False
    label: str | None = None
    ents: list[Ent] = field(default_factory=list)
    quants: list[Quantity] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    drugs: list[Ent] = field(default_factory=list)
    comparators: list[Ent] = field(default_factory=list)
    diseases: list[Ent] = field(default_factory=list)

    def has(self, kind: CueKind, value: str | None = None) -> bool:
        return any(c.kind == kind and (value is None or c.value == value) for c in self.cues)

    def cue_values(self, kind: CueKind) -> list[str]:
        return [c.value for c in self.cues if c.kind == kind]

    def quant(self, kind: QuantityKind) -> list[Quantity]:
        return [q for q in self.quants if q.kind == kind]

    def of(self, label: str) -> list[Ent]:
        return [e for e in self.ents if e.label == label]


def _bucket(items: list, starts: list[int], key: str = "start") -> list[list]:
    out: list[list] = [[] for _ in starts]
    for it in items:
        i = bisect_left(starts, getattr(it, key) + 1) - 1
        if i >= 0:
            out[i].append(it)
    return out


def _assign_roles(s: Sent, vocab: Vocabulary) -> None:
    """Split the sentence's drug mentions into study drugs and comparators (see module doc)."""
    drugs = [e for e in s.ents if e.label == "DRUG"]
    jak = [e for e in drugs if vocab.is_jak(e.id)]
    klass = [e for e in drugs if e.id == CLASS_ID]  # "JAK inhibition (with X or Y)": X and Y stand for it
    compare = s.has(CueKind.COMPARE)
    text = s.text
    control_line = bool(s.label and _CONTROL_LABEL.search(s.label))
    for e in drugs:
        if e.id in vocab.placebo_drugs or (control_line and e.start - s.start > len(s.label or "")):
            s.comparators.append(e)
        elif vocab.is_jak(e.id):
            s.drugs.append(e)
        elif e.id == CLASS_ID:
            if not jak:
                s.drugs.append(e)
        elif jak or klass:
            arm = _ARM_AFTER.match(text, e.end - s.start) or _alternative_arm(text, s.start, e) \
                or _alternative_to(text, s.start, e, jak) or _FIGURE_ARM_BEFORE.search(
                    text, max(0, e.start - s.start - _FIGURE_ARM_REACH), e.start - s.start)
            if (compare or arm) and not _background_before(text, s.start, e):
                s.comparators.append(e)
        elif _ARM_AFTER.match(text, e.end - s.start) or _CONTROL_BEFORE.search(
                text, max(0, e.start - s.start - 40), e.start - s.start):
            s.comparators.append(e)  # 'the methotrexate group', 'the comparator arm received X'
        elif not _background_before(text, s.start, e) and not _background_after(text, s.start, e):
            s.drugs.append(e)
    _short_forms_follow(s, drugs)
    _add_on(s)


def _short_forms_follow(s: Sent, drugs: list[Ent]) -> None:
    """'methotrexate (MTX)': a short form bracketed right after its long form has the long form's role."""
    for long, short in zip(drugs, drugs[1:], strict=False):
        if long.id != short.id or s.doc_text[long.end: short.start].strip() != "(":
            continue
        for role in (s.drugs, s.comparators):
            if short in role and long not in role:
                role.remove(short)
        if long in s.comparators and short not in s.comparators:
            s.comparators.append(short)
        elif long in s.drugs and short not in s.drugs:
            s.drugs.append(short)
    s.drugs.sort(key=lambda e: e.start)
    s.comparators.sort(key=lambda e: e.start)


def _add_on(s: Sent) -> None:
    """'the treatment group received X and methotrexate, the control group methotrexate alone': the
    drug both arms receive is the control arm's (a comparator), not a study drug of its own."""
    for e in [x for x in s.drugs + s.comparators if _ALONE_AFTER.match(s.doc_text, x.end)]:
        if any(o.id == e.id and o is not e for o in s.drugs):
            s.drugs = [o for o in s.drugs if o.id != e.id]
            if e not in s.comparators:
                s.comparators.append(e)


# '(15 mg/week) alone', 'monotherapy': the drug given on its own in one arm
_ALONE_AFTER = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?(?:alone|monotherapy)\b", re.I)


_OR_BEFORE = re.compile(r"\bor\s+(?:to\s+)?(?:an?\s+|the\s+)?$", re.I)
_ARM_SIZE_AFTER = re.compile(r"\s*\(\s*n\s*=", re.I)


#: characters before a drug searched for the figure it reports ('- 1.4 with methotrexate')
_FIGURE_ARM_REACH = 24
_FIGURE_ARM_BEFORE = re.compile(r"\d\s*%?\s+(?:points?\s+)?(?:with|on|for)\s+(?:the\s+)?$", re.I)
# 'received tofacitinib or methotrexate', 'tofacitinib 5 mg twice daily or methotrexate': the other arm
_OR_AFTER_JAK = re.compile(r"\s*(?:[\d.,]+\s*(?:mg|%)(?:/\w+)?(?:\s+(?:once|twice|daily|weekly|\w+ly))*\s*)?,?\s+or\s+"
                           r"(?:an?\s+|the\s+)?", re.I)


def _alternative_to(text: str, offset: int, e: Ent, jak: list[Ent]) -> bool:
    """'received tofacitinib or methotrexate': the drug offered instead of the JAK inhibitor."""
    prev = [j for j in jak if j.end <= e.start]
    return bool(prev) and bool(_OR_AFTER_JAK.fullmatch(text, prev[-1].end - offset, e.start - offset))


def _alternative_arm(text: str, offset: int, e: Ent) -> bool:
    """'received either drug X (n=120) or methotrexate (n=118)': the other arm."""
    before = text[max(0, e.start - offset - 12): e.start - offset]
    if not _OR_BEFORE.search(before):
        return False
    return bool(_ARM_SIZE_AFTER.match(text, e.end - offset) or re.search(r"\beither\b", text[: e.start - offset], re.I))


def _background_before(text: str, offset: int, e: Ent) -> bool:
    before = text[max(0, e.start - offset - 45): e.start - offset].lower()
    return bool(re.search(
        r"(?:only approved|approved|standard|first-line|previous(?:ly)?|prior|failed|failure of|"
        r"(?:not|never|poorly) respond(?:ed|ing)? to|unresponsive to|after|(?:partial|incomplete|lost) respon\w* to|"
        r"inadequate(?:ly)? respon\w* to|refractory to|resistant to|despite|intoleran\w* (?:to|of)|"
        r"after stopping|discontinued|switched from|in addition to|concomitant|background|plus|combined with|"
        r"combination with|unlike)\s+(?:[\w-]+,?\s+(?:and\s+|or\s+)?){0,4}$|\bcombined\s+$",
        before,
    ))


def _background_after(text: str, offset: int, e: Ent) -> bool:
    after = text[e.end - offset: e.end - offset + 60].lower()
    return bool(re.match(r"\s+(?:is|are|was|has been|remains)\s+(?:the\s+)?(?:only\s+)?(?:approved|licensed|"
                         r"standard|first-line|recommended|the only)", after) or _HISTORY_AFTER.match(after))


# 'methotrexate-resistant', 'MTX-naive', 'MTX-refractory patients': the patients' treatment history
_HISTORY_AFTER = re.compile(r"(?:\s*\([^()]{1,20}\))?[-‐‑]\s?(?:resistant|refractory|naive|naïve|experienced|intolerant|inadequate|"
                            r"unresponsive|failure|failed|ir)\b")


def _assign_diseases(s: Sent) -> None:
    diseases = [e for e in s.ents if e.label == "DISEASE"]
    if len({d.id for d in diseases}) < 2:
        s.diseases = diseases
        return
    keep: list[Ent] = []
    drugs = [e for e in s.ents if e.label == "DRUG"]
    for d in diseases:
        prev = [g for g in drugs if g.end <= d.start]
        if prev and any(o.end <= prev[-1].start and o.id != d.id for o in diseases):
            gap = s.text[prev[-1].end - s.start: d.start - s.start]
            lead = s.text[max(0, prev[-1].start - s.start - 30): prev[-1].start - s.start]
            if _INDICATION_GAP.match(gap) and _TREATED_BEFORE.search(lead):
                continue
        between = [o for o in diseases if prev and prev[-1].end <= o.start and o.end <= d.start and o.id != d.id]
        if between:  # '... of drug X in disease A to a large cohort in disease B': B is another study's
            gap = s.text[between[-1].end - s.start: d.start - s.start]
            if _OTHER_STUDY_GAP.search(gap) and not any(between[-1].end <= g.start < d.start for g in drugs):
                continue
        keep.append(d)
    s.diseases = keep


def _display(label: str, text: str, canonical: str | None) -> str:
    """Canonical name; for a measure written as a more specific form of its abbreviation
    ('AN50', 'HiSCR75' for 'AN', 'HiSCR') the written form, which says more."""
    canon = canonical or text.lower()
    head = canon.split(" ", 1)[0]
    if label == "OUTCOME_MEASURE" and " " not in text and len(text) > len(head) and text.lower().startswith(
            head.lower()):
        return text
    return canon


# a scale that names no symptom of its own ('VAS', 'NRS') and the symptom written before it ('pruritus VAS')
_BARE_SCALE = frozenset({"vas", "nrs", "vrs"})
_RATED_BEFORE = re.compile(r"\b(pruritus|itch|itching|pain|fatigue|sleep|stiffness)\s+$", re.I)


def _rated(e: Ent, text: str) -> Ent:
    """'pruritus VAS': a bare scale named with the symptom it rates keeps that word (and is a measure
    of its own, apart from 'pain VAS')."""
    if e.label != "OUTCOME_MEASURE" or e.canonical.lower() not in _BARE_SCALE:
        return e
    m = _RATED_BEFORE.search(text, max(0, e.start - 20), e.start)
    if not m:
        return e
    word = m[1].lower()
    return replace(e, id=f"{e.id}:{word}", canonical=f"{word} {e.canonical}")


def build_sentences(doc: Doc, vocab: Vocabulary) -> list[Sent]:
    """Sentences of the document body with their entities, quantities, cues and drug roles."""
    text = doc_text(doc)
    ranges = doc._.sentences or []
    if not ranges:
        return []
    blocks = doc._.blocks or []
    para, section = -1, 0
    info: dict[int, tuple[int, int, bool, bool, bool]] = {}
    first_heading_after_text = False
    prev_field = False
    for b in blocks:
        if b.heading:
            section += 1
            if para >= 0:
                first_heading_after_text = True
        elif not b.reference and not (b.field and prev_field):
            para += 1
        prev_field = b.field
        info[b.start] = (max(para, 0), section, b.heading, b.reference, b.field)
    starts_b = sorted(info)
    sents: list[Sent] = []
    seen_heading = False
    for s, e in ranges:
        i = bisect_left(starts_b, s + 1) - 1
        p, sec, heading, ref, fld = info[starts_b[i]] if i >= 0 else (0, 0, False, False, False)
        is_heading = heading and starts_b[i] == s
        seen_heading = seen_heading or is_heading
        lead = first_heading_after_text and not seen_heading
        label = None
        if fld and starts_b[i] == s:
            m = _LABEL.match(text, s, e)
            label = m.group(1).lower() if m else None
        sents.append(Sent(s, e, text[s:e], text, p, sec, is_heading, ref, lead, label))
    starts = [x.start for x in sents]
    ents = [_rated(Ent(x.label_, x.kb_id_, _display(x.label_, x.text, x._.canonical), x.start_char, x.end_char,
                       x.text, x._.variant, bool(x._.negated), bool(x._.hedged)), text) for x in doc.ents]
    for sent, es, qs, cs in zip(sents, _bucket(ents, starts), _bucket(doc._.quantities or [], starts),
                                _bucket(doc._.cues or [], starts), strict=True):
        sent.ents = [x for x in es if x.end <= sent.end]
        sent.quants = [q for q in qs if q.end <= sent.end]
        sent.cues = [c for c in cs if c.end <= sent.end]
        _assign_roles(sent, vocab)
        _assign_diseases(sent)
    return sents
