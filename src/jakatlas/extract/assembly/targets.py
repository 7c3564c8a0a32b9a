"""Targeting: which studies each sentence of a report is about.

:func:`find_targets` tries one function per case, in order (:data:`TARGETING`): a group of studies
introduced together, the whole group ('both trials'), a member addressed by its design ('the
randomised study'), named trials, a member addressed by position ('the second study'), a drug
and a disease, a disease alone, and finally the current studies. Beyond naming a drug and a
disease, a sentence addresses studies in these ways:

* Figures of one sentence that names two trials, or refers to two members of the current group
  ("31% versus 8% in the first trial, and 26% versus 7% in the second"), go each to its own study
  (:func:`figure_chooser`).
* A structural heading ("Results", "Safety") continues the design of the section above it; a
  topical heading opens a section of its own (:data:`STRUCTURAL`).
* An indefinite design phrase ("a prospective registry study of ...") presents a study
  (:data:`INDEFINITE_DESIGN`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jakatlas.extract.assembly.drafts import (
    Draft,
    attach,
    group_size,
    has_evidence,
    intro_n,
    leading_ordinals,
    sentence_n,
    unique_diseases,
    unique_drafts,
)
from jakatlas.extract.assembly.sentences import Ent, Sent
from jakatlas.extract.types import Cue, CueKind
from jakatlas.extract.vocab import CLASS_ID

if TYPE_CHECKING:
    from jakatlas.extract.assembly.assemble import Assembler

__all__ = ["INDEFINITE_DESIGN", "STRUCTURAL", "TARGETING", "View", "design_member", "figure_chooser", "find_targets",
           "member", "same_n", "sentence_view"]

STRUCTURAL = re.compile(r"\W*(?:\d+[.)]?\s*)?(?:results?|methods?|findings|efficacy|safety|outcomes?|design|"
                        r"discussion|conclusions?|background|introduction|patients?|participants|treatment|"
                        r"interventions?|endpoints?|summary|limitations|adverse events|follow-up|case)\b", re.I)
INDEFINITE_DESIGN = re.compile(r"\b(?:a|an)\s+(?:[\w-]+\s+){0,4}?(?:study|trial|cohort|series|analysis|registry)\b",
                               re.I)


_DEFINITE_DESIGN = re.compile(
    r"\bthe\s+(?P<adj>randomi[sz]ed|(?:placebo|vehicle)[- ]controlled|double[- ]blind(?:ed)?|open[- ]label(?:led)?|"
    r"single[- ]arm|uncontrolled)\s+(?:[\w-]+\s+){0,2}?(?:study|trial|part|cohort|phase)\b", re.I)


def design_member(s: Sent, group: list[Draft]) -> Draft | None:
    """'In the randomised study, ...' after two studies were presented together: the one member
    whose own design cues say so (None when no member, or more than one, fits)."""
    m = _DEFINITE_DESIGN.search(s.text)
    if m is None or len(group) < 2:
        return None
    adj = m["adj"].lower()
    key = "open_label" if adj.startswith("open") else "single_arm" if adj.startswith(("single", "uncon")) else "rct"
    fits = [d for d in group if key in d.cues]
    return fits[0] if len(fits) == 1 else None


def same_n(d: Draft, n: int | None) -> bool:
    """Sample sizes that do not contradict each other."""
    return n is None or d.n is None or d.n == n


def member(c: Cue, size: int) -> int:
    """Group position a cue addresses: 'the former' is the first, 'the latter' the last."""
    if c.kind == CueKind.ANAPHOR:
        return 1 if c.value == "former" else size
    return int(c.value) if c.value.isdigit() else 0


def figure_chooser(s: Sent, targets: list[Draft], group: list[Draft],
                   positions: list[int]) -> Callable[[int], list[Draft]] | None:
    """With two or more trial names (or ordinal references to members of ``group``) in a sentence,
    give each figure to its own study: the name before it when the sentence opens with a name,
    else the first name after it. Figures that all come before or all after the names ('in A
    and B, 35% and 44%') belong to all of them (None: no choice to make)."""
    cues = [c for c in s.cues if c.kind == CueKind.TRIAL]
    by: dict[str, Draft] = {d.name: d for d in targets if d.name}
    if len({c.value for c in cues}) < 2:
        cues = [c for c in s.cues if c.kind in ("ordinal", "anaphor")
                and s.doc_text[max(s.start, c.start - 1): c.start] != "("]
        keys = [member(c, len(group)) for c in cues]
        if len(set(keys)) < 2 or any(k < 1 or k > len(group) for k in keys):
            return None
        cues = [Cue(c.kind, str(k), c.start, c.end) for c, k in zip(cues, keys, strict=True)]
        by = {str(i): d for i, d in enumerate(group, start=1)}
    if not positions or not any(cues[0].start < p < cues[-1].start for p in positions):
        return None
    names_first = cues[0].start < min(positions)

    def choose(pos: int) -> list[Draft]:
        if names_first:
            cue = next((c for c in reversed(cues) if c.start < pos), cues[0])
        else:
            cue = next((c for c in cues if c.start > pos), cues[-1])
        d = by.get(cue.value)
        if d is None:
            return targets
        d.addressed = True
        return [d]

    return choose


# 'one with A and one with B', 'the first had A, the second B': patients described one by one
_EACH = re.compile(r"\b(?:one|the (?:first|second|third|former|latter))\s+(?:patient\s+)?(?:with|had|has|having|"
                   r"presented|suffered)\b", re.I)


# 'tofacitinib, baricitinib or ruxolitinib', 'X 5 mg and Y 4 mg': drugs given as alternatives
_ALT_GAP = re.compile(r"\s*(?:[\d.,]+\s*(?:mg|%)[^,;()]{0,30}?)?\s*(?:\([^()]*\)\s*)?(?:,|,?\s*(?:or|and|and/or))\s*", re.I)
_COMBINED = re.compile(r"\b(?:plus|combined|combination|together with|add-on|added to|along with|with)\b|\+", re.I)


def _alternatives(s: Sent, named: list[str]) -> list[list[str]]:
    """One single-drug list per drug when the sentence lists its study drugs as alternatives and
    says nothing of combining them; else nothing."""
    ids = list(dict.fromkeys(named))
    mentions = sorted((e for e in s.drugs if e.id in ids), key=lambda e: e.start)
    if len(ids) < 2 or len(mentions) != len(ids):
        return []
    first, last = mentions[0].start, mentions[-1].end
    if _COMBINED.search(s.doc_text, first, last):
        return []
    for a, b in zip(mentions, mentions[1:], strict=False):
        if not _ALT_GAP.fullmatch(s.doc_text, a.end, b.start):
            return []
    return [[x] for x in ids]


def _each_patient(s: Sent) -> bool:
    return bool(_EACH.search(s.text))


def _single_patients(drafts: list[Draft], n: int | None) -> None:
    """Studies of k patients with k different diseases, one each: every study has one patient."""
    if n is not None and n != len(drafts):
        return
    for d in drafts:
        if d.n is None or d.n == len(drafts):
            d.n = 1


# -- targeting: which studies a sentence is about (one function per case, tried in order) ------------


@dataclass(frozen=True, slots=True)
class View:
    """What targeting reads of one sentence: its drugs (ids), named agents (not the unnamed
    class), distinct diseases, leading ordinal references and the size of a group it introduces."""

    drugs: list[str]
    named: list[str]
    diseases: list[Ent]
    ordinals: list[int]
    group_k: int


def sentence_view(a: Assembler, s: Sent) -> View:
    drugs = [e.id for e in s.drugs]
    return View(drugs, [x for x in drugs if x != CLASS_ID], unique_diseases(s.diseases),
                leading_ordinals(s, len(a.st.group)), group_size(s))


def target_new_group(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """'Two phase 2 trials of X in Y (NCT1 and NCT2)': a group of studies introduced together."""
    st = a.st
    if not (v.group_k >= 2 and not v.ordinals and (v.drugs or st.section_drugs) and len(v.diseases) <= 1
            and not (s.has(CueKind.GROUP_REF) and st.group)):
        return None
    disease = v.diseases[0] if v.diseases else a.context_disease(v.drugs)
    if disease is None or not (v.named or a.class_ok(s, v.diseases) or (v.drugs and not v.diseases)):
        return None
    group = [a.new(v.named or v.drugs or st.section_drugs, disease, s) for _ in range(v.group_k)]
    a.mark_group(group, s)
    names = list(dict.fromkeys(s.cue_values(CueKind.TRIAL)))
    if len(names) == len(group):
        for d, nm in zip(group, names, strict=True):
            d.name = nm
    ids = [e.id for e in s.of("REGISTRY_ID")]
    for d, rid in zip(group, ids, strict=False):
        d.registry_ids.append(rid)
        d.addressed = len(ids) == len(group)
    st.group = group
    st.current = list(group)
    for d in group:
        attach(d, s, registry=False, counts=False, placebo=a.vocab.placebo_drugs)
        d.group_n = sentence_n(s)
    return []


def target_whole_group(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """'Both trials', 'these studies': every member of the current group (pooled figures)."""
    st = a.st
    if not (s.has(CueKind.GROUP_REF) and not v.ordinals and st.group):
        return None
    st.current = list(st.group)
    a.pooled = True
    return list(st.group)


def target_design_member(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """'In the randomised study, ...' of the two just presented: the member whose design fits."""
    chosen = design_member(s, a.st.group) if not v.ordinals else None
    if chosen is None or not (all(x.id == chosen.disease for x in v.diseases) and set(v.named) <= set(chosen.drugs)):
        return None
    a.st.current = [chosen]
    chosen.addressed = True
    return a.st.current


def target_named_trials(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """Studies addressed by trial name; two or more names in one sentence form a group."""
    names = list(dict.fromkeys(s.cue_values(CueKind.TRIAL)))
    if not names:
        return None
    st = a.st
    drugs, diseases = v.named or v.drugs, v.diseases
    base = [x for x in drugs if x != CLASS_ID] or drugs
    if not base:
        base = next((d.drugs for d in st.current if d.drugs), st.section_drugs)
    disease = diseases[0] if len(diseases) == 1 else a.context_disease(base)
    out: list[Draft] = []
    for nm in names:
        d = next((x for x in a.drafts if x.name == nm), None)
        if d is None:
            d = next((x for x in st.group if x.name is None), None)
            if d is None and len(names) == 1 and disease is not None:
                # 'X now has phase 3 data. The NAME trial enrolled ...': the study just opened
                d = next((x for x in st.current if x.name is None and x.group is None and set(base) <= set(x.drugs)
                          and x.disease == disease.id and same_n(x, intro_n(s))), None)
            if d is not None:
                d.name = nm
        if d is None:
            if disease is None or not base:
                if has_evidence(s) and not s.lead and s not in st.pending:
                    st.pending.append(s)  # 'NAME (NCT...) enrolled 300 patients with X'
                continue
            d = a.new(base, disease, s)
            d.name = nm
        out.append(d)
    if len(out) >= 2:
        a.mark_group(out, s)
        st.group = out
    elif out:
        out[0].addressed = True
    st.current = out or st.current
    return out


def target_group_member(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """'The second study', 'in study 2': a member of the current group (opened when needed)."""
    if not (v.ordinals and not v.diseases[1:]):
        return None
    st = a.st
    k = v.ordinals[0]
    if not st.group:
        disease = v.diseases[0] if v.diseases else a.context_disease(v.drugs)
        base = v.named or v.drugs or st.section_drugs or (st.current[0].drugs if st.current else [])
        if disease is None or not base:
            return []
        st.group = [a.new(base, disease, s)]
    while len(st.group) < k:
        first = st.group[0]
        d = Draft(list(v.named or first.drugs), v.diseases[0].id if v.diseases else first.disease,
                  v.diseases[0].variant if v.diseases else first.variant, first.section, group=first.group)
        a.drafts.append(d)
        st.group.append(d)
    member = st.group[k - 1]
    if v.named and set(member.drugs) <= {CLASS_ID}:
        member.drugs = list(v.named)  # 'In the second, ... treated with upadacitinib'
    st.current = [member]
    member.addressed = True
    return st.current


def target_drug_and_disease(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """A drug and a disease (or the paragraph's disease): the current study when it fits, an
    earlier one with the same drug and disease, or a new one; one per drug for alternatives."""
    if not (v.named or v.drugs):
        return None
    st = a.st
    if not v.named and not v.diseases:
        return a.anaphoric_class(s)
    if not v.named and not a.class_ok(s, v.diseases):
        return []
    if v.named and not a.drug_ok(s, v.diseases):
        wanted = {x.id for x in v.diseases}
        return [d for d in st.current if set(v.named) <= set(d.drugs) and (not wanted or d.disease in wanted)]
    targets_d = v.diseases or ([x] if (x := a.context_disease(v.named)) else [])
    if not targets_d:
        if v.named and has_evidence(s) and not s.lead:
            st.loose_drugs = list(v.named)  # 'We describe two patients treated with X.'
            st.pending.append(s)
        return []
    parts = _alternatives(s, v.named) or [v.named or v.drugs]
    a.shared = len(parts) > 1
    out = unique_drafts([a.split(d, s) for dz in targets_d for ds in parts
                         for d in a.target_all(ds, dz, s)])
    if len({d.disease for d in out}) >= 2 and _each_patient(s):
        _single_patients(out, intro_n(s))
    st.current = out
    return out


def target_disease_only(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """A disease without a drug: the current study of that disease, or one of the section's drug;
    patients with different diseases described one by one are a study each."""
    if not v.diseases:
        return None
    st = a.st
    base = (st.section_drugs if not st.inherited_drugs else []) or st.loose_drugs or (
        st.current[0].drugs if st.current else [])
    if base and len({x.id for x in v.diseases}) >= 2 and _each_patient(s) and not s.lead:
        # 'The first had A and the second B': one patient, one study, per disease
        n = next((intro_n(p) for p in st.pending if intro_n(p) is not None), None)
        if n is None and st.current:
            n = st.current[0].n
        out = unique_drafts([next((d for d in st.current if d.disease == dz.id), None)
                             or a.target(base, dz, s) for dz in v.diseases])
        _single_patients(out, n)
        st.current = out
        return out
    fitting = [d for d in st.current if d.disease in {x.id for x in v.diseases}
               and not (v.diseases[0].variant and d.variant and v.diseases[0].variant != d.variant)]
    if fitting:
        out = [a.split(d, s) for d in fitting]
        st.current = out if out != fitting else st.current
        return out
    base = st.section_drugs if not st.inherited_drugs else []
    if base and has_evidence(s) and len(v.diseases) == 1 and not s.lead:
        d = a.target(base, v.diseases[0], s)
        st.current = [d]
        return [d]
    if has_evidence(s) and not s.lead:
        st.pending.append(s)
    others = [d for d in reversed(a.drafts) if d.section == s.section and d.disease in
              {x.id for x in v.diseases}]
    return others[:1]


def target_current(a: Assembler, s: Sent, v: View) -> list[Draft] | None:
    """Nothing named: the current studies, when the sentence carries anything."""
    st = a.st
    if s.has(CueKind.SUMMARY) or s.lead:
        return []
    informative = bool(s.quants or s.has(CueKind.AE) or s.has(CueKind.DESIGN) or s.has(CueKind.PHASE) or s.comparators
                       or s.of("OUTCOME_MEASURE") or s.of("REGISTRY_ID"))
    if st.current and informative:
        out = [a.split(d, s) for d in st.current]
        if out != st.current:
            st.current = out
        return out
    if informative:
        st.pending.append(s)
    return []


#: The targeting cases, tried in order; the first that applies (returns a list) decides.
TARGETING: tuple[Callable[[Assembler, Sent, View], list[Draft] | None], ...] = (
    target_new_group, target_whole_group, target_design_member, target_named_trials, target_group_member,
    target_drug_and_disease, target_disease_only, target_current,
)


def find_targets(a: Assembler, s: Sent) -> list[Draft]:
    """The studies sentence ``s`` is about (possibly none)."""
    if s.has(CueKind.SUMMARY) and not s.quants:
        return []
    v = sentence_view(a, s)
    for case in TARGETING:
        out = case(a, s, v)
        if out is not None:
            return out
    return []
