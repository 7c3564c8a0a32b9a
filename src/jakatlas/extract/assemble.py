"""Assembly of sentences into studies.

A document is read in order, sentence by sentence, keeping a small discourse state (after the
entity-grid view of local coherence, Barzilay & Lapata 2008, reduced to drugs and diseases):

* a heading sets the section's drugs and diseases and closes the current study;
* "Two phase 2 trials ... (NCT1 and NCT2)" opens a group of studies sharing drug, disease and
  phase, with the registry ids given out in order; "the first study", "study 2", "(study 1)"
  address its members;
* a sentence naming a drug and a disease (or a drug whose disease is the paragraph's last one,
  or a disease whose drug is the heading's) continues the current study when it fits, reopens an
  earlier one with the same drug, disease and variant, or starts a new one when it brings its
  own sample size, design or variant;
* named trials ("BRAVE-AA1 and BRAVE-AA2", "In DELTA 2, ...") address studies of their own,
  and each figure of a sentence naming two trials goes to its own trial;
* other sentences add their numbers to the current study.

A group whose members are never addressed one by one ("THRIVE-AA1 and THRIVE-AA2 (1220 patients
in total)") is reported as one study with the pooled figures.

Unnamed-class statements ("JAK inhibition has shown efficacy in cases of X") make studies of
'jak inhibitor' only when they report on cases or cite sources and are not the lead summary of
a sectioned report; a non-JAK drug makes a study only with a sample size, a design or results
of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jakatlas.extract.addressing import (
    INDEFINITE_DESIGN,
    STRUCTURAL,
    design_member,
    figure_chooser,
    fill_doses,
    same_n,
)
from jakatlas.extract.drafts import (
    DESIGN_KEYS,
    Draft,
    attach,
    collapse,
    finish,
    group_size,
    has_evidence,
    intro_n,
    introduces_study,
    leading_ordinals,
    sentence_n,
    unique_diseases,
    unique_drafts,
)
from jakatlas.extract.outcomes import Carry, FoundAE, FoundOutcome, sentence_numbers
from jakatlas.extract.sentences import Ent, Sent
from jakatlas.extract.types import CueKind
from jakatlas.extract.vocab import CLASS_ID, Vocabulary
from jakatlas.models.evidence import Span, Study

__all__ = ["assemble"]


_ARM_BEFORE = re.compile(r"[\s-]*(?:group|arm|cohort|-treated|treated)\b", re.I)


@dataclass
class _State:
    section: int = -1
    para: int = -1
    section_drugs: list[str] = field(default_factory=list)
    section_diseases: list[Ent] = field(default_factory=list)
    section_cues: set[str] = field(default_factory=set)
    para_disease: Ent | None = None
    last_disease: Ent | None = None  # the last disease named in the section (survives paragraphs)
    inherited_drugs: bool = False  # the section's drugs come from an earlier heading
    loose_drugs: list[str] = field(default_factory=list)  # 'two patients treated with X' (no disease yet)
    current: list[Draft] = field(default_factory=list)
    group: list[Draft] = field(default_factory=list)
    carry: Carry = field(default_factory=Carry)
    pending: list[Sent] = field(default_factory=list)


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


class _Assembler:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.drafts: list[Draft] = []
        self.st = _State()
        self.pooled = False
        self.shared = False  # the sentence's count covers several single-drug studies
        self.groups = 0

    # -- helpers -----------------------------------------------------------------------------
    def _is_jak(self, drug: str) -> bool:
        return self.vocab.is_jak(drug) or drug == CLASS_ID

    def _new(self, drugs: list[str], disease: Ent, s: Sent) -> Draft:
        d = Draft(list(dict.fromkeys(drugs)), disease.id, disease.variant, s.section)
        d.cues |= self.st.section_cues  # 'Tofacitinib for X: a prospective case series'
        self.drafts.append(d)
        for p in self.st.pending:
            attach(d, p, placebo=self.vocab.placebo_drugs)
        self.st.pending = []
        return d

    def _find(self, drugs: list[str], disease: Ent, s: Sent) -> Draft | None:
        """An existing draft with the same drugs, disease and a compatible variant/sample size."""
        n = intro_n(s)
        for d in reversed(self.drafts):
            if d.disease != disease.id or set(d.drugs) != set(drugs):
                continue
            if disease.variant and d.variant and disease.variant != d.variant:
                continue
            if n is not None and d.n is not None and n != d.n:
                continue
            if introduces_study(s) and (d.n is not None or d.cues & DESIGN_KEYS):
                continue
            return d
        return None

    def _fits(self, d: Draft, drugs: list[str], disease: Ent, s: Sent) -> bool:
        if d.disease != disease.id:
            return False
        if disease.variant and d.variant and disease.variant != d.variant:
            return False
        n = intro_n(s)
        if introduces_study(s):
            if set(drugs) != set(d.drugs) and not all(x == CLASS_ID for x in drugs):
                return False
            if d.n is not None and n is not None and n != d.n:
                return False
            return not (disease.variant and not d.variant and d.n is not None)
        return set(drugs) <= set(d.drugs) or all(x == CLASS_ID for x in drugs)

    def _target(self, drugs: list[str], disease: Ent, s: Sent) -> Draft:
        return self._target_all(drugs, disease, s)[0]

    def _target_all(self, drugs: list[str], disease: Ent, s: Sent) -> list[Draft]:
        """The studies the sentence continues: the first fitting current study or, when the current
        studies are a group introduced together ('two trials ... Together they enrolled ...'),
        every fitting member; else an earlier or a new study."""
        out: list[Draft] = []
        for d in self.st.current:
            if d.drugs == [CLASS_ID] and drugs and all(self.vocab.is_jak(x) for x in drugs) \
                    and d.disease == disease.id and (not introduces_study(s) or d.n is None and d.group is not None):
                d.drugs = list(drugs)  # 'the patient was switched to tofacitinib': the class gets a name
            if self._fits(d, drugs, disease, s):
                if disease.variant and not d.variant:
                    d.variant = disease.variant
                if out and (d.group is None or d.group != out[0].group):
                    continue
                out.append(d)
                if d.group is None:
                    break
        if out:
            return out
        found = self._find(drugs, disease, s)
        return [found if found is not None else self._new(drugs, disease, s)]

    # -- sentence handling -------------------------------------------------------------------
    def heading(self, s: Sent) -> None:
        """A heading opens a section; its drugs and diseases (else the previous ones) are context.

        A heading that names a study ('Study 2 - NCT...') addresses or opens that study.
        """
        prev = self.st
        self.st = st = _State(section=s.section, para=-1)
        st.section_drugs = [e.id for e in s.drugs] or prev.section_drugs
        st.inherited_drugs = not s.drugs and bool(prev.section_drugs)
        # 'Drug X: early signals': the disease is the one the report has been discussing
        last = [prev.last_disease] if prev.last_disease is not None else []
        st.section_diseases = list(s.diseases) or prev.section_diseases or last
        st.last_disease = s.diseases[-1] if len({e.id for e in s.diseases}) == 1 else prev.last_disease
        own = {c.value for c in s.cues if c.kind == CueKind.DESIGN}
        # 'Results' under 'Tofacitinib for X: a prospective case series' keeps the design; a topical
        # heading ('Use in older adults') opens a section of its own
        inherit = not (own or s.drugs or s.diseases) and bool(STRUCTURAL.match(s.text))
        st.section_cues = own if not inherit else prev.section_cues
        if leading_ordinals(s) or s.of("REGISTRY_ID"):
            st.group = prev.group
            st.para_disease = prev.para_disease if not s.diseases else None
            if not st.group and not s.drugs:
                st.current = prev.current
            for d in self._targets(s):
                attach(d, s, placebo=self.vocab.placebo_drugs)

    def sentence(self, s: Sent) -> None:
        st = self.st
        if s.section != st.section:
            self.st = st = _State(section=s.section)
        if s.para != st.para:
            st.para, st.para_disease, st.carry, st.pending = s.para, None, Carry(), []
        self.pooled = self.shared = False
        targets = self._targets(s)
        outcomes, aes = sentence_numbers(s, st.carry, self.vocab.falling_measures)
        regs = [e.id for e in s.of("REGISTRY_ID")]
        spread = len(targets) >= 2 and len(regs) == len(targets)
        if spread:  # 'registered as NCT1 and NCT2': one id per study, in order
            for d, rid in zip(targets, regs, strict=True):
                if rid not in d.registry_ids:
                    d.registry_ids.append(rid)
                d.addressed = True
        if targets:
            for d in targets:
                attach(d, s, counts=not (self.pooled or self.shared), registry=not spread,
                       placebo=self.vocab.placebo_drugs)
                if self.shared and d.shared_n is None:
                    d.shared_n = sentence_n(s)  # the patients of all the drugs together: for the design only
                if self.pooled and d.group_n is None:
                    d.group_n = sentence_n(s)
            self._numbers(targets, s, outcomes, aes)
        if s.of("OUTCOME_MEASURE"):
            st.carry.spans = [(s.start, s.end)]
        if s.diseases:
            st.para_disease = s.diseases[-1]
            if len({e.id for e in s.diseases}) == 1:  # not a list of indications
                st.last_disease = s.diseases[-1]

    def _targets(self, s: Sent) -> list[Draft]:
        st = self.st
        if s.has(CueKind.SUMMARY) and not s.quants:
            return []
        drugs = [e.id for e in s.drugs]
        named = [x for x in drugs if x != CLASS_ID]
        diseases = unique_diseases(s.diseases)
        ordinals = leading_ordinals(s, len(st.group))
        group_k = group_size(s)
        # 1. a group of studies introduced together
        if group_k >= 2 and not ordinals and (drugs or st.section_drugs) and len(diseases) <= 1 \
                and not (s.has(CueKind.GROUP_REF) and st.group):
            disease = diseases[0] if diseases else self._context_disease(drugs)
            if disease is not None and (named or self._class_ok(s, diseases) or (drugs and not diseases)):
                group = [self._new(named or drugs or st.section_drugs, disease, s) for _ in range(group_k)]
                self._mark_group(group, s)
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
                    attach(d, s, registry=False, counts=False, placebo=self.vocab.placebo_drugs)
                    d.group_n = sentence_n(s)
                return []
        if s.has(CueKind.GROUP_REF) and not ordinals and st.group:
            st.current = list(st.group)
            self.pooled = True
            return list(st.group)
        chosen = design_member(s, st.group) if not ordinals else None
        if chosen is not None and all(x.id == chosen.disease for x in diseases) and set(named) <= set(chosen.drugs):
            st.current = [chosen]  # 'in the randomised study' of the two just presented
            chosen.addressed = True
            return st.current
        names = list(dict.fromkeys(s.cue_values(CueKind.TRIAL)))
        if names:
            return self._named_targets(s, names, named or drugs, diseases)
        # 2. a member of the current group ("the second study", "in study 2")
        if ordinals and not diseases[1:]:
            k = ordinals[0]
            if not st.group:
                disease = diseases[0] if diseases else self._context_disease(drugs)
                base = named or drugs or st.section_drugs or (st.current[0].drugs if st.current else [])
                if disease is None or not base:
                    return []
                st.group = [self._new(base, disease, s)]
            while len(st.group) < k:
                first = st.group[0]
                d = Draft(list(named or first.drugs), diseases[0].id if diseases else first.disease,
                          diseases[0].variant if diseases else first.variant, first.section, group=first.group)
                self.drafts.append(d)
                st.group.append(d)
            member = st.group[k - 1]
            if named and set(member.drugs) <= {CLASS_ID}:
                member.drugs = list(named)  # 'In the second, ... treated with upadacitinib'
            st.current = [member]
            member.addressed = True
            return st.current
        # 3. drug and disease
        if named or drugs:
            if not named and not diseases:
                return self._anaphoric_class(s)
            if not named and not self._class_ok(s, diseases):
                return []
            if named and not self._drug_ok(s, diseases):
                wanted = {x.id for x in diseases}
                return [d for d in st.current if set(named) <= set(d.drugs) and (not wanted or d.disease in wanted)]
            targets_d = diseases or ([x] if (x := self._context_disease(named)) else [])
            if not targets_d:
                if named and has_evidence(s) and not s.lead:
                    st.loose_drugs = list(named)  # 'We describe two patients treated with X.'
                    st.pending.append(s)
                return []
            parts = _alternatives(s, named) or [named or drugs]
            self.shared = len(parts) > 1
            out = unique_drafts([self._split(d, s) for dz in targets_d for ds in parts
                                 for d in self._target_all(ds, dz, s)])
            if len({d.disease for d in out}) >= 2 and _each_patient(s):
                _single_patients(out, intro_n(s))
            st.current = out
            return out
        # 4. disease only
        if diseases:
            base = (st.section_drugs if not st.inherited_drugs else []) or st.loose_drugs or (
                st.current[0].drugs if st.current else [])
            if base and len({x.id for x in diseases}) >= 2 and _each_patient(s) and not s.lead:
                # 'The first had A and the second B': one patient, one study, per disease
                n = next((intro_n(p) for p in st.pending if intro_n(p) is not None), None)
                if n is None and st.current:
                    n = st.current[0].n
                out = unique_drafts([next((d for d in st.current if d.disease == dz.id), None)
                                     or self._target(base, dz, s) for dz in diseases])
                _single_patients(out, n)
                st.current = out
                return out
            fitting = [d for d in st.current if d.disease in {x.id for x in diseases}
                       and not (diseases[0].variant and d.variant and diseases[0].variant != d.variant)]
            if fitting:
                out = [self._split(d, s) for d in fitting]
                st.current = out if out != fitting else st.current
                return out
            base = st.section_drugs if not st.inherited_drugs else []
            if base and has_evidence(s) and len(diseases) == 1 and not s.lead:
                d = self._target(base, diseases[0], s)
                st.current = [d]
                return [d]
            if has_evidence(s) and not s.lead:
                st.pending.append(s)
            others = [d for d in reversed(self.drafts) if d.section == s.section and d.disease in
                      {x.id for x in diseases}]
            return others[:1]
        # 5. nothing named: the current study, when the sentence carries anything
        if s.has(CueKind.SUMMARY) or s.lead:
            return []
        informative = bool(s.quants or s.has(CueKind.AE) or s.has(CueKind.DESIGN) or s.has(CueKind.PHASE) or s.comparators
                           or s.of("OUTCOME_MEASURE") or s.of("REGISTRY_ID"))
        if st.current and informative:
            out = [self._split(d, s) for d in st.current]
            if out != st.current:
                st.current = out
            return out
        if informative:
            st.pending.append(s)
        return []

    def _mark_group(self, members: list[Draft], s: Sent) -> None:
        self.groups += 1
        for d in members:
            if d.group is None:
                d.group = self.groups
        self.pooled = True

    def _named_targets(self, s: Sent, names: list[str], drugs: list[str], diseases: list[Ent]) -> list[Draft]:
        """Studies addressed by trial name; two or more names in one sentence form a group."""
        st = self.st
        base = [x for x in drugs if x != CLASS_ID] or drugs
        if not base:
            base = next((d.drugs for d in st.current if d.drugs), st.section_drugs)
        disease = diseases[0] if len(diseases) == 1 else self._context_disease(base)
        out: list[Draft] = []
        for nm in names:
            d = next((x for x in self.drafts if x.name == nm), None)
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
                d = self._new(base, disease, s)
                d.name = nm
            out.append(d)
        if len(out) >= 2:
            self._mark_group(out, s)
            st.group = out
        elif out:
            out[0].addressed = True
        st.current = out or st.current
        return out

    def _split(self, d: Draft, s: Sent) -> Draft:
        """A sentence that names another registry id or phase than ``d`` has is about a new study."""
        regs = [e.id for e in s.of("REGISTRY_ID")]
        phases = s.cue_values(CueKind.PHASE)
        other_reg = bool(regs and d.registry_ids and not set(regs) & set(d.registry_ids))
        other_phase = bool(phases and d.phase and phases[0] != d.phase)
        another = s.has(CueKind.NEW_STUDY) and not s.has(CueKind.ORDINAL) and any(sp != (s.start, s.end) for sp in d.spans)
        # 'More data come from a prospective registry study of ...' after a case series
        designs = {c.value for c in s.cues if c.kind == CueKind.DESIGN} & DESIGN_KEYS
        named = [e.id for e in s.drugs if e.id != CLASS_ID]
        fresh = bool(designs and d.cues & DESIGN_KEYS and not designs & d.cues and not named
                     and INDEFINITE_DESIGN.search(s.text) and not s.has(CueKind.SPECULATIVE)
                     and any(sp != (s.start, s.end) for sp in d.spans))
        another = another or fresh
        if not (other_reg or other_phase or another) or s.cue_values(CueKind.TRIAL):
            return d
        drugs = [e.id for e in s.drugs] if fresh and s.drugs else d.drugs  # 'a trial of JAK inhibition': the class
        clone = Draft(list(dict.fromkeys(drugs)), d.disease, d.variant, s.section)
        self.drafts.append(clone)
        return clone

    def _context_disease(self, drugs: list[str]) -> Ent | None:
        st = self.st
        if st.para_disease is not None:
            return st.para_disease
        for d in st.current:
            if not drugs or set(drugs) & set(d.drugs):
                return Ent("DISEASE", d.disease, d.disease, 0, 0, d.disease, d.variant)
        if len(st.section_diseases) >= 1:
            return st.section_diseases[0]
        return None

    def _anaphoric_class(self, s: Sent) -> list[Draft]:
        """'participants on JAK inhibition': the class stands for the current study's drugs."""
        return [d for d in self.st.current if any(self._is_jak(x) for x in d.drugs)]

    def _class_ok(self, s: Sent, diseases: list[Ent]) -> bool:
        if s.lead or s.has(CueKind.SUMMARY) or not diseases:
            return False
        if s.of("REGISTRY_ID") and s.has(CueKind.DESIGN):
            return True  # 'A study of JAK inhibition in X is listed as NCT...'
        cited = "[" in s.text or s.has(CueKind.DESIGN) or sentence_n(s) is not None
        return cited and s.has(CueKind.EVIDENCE) and not (s.has(CueKind.SPECULATIVE) and not s.quants)

    def _drug_ok(self, s: Sent, diseases: list[Ent]) -> bool:
        """A named drug with a disease is a study claim, not a passing mention (approval, labelling)."""
        # a measure named in a label or approval statement ('licensed for X, its label warns of MACE') is no result
        measured = bool(s.of("OUTCOME_MEASURE")) and (bool(s.quants) or not s.has(CueKind.BACKGROUND))
        strong = bool(sentence_n(s) or s.of("REGISTRY_ID") or s.has(CueKind.DESIGN) or measured)
        if not any(self._is_jak(e.id) for e in s.drugs) and not strong:
            return False  # a non-JAK drug needs results of its own (not an approval or a mention)
        if s.has(CueKind.SPECULATIVE) and not strong:
            return False
        if not (strong or s.has(CueKind.EVIDENCE) or "[" in s.text or s.label is not None):
            return False
        if s.has(CueKind.BACKGROUND) and not (strong or s.has(CueKind.EVIDENCE)):
            return False
        return not (s.lead and s.has(CueKind.HEDGE) and not s.quants)

    def _numbers(self, targets: list[Draft], s: Sent, outcomes: list[FoundOutcome], aes: list[FoundAE]) -> None:
        group = self.st.group
        spans = [(s.start, s.end)] if s.of("OUTCOME_MEASURE") else [*self.st.carry.spans, (s.start, s.end)]
        by_name = figure_chooser(s, targets, self.st.group, [o.pos for o in outcomes] + [a.pos for a in aes if a.pos])
        for o in outcomes:
            chosen_o = by_name(o.pos) if by_name else targets
            arm_before = None if o.arm is not None else next(
                (e for e in sorted(s.drugs + s.comparators, key=lambda e: -e.start)
                 if e.end <= o.pos and _ARM_BEFORE.match(s.doc_text, e.end, o.pos)), None)
            for d in chosen_o:
                if arm_before is not None and (arm_before.id in d.comparators
                                               or arm_before.id in self.vocab.placebo_drugs):
                    # 'In the methotrexate group the score moved from 23 to 21': the comparator's figure
                    prior = next((x for x in reversed(d.outcomes) if x.outcome.measure == o.outcome.measure
                                  and x.outcome.comparator_value is None), None)
                    if prior is not None and o.outcome.value is not None:
                        prior.outcome = prior.outcome.model_copy(update={"comparator_value": o.outcome.value})
                        continue
                arm = o.arm.canonical if o.arm is not None and o.arm.id not in self.vocab.placebo_drugs else None
                out = o.outcome.model_copy(update={
                    "arm": arm or (self.vocab.drug_names.get(d.drugs[0]) if d.drugs else None),
                    "spans": [Span(start=a, end=b) for a, b in spans],
                })
                d.outcomes.append(FoundOutcome(out, o.pos, o.arm, o.comparator))
                if o.comparator is not None and o.comparator.id not in d.drugs \
                        and o.comparator.id not in d.comparators:
                    d.comparators.append(o.comparator.id)
                if out.timepoint is not None:
                    d.timepoints.append(out.timepoint)
        for a in aes:
            if a.ordinal is not None and group and a.ordinal <= len(group):
                chosen = [group[a.ordinal - 1]]
                group[a.ordinal - 1].add_span(s.start, s.end)
                group[a.ordinal - 1].addressed = True
            elif by_name and a.pos is not None:
                chosen = by_name(a.pos)
            else:
                chosen = targets
            for d in chosen:
                d.aes.append(a)


def assemble(sentences: list[Sent], vocab: Vocabulary) -> list[Study]:
    """Studies described by ``sentences`` (in document order), numbered s1..sN."""
    asm = _Assembler(vocab)
    for s in sentences:
        if s.reference:
            continue
        if s.heading:
            asm.heading(s)
        else:
            asm.sentence(s)
    drafts = collapse([d for d in asm.drafts if d.drugs and d.disease])
    fill_doses(drafts, sentences, vocab)
    return [finish(d, i, vocab) for i, d in enumerate(drafts, start=1)]

