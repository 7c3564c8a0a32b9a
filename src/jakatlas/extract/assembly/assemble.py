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

from jakatlas.extract.assembly.drafts import (
    DESIGN_KEYS,
    Draft,
    attach,
    collapse,
    fill_doses,
    finish,
    intro_n,
    introduces_study,
    leading_ordinals,
    sentence_n,
)
from jakatlas.extract.assembly.numbers import sentence_numbers
from jakatlas.extract.assembly.outcomes import Carry, FoundAE, FoundOutcome
from jakatlas.extract.assembly.sentences import Ent, Sent
from jakatlas.extract.assembly.targets import INDEFINITE_DESIGN, STRUCTURAL, figure_chooser, find_targets
from jakatlas.extract.types import CueKind, QuantityKind
from jakatlas.extract.vocab import CLASS_ID, Vocabulary
from jakatlas.models.evidence import Span, Study

__all__ = ["assemble"]


_RANDOMISED_TO = re.compile(r"\b(?:were|was)\s+(?:then\s+)?randomi[sz]ed\s+to\b", re.I)
_ARM_BEFORE = re.compile(r"[\s-]*(?:group|arm|cohort|-treated|treated)\b", re.I)


@dataclass
class State:
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


class Assembler:
    """The discourse state and the studies drafted so far (see the module docstring)."""


    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.drafts: list[Draft] = []
        self.st = State()
        self.pooled = False
        self.shared = False  # the sentence's count covers several single-drug studies
        self.groups = 0

    # -- helpers -----------------------------------------------------------------------------
    def is_jak(self, drug: str) -> bool:
        return self.vocab.is_jak(drug) or drug == CLASS_ID

    def new(self, drugs: list[str], disease: Ent, s: Sent) -> Draft:
        d = Draft(list(dict.fromkeys(drugs)), disease.id, disease.variant, s.section)
        d.cues |= self.st.section_cues  # 'Tofacitinib for X: a prospective case series'
        self.drafts.append(d)
        for p in self.st.pending:
            attach(d, p, placebo=self.vocab.placebo_drugs)
        self.st.pending = []
        return d

    def find(self, drugs: list[str], disease: Ent, s: Sent) -> Draft | None:
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

    def fits(self, d: Draft, drugs: list[str], disease: Ent, s: Sent) -> bool:
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
        if _RANDOMISED_TO.search(s.text) and set(d.drugs) <= set(drugs):
            return True  # 'Patients not in remission were randomized to MTX + X or MTX + Y': the study's arms
        return set(drugs) <= set(d.drugs) or all(x == CLASS_ID for x in drugs)

    def target(self, drugs: list[str], disease: Ent, s: Sent) -> Draft:
        return self.target_all(drugs, disease, s)[0]

    def target_all(self, drugs: list[str], disease: Ent, s: Sent) -> list[Draft]:
        """The studies the sentence continues: the first fitting current study or, when the current
        studies are a group introduced together ('two trials ... Together they enrolled ...'),
        every fitting member; else an earlier or a new study."""
        out: list[Draft] = []
        for d in self.st.current:
            if d.drugs == [CLASS_ID] and drugs and all(self.vocab.is_jak(x) for x in drugs) \
                    and d.disease == disease.id and (not introduces_study(s) or d.n is None and d.group is not None):
                d.drugs = list(drugs)  # 'the patient was switched to tofacitinib': the class gets a name
            if self.fits(d, drugs, disease, s):
                if disease.variant and not d.variant:
                    d.variant = disease.variant
                if out and (d.group is None or d.group != out[0].group):
                    continue
                out.append(d)
                if d.group is None:
                    break
        if out:
            return out
        found = self.find(drugs, disease, s)
        return [found if found is not None else self.new(drugs, disease, s)]

    # -- sentence handling -------------------------------------------------------------------
    def heading(self, s: Sent) -> None:
        """A heading opens a section; its drugs and diseases (else the previous ones) are context.

        A heading that names a study ('Study 2 - NCT...') addresses or opens that study.
        """
        prev = self.st
        self.st = st = State(section=s.section, para=-1)
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
            for d in find_targets(self, s):
                attach(d, s, placebo=self.vocab.placebo_drugs)

    def sentence(self, s: Sent) -> None:
        st = self.st
        if s.section != st.section:
            self.st = st = State(section=s.section)
        if s.para != st.para:
            st.para, st.para_disease, st.carry, st.pending = s.para, None, Carry(), []
        self.pooled = self.shared = False
        targets = find_targets(self, s)
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
            self.numbers(targets, s, outcomes, aes)
        if s.of("OUTCOME_MEASURE"):
            st.carry.spans = [(s.start, s.end)]
        if s.diseases:
            st.para_disease = s.diseases[-1]
            if len({e.id for e in s.diseases}) == 1:  # not a list of indications
                st.last_disease = s.diseases[-1]

    def mark_group(self, members: list[Draft], s: Sent) -> None:
        self.groups += 1
        for d in members:
            if d.group is None:
                d.group = self.groups
        self.pooled = True

    def split(self, d: Draft, s: Sent) -> Draft:
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

    def context_disease(self, drugs: list[str]) -> Ent | None:
        st = self.st
        if st.para_disease is not None:
            return st.para_disease
        for d in st.current:
            if not drugs or set(drugs) & set(d.drugs):
                return Ent("DISEASE", d.disease, d.disease, 0, 0, d.disease, d.variant)
        if len(st.section_diseases) >= 1:
            return st.section_diseases[0]
        return None

    def anaphoric_class(self, s: Sent) -> list[Draft]:
        """'participants on JAK inhibition': the class stands for the current study's drugs."""
        return [d for d in self.st.current if any(self.is_jak(x) for x in d.drugs)]

    def class_ok(self, s: Sent, diseases: list[Ent]) -> bool:
        if s.lead or s.has(CueKind.SUMMARY) or not diseases:
            return False
        if s.of("REGISTRY_ID") and s.has(CueKind.DESIGN):
            return True  # 'A study of JAK inhibition in X is listed as NCT...'
        cited = "[" in s.text or s.has(CueKind.DESIGN) or sentence_n(s) is not None
        return cited and s.has(CueKind.EVIDENCE) and not (s.has(CueKind.SPECULATIVE) and not s.quants)

    def drug_ok(self, s: Sent, diseases: list[Ent]) -> bool:
        """A named drug with a disease is a study claim, not a passing mention (approval, labelling)."""
        # a measure named in a label or approval statement ('licensed for X, its label warns of MACE') is no result
        measured = bool(s.of("OUTCOME_MEASURE")) and (bool(s.quants) or not s.has(CueKind.BACKGROUND))
        strong = bool(sentence_n(s) or s.of("REGISTRY_ID") or s.has(CueKind.DESIGN) or measured
                      or self.doses_presented_study(s))
        if not any(self.is_jak(e.id) for e in s.drugs) and not strong:
            return False  # a non-JAK drug needs results of its own (not an approval or a mention)
        if s.has(CueKind.SPECULATIVE) and not strong:
            return False
        if not (strong or s.has(CueKind.EVIDENCE) or "[" in s.text or s.label is not None):
            return False
        if s.has(CueKind.BACKGROUND) and not (strong or s.has(CueKind.EVIDENCE)):
            return False
        return not (s.lead and s.has(CueKind.HEDGE) and not s.quants)

    def doses_presented_study(self, s: Sent) -> bool:
        """'This was an open-label study of 80 patients with X. MTX treatment consisted of 15 mg/week':
        the dosing of a drug right after the paragraph presented a study's design and sample."""
        return bool(s.quant(QuantityKind.DOSE)) and any(
            p.para == s.para and intro_n(p) is not None and p.has(CueKind.DESIGN) for p in self.st.pending)

    def numbers(self, targets: list[Draft], s: Sent, outcomes: list[FoundOutcome], aes: list[FoundAE]) -> None:
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
    asm = Assembler(vocab)
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

