"""De-duplication of studies: is a newly found study one the atlas already holds?

A plain, database-free function (:func:`link_studies`) so that every ingestion path (``jakatlas
update``, ``jakatlas add``, bulk loads) decides the same way. Keys are tried from the most to
the least authoritative, as in record-linkage practice for trial reports (registry id first, then
bibliographic ids, then a normalised title/first-author/year key):

1. ``nct`` - a shared ClinicalTrials.gov id (one trial, whatever the publication);
2. ``pmid`` - the same PubMed id; 3. ``doi`` - the same DOI (case-insensitive);
4. ``fuzzy`` - same first-author surname and year, and either titles at least 0.85 similar
   (token-sorted, :class:`difflib.SequenceMatcher` ratio) or the same drug, disease and size.

PMID, DOI and fuzzy links also need a drug and a disease in common, because one paper can
report several studies (e.g. Alavi 2022 reports two povorcitinib trials); studies extracted from
the same document are never linked to each other. A study links to a
curated study in preference to a candidate, and to the earliest candidate otherwise, so the
target of a link is never itself a duplicate.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["StudyKey", "LinkDecision", "KeyIndex", "link_studies", "study_key", "normalise_title", "FUZZY_TITLE"]

Basis = Literal["nct", "pmid", "doi", "fuzzy"]
FUZZY_TITLE = 0.85
_NCT = re.compile(r"\bNCT\d{8}\b", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s;,()]+[^\s;,().])", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SURNAME = re.compile(r"^\s*([A-Za-zÀ-ÿ'\- ]+?)(?:\s+[A-Z]{1,3}\b|,| et al| and |$)")


class StudyKey(BaseModel):
    """What identifies a study for linking (build it with :func:`study_key`)."""

    id: str
    status: str = "candidate"
    registry_ids: list[str] = Field(default_factory=list)
    pmid: str | None = None
    doi: str | None = None
    title: str | None = None
    first_author: str | None = None
    year: int | None = None
    drugs: list[str] = Field(default_factory=list)
    diseases: list[str] = Field(default_factory=list)
    n: int | None = None
    record: str | None = Field(None, description="The document it came from: studies of one document "
                                                 "are different studies and never link to each other.")


class LinkDecision(BaseModel):
    """``study_id`` is the same study as ``target_id`` (None: a new study)."""

    study_id: str
    target_id: str | None = None
    basis: Basis | None = None
    score: float = 1.0


def normalise_title(title: str | None) -> str:
    """Lower-case ASCII words in sorted order (punctuation, accents and word order ignored)."""
    if not title:
        return ""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(re.findall(r"[a-z0-9]+", text)))


def _surname(author: str | None) -> str | None:
    if not author:
        return None
    m = _SURNAME.match(author)
    name = (m.group(1) if m else author).strip().lower()
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return name or None


def study_key(study_id: str, data: dict[str, Any], *, status: str = "candidate", pmid: str | None = None,
              doi: str | None = None, title: str | None = None, first_author: str | None = None,
              year: int | None = None, record: str | None = None) -> StudyKey:
    """The key of a stored study's ``data`` (contract fields plus curated ``citation``/``title``).

    Explicit arguments win; otherwise PMID, DOI, first author and year are read from the
    citation ("Alavi A, et al. Br J Dermatol 2022;...") and registry ids from the study and text.
    """
    cite = str(data.get("citation") or "")
    regs = {r.upper() for r in data.get("registry_ids", []) if _NCT.fullmatch(r)}
    regs |= {m.upper() for m in _NCT.findall(cite)}
    pm = pmid or data.get("pmid") or next(iter(_PMID.findall(cite)), None)
    di = doi or data.get("doi") or next(iter(_DOI.findall(cite)), None)
    yr = year or data.get("year")
    if yr is None:
        m = _YEAR.search(cite)
        yr = int(m.group(1)) if m else None
    author = first_author or data.get("first_author") or (cite.split(",")[0] if cite else None)
    return StudyKey(
        id=study_id, status=status, registry_ids=sorted(regs), pmid=str(pm) if pm else None,
        doi=str(di).lower() if di else None, title=title or data.get("title"), first_author=_surname(author),
        year=int(yr) if yr else None, drugs=sorted({i["name"] for i in data.get("interventions", [])}),
        diseases=sorted({d["name"] for d in data.get("diseases", [])}), n=data.get("n"), record=record)


class KeyIndex:
    """The studies that count, indexed by every linking key, in the order they came.

    Build it once from the stored keys and pass candidates through :meth:`link`: a candidate that
    duplicates nothing joins the index, so later candidates link to it. :meth:`discard` takes out
    studies that are replaced (a revised record's old candidates).
    """

    def __init__(self, keys: Iterable[StudyKey] = ()) -> None:
        self.live: dict[str, StudyKey] = {}
        self.order: dict[str, int] = {}
        self._arrivals = itertools.count()
        self.by_nct: dict[str, list[StudyKey]] = {}
        self.by_pmid: dict[str, list[StudyKey]] = {}
        self.by_doi: dict[str, list[StudyKey]] = {}
        self.by_author_year: dict[tuple[str, int], list[StudyKey]] = {}
        for k in keys:
            self.add(k)

    def add(self, k: StudyKey) -> None:
        self.live[k.id] = k
        if k.id not in self.order:
            self.order[k.id] = next(self._arrivals)
        for r in k.registry_ids:
            self.by_nct.setdefault(r, []).append(k)
        if k.pmid:
            self.by_pmid.setdefault(k.pmid, []).append(k)
        if k.doi:
            self.by_doi.setdefault(k.doi, []).append(k)
        if k.first_author and k.year:
            self.by_author_year.setdefault((k.first_author, k.year), []).append(k)

    def discard(self, ids: Iterable[str]) -> None:
        for i in ids:  # a study added again later comes after the others, as a new row would
            self.live.pop(i, None)
            self.order.pop(i, None)

    def candidates(self, table: dict[Any, list[StudyKey]], value: Any, key: StudyKey) -> list[StudyKey]:
        """Live keys filed under ``value`` that ``key`` may link to (not itself, not its document)."""
        return [c for c in table.get(value, ()) if self.live.get(c.id) is c and _other(c, key)]

    def link(self, candidates: Iterable[StudyKey]) -> list[LinkDecision]:
        """One decision per candidate, in order; the new ones join the index."""
        out = []
        for k in candidates:
            decision = _decide(k, self)
            out.append(decision)
            if decision.target_id is None:
                self.add(k)
        return out


def _rank(k: StudyKey, order: dict[str, int]) -> tuple[int, int]:
    return (0 if k.status == "curated" else 1, order[k.id])


def _overlap(a: StudyKey, b: StudyKey) -> bool:
    return bool(set(a.drugs) & set(b.drugs)) and bool(set(a.diseases) & set(b.diseases))


def _other(c: StudyKey, key: StudyKey) -> bool:
    return c.id != key.id and not (key.record and c.record == key.record)


def _best(pool: list[StudyKey], order: dict[str, int], key: StudyKey) -> StudyKey | None:
    if not pool:
        return None
    if key.registry_ids:  # prefer a target with the same registry id among several
        same = [c for c in pool if set(c.registry_ids) & set(key.registry_ids)]
        pool = same or pool
    if key.n is not None:  # and the same size when a paper reports several studies
        same_n = [c for c in pool if c.n == key.n]
        pool = same_n or pool
    return min(pool, key=lambda c: _rank(c, order))


def _decide(k: StudyKey, idx: KeyIndex) -> LinkDecision:
    order = idx.order
    for r in k.registry_ids:
        hit = _best(idx.candidates(idx.by_nct, r, k), order, k)
        if hit:
            return LinkDecision(study_id=k.id, target_id=hit.id, basis="nct")
    for basis, table, value in (("pmid", idx.by_pmid, k.pmid), ("doi", idx.by_doi, k.doi)):
        if value:
            hit = _best([c for c in idx.candidates(table, value, k) if _overlap(k, c)], order, k)
            if hit:
                return LinkDecision(study_id=k.id, target_id=hit.id, basis=basis)  # type: ignore[arg-type]
    if k.first_author and k.year:
        title = normalise_title(k.title)
        scored: list[tuple[float, StudyKey]] = []
        for c in idx.candidates(idx.by_author_year, (k.first_author, k.year), k):
            if not _overlap(k, c):
                continue
            ratio = SequenceMatcher(None, title, normalise_title(c.title)).ratio() if title and c.title else 0.0
            if ratio >= FUZZY_TITLE or (k.n is not None and k.n == c.n):
                scored.append((ratio, c))
        if scored:
            ratio, hit = min(scored, key=lambda t: (-t[0], _rank(t[1], order)))
            return LinkDecision(study_id=k.id, target_id=hit.id, basis="fuzzy", score=round(ratio, 3))
    return LinkDecision(study_id=k.id)


def link_studies(candidates: Sequence[StudyKey], existing: Sequence[StudyKey] = ()) -> list[LinkDecision]:
    """One decision per candidate, in order: the study it duplicates, or none.

    ``existing`` are the studies already counted (curated ones and candidates that are not
    duplicates). Candidates are compared with ``existing`` and with the candidates before
    them, so two reports of one new trial in the same batch count once.
    """
    return KeyIndex(existing).link(candidates)
