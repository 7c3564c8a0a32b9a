"""Each fact corrected after the expert audit of the knowledge base (issue 9), checked against the shipped data."""

from __future__ import annotations

import pytest

from jakatlas.data import knowledge_base
from jakatlas.store.views import study_links


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


def _linked(s) -> bool:
    return bool(s.pmid or s.doi or s.nct or s.pmcid or s.urls)


def _primary_linked(kb, tags) -> bool:
    return any(kb.sources[t].type == "primary" and (kb.sources[t].pmid or kb.sources[t].doi or kb.sources[t].nct
                                                   or kb.sources[t].pmcid or kb.sources[t].urls) for t in tags)


def test_ifn_gamma_receptor_chains_pair_ifngr1_jak1_and_ifngr2_jak2(kb) -> None:
    c = kb.cytokines["ifn_gamma"]
    assert c.receptor_chains == ["IFNGR1", "IFNGR2"] and c.jaks == ["JAK1", "JAK2"] and c.stats == ["STAT1"]
    assert "IFNGR1 associates with JAK1 and IFNGR2 with JAK2" in c.notes[0]
    assert not any("IFNGR1 associates with JAK2" in n for n in c.notes)
    assert "S90" in c.sources and "R-HSA-877300" in kb.sources["S90"].urls[0]


def test_il23_signals_mainly_through_stat3_with_stat4(kb) -> None:
    c = kb.cytokines["il23"]
    assert c.stats == ["STAT3", "STAT4"] and c.jaks == ["JAK2", "TYK2"]
    assert kb.sources["S91b"].pmid == "12023369"  # Parham et al. 2002, the IL-23 receptor paper
    # the vendor table's STAT4-only assignment is kept as a disagreement, not as the record
    assert [a.stats for a in c.alternatives] == [["STAT4"]] and c.alternatives[0].note.startswith("DISAGREEMENT")


@pytest.mark.parametrize("cid", ["il18", "il36"])
def test_il18_and_il36_are_il1_family_myd88_not_jak(kb, cid: str) -> None:
    c = kb.cytokines[cid]
    assert c.jak_dependent is False and c.jaks == [] and c.stats == []
    assert "MyD88" in c.notes[0] and {"S92", "S92b"} <= set(c.sources)


def test_bimekizumab_is_approved_for_hs(kb) -> None:
    d = kb.drug("bimekizumab")
    assert d.status == "approved" and d.brands == ["Bimzelx"] and d.confirmed
    hs = {(a.regulator, a.date) for a in d.approvals if "hidradenitis" in a.indication and a.status == "approved"}
    assert hs == {("EC", "2024"), ("FDA", "2024-11")}
    assert all(_primary_linked(kb, a.sources) for a in d.approvals)


def test_true_pn_trials_are_separate_and_only_pn1_met_its_endpoint(kb) -> None:
    assert "true-pn1-pn2-ruxolitinib-cream" not in kb.studies
    pn1, pn2 = kb.studies["true-pn1-ruxolitinib-cream"], kb.studies["true-pn2-ruxolitinib-cream"]
    (o,) = pn1.outcomes
    assert (o.measure, o.value, o.comparator_value, o.timepoint.value, o.p_value) == ("WI-NRS4", 44.6, 20.6, 12, 0.0003)
    assert pn2.outcomes == [] and "did not reach statistical significance" in pn2.result and "vehicle" in pn2.result
    # neither shows a registration whose trial assignment was not confirmed
    assert pn1.registry_ids == [] and pn2.registry_ids == []


def test_thrive_aa_trials_are_separate_with_aa1_figures(kb) -> None:
    assert "thrive-aa1-aa2-deuruxolitinib" not in kb.studies
    t1 = kb.studies["thrive-aa1-deuruxolitinib"]
    assert t1.n == 706 and t1.registry_ids == ["NCT04518995"] and t1.design == "rct" and t1.evidence_level == 2
    assert {(o.arm, o.value, o.comparator_value) for o in t1.outcomes} == {
        ("deuruxolitinib 8 mg", 29.6, 0.8), ("deuruxolitinib 12 mg", 41.5, 0.8)}
    t2 = kb.studies["thrive-aa2-deuruxolitinib"]
    assert t2.outcomes == [] and t2.n is None


@pytest.mark.parametrize("drug, year, tag", [("abrocitinib", "2021", "S98"), ("ritlecitinib", "2023", "S100")])
def test_eu_approvals_were_granted(kb, drug: str, year: str, tag: str) -> None:
    eu = [a for a in kb.drug(drug).approvals if a.regulator in ("EC", "EMA/CHMP")]
    assert [(a.regulator, a.status, a.date) for a in eu] == [("EC", "approved", year)]
    assert tag in eu[0].sources and "ema.europa.eu" in kb.sources[tag].urls[0]


