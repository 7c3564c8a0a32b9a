"""Mechanism coverage: which JAK inhibitors reach the cytokines implicated in a disease.

A disease names its implicated cytokines; each cytokine signals through a receptor-bound pair (or
set) of JAKs, or through no JAK at all (TNF, IL-1, IL-17). A receptor complex needs *all* of its
JAKs to signal, so inhibiting *any one* of them interrupts the signal: a drug covers a cytokine
when the cytokine's JAK set contains at least one of the drug's targets (Schwartz et al., Nat Rev
Drug Discov 2017; O'Shea et al., Annu Rev Med 2015).

Where enzyme IC50 values are sourced, fractional inhibition at a free plasma concentration ``C``
follows the Hill (Emax) equation ``f = C^h / (C^h + IC50^h)`` (Hill 1910; h = 1 by default), and
a cytokine's JAK set is blocked with probability ``1 - prod(1 - f_j)`` (independent occupancy).
This is a model, not a measurement; :data:`MODEL_ASSUMPTIONS` lists what it ignores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from jakatlas.errors import StatisticsError
from jakatlas.models.knowledge import JAKS, Cytokine, Disease, Drug

__all__ = [
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
    "any of its JAKs is inhibited.",
    "JAKs without a sourced IC50 are counted as uninhibited, so the figures are lower bounds for "
    "drugs with missing values.",
    "Steady-state trough and peak concentrations differ; the figure holds for one concentration only.",
)

Status = Literal["jak_dependent", "jak_independent", "unknown"]


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

    @classmethod
    def of(cls, c: Cytokine) -> CytokineSignal:
        if c.jak_dependent is False:
            status: Status = "jak_independent"
        elif c.jak_dependent and c.jaks:
            status = "jak_dependent"
        else:
            status = "unknown"
        alts = tuple(f"{'+'.join(a.jaks) or 'no JAK'}: {a.note}" for a in c.alternatives)
        return cls(c.id, c.name, status, tuple(c.jaks), tuple(c.stats), alts)


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


def drug_coverage(
    drug: Drug,
    cytokines: Sequence[CytokineSignal],
    *,
    concentration_nm: float | None = None,
    hill: float = 1.0,
) -> DrugCoverage:
    """Coverage of ``cytokines`` by ``drug``: the share of JAK-dependent cytokines whose JAK set
    includes at least one of the drug's targets, with a sentence that explains it."""
    targets = tuple(t for t in JAKS if t in set(drug.targets))
    dependent = [c for c in cytokines if c.status == "jak_dependent"]
    covered = tuple(c.name for c in dependent if set(c.jaks) & set(targets))
    missed = tuple(c.name for c in dependent if not set(c.jaks) & set(targets))
    score = len(covered) / len(dependent) if dependent else None
    if not targets:
        text = f"{drug.name}: no JAK targets recorded, so coverage cannot be judged."
        score = None
    elif score is None:
        text = "No implicated cytokine of this disease is known to signal through JAKs."
    else:
        text = (f"{drug.name} ({'/'.join(targets)}) reaches {len(covered)} of {len(dependent)} JAK-dependent "
                f"cytokines ({_pct(score)})")
        if covered:
            text += ", each signalling through at least one of its targets"
        gone = [c for c in dependent if c.name in missed]
        text += ("; not reached: " + ", ".join(f"{c.name} ({'+'.join(c.jaks)})" for c in gone) + "."
                 if gone else ".")
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
            for jak in c.jaks:
                unblocked *= 1.0 - frac.get(jak, 0.0)
            blocks.append(CytokineBlock(c.name, c.jaks, 1.0 - unblocked,
                                        tuple(j for j in c.jaks if j not in frac)))
        shown = ", ".join(f"{x.jak} {_pct(x.fraction)}" for x in inhibition if x.fraction is not None)
        text += (f" Model at {concentration_nm:g} nM free drug (Hill, h={hill:g}): {shown} enzyme "
                 "inhibition; see the model's assumptions.")
    return DrugCoverage(drug.id, drug.name, targets, selectivity_class(drug), covered, missed, score,
                        text, tuple(inhibition), tuple(blocks))


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
