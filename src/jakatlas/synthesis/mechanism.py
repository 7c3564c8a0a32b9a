"""Mechanism coverage: which JAK inhibitors reach the cytokines implicated in a disease.

A disease names its implicated cytokines; each cytokine signals through a receptor-bound pair (or
set) of JAKs, or through no JAK at all (TNF, IL-1, IL-17). Whether inhibiting one JAK interrupts
the signal depends on which JAKs the receptor needs (Schwartz et al., Nat Rev Drug Discov 2017;
O'Shea et al., Annu Rev Med 2015), so each drug x cytokine pair gets a status with its basis:

* ``reached`` (sourced): the drug's target is a JAK the sources name as dominant/essential for the
  cytokine (IL-6: JAK1); a drug that spares that JAK does not reach it (TYK2-only deucravacitinib
  does not reach IL-6 even though TYK2 is in the complex).
* ``reached`` (model-based): no JAK is sourced as essential; for a two-JAK receptor each JAK is
  assumed to be needed (the receptor-pair model), and a drug reaching all but one JAK of a larger
  set is counted too.
* ``partial``: only a secondary target reaches it (a JAK listed in another sourced selectivity
  statement, e.g. JAK2 for tofacitinib, consistent with its recorded Th1/Th17 blockade), or one
  JAK of a three-JAK set whose essential JAK is not sourced, or only an alternative receptor.
* ``not reached``, and ``indirect`` notes for JAK-independent cytokines whose sourced notes name a
  JAK-dependent route (TGF-β activating JAK2 in SSc fibroblasts); indirect routes are shown, not scored.

The coverage score counts reached cytokines as 1 and partial ones as 0.5.

Where enzyme IC50 values are sourced, fractional inhibition at a free plasma concentration ``C``
follows the Hill (Emax) equation ``f = C^h / (C^h + IC50^h)`` (Hill 1910; h = 1 by default), and
a cytokine's JAK set is blocked with probability ``1 - prod(1 - f_j)`` (independent occupancy).
This is a model, not a measurement; :data:`MODEL_ASSUMPTIONS` lists what it ignores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from jakatlas.errors import StatisticsError
from jakatlas.models.knowledge import JAKS, Cytokine, Disease, Drug

__all__ = [
    "CytokineReach",
    "cytokine_reach",
    "secondary_targets",
    "MODEL_ASSUMPTIONS",
    "JAKI_CLASSES",
    "CytokineSignal",
    "JakInhibition",
    "CytokineBlock",
    "DrugCoverage",
    "MechanismReport",
    "hill_fraction",
    "selectivity_class",
    "drug_coverage",
    "mechanism_report",
]

JAKI_CLASSES: tuple[str, ...] = ("jak_inhibitor", "tyk2_inhibitor")

MODEL_ASSUMPTIONS: tuple[str, ...] = (
    "Enzyme (cell-free) IC50 values are not cellular potency: ATP concentrations in cells are far "
    "higher than in kinase assays, so cellular IC50s are usually larger.",
    "The concentration is taken as the free (unbound) drug concentration; plasma protein binding "
    "is not modelled.",
    "Hill coefficient h = 1 (simple one-site binding) unless stated otherwise.",
    "Occupancy of the JAKs of one receptor is treated as independent; a receptor is blocked when "
    "any of its JAKs is inhibited, or, where the sources name a dominant JAK (IL-6: JAK1), when that JAK is.",
    "JAKs without a sourced IC50 are counted as uninhibited, so the figures are lower bounds for "
    "drugs with missing values.",
    "Steady-state trough and peak concentrations differ; the figure holds for one concentration only.",
)

Status = Literal["jak_dependent", "jak_independent", "unknown"]
Reach = Literal["reached", "partial", "not reached", "indirect"]
_ESSENTIAL = re.compile(r"\b(JAK[123]|TYK2) is (?:dominant|essential|required|indispensable)", re.I)
_JAK = re.compile(r"\b(JAK[123]|TYK2)\b")


def hill_fraction(concentration_nm: float, ic50_nm: float, hill: float = 1.0) -> float:
    """Fractional inhibition by the Hill (Emax) equation.

    ``f = C^h / (C^h + IC50^h)`` (Hill 1910; Holford & Sheiner 1981 for the Emax form).

    Parameters
    ----------
    concentration_nm
        Free drug concentration in nM (>= 0).
    ic50_nm
        Concentration giving half-maximal inhibition, in nM (> 0).
    hill
        Hill coefficient (> 0), 1 for one-site binding.
    """
    if concentration_nm < 0:
        raise StatisticsError(f"Concentration must be >= 0 nM, got {concentration_nm:g}.")
    if ic50_nm <= 0 or hill <= 0:
        raise StatisticsError(f"IC50 and Hill coefficient must be > 0, got IC50={ic50_nm:g}, h={hill:g}.")
    if concentration_nm == 0:
        return 0.0
    ratio = (ic50_nm / concentration_nm) ** hill
    return 1.0 / (1.0 + ratio)


def selectivity_class(drug: Drug) -> str:
    """A short selectivity label from the drug's targets ('JAK1-selective', 'JAK1/JAK2', 'pan-JAK')."""
    targets = [t for t in JAKS if t in set(drug.targets)]
    if not targets:
        return "targets unknown"
    if len(targets) == 1:
        return f"{targets[0]}-selective"
    if len(targets) == len(JAKS):
        return "pan-JAK"
    return "/".join(targets)


