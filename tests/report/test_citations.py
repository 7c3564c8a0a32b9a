"""Reference lists as RIS and BibTeX: every reference exported, and both formats parse back."""

from __future__ import annotations

import bibtexparser
import rispy

from jakatlas.data import knowledge_base
from jakatlas.models.knowledge import Source
from jakatlas.report.citations import (
    Reference,
    disease_references,
    drug_references,
    references_for,
    to_bibtex,
    to_ris,
)
from jakatlas.report.dossier import build_dossier
from jakatlas.store.atlas import Atlas


def test_disease_export_has_every_dossier_reference(report_atlas: Atlas) -> None:
    kb = knowledge_base()
    hs = kb.disease("hidradenitis suppurativa")
    refs = disease_references(report_atlas, hs)
    assert [r.key for r in refs] == [r.tag for r in build_dossier(report_atlas, hs).references]
    parsed = rispy.loads(to_ris(refs))
    assert [p["id"] for p in parsed] == [r.key for r in refs]
    assert [p["title"] for p in parsed] == [kb.sources[r.key].title for r in refs]
    by_key = {p["id"]: p for p in parsed}
    for r in refs:
        src = kb.sources[r.key]
        if src.doi:
            assert by_key[r.key]["doi"] == src.doi and by_key[r.key]["type_of_reference"] == "JOUR"
        if src.pmid:
            assert by_key[r.key]["accession_number"] == f"PMID:{src.pmid}"
    backed = {s for r in refs for s in r.studies}
    assert backed == {x.id for x in report_atlas.studies(disease=hs.name, status=("curated",))}


def test_bibtex_parses_back_with_one_entry_per_reference(report_atlas: Atlas) -> None:
    tofa = knowledge_base().drug("tofacitinib")
    refs = drug_references(report_atlas, tofa)
    lib = bibtexparser.parse_string(to_bibtex(refs))
    assert not lib.failed_blocks
    assert [e.key for e in lib.entries] == [r.key for r in refs]
    for entry, ref in zip(lib.entries, refs, strict=True):
        assert entry.entry_type == ("article" if ref.kind == "article" else "misc")
        if ref.doi:
            assert entry.fields_dict["doi"].value == ref.doi


def test_tex_specials_and_braces_survive_both_formats() -> None:
    title = r"IL-23 {p19} & 100% response_rate #1 ~ $x^2$ \ back"
    ref = Reference(key="S999", kind="article", title=title, authors=["Müller, K"], year="2023",
                    doi="10.1000/x_y", studies=["a", "b"])
    (entry,) = bibtexparser.parse_string(to_bibtex([ref])).entries
    assert entry.fields_dict["title"].value.startswith("{IL-23 \\{p19\\} \\& 100\\% response\\_rate")
    assert entry.fields_dict["author"].value == "Müller, K"
    (ris,) = rispy.loads(to_ris([ref]))
    assert ris["title"] == title and ris["authors"] == ["Müller, K"] and ris["year"] == "2023"
    assert "backs a, b" in ris["notes"][0]


def test_registry_and_web_sources_get_their_own_types() -> None:
    kb = knowledge_base()
    registry = next(s for s in kb.sources.values() if s.nct and not (s.pmid or s.doi or s.pmcid))
    web = next(s for s in kb.sources.values() if not (s.nct or s.pmid or s.doi or s.pmcid))
    parsed = {p["id"]: p for p in rispy.loads(to_ris(references_for([registry.id, web.id])))}
    assert parsed[registry.id]["type_of_reference"] == "DBASE"
    assert parsed[web.id]["type_of_reference"] == "ELEC"
    assert isinstance(registry, Source)


def test_unknown_tags_are_skipped_and_order_is_kept() -> None:
    tags = [t for t in knowledge_base().sources][:3]
    assert [r.key for r in references_for(["nope", *reversed(tags), tags[0]])] == list(reversed(tags))
