"""Search queries built from the shipped knowledge base: each JAK/TYK2 inhibitor x dermatoses.

A drug's terms are its INN, brand names, development codes and synonyms; the dermatology side is
every shipped dermatosis with its synonyms and variants (abbreviations such as "HS" or "AD" are
left out: in a literature search they match far more than the disease). Rheumatoid arthritis is
in the knowledge base only for the class safety trial and is not searched.
"""

from __future__ import annotations

from pydantic import BaseModel

from jakatlas.data import KnowledgeBase, knowledge_base

__all__ = ["SearchQuery", "build_queries", "JAK_CLASSES", "NOT_DERMATOLOGIC"]

JAK_CLASSES = ("jak_inhibitor", "tyk2_inhibitor")
NOT_DERMATOLOGIC = frozenset({"rheumatoid_arthritis"})


class SearchQuery(BaseModel):
    """One drug's searches: a PubMed term and the CT.gov ``query.intr``/``query.cond`` pair."""

    drug: str
    drug_terms: list[str]
    disease_terms: list[str]
    pubmed: str
    ctgov_intr: str
    ctgov_cond: str


def _quote(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def _unique(terms: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for t in terms:
        t = " ".join(t.split())
        if t and t.lower() not in seen:
            seen[t.lower()] = t
    return list(seen.values())


def disease_terms(kb: KnowledgeBase) -> list[str]:
    terms: list[str] = []
    for d in kb.diseases.values():
        if d.id in NOT_DERMATOLOGIC:
            continue
        terms += [d.name, *d.synonyms, *(v.name for v in d.variants), *(s for v in d.variants for s in v.synonyms)]
    return _unique([t for t in terms if not _abbreviation(t)])


def _abbreviation(term: str) -> bool:
    return len(term) <= 5 and term.isupper()


def build_queries(kb: KnowledgeBase | None = None) -> list[SearchQuery]:
    """One query per JAK/TYK2 inhibitor of the knowledge base, in name order."""
    kb = kb or knowledge_base()
    diseases = disease_terms(kb)
    cond = " OR ".join(_quote(t) for t in diseases)
    pubmed_dis = " OR ".join(f"{_quote(t)}[tiab]" for t in diseases)
    out = []
    for drug in sorted((g for g in kb.drugs.values() if g.drug_class in JAK_CLASSES), key=lambda g: g.name):
        names = _unique([drug.name, *drug.brands, *drug.codes, *drug.synonyms])
        pubmed_drug = " OR ".join(f"{_quote(t)}[tiab]" for t in names)
        out.append(SearchQuery(
            drug=drug.name, drug_terms=names, disease_terms=diseases,
            pubmed=f"({pubmed_drug}) AND ({pubmed_dis})",
            ctgov_intr=" OR ".join(_quote(t) for t in names), ctgov_cond=cond))
    return out
