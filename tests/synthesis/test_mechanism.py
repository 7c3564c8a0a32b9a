"""Mechanism coverage: JAK requirements of a disease's cytokines, drug coverage, Hill-equation model."""

from __future__ import annotations

import pytest

from jakatlas.data import knowledge_base
from jakatlas.errors import StatisticsError
from jakatlas.synthesis.mechanism import (
    MODEL_ASSUMPTIONS,
    hill_fraction,
    mechanism_report,
    selectivity_class,
)


def _report(disease: str, concentration: float | None = None):  # type: ignore[no-untyped-def]
    kb = knowledge_base()
    return mechanism_report(kb.disease(disease), kb.cytokines, kb.drugs.values(), concentration_nm=concentration)


def _drug(report, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in report.drugs if d.drug == name)


def test_hill_equation_values() -> None:
    assert hill_fraction(5.9, 5.9) == pytest.approx(0.5)
    assert hill_fraction(0.0, 5.9) == 0.0
    assert hill_fraction(20.0, 10.0, hill=2.0) == pytest.approx(0.8)
    assert hill_fraction(90.0, 10.0) == pytest.approx(0.9)


@pytest.mark.parametrize(("c", "ic50", "h"), [(-1.0, 5.0, 1.0), (1.0, 0.0, 1.0), (1.0, 5.0, 0.0)])
def test_hill_equation_rejects_invalid_inputs(c: float, ic50: float, h: float) -> None:
    with pytest.raises(StatisticsError):
        hill_fraction(c, ic50, h)


def test_hidradenitis_cytokines_are_classified() -> None:
    rep = _report("hidradenitis suppurativa")
    # IL-36 is an IL-1-family cytokine (MyD88 signalling), recorded as JAK-independent since the audit
    assert {c.name for c in rep.jak_independent} == {"TNF", "IL-1", "IL-17A", "IL-36"}
    assert not rep.unknown
    assert {c.name for c in rep.jak_dependent} == {"IFN-γ", "IL-12", "IL-23", "IL-10", "IL-6", "IL-22"}
    il1 = next(c for c in rep.cytokines if c.id == "il1")
    assert il1.alternatives and "DISAGREEMENT" in il1.alternatives[0]


def test_coverage_follows_jak_pairs_and_sourced_dominant_jaks() -> None:
    rep = _report("hidradenitis suppurativa")
    bari = _drug(rep, "baricitinib")
    assert bari.score == 1.0 and not bari.not_covered
    upa = _drug(rep, "upadacitinib")
    assert upa.score == pytest.approx(4 / 6)
    assert set(upa.not_covered) == {"IL-12", "IL-23"}
    assert upa.explanation.startswith("upadacitinib (JAK1) reaches 4 of 6 JAK-dependent cytokines (67%); IL-12 not "
                                      "reached (model-based: signals through JAK2+TYK2, none of them a target)")
    assert rep.drugs[0].score == 1.0


def test_tyk2_only_deucravacitinib_does_not_reach_il6() -> None:
    """IL-6 signals through JAK1/JAK2/TYK2 with JAK1 dominant (Spinelli 2021, in the data): TYK2 alone
    does not block it, whatever the receptor-pair rule would say."""
    rep = _report("hidradenitis suppurativa")
    il6 = next(c for c in rep.cytokines if c.id == "il6")
    assert il6.essential == ("JAK1",)
    deucra = _drug(rep, "deucravacitinib")
    assert "IL-6" in deucra.not_covered and "IFN-γ" in deucra.not_covered
    reach = {r.cytokine: r for r in deucra.reach}
    assert (reach["IL-6"].status, reach["IL-6"].basis) == ("not reached", "sourced")
    assert reach["IL-6"].reason == ("IL-6 (JAK1+JAK2+TYK2) signals mainly through JAK1, which deucravacitinib "
                                    "spares; inhibiting TYK2 alone is not enough")
    assert (reach["IL-23"].status, reach["IL-23"].basis) == ("reached", "model-based")


