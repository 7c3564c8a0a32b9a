"""Reference lists as RIS and BibTeX, for reference managers (Zotero, EndNote, Mendeley, JabRef).

RIS is written with ``rispy`` (tags as in the RIS specification: TY, TI, AU, PY, JO, DO, AN, UR, N1)
and BibTeX with ``bibtexparser`` 2; both round-trip through the same libraries in the tests.
A reference is a source of the knowledge base that backs one of the studies being exported; its
note names the jakatlas studies it backs, so a reviewer can trace every entry back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import bibtexparser
import rispy
from bibtexparser import model
from pydantic import BaseModel, Field

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.errors import InputError
from jakatlas.models.knowledge import Disease, Drug, Source
from jakatlas.store.atlas import Atlas, StudyRecord

if TYPE_CHECKING:
    from jakatlas.report.dossier import Dossier

__all__ = ["Reference", "CitationFormat", "references_for", "study_sources", "disease_references",
           "drug_references", "search_references", "drug_source_tags", "to_ris", "to_bibtex", "write_references"]

CitationFormat = Literal["ris", "bibtex"]
MEDIA_TYPES: dict[str, str] = {"ris": "application/x-research-info-systems", "bibtex": "application/x-bibtex"}
EXTENSIONS: dict[str, str] = {"ris": "ris", "bibtex": "bib"}


class Reference(BaseModel):
    """One citable source with the studies of the export that it backs."""

    key: str = Field(description="Stable citation key, e.g. 'S25'.")
    kind: Literal["article", "registry", "web"]
    title: str
    authors: list[str] = Field(default_factory=list)
    year: str | None = None
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    registry_ids: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    studies: list[str] = Field(default_factory=list, description="Ids of the exported studies it backs.")


def _text(src: Source, name: str) -> str | None:
    value = getattr(src, name, None)
    return str(value) if value not in (None, "") else None


def _reference(src: Source, studies: list[str]) -> Reference:
    kind: Literal["article", "registry", "web"] = (
        "article" if src.pmid or src.doi or src.pmcid else "registry" if src.nct else "web")
    authors = [a for a in (getattr(src, "authors", None) or []) if a]
    first = _text(src, "first_author")
    if first and not authors:
        authors = [first]
    return Reference(key=src.id, kind=kind, title=src.title, authors=authors, year=_text(src, "year"),
                     journal=_text(src, "journal"), doi=src.doi, pmid=src.pmid, pmcid=src.pmcid,
                     registry_ids=list(src.nct), urls=[u for _, u in src.links()], studies=studies)


def study_sources(records: Iterable[StudyRecord]) -> dict[str, list[str]]:
    """Source tag -> ids of the given studies that cite it, in the order first cited."""
    backs: dict[str, list[str]] = {}
    for r in records:
        for tag in r.data.get("sources", []):
            backs.setdefault(tag, []).append(r.id)
    return backs


def references_for(tags: Iterable[str], backs: Mapping[str, list[str]] | None = None,
                   kb: KnowledgeBase | None = None) -> list[Reference]:
    """References for source ``tags`` (unknown tags skipped), each with the studies it backs."""
    kb = kb or knowledge_base()
    backs = backs or {}
    return [_reference(kb.sources[t], list(backs.get(t, []))) for t in dict.fromkeys(tags) if t in kb.sources]


def drug_source_tags(g: Drug) -> list[str]:
    """Every source a drug's page cites: the record, selectivity, IC50s, approvals, boxed warning."""
    tags = list(g.sources)
    for part in (g.selectivity, g.ic50, g.approvals):
        tags += [t for x in part for t in x.sources]
    if g.boxed_warning:
        tags += g.boxed_warning.sources
    return list(dict.fromkeys(tags))


def disease_references(atlas: Atlas, disease: Disease, dossier: Dossier | None = None) -> list[Reference]:
    """The references of a disease's dossier, with the curated studies each backs."""
    from jakatlas.report.dossier import build_dossier

    dossier = dossier or build_dossier(atlas, disease)
    backs = study_sources(atlas.studies(disease=disease.name, status=("curated",)))
    return references_for([r.tag for r in dossier.references], backs)