@dataclass(frozen=True)
class CytokineSignal:
    """One implicated cytokine and how it signals, per the knowledge base."""

    id: str
    name: str
    status: Status
    jaks: tuple[str, ...]
    stats: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    essential: tuple[str, ...] = ()
    """JAKs the sources name as dominant or essential for this cytokine (from its notes)."""
    alternative_sets: tuple[tuple[str, ...], ...] = ()
    indirect: tuple[str, ...] = ()
    """Sourced notes of a JAK-independent cytokine that name a JAK-dependent (indirect) route."""

    @classmethod
    def of(cls, c: Cytokine) -> CytokineSignal:
        if c.jak_dependent is False:
            status: Status = "jak_independent"
        elif c.jak_dependent and c.jaks:
            status = "jak_dependent"
        else:
            status = "unknown"
        alts = tuple(f"{'+'.join(a.jaks) or 'no JAK'}: {a.note}" for a in c.alternatives)
        essential = tuple(dict.fromkeys(m.group(1).upper() for n in c.notes for m in _ESSENTIAL.finditer(n)
                                        if m.group(1).upper() in c.jaks))
        indirect = tuple(n for n in c.notes if status == "jak_independent" and (_JAK.search(n) or "indirect" in n))
        return cls(c.id, c.name, status, tuple(c.jaks), tuple(c.stats), alts, essential,
                   tuple(tuple(a.jaks) for a in c.alternatives if a.jaks), indirect)


@dataclass(frozen=True)
class JakInhibition:
    """Modelled inhibition of one JAK at the given concentration."""

    jak: str
    ic50_nm: float | None
    assay: str | None
    fraction: float | None


@dataclass(frozen=True)
class CytokineBlock:
    """Modelled fraction of one cytokine's signalling blocked (``1 - prod(1 - f_j)``)."""

    cytokine: str
    jaks: tuple[str, ...]
    fraction: float
    missing_ic50: tuple[str, ...]


@dataclass(frozen=True)
class CytokineReach:
    """Whether one drug reaches one cytokine, on what basis, and why."""

    cytokine: str
    status: Reach
    basis: Literal["sourced", "model-based", "secondary target", "alternative receptor", "uncertain", "note"]
    reason: str


@dataclass(frozen=True)
class DrugCoverage:
    """How one drug's targets cover a disease's JAK-dependent cytokines."""

    drug_id: str
    drug: str
    targets: tuple[str, ...]
    selectivity: str
    covered: tuple[str, ...]
    not_covered: tuple[str, ...]
    score: float | None
    explanation: str
    inhibition: tuple[JakInhibition, ...] = ()
    blocks: tuple[CytokineBlock, ...] = ()
    reach: tuple[CytokineReach, ...] = ()
    partial: tuple[str, ...] = ()
    indirect: tuple[str, ...] = ()