def test_baricitinib_eu_atopic_dermatitis_approval_was_granted(kb) -> None:
    ad = [a for a in kb.drug("baricitinib").approvals if "atopic" in a.indication]
    assert [(a.regulator, a.status) for a in ad] == [("EC", "approved")] and "S99" in ad[0].sources
    assert not any(a.status == "positive_opinion" and "atopic" in a.indication for a in kb.drug("baricitinib").approvals)


def test_tofacitinib_boxed_warning_predates_2021(kb) -> None:
    bw = kb.drug("tofacitinib").boxed_warning
    assert bw is not None and bw.present
    assert bw.text.startswith("Boxed warning since the first US approval (2012)") and "updated" in bw.text
    assert bw.sources == ["S22b", "S22"] and kb.sources["S22b"].year == 2012
    assert "accessdata.fda.gov" in kb.sources["S22b"].urls[0]


def test_thrombocytopenia_figure_does_not_mix_denominators(kb) -> None:
    notes = " ".join(kb.drug("povorcitinib").notes) + " ".join(kb.studies["alavi2022-study2"].notes)
    assert "4 patients (15.4%) at 90 mg" not in notes.replace("earlier version presented '4 patients (15.4%) at 90 mg'", "")
    assert "4 of the 26 drug-treated patients" in notes and "(arm n=8)" in notes
    (ae,) = [a for a in kb.studies["alavi2022-study2"].adverse_events if "thrombocytopenia" in a.term.lower()]
    assert ae.value == 15.4 and ae.arm == "povorcitinib, all doses (4 of 26)"


@pytest.mark.parametrize("sid, wrong", [
    ("stop-hs2-povorcitinib-ph3", "NCT05620823"),                            # STOP-HS1's registration
    ("tofacitinib-paediatric-morphea-adv2023", "10.1007/s10067-020-05118-z"), # a 2020 Clin Rheumatol case
    ("tofacitinib-evvlp-australian-series", "37675068"),                     # Kassels et al., a US series
    ("allegro-ritlecitinib-aa", "10.1021/acs.jmedchem.6b01694"),              # the J Med Chem discovery paper
])
def test_wrong_identifiers_are_no_longer_shown(kb, sid: str, wrong: str) -> None:
    st = kb.studies[sid]
    shown = " ".join(f"{label} {url}" for label, url in study_links(st.model_dump(mode="json"), kb))
    assert wrong not in shown
    assert all(wrong not in (kb.sources[t].pmid, kb.sources[t].doi) and wrong not in kb.sources[t].nct for t in st.sources)


def test_allegro_shows_its_own_registration(kb) -> None:
    st = kb.studies["allegro-ritlecitinib-aa"]
    assert [label for label, _ in study_links(st.model_dump(mode="json"), kb)] == ["NCT03732807"]


@pytest.mark.parametrize("sid, design, level, n", [
    ("brave-aa1-baricitinib", "rct", 2, 654), ("brave-aa2-baricitinib", "rct", 2, 546),
    ("thrive-aa1-deuruxolitinib", "rct", 2, 706), ("thrive-aa2-deuruxolitinib", "rct", 2, None),
    ("allegro-ritlecitinib-aa", "rct", 2, 718), ("true-v-ruxolitinib-cream-vitiligo", "rct", 2, None),
])
def test_pivotal_trials_are_graded(kb, sid: str, design: str, level: int, n) -> None:
    st = kb.studies[sid]
    assert (st.design, st.evidence_level, st.n) == (design, level, n)
    assert st.comparators, sid


def test_brave_aa_figures_are_the_publications(kb) -> None:
    a1, a2 = kb.studies["brave-aa1-baricitinib"], kb.studies["brave-aa2-baricitinib"]
    assert {(o.arm, o.value, o.comparator_value) for o in a1.outcomes} == {("baricitinib 4 mg", 38.8, 6.2), ("baricitinib 2 mg", 22.8, 6.2)}
    assert {(o.arm, o.value, o.comparator_value) for o in a2.outcomes} == {("baricitinib 4 mg", 35.9, 3.3), ("baricitinib 2 mg", 19.4, 3.3)}
    assert a1.doi == a2.doi == "10.1056/NEJMoa2110343" and a1.registry_ids == ["NCT03570749"] and a2.registry_ids == ["NCT03899259"]


