"""Sources are reputable, well-formed and match the records that cite them; studies show only their own identifiers."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from jakatlas.data import knowledge_base
from jakatlas.models.knowledge import ALLOWED_HOSTS, CuratedStudy, Source, host_allowed
from jakatlas.store.views import study_links


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


def _surname(author: str) -> str:
    """'Kimball AB' -> 'kimball'; 'Del Duca E' -> 'del duca'; a sponsor name is returned whole."""
    parts = author.split()
    if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3:
        parts = parts[:-1]
    return " ".join(parts).lower()


def test_every_link_is_on_a_reputable_host(kb) -> None:
    bad = [(s.id, u) for s in kb.sources.values() for u in s.urls if not host_allowed(u)]
    assert not bad
    for s in kb.sources.values():
        for _, url in s.links():
            assert host_allowed(url), (s.id, url)


@pytest.mark.parametrize("url", [
    "http://47.251.13.51:8081/33950229",                      # bare IP address
    "https://seekingalpha.com/news/3788396",                   # stock-market site
    "https://www.droracle.ai/articles/627008/",                # chatbot site
    "http://goldberglawma.com/?id=news",                       # law firm
    "https://www.smolecule.com/products/s539192",              # chemical vendor
    "ftp://pubmed.ncbi.nlm.nih.gov/1/",                        # not http(s)
    "https://pubmed.ncbi.nlm.nih.gov.evil.example/1/",         # look-alike host
])
def test_disallowed_links_are_refused_with_a_fix(url: str) -> None:
    with pytest.raises(ValidationError) as err:
        Source(id="S999", title="t", type="secondary", urls=[url])
    msg = str(err.value)
    assert "links must point to a reputable host" in msg and "Cite the PMID/DOI/NCT instead" in msg


def test_allow_list_has_no_generic_hosts() -> None:
    for host in ALLOWED_HOSTS:
        assert "." in host and not re.fullmatch(r"[\\d.]+", host), host
    assert not {"com", "org", "net", "wikipedia.org", "scribd.com", "medpath.com"} & ALLOWED_HOSTS


@pytest.mark.parametrize("field, value", [
    ("pmid", "PMID35081280"), ("pmid", "0123"), ("doi", "doi:10.1056/x"), ("doi", "10.10/x"),
    ("nct", ["NCT123"]), ("pmcid", "6901833"),
])
def test_malformed_identifiers_are_refused(field: str, value) -> None:
    with pytest.raises(ValidationError):
        Source(id="S999", title="t", type="primary", **{field: value})


def test_identified_sources_store_the_record_metadata(kb) -> None:
    """Every PMID/DOI source has a year and names the record's title and first author, or says it was not retrieved.

    Sources that carry a study's own PMID/DOI must have the title: that is what a reader checks first.
    """
    own = {x for st in kb.studies.values() for x in (st.pmid, st.doi) if x}
    for s in kb.sources.values():
        if s.pmid or s.doi:
            assert s.year is not None, s.id
            assert (s.record_title and len(s.record_title) > 15) or any("Record title not retrieved" in n for n in s.notes), s.id
            assert s.first_author or any("First author not retrieved" in n for n in s.notes), s.id
            if {s.pmid, s.doi} & own:
                assert s.record_title, s.id
        if s.nct:  # the sponsor of a registration
            assert s.first_author or any("Sponsor not retrieved" in n for n in s.notes), s.id


def test_sources_look_like_the_studies_they_back(kb) -> None:
    """A source that carries a study's own PMID/DOI has the study's year and its first author is in the citation."""
    checked = 0
    for st in kb.studies.values():
        own = {x for x in (st.pmid, st.doi) if x}
        backing = [kb.sources[t] for t in st.sources if (kb.sources[t].pmid in own or kb.sources[t].doi in own)]
        if not own:
            continue
        assert backing, (st.id, "no cited source carries the study's own PMID/DOI")
        for s in backing:
            assert s.year == st.year, (st.id, s.id, s.year, st.year)
            if s.first_author:
                assert _surname(s.first_author) in st.citation.lower(), (st.id, s.id, s.first_author, st.citation)
            checked += 1
    assert checked >= 25


def test_cited_identifiers_belong_to_the_citing_study(kb) -> None:
    """A study cites only sources whose PMID/DOI/PMCID/NCT numbers are the study's own."""
    for st in kb.studies.values():
        for t in st.sources:
            s = kb.sources[t]
            for kind, value, own in (("PMID", s.pmid, st.pmid), ("DOI", s.doi, st.doi), ("PMCID", s.pmcid, st.pmcid)):
                assert value is None or value == own, (st.id, t, kind, value)
            assert set(s.nct) <= set(st.registry_ids), (st.id, t, s.nct)


def _ident(label: str) -> str:
    return label.split(" ", 1)[1] if label.startswith(("PMID ", "DOI ")) else label


def test_studies_display_only_their_own_identifiers(kb) -> None:
    """What users see against a study (its identifier links) belongs to that study's own publication or registration."""
    for st in kb.studies.values():
        own = {x for x in (st.pmid, st.doi, st.pmcid) if x} | set(st.registry_ids)
        shown = {_ident(label) for label, _ in study_links(st.model_dump(mode="json"), kb) if label != "web"}
        assert shown <= own, (st.id, shown - own)
        for x in (st.pmid, st.doi, st.pmcid):
            assert x is None or x in st.citation, (st.id, x)


def test_study_identifier_fields_are_validated() -> None:
    base = knowledge_base().studies["shao2019-lp-type2-ifn-baricitinib"].model_dump()
    for field, bad in (("pmid", "31554739x"), ("doi", "scitranslmed.aav7561"), ("pmcid", "12345")):
        with pytest.raises(ValidationError):
            CuratedStudy.model_validate({**base, field: bad})