def test_tofacitinib_reaches_il12_il23_partly_as_its_th1_th17_blockade_says() -> None:
    kb = knowledge_base()
    tofa = next(d for d in kb.drugs.values() if d.name == "tofacitinib")
    assert any("Th17" in sel.statement for sel in tofa.selectivity)
    rep = _report("hidradenitis suppurativa")
    t = _drug(rep, "tofacitinib")
    reach = {r.cytokine: r for r in t.reach}
    for name in ("IL-12", "IL-23"):
        assert (reach[name].status, reach[name].basis) == ("partial", "secondary target")
    assert set(t.partial) == {"IL-12", "IL-23"} and t.score == pytest.approx(5 / 6)


def test_tgf_beta_jak2_note_is_shown_as_an_indirect_route_not_scored() -> None:
    rep = _report("systemic sclerosis")
    assert any(x.startswith("TGF-β: In systemic sclerosis fibroblasts JAK2 is activated") for x in rep.indirect)
    assert _drug(rep, "baricitinib").indirect and not _drug(rep, "upadacitinib").indirect
    assert _drug(rep, "baricitinib").score == _drug(rep, "upadacitinib").score


def test_jak1_jak3_cytokines_are_blocked_by_either_kinase() -> None:
    rep = _report("alopecia areata")  # IFN-γ (JAK1+JAK2), IL-2 and IL-15 (JAK1+JAK3)
    ritle = _drug(rep, "ritlecitinib")  # JAK3 only
    assert set(ritle.covered) == {"IL-2", "IL-15"} and ritle.not_covered == ("IFN-γ",)
    assert _drug(rep, "upadacitinib").score == 1.0


def test_drugs_without_targets_are_not_scored() -> None:
    kb = knowledge_base()
    # every shipped JAK inhibitor now has sourced targets; strip them to exercise the rule
    fed = kb.drug("fedratinib").model_copy(update={"targets": [], "selectivity": []})
    drugs = [fed if d.id == "fedratinib" else d for d in kb.drugs.values()]
    rep = mechanism_report(kb.disease("lichen planus"), kb.cytokines, drugs)
    cov = _drug(rep, "fedratinib")
    assert cov.score is None and rep.drugs[-1].drug == "fedratinib"
    assert cov.explanation == "fedratinib: no JAK targets recorded, so coverage cannot be judged."
    assert _drug(_report("lichen planus"), "fedratinib").targets == ("JAK2",)


def test_hill_model_uses_sourced_ic50s_only() -> None:
    rep = _report("hidradenitis suppurativa", concentration=5.9)
    bari = _drug(rep, "baricitinib")
    jak1 = next(x for x in bari.inhibition if x.jak == "JAK1")
    assert jak1.ic50_nm == 5.9 and jak1.fraction == pytest.approx(0.5)
    assert next(x for x in bari.inhibition if x.jak == "TYK2").fraction is None
    ifng = next(b for b in bari.blocks if b.cytokine == "IFN-γ")
    f2 = hill_fraction(5.9, 5.7)
    assert ifng.fraction == pytest.approx(1 - 0.5 * (1 - f2))
    il12 = next(b for b in bari.blocks if b.cytokine == "IL-12")
    assert il12.missing_ic50 == ("TYK2",)
    assert "Model at 5.9 nM free drug (Hill, h=1)" in bari.explanation
    assert _drug(rep, "upadacitinib").inhibition == ()
    assert rep.assumptions == MODEL_ASSUMPTIONS
    assert any("Enzyme (cell-free) IC50 values are not cellular potency" in a for a in rep.assumptions)


def test_negative_concentration_is_rejected() -> None:
    with pytest.raises(StatisticsError, match="Concentration must be >= 0 nM"):
        _report("hidradenitis suppurativa", concentration=-1.0)


def test_selectivity_classes() -> None:
    kb = knowledge_base()
    assert selectivity_class(kb.drug("upadacitinib")) == "JAK1-selective"
    assert selectivity_class(kb.drug("tofacitinib")) == "JAK1/JAK3"
    assert selectivity_class(kb.drug("delgocitinib")) == "pan-JAK"
    assert selectivity_class(kb.drug("gusacitinib")) == "pan-JAK"
    assert selectivity_class(kb.drug("fedratinib")) == "JAK2-selective"
    assert selectivity_class(kb.drug("fedratinib").model_copy(update={"targets": []})) == "targets unknown"