@dataclass(frozen=True)
class MechanismReport:
    """Cytokines of a disease, their JAK requirements, and per-drug coverage (best first)."""

    disease: str
    cytokines: tuple[CytokineSignal, ...]
    drugs: tuple[DrugCoverage, ...]
    concentration_nm: float | None = None
    hill: float = 1.0
    assumptions: tuple[str, ...] = field(default=MODEL_ASSUMPTIONS)

    @property
    def jak_dependent(self) -> tuple[CytokineSignal, ...]:
        return tuple(c for c in self.cytokines if c.status == "jak_dependent")

    @property
    def jak_independent(self) -> tuple[CytokineSignal, ...]:
        return tuple(c for c in self.cytokines if c.status == "jak_independent")

    @property
    def unknown(self) -> tuple[CytokineSignal, ...]:
        return tuple(c for c in self.cytokines if c.status == "unknown")

    @property
    def indirect(self) -> tuple[str, ...]:
        """Sourced indirect routes of JAK-independent cytokines (shown, not scored)."""
        return tuple(f"{c.name}: {n}" for c in self.cytokines for n in c.indirect)


def _ic50s(drug: Drug) -> dict[str, tuple[float, str]]:
    """One IC50 per JAK: an enzyme (cell-free) value when sourced, else the first listed."""
    out: dict[str, tuple[float, str]] = {}
    for ic in drug.ic50:
        enzyme = "enzyme" in ic.assay.lower() or "cell-free" in ic.assay.lower()
        if ic.target not in out or (enzyme and "enzyme" not in out[ic.target][1].lower()):
            out[ic.target] = (ic.value_nm, ic.assay)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def secondary_targets(drug: Drug) -> tuple[str, ...]:
    """JAKs named in the drug's sourced selectivity statements beyond its main targets."""
    spared = {j for sel in drug.selectivity for j in sel.fold_over}  # a fold-selectivity figure spares that JAK
    named = {t for sel in drug.selectivity for t in sel.targets} - spared - set(drug.targets)
    return tuple(t for t in JAKS if t in named)


def cytokine_reach(drug: Drug, c: CytokineSignal) -> CytokineReach:
    """Reach of one JAK-dependent cytokine by ``drug`` (see the module docstring for the rules)."""
    targets = set(drug.targets)
    second = set(secondary_targets(drug))
    jaks = set(c.jaks)
    hit, weak = targets & jaks, second & jaks
    names = "+".join(c.jaks)
    if c.essential:
        need = set(c.essential)
        shown = "/".join(c.essential)
        if hit & need:
            return CytokineReach(c.name, "reached", "sourced", f"inhibits {shown}, sourced as dominant for {c.name}")
        if weak & need:
            return CytokineReach(c.name, "partial", "secondary target",
                                 f"{shown} (dominant for {c.name}) is only a secondary target in the sources")
        spared = f"; inhibiting {'/'.join(sorted(hit))} alone is not enough" if hit else ""
        return CytokineReach(c.name, "not reached", "sourced", f"{c.name} ({names}) signals mainly through {shown}, "
                                                               f"which {drug.name} spares{spared}")
    if hit and (len(jaks) <= 2 or len(hit) >= len(jaks) - 1):
        why = ("each JAK of the two-JAK receptor assumed necessary" if len(jaks) <= 2
               else f"inhibits {len(hit)} of its {len(jaks)} JAKs")
        return CytokineReach(c.name, "reached", "model-based", f"{'/'.join(sorted(hit))} of {names}: {why}")
    if hit:
        return CytokineReach(c.name, "partial", "uncertain",
                             f"inhibits {'/'.join(sorted(hit))} of {names}; which JAK is essential is not sourced")
    if weak:
        return CytokineReach(c.name, "partial", "secondary target",
                             f"{'/'.join(sorted(weak))} of {names} is only a secondary target in the sources")
    for alt in c.alternative_sets:
        if targets & set(alt):
            return CytokineReach(c.name, "partial", "alternative receptor",
                                 f"only through an alternative receptor or source ({'+'.join(alt)})")
    return CytokineReach(c.name, "not reached", "model-based", f"signals through {names}, none of them a target")