def drug_references(atlas: Atlas, drug: Drug) -> list[Reference]:
    """The drug page's references, then the sources of its curated studies."""
    backs = study_sources(atlas.studies(drug=drug.name, status=("curated",)))
    return references_for([*drug_source_tags(drug), *backs], backs)


def search_references(atlas: Atlas, query: str, *, candidates: bool = False) -> list[Reference]:
    """The sources of the studies a full-text search finds (best match first)."""
    from jakatlas.store.search import search

    hits = search(atlas, query, kinds=("study",), candidates=candidates, limit=200)
    backs = study_sources(atlas.study(h.ref) for h in hits)
    return references_for(backs, backs)


def _note(ref: Reference) -> str:
    parts = [f"jakatlas source {ref.key}; backs {', '.join(ref.studies)}"] if ref.studies else [
        f"jakatlas source {ref.key}"]
    if ref.pmid:
        parts.append(f"PMID: {ref.pmid}")
    if ref.pmcid:
        parts.append(f"PMCID: {ref.pmcid}")
    if ref.registry_ids:
        parts.append("Registry: " + ", ".join(ref.registry_ids))
    return "; ".join(parts)


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]
    """rispy's writer without its "1." counter lines: each record starts at its ``TY`` tag."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(refs: Iterable[Reference]) -> str:
    """RIS records (``TY`` JOUR for articles, DBASE for registry records, ELEC for web pages)."""
    types = {"article": "JOUR", "registry": "DBASE", "web": "ELEC"}
    entries = []
    for ref in refs:
        entry: dict[str, object] = {"type_of_reference": types[ref.kind], "title": ref.title, "id": ref.key,
                                    "notes": [_note(ref)]}
        if ref.authors:
            entry["authors"] = ref.authors
        if ref.year:
            entry["year"] = ref.year
        if ref.journal:
            entry["journal_name"] = ref.journal
        if ref.doi:
            entry["doi"] = ref.doi
        if ref.pmid:
            entry["accession_number"] = f"PMID:{ref.pmid}"
        if ref.urls:
            entry["urls"] = ref.urls
        entries.append(entry)
    text: str = rispy.dumps(entries, implementation=_RisWriter, enforce_list_tags=False)
    return text


_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_:-]")


_TEX = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                      "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})


def _bib_escape(value: str) -> str:
    """TeX specials escaped in one pass, so every value parses as one balanced BibTeX field."""
    return value.translate(_TEX)


def to_bibtex(refs: Iterable[Reference]) -> str:
    """BibTeX entries (@article, or @misc for registry records and web pages); keys are source tags."""
    lib = bibtexparser.Library()
    for ref in refs:
        fields = [model.Field("title", "{" + _bib_escape(ref.title) + "}")]
        if ref.authors:
            fields.append(model.Field("author", " and ".join(_bib_escape(a) for a in ref.authors)))
        if ref.year:
            fields.append(model.Field("year", ref.year))
        if ref.journal:
            fields.append(model.Field("journal", _bib_escape(ref.journal)))
        if ref.doi:
            fields.append(model.Field("doi", ref.doi))
        if ref.urls:
            fields.append(model.Field("url", ref.urls[0]))
        fields.append(model.Field("note", _bib_escape(_note(ref))))
        lib.add(model.Entry("article" if ref.kind == "article" else "misc", _UNSAFE_KEY.sub("_", ref.key), fields))
    text: str = bibtexparser.write_string(lib)
    return text


def write_references(refs: list[Reference], fmt: str) -> str:
    """``refs`` as RIS or BibTeX text."""
    if fmt == "ris":
        return to_ris(refs)
    if fmt == "bibtex":
        return to_bibtex(refs)
    raise InputError(f"Cannot write references as {fmt!r}.", hint="Use ris or bibtex.")