def test_development_codes_are_on_the_right_drugs(kb) -> None:
    assert kb.drug("ABT-494").name == "upadacitinib"
    assert kb.drug("CP-690550").name == kb.drug("CP-690,550").name == "tofacitinib"
    assert kb.drug("PF-04965842").name == "abrocitinib"
    assert "ABT-494" in kb.sources["S30"].record_title and "CP-690,550" in kb.sources["S88"].record_title
    assert "PF-04965842" in kb.sources["S119a"].record_title


def test_targets_of_fedratinib_and_gusacitinib(kb) -> None:
    assert kb.drug("fedratinib").targets == ["JAK2"] and kb.drug("fedratinib").brands == ["Inrebic"]
    assert kb.drug("gusacitinib").targets == ["JAK1", "JAK2", "JAK3", "TYK2"]


def test_current_ruxolitinib_cream_approvals(kb) -> None:
    ap = {(a.regulator, a.date) for a in kb.drug("ruxolitinib").approvals}
    assert ("FDA", "2025-09") in ap and ("EC", "2023") in ap


def test_abrocitinib_adolescent_approval_is_dated(kb) -> None:
    (ad,) = [a for a in kb.drug("abrocitinib").approvals if "adolescents" in a.indication]
    assert (ad.regulator, ad.date, ad.status) == ("FDA", "2023-02", "approved") and "S106" in ad.sources


def test_approvals_cite_a_checkable_regulator_document(kb) -> None:
    """An approval cites a source with an identifier or a link, or says that only an unlinked report supports it."""
    unlinked = 0
    for d in kb.drugs.values():
        for a in d.approvals:
            if not any(_linked(kb.sources[t]) for t in a.sources):
                assert "Only an unlinked report supports this entry" in (a.note or ""), (d.id, a.regulator, a.indication)
                unlinked += 1
    assert unlinked <= 5


def test_lichen_planus_rct_records_its_posted_results(kb) -> None:
    st = kb.studies["ruxolitinib-cream-clp-rct-nct05593432"]
    assert "posted on ClinicalTrials.gov on 24 Oct 2024" in st.result and "32 vs 32" in st.result
    assert "tab=results" in kb.sources["S77"].urls[0]


def test_rheumatoid_arthritis_has_its_class_safety_trial(kb) -> None:
    (st,) = kb.studies_for(disease="rheumatoid arthritis")
    assert st.id == "oral-surveillance-tofacitinib-ra" and st.n == 4362 and st.registry_ids == ["NCT02092467"]
    assert {(o.value, o.ci_low, o.ci_high) for o in st.outcomes} == {(1.33, 0.91, 1.94), (1.48, 1.04, 2.09)}


def test_psoriasis_with_deucravacitinib_and_poetyk(kb) -> None:
    assert kb.disease("plaque psoriasis").name == "psoriasis"
    ids = {s.id for s in kb.studies_for(drug="deucravacitinib", disease="psoriasis")}
    assert ids == {"poetyk-pso1-deucravacitinib", "poetyk-pso2-deucravacitinib"}
    assert any(a.indication == "moderate-to-severe plaque psoriasis" for a in kb.drug("deucravacitinib").approvals)


def test_atopic_dermatitis_pivotal_and_head_to_head_trials(kb) -> None:
    ids = {s.id for s in kb.studies_for(disease="atopic dermatitis")}
    assert {"measure-up-1-2-upadacitinib", "jade-mono1-abrocitinib", "jade-mono2-abrocitinib", "breeze-ad1-baricitinib",
            "breeze-ad2-baricitinib", "true-ad1-ruxolitinib-cream", "true-ad2-ruxolitinib-cream",
            "heads-up-upadacitinib-dupilumab", "jade-compare-abrocitinib-dupilumab", "jade-dare-abrocitinib-dupilumab",
            "level-up-upadacitinib-dupilumab"} <= ids


def test_hs_placebo_benchmarks(kb) -> None:
    placebo = {s.id: [o.comparator_value for o in s.outcomes] for s in kb.studies_for(disease="hidradenitis suppurativa")
               if any(c.name == "placebo" for c in s.comparators) and s.interventions[0].name in ("adalimumab", "secukinumab", "bimekizumab")}
    assert placebo["pioneer1-adalimumab-hs"] == [26.0] and placebo["pioneer2-adalimumab-hs"] == [27.6]
    assert {"sunshine-secukinumab-hs", "sunrise-secukinumab-hs", "be-heard1-bimekizumab-hs", "be-heard2-bimekizumab-hs"} <= set(placebo)
