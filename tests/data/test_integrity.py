"""Every shipped record is checked: ids, sources, vocabularies, cross-references, formatting."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from jakatlas.data import DATA_FILES, canonical_json, knowledge_base, load_records
from jakatlas.data._kb import norm_key
from jakatlas.errors import DataFileError
from jakatlas.models.knowledge import JAKS, STATS


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_files_are_canonically_formatted(name: str) -> None:
    text = resources.files("jakatlas.data").joinpath(name).read_text(encoding="utf-8")
    assert text == canonical_json(json.loads(text)), f"{name}: rewrite with jakatlas.data.canonical_json"


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_ids_unique(name: str) -> None:
    records = json.loads(resources.files("jakatlas.data").joinpath(name).read_text(encoding="utf-8"))
    ids = [r["id"] for r in records]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes


def test_minimum_coverage(kb) -> None:
    jakis = [d for d in kb.drugs.values() if d.drug_class in ("jak_inhibitor", "tyk2_inhibitor")]
    assert len(jakis) >= 13
    assert len([c for c in kb.cytokines.values() if c.jak_dependent]) >= 18
    assert {"tnf", "il1", "il17"} <= {c.id for c in kb.cytokines.values() if c.jak_dependent is False}
    assert len(kb.diseases) >= 16
    for needed in ("hiscr", "dlqi", "mrss", "easi", "salt", "cdasi", "ihs4", "loscat", "csami"):
        assert any(needed in norm_key(o.id + o.name) for o in kb.outcomes.values()), needed


def _all_sourced(kb):
    for kind in ("drugs", "cytokines", "diseases", "outcomes", "studies"):
        for rec in getattr(kb, kind).values():
            yield kind, rec.id, list(rec.sources)
    for d in kb.drugs.values():
        for part in [*d.selectivity, *d.ic50, *d.approvals, *d.doses, *([d.boxed_warning] if d.boxed_warning else [])]:
            yield "drugs", d.id, list(part.sources)
    for c in kb.cytokines.values():
        for alt in c.alternatives:
            yield "cytokines", c.id, list(alt.sources)


def test_every_source_tag_resolves(kb) -> None:
    missing = {(k, i, t) for k, i, tags in _all_sourced(kb) for t in tags if t not in kb.sources}
    assert not missing


def _linked(s) -> bool:
    return bool(s.pmid or s.doi or s.nct or s.pmcid or s.urls)


def test_every_source_is_citable(kb) -> None:
    """A source has an identifier or a link; the seed and references whose copies were removed say why not."""
    for s in kb.sources.values():
        assert s.type == "seed" or _linked(s) or any("removed" in n for n in s.notes), s.id


def test_confirmed_records_have_a_checkable_primary_source(kb) -> None:
    for kind in ("drugs", "cytokines", "diseases", "outcomes", "studies"):
        for rec in getattr(kb, kind).values():
            if rec.confirmed:
                assert any(kb.sources[t].type == "primary" and _linked(kb.sources[t]) for t in rec.sources), (kind, rec.id)


def test_jaks_and_stats_in_vocabulary(kb) -> None:
    for d in kb.drugs.values():
        assert set(d.targets) <= set(JAKS), d.id
        for ic in d.ic50:
            assert ic.target in JAKS, d.id
    for c in kb.cytokines.values():
        assert set(c.jaks) <= set(JAKS), c.id
        assert set(c.stats) <= set(STATS), c.id
        assert c.jak_dependent is not False or not c.jaks, c.id
    for x in kb.diseases.values():
        assert set(x.stats) <= set(STATS), x.id


def test_disease_cross_references(kb) -> None:
    for x in kb.diseases.values():
        assert set(x.cytokines) <= set(kb.cytokines), (x.id, set(x.cytokines) - set(kb.cytokines))
        assert set(x.outcome_measures) <= set(kb.outcomes), (x.id, set(x.outcome_measures) - set(kb.outcomes))
        for ident in x.identifiers:
            assert ident.split(":", 1)[0] in {"ICD10", "MESH", "OMIM", "SNOMEDCT", "DOID", "EFO", "ORPHA", "ICD11"}
    for o in kb.outcomes.values():
        assert set(o.diseases) <= set(kb.diseases), o.id


def test_evidence_drugs_and_diseases_resolve(kb) -> None:
    drug_names = {d.name for d in kb.drugs.values()}
    disease_names = {d.name for d in kb.diseases.values()}
    for s in kb.studies.values():
        for i in [*s.interventions, *s.comparators]:
            assert i.name in drug_names, (s.id, i.name)
        for d in s.diseases:
            assert d.name in disease_names, (s.id, d.name)
        assert s.interventions and s.diseases, s.id


def test_names_resolve_uniquely(kb) -> None:
    seen: dict[str, str] = {}
    for d in kb.drugs.values():
        for n in {norm_key(x) for x in (d.name, *d.codes, *d.brands, *d.synonyms)}:
            assert seen.setdefault(n, d.id) == d.id, (n, d.id, seen[n])


def test_development_codes_resolve(kb) -> None:
    assert kb.drug("INCB054707").name == "povorcitinib"
    assert kb.drug("PF-06651600").name == "ritlecitinib"
    assert kb.disease("HS").name == "hidradenitis suppurativa"
    assert kb.disease("acne inversa").name == "hidradenitis suppurativa"


def test_seed_studies_present(kb) -> None:
    seed = [s for s in kb.studies.values() if s.origin == "seed"]
    regs = {r for s in seed for r in s.registry_ids}
    assert {"NCT03569371", "NCT03607487"} <= regs
    assert len(seed) >= 10


def test_malformed_file_names_file_record_and_field() -> None:
    from jakatlas.models.knowledge import Drug

    bad = json.dumps([{"id": "x", "name": "x", "drug_class": "wizardry", "sources": ["S1"]}])
    with pytest.raises(DataFileError) as err:
        load_records("drugs.json", Drug, text=bad)
    assert str(err.value).startswith("drugs.json, record 'x', field 'drug_class': ")


def test_invalid_json_names_line() -> None:
    from jakatlas.models.knowledge import Drug

    with pytest.raises(DataFileError, match=r"^drugs.json: not valid JSON at line 2 column 1"):
        load_records("drugs.json", Drug, text="[\n}")
