"""How a sentence addresses the studies of a report beyond naming a drug and a disease.

* Figures of one sentence that names two trials, or refers to two members of the current group
  ("31% versus 8% in the first trial, and 26% versus 7% in the second"), go each to its own study
  (:func:`figure_chooser`).
* A structural heading ("Results", "Safety") continues the design of the section above it; a
  topical heading opens a section of its own (:data:`STRUCTURAL`).
* An indefinite design phrase ("a prospective registry study of ...") presents a study
  (:data:`INDEFINITE_DESIGN`).
* A study that gives no dose of its drug takes the one strength the report states for that drug
  (:func:`fill_doses`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jakatlas.extract.drafts import Draft, nearest_drug
from jakatlas.extract.sentences import Sent
from jakatlas.extract.types import Cue, CueKind, QuantityKind
from jakatlas.extract.vocab import Vocabulary

__all__ = ["INDEFINITE_DESIGN", "STRUCTURAL", "design_member", "figure_chooser", "fill_doses", "member", "same_n"]

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