def drug_coverage(
    drug: Drug,
    cytokines: Sequence[CytokineSignal],
    *,
    concentration_nm: float | None = None,
    hill: float = 1.0,
) -> DrugCoverage:
    """Coverage of ``cytokines`` by ``drug``: reached cytokines count 1, partial ones 0.5, over the
    JAK-dependent cytokines, with every status, its basis and reason spelled out."""
    targets = tuple(t for t in JAKS if t in set(drug.targets))
    dependent = [c for c in cytokines if c.status == "jak_dependent"]
    reach = tuple(cytokine_reach(drug, c) for c in dependent) if targets else ()
    covered = tuple(r.cytokine for r in reach if r.status == "reached")
    partial = tuple(r.cytokine for r in reach if r.status == "partial")
    missed = tuple(r.cytokine for r in reach if r.status == "not reached") if targets else \
        tuple(c.name for c in dependent)
    indirect = tuple(f"{c.name}: {n}" for c in cytokines for n in c.indirect
                     if not _JAK.search(n) or set(_JAK.findall(n)) & set(targets))
    score = (len(covered) + 0.5 * len(partial)) / len(dependent) if dependent else None
    if not targets:
        text = f"{drug.name}: no JAK targets recorded, so coverage cannot be judged."
        score = None
    elif score is None:
        text = "No implicated cytokine of this disease is known to signal through JAKs."
    else:
        text = (f"{drug.name} ({'/'.join(targets)}) reaches {len(covered)} of {len(dependent)} JAK-dependent "
                f"cytokines" + (f" and partly {len(partial)} more" if partial else "") + f" ({_pct(score)})")
        shown = [f"{r.cytokine} {r.status} ({r.basis}: {r.reason})" for r in reach if r.basis != "model-based"
                 or r.status != "reached"]
        text += ("; " + "; ".join(shown) + "." if shown else "; each through a two-JAK receptor (model-based).")
    inhibition: list[JakInhibition] = []
    blocks: list[CytokineBlock] = []
    ic = _ic50s(drug)
    if concentration_nm is not None and ic:
        frac: dict[str, float] = {}
        for jak in JAKS:
            if jak in ic:
                f = hill_fraction(concentration_nm, ic[jak][0], hill)
                frac[jak] = f
                inhibition.append(JakInhibition(jak, ic[jak][0], ic[jak][1], f))
            else:
                inhibition.append(JakInhibition(jak, None, None, None))
        for c in dependent:
            unblocked = 1.0
            needed = c.essential or c.jaks  # a sourced dominant JAK alone decides the block
            for jak in needed:
                unblocked *= 1.0 - frac.get(jak, 0.0)
            blocks.append(CytokineBlock(c.name, tuple(needed), 1.0 - unblocked,
                                        tuple(j for j in needed if j not in frac)))
        fractions = ", ".join(f"{x.jak} {_pct(x.fraction)}" for x in inhibition if x.fraction is not None)
        text += (f" Model at {concentration_nm:g} nM free drug (Hill, h={hill:g}): {fractions} enzyme "
                 "inhibition; see the model's assumptions.")
    return DrugCoverage(drug.id, drug.name, targets, selectivity_class(drug), covered, missed, score,
                        text, tuple(inhibition), tuple(blocks), reach, partial, indirect)


def mechanism_report(
    disease: Disease,
    cytokines: dict[str, Cytokine],
    drugs: Iterable[Drug],
    *,
    concentration_nm: float | None = None,
    hill: float = 1.0,
) -> MechanismReport:
    """Mechanism coverage of ``disease`` by every JAK/TYK2 inhibitor in ``drugs``.

    Parameters
    ----------
    disease
        The disease; its ``cytokines`` ids are looked up in ``cytokines``.
    cytokines
        Cytokine records by id (``knowledge_base().cytokines``).
    drugs
        Candidate drugs; only JAK and TYK2 inhibitors are scored.
    concentration_nm
        Optional free concentration (nM) for the Hill model; applied to drugs with sourced IC50s.
    hill
        Hill coefficient for the model.

    Returns
    -------
    MechanismReport
        Drugs sorted by coverage score (unknown last), then by name.
    """
    if concentration_nm is not None and concentration_nm < 0:
        raise StatisticsError(f"Concentration must be >= 0 nM, got {concentration_nm:g}.")
    signals = tuple(CytokineSignal.of(cytokines[c]) for c in disease.cytokines if c in cytokines)
    missing = [c for c in disease.cytokines if c not in cytokines]
    if missing:
        signals += tuple(CytokineSignal(c, c, "unknown", (), ()) for c in missing)
    rows = [drug_coverage(d, signals, concentration_nm=concentration_nm, hill=hill)
            for d in drugs if d.drug_class in JAKI_CLASSES]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0.0), r.drug))
    return MechanismReport(disease.name, signals, tuple(rows), concentration_nm, hill)
