"""De-duplication keys and decisions (jakatlas.store.link)."""

from __future__ import annotations

from jakatlas.store.link import KeyIndex, StudyKey, link_studies, normalise_title, study_key

HS = ["hidradenitis suppurativa"]


def _k(i: str, **kw) -> StudyKey:
    return StudyKey(id=i, **{"drugs": ["povorcitinib"], "diseases": HS, **kw})


def test_nct_links_whatever_the_rest() -> None:
    (d,) = link_studies([_k("c1", registry_ids=["NCT03607487"], drugs=[])],
                        [_k("alavi2022-study2", status="curated", registry_ids=["NCT03607487"])])
    assert (d.target_id, d.basis) == ("alavi2022-study2", "nct")


def test_pmid_and_doi_need_a_common_drug_and_disease() -> None:
    existing = [_k("a", status="curated", pmid="123", doi="10.1/x")]
    same, other = link_studies([_k("c1", pmid="123"), _k("c2", pmid="123", drugs=["baricitinib"])], existing)
    assert (same.target_id, same.basis) == ("a", "pmid") and other.target_id is None
    (d,) = link_studies([_k("c3", doi="10.1/x")], existing)
    assert (d.target_id, d.basis) == ("a", "doi")


def test_fuzzy_title_author_year() -> None:
    existing = [_k("a", status="curated", title="Povorcitinib in hidradenitis suppurativa: a phase 2 trial",
                   first_author="alavi", year=2022)]
    near, far = link_studies([
        _k("c1", title="Povorcitinib in Hidradenitis Suppurativa - a Phase 2 Trial.", first_author="alavi", year=2022),
        _k("c2", title="Something else entirely about skin", first_author="alavi", year=2022),
    ], existing)
    assert (near.target_id, near.basis) == ("a", "fuzzy") and near.score >= 0.85
    assert far.target_id is None
    (wrong_year,) = link_studies([_k("c3", title=existing[0].title, first_author="alavi", year=2023)], existing)
    assert wrong_year.target_id is None


def test_same_size_counts_as_fuzzy_evidence_when_titles_differ() -> None:
    existing = [_k("a", status="curated", title="Descriptive title", first_author="kirby", year=2024, n=209)]
    (d,) = link_studies([_k("c", title="Oral povorcitinib dose-ranging", first_author="kirby", year=2024, n=209)],
                        existing)
    assert d.target_id == "a" and d.basis == "fuzzy"


def test_candidates_link_to_each_other_and_to_curated_first() -> None:
    out = link_studies([_k("p1", registry_ids=["NCT09000001"]), _k("c1", registry_ids=["NCT09000001"])])
    assert [d.target_id for d in out] == [None, "p1"]
    out = link_studies([_k("p2", registry_ids=["NCT09000002"])],
                       [_k("cand", registry_ids=["NCT09000002"]), _k("cur", status="curated",
                                                                       registry_ids=["NCT09000002"])])
    assert out[0].target_id == "cur"


def test_a_paper_with_two_trials_links_each_by_registry_and_size() -> None:
    existing = [_k("s1", status="curated", pmid="1", n=10, registry_ids=["NCT03569371"]),
                _k("s2", status="curated", pmid="1", n=35, registry_ids=["NCT03607487"])]
    out = link_studies([_k("c1", pmid="1", n=35), _k("c2", pmid="1", n=10)], existing)
    assert [d.target_id for d in out] == ["s2", "s1"]


def test_study_key_reads_the_citation() -> None:
    k = study_key("x", {"citation": "Damsky W, Wang A, King B. J Allergy Clin Immunol 2020;145(6):1708. "
                                    "DOI 10.1016/j.jaci.2020.01.031 (PMID not found)",
                        "interventions": [{"name": "tofacitinib"}], "diseases": [{"name": "lichen planus"}],
                        "registry_ids": ["NCT01234567", "EUDRACT-1"]}, status="curated")
    assert (k.first_author, k.year, k.doi, k.pmid) == ("damsky", 2020, "10.1016/j.jaci.2020.01.031", None)
    assert k.registry_ids == ["NCT01234567"] and k.drugs == ["tofacitinib"]
    assert study_key("y", {"citation": "Alavi A, et al. Br J Dermatol 2022;186(5):803"}).first_author == "alavi"
    assert normalise_title("Élan: B a") == "a b elan"


def test_studies_of_one_document_never_link_to_each_other() -> None:
    a = _k("r-s1", pmid="9", n=1, record="doc1")
    b = _k("r-s2", pmid="9", n=1, record="doc1")
    assert [d.target_id for d in link_studies([a, b])] == [None, None]
    c = _k("other-s1", pmid="9", n=1, record="doc2")  # the same paper fetched again elsewhere does link
    assert link_studies([c], [a])[0].target_id == "r-s1"


def test_index_discards_a_replaced_study_and_takes_it_back_as_the_newest() -> None:
    """A revised record's old candidate leaves the index; added again, it ranks after the others."""
    index = KeyIndex([_k("old", registry_ids=["NCT01"]), _k("mid", registry_ids=["NCT01"])])
    index.discard(["old"])
    (d,) = index.link([_k("c1", registry_ids=["NCT01"])])
    assert d.target_id == "mid"
    index.add(_k("old", registry_ids=["NCT01"]))
    (d,) = index.link([_k("c2", registry_ids=["NCT01"])])
    assert d.target_id == "mid"
    assert index.link([_k("c3", registry_ids=["NCT02"])])[0].target_id is None
    assert index.link([_k("c4", registry_ids=["NCT02"])])[0].target_id == "c3"  # new studies join
