"""Study drafts: the mutable record the assembler fills, and its finishing into a contract Study.

Also the per-sentence helpers the assembler relies on: sample sizes that present a population
("10 patients were treated"), sentences that present a study of their own ("A 1-year pilot
trial ..."), ordinal study references and group sizes. Design and level of evidence come from
:mod:`jakatlas.extract.design` (OCEBM 2011).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jakatlas.extract.assembly.outcomes import FoundAE, FoundOutcome
from jakatlas.extract.assembly.sentences import Ent, Sent
from jakatlas.extract.design import classify_design, study_level
from jakatlas.extract.negation import in_scopes
from jakatlas.extract.types import CueKind, QuantityKind
from jakatlas.extract.vocab import Vocabulary
from jakatlas.models.evidence import Comparator, DiseaseRef, Duration, Intervention, Span, Study

__all__ = [
    "DESIGN_KEYS",
    "Draft",
    "attach",
    "collapse",
    "dosing",
    "fill_doses",
    "finish",
    "group_size",
    "has_evidence",
    "intro_n",
    "introduces_study",
    "leading_ordinals",
    "nearest_drug",
    "sentence_n",
    "unique_diseases",
    "unique_drafts",
]

_ROUTE_BEFORE = re.compile(r"\b(?P<w>oral|topical|subcutaneous|intravenous|intralesional)\s+(?:[\w-]+\s+){0,3}$", re.I)
_ROUTE_AFTER = re.compile(
    r"\s*(?:[\d.,]+\s*(?:mg(?:/g)?|%|g)\s*)*(?P<w>cream|ointment|gel|foam|lotion|orally|tablets?|by mouth|topically|"
    r"subcutaneously|intravenously)\b",
    re.I,
)
_ROUTES = {"oral": "oral", "orally": "oral", "tablet": "oral", "tablets": "oral", "by mouth": "oral",
           "topical": "topical", "topically": "topical", "cream": "topical", "ointment": "topical", "gel": "topical",
           "foam": "topical", "lotion": "topical", "subcutaneous": "subcutaneous", "subcutaneously": "subcutaneous",
           "intravenous": "intravenous", "intravenously": "intravenous", "intralesional": "intralesional"}
_DOSE_WINDOW = 60


@dataclass
class Draft:
    """A study under construction."""

    drugs: list[str]
    disease: str
    variant: str | None
    section: int
    comparators: list[str] = field(default_factory=list)
    cues: set[str] = field(default_factory=set)
    phase: str | None = None
    n: int | None = None
    weak_n: int | None = None
    shared_n: int | None = None  # patients of several single-drug studies together (design only)
    duration: Duration | None = None
    timepoints: list[Duration] = field(default_factory=list)
    registry_ids: list[str] = field(default_factory=list)
    outcomes: list[FoundOutcome] = field(default_factory=list)
    aes: list[FoundAE] = field(default_factory=list)
    doses: dict[str, list[str]] = field(default_factory=dict)
    frequencies: dict[str, str] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)
    hedged: bool = False
    name: str | None = None
    group: int | None = None
    group_n: int | None = None
    addressed: bool = False

    def add_span(self, start: int, end: int) -> None:
        if (start, end) not in self.spans:
            self.spans.append((start, end))


def attach(d: Draft, s: Sent, *, registry: bool = True, counts: bool = True,
           placebo: frozenset[str] = frozenset()) -> None:
    """Add what sentence ``s`` says to study ``d`` (design and phase cues, ids, sample size, dosing)."""
    d.add_span(s.start, s.end)
    scopes = [(c.start, c.end) for c in s.cues if c.kind == CueKind.NEGATION]
    if not s.has(CueKind.SPECULATIVE):
        d.cues.update(c.value for c in s.cues if c.kind == CueKind.DESIGN and not in_scopes(c.start, c.end, scopes))
    for c in s.cues:
        if c.kind == CueKind.PHASE and d.phase is None:
            d.phase = c.value
    if registry:
        for e in s.of("REGISTRY_ID"):
            if e.id not in d.registry_ids:
                d.registry_ids.append(e.id)
    if not s.has(CueKind.SPECULATIVE):
        for e in s.comparators:
            if e.id not in d.comparators and e.id not in d.drugs:
                d.comparators.append(e.id)
    if counts and d.n is None:
        d.n = intro_n(s) or arm_total(s)
        if d.n is None and d.weak_n is None:
            d.weak_n = sentence_n(s)
    for q in s.quant(QuantityKind.DURATION):
        if q.value is None or q.unit is None:
            continue
        dur = Duration(value=q.value, unit=q.unit)  # type: ignore[arg-type]
        if q.role in ("for", "adj") and d.duration is None:
            d.duration = dur
        elif q.role == "at":
            d.timepoints.append(dur)
    dosing(d, s, placebo)
    if s.has(CueKind.HEDGE) and not d.spans[:-1]:
        d.hedged = True

def dose_owner(drugs: list[Ent], pos: int, window: int = _DOSE_WINDOW) -> Ent | None:
    """The drug a dose at ``pos`` belongs to: the closest drug named before it ('methotrexate
    10 mg weekly'), else the closest after it ('10 mg of methotrexate'), within ``window``."""
    inside = [e for e in drugs if e.start <= pos < e.end]  # 'ruxolitinib 1.5% cream' named as one product
    if inside:
        return inside[0]
    before = [e for e in drugs if e.end <= pos and pos - e.end <= window]
    if before:
        return max(before, key=lambda e: e.end)
    return nearest_drug([e for e in drugs if e.start >= pos], pos, window)


#: International nonproprietary name stems of agents (WHO INN stem book): '-mab' antibodies,
#: '-cept' receptor fusion proteins, '-tinib'/'-nib' kinase inhibitors, '-kinra', '-limus'
_INN_STEM = re.compile(r"\b[a-z]{3,}(?:mab|cept|nib|kinra|limus)\b", re.I)
UNKNOWN_AGENT = "UNKNOWN_AGENT"


def _unknown_agents(s: Sent) -> list[Ent]:
    """Drug names by their INN stem that the vocabulary does not know: a dose next to one is its dose."""
    known = s.of("DRUG")
    return [Ent(UNKNOWN_AGENT, m[0].lower(), m[0], m.start(), m.end(), m[0])
            for m in _INN_STEM.finditer(s.doc_text, s.start, s.end)
            if not any(e.start <= m.start() < e.end for e in known)]


def dosing(d: Draft, s: Sent, placebo: frozenset[str] = frozenset()) -> None:
    """Doses, frequencies and routes of the study's drug: those whose closest drug mention is one of
    the study's drugs (or, with no drug mention near, of its only drug)."""
    mentions = [e for e in s.drugs if e.id in d.drugs]
    every = sorted(s.of("DRUG") + _unknown_agents(s), key=lambda e: e.start)
    only = d.drugs[0] if len(d.drugs) == 1 else None
    if not mentions and only is None:
        return
    if not mentions and any(e.id not in d.drugs and e not in s.comparators for e in s.of("DRUG")):
        return  # 'little benefit from methotrexate 15 mg weekly': another drug's dosing
    for q in s.quants:
        if q.kind not in ("dose", "frequency"):
            continue
        owner = dose_owner(every, q.start)
        if owner is not None and owner.label == UNKNOWN_AGENT:
            continue  # 'certolizumab pegol 200 mg with methotrexate': a drug the vocabulary lacks
        if owner is not None and owner.id not in d.drugs and owner.id not in placebo and mentions:
            continue  # 'tofacitinib 5 mg or methotrexate 10 mg': the comparator's dose (a vehicle shares the regimen)
        drug = nearest_drug(mentions, q.start, _DOSE_WINDOW) if mentions else None
        # a dose in a sentence that names only an active comparator belongs to the comparator
        active = [e for e in s.comparators if e.id not in placebo]
        ident = drug.id if drug else (only if q.kind == QuantityKind.FREQUENCY or not active else None)
        if ident is None:
            continue
        if q.kind == QuantityKind.DOSE:
            doses = d.doses.setdefault(ident, [])
            if q.text not in doses:
                doses.append(q.text)
        else:
            d.frequencies.setdefault(ident, q.text)
    text = s.doc_text
    for e in mentions:  # 'oral tofacitinib', 'ruxolitinib 1.5% cream', 'tofacitinib 5 mg by mouth'
        m = _ROUTE_BEFORE.search(text, max(s.start, e.start - 30), e.start) or _ROUTE_AFTER.match(text, e.end, s.end)
        if m:
            d.routes.setdefault(e.id, _ROUTES[m["w"].lower()])


def unique_drafts(ds: list[Draft]) -> list[Draft]:
    out: list[Draft] = []
    for d in ds:
        if all(d is not x for x in out):
            out.append(d)
    return out


def unique_diseases(diseases: list[Ent]) -> list[Ent]:
    seen: dict[tuple[str, str | None], Ent] = {}
    for e in diseases:
        seen.setdefault((e.id, e.variant), e)
    ids = {e.id for e in seen.values() if e.variant}
    return [e for e in seen.values() if e.variant or e.id not in ids]


def sentence_n(s: Sent) -> int | None:
    for q in s.quants:
        if q.kind == QuantityKind.N and q.value is not None:
            return int(q.value)
    return None


DESIGN_KEYS = {"rct", "open_label", "trial", "pilot", "cohort", "case_report", "case_series", "case_control",
                "systematic_review", "nonrandomized", "single_arm"}


def intro_n(s: Sent) -> int | None:
    """A sample size that presents a population ('10 patients were treated', 'in 66 patients with X');
    not the count of an event ('herpes zoster occurred in four patients')."""
    for q in s.quants:
        if q.kind == QuantityKind.N and q.role != "intro" and _EVENT_IN.search(s.doc_text, max(s.start, q.start - 40),
                                                                               q.start):
            continue
        if q.kind == QuantityKind.N and q.value is not None and (q.value == 1 or q.role == "intro"
                                                      or _INTRO_AFTER.match(s.doc_text, q.end, s.end)
                                                      or _INTRO_BEFORE.search(s.doc_text, max(s.start, q.start - 25),
                                                                              q.start)
                                                      or _INTRO_WITH.search(s.doc_text, max(s.start, q.start - 90),
                                                                            q.start)):
            return int(q.value)
    return None


_INTRO_AFTER = re.compile(
    r"\s*(?:\([^()]*\)\s*)?(?:with|who|were|was|had|received|receiving|treated|enrolled|included|"
    r"randomi[sz]ed|recruited|aged|from|suffering|diagnosed|undergoing|participated)\b",
    re.I,
)
_INTRO_BEFORE = re.compile(r"\b(?:in|of|among|enrol(?:l?ed|ling)|includ(?:ed|ing)|recruit(?:ed|ing)|"
                           r"randomi[sz](?:ed|ing)|total of|treated|(?:gave|given|giving|administered|prescribed|"
                           r"offered)\s+(?:[\w-]+\s+){1,4}?to)\s+$", re.I)


# 'herpes zoster occurred in four patients', 'was reported in 3 patients': how many had an event
_EVENT_IN = re.compile(r"\b(?:occurr\w*|reported|observed|seen|noted|developed|recorded|happened|arose)\s+"
                       r"(?:(?:only|just|each|also)\s+)?in\s+$", re.I)


# 'a dose-finding study of X, with 150 patients, ...': the study's population
_INTRO_WITH = re.compile(r"\b(?:trials?|stud(?:y|ies)|cohorts?|series|programmes?|programs?)\b[^.;()\[\]]{0,60},?\s+with\s+$",
                         re.I)


#: '(n = 34)' right after an arm's drug and dose: the most characters between the drug and the bracket
#: ('tofacitinib 10 mg twice daily ' is 30)
_ARM_LABEL_REACH = 32
_ARM_N = re.compile(r"\(\s*n\s*=", re.I)


def arm_total(s: Sent) -> int | None:
    """'tofacitinib (n=34) or placebo (n=35)': with two or more arm sizes, each given right after its
    drug (or comparator) and no total, the sample size is their sum."""
    arms = s.drugs + s.comparators
    sizes: list[int] = []
    for q in s.quants:
        if q.kind != QuantityKind.N or q.value is None:
            continue
        opening = s.doc_text.rfind("(", s.start, q.start + 1)
        if opening < 0 or not _ARM_N.match(s.doc_text, opening):
            continue
        if any(0 <= opening - e.end <= _ARM_LABEL_REACH and "(" not in s.doc_text[e.end: opening] for e in arms):
            sizes.append(int(q.value))
    return sum(sizes) if len(sizes) >= 2 else None


def introduces_study(s: Sent) -> bool:
    """'A 1-year pilot trial ...', 'In 66 patients ...': the sentence presents a study of its own."""
    low = s.text.lower()
    return intro_n(s) is not None or (s.has(CueKind.DESIGN) and low.startswith(("a ", "an ", "in a ", "in an ")))


def has_evidence(s: Sent) -> bool:
    return bool(sentence_n(s) is not None or s.has(CueKind.DESIGN) or s.of("OUTCOME_MEASURE") or s.of("REGISTRY_ID"))


def leading_ordinals(s: Sent, group_size: int = 2) -> list[int]:
    """Ordinal references that address the whole sentence (not '70% (study 1)'); 'the former'
    is the first study of the current group, 'the latter' its last."""
    out: list[int] = []
    for c in s.cues:
        if c.kind == CueKind.ANAPHOR:
            out.append(1 if c.value == "former" else max(group_size, 1))
            continue
        if c.kind != CueKind.ORDINAL:
            continue
        before = s.doc_text[max(s.start, c.start - 12): c.start]
        if before.rstrip().endswith("(") and "%" in before:
            continue
        if s.doc_text[max(s.start, c.start - 1): c.start] == "(":
            continue
        out.append(int(c.value))
    return out


def group_size(s: Sent) -> int:
    for c in s.cues:
        if c.kind in ("group", "group_ref"):
            return int(c.value) if c.value.isdigit() and int(c.value) > 0 else 1
    return 0


def nearest_drug(mentions: list[Ent], pos: int, window: int) -> Ent | None:
    best = min(mentions, key=lambda e: min(abs(e.start - pos), abs(e.end - pos)), default=None)
    if best is None or min(abs(best.start - pos), abs(best.end - pos)) > window:
        return None
    return best


_DOSE_LIST = re.compile(r"(?P<nums>\d+(?:[.·]\d+)?(?:\s?(?:,\s?(?:and|or)|,|and|or|/)\s?\d+(?:[.·]\d+)?)*)\s?"
                        r"(?P<unit>%|[^\s\d]\S*)")
_DOSE_NUM = re.compile(r"\d+(?:[.·]\d+)?")


def merge_doses(texts: list[str]) -> str | None:
    """The doses a study's text gives for one drug, each once with its unit, in order of mention
    ('25, 50 and 100 mg' and '50 mg' -> '25 mg, 50 mg, 100 mg'); a text of another form is kept as written."""
    out: list[str] = []
    for t in texts:
        m = _DOSE_LIST.fullmatch(t.strip())
        items = [f"{n}{m['unit']}" if m["unit"] == "%" else f"{n} {m['unit']}" for n in _DOSE_NUM.findall(m["nums"])] \
            if m else [t]
        out += [x for x in items if x not in out]
    return ", ".join(out) or None


def finish(d: Draft, i: int, vocab: Vocabulary) -> Study:
    names = vocab.drug_names
    interventions = [
        Intervention(name=names.get(x, x), dose=merge_doses(d.doses.get(x, [])),
                     frequency=d.frequencies.get(x), route=d.routes.get(x))
        for x in d.drugs
    ]
    comparators = [Comparator(name=names.get(x, x)) for x in d.comparators if x not in d.drugs]
    placebo = any(x in vocab.placebo_drugs for x in d.comparators)
    size = next((x for x in (d.n, d.weak_n, d.shared_n) if x is not None), None)
    design = classify_design(d.cues, size, controlled=bool(comparators), placebo=placebo)
    duration = d.duration or (max(d.timepoints, key=lambda t: t.days()) if d.timepoints else None)
    n = d.n if d.n is not None else d.weak_n
    if n is None and design == "case_report" and "case_report" in d.cues:
        n = 1  # 'a case report': one patient
    return Study(
        id=f"s{i}", interventions=interventions, comparators=comparators,
        diseases=[DiseaseRef(name=vocab.disease_names.get(d.disease, d.disease), variant=d.variant)],
        design=design, phase=d.phase, n=n, duration=duration, registry_ids=d.registry_ids,  # type: ignore[arg-type]
        outcomes=[o.outcome for o in d.outcomes], adverse_events=[a.ae for a in d.aes],
        evidence_level=study_level(design, d.cues, controlled=bool(comparators)), spans=[Span(start=a, end=b) for a, b in sorted(d.spans)],
        hedged=d.hedged,
    )


def collapse(drafts: list[Draft]) -> list[Draft]:
    """A group of studies never addressed one by one is reported as one study (pooled figures)."""
    out: list[Draft] = []
    heads: dict[int, Draft] = {}
    addressed = {d.group for d in drafts if d.group is not None and d.addressed}
    for d in drafts:
        if d.group is None or d.group in addressed:
            if d.n is None and d.group_n is not None and d.group not in addressed:
                d.n = d.group_n
            out.append(d)
            continue
        head = heads.get(d.group)
        if head is None:
            heads[d.group] = d
            if d.n is None:
                d.n = d.group_n
            out.append(d)
            continue
        head.registry_ids += [r for r in d.registry_ids if r not in head.registry_ids]
        head.outcomes += [o for o in d.outcomes if all(o.outcome != x.outcome for x in head.outcomes)]
        head.aes += [a for a in d.aes if all(a.ae != x.ae for x in head.aes)]
        head.cues |= d.cues
        for sp in d.spans:
            head.add_span(*sp)
        if head.name and d.name and d.name not in head.name:
            head.name = f"{head.name}/{d.name}"
    return out


def fill_doses(drafts: list[Draft], sentences: list[Sent], vocab: Vocabulary) -> None:
    """A study that gives no dose of its drug takes the one strength the report states for that
    drug outside any study's own sentences ('X ... comes as a 2% ointment'); with several stated,
    none. A dose reported for one study is never copied to another."""
    stated: dict[str, set[str]] = {}
    reported = {sp for d in drafts for sp in d.spans}
    for s in sentences:
        if s.reference or (s.start, s.end) in reported:
            continue  # a dose given in a study's own report belongs to that study only
        jak = [e for e in s.drugs if vocab.is_jak(e.id)]
        for q in s.quant(QuantityKind.DOSE):
            e = jak[0] if len({x.id for x in jak}) == 1 else nearest_drug(jak, q.start, 60)
            if e is not None:
                stated.setdefault(e.id, set()).add(q.text)
    for d in drafts:
        for x in d.drugs:
            doses = stated.get(x, set())
            if not d.doses.get(x) and len(doses) == 1:
                d.doses[x] = sorted(doses)
