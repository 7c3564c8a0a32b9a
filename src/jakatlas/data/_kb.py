"""Validating, cached loader for the shipped knowledge base (``importlib.resources`` + pydantic)."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from jakatlas.errors import DataFileError, NotFoundError
from jakatlas.models.knowledge import (
    CuratedStudy,
    Cytokine,
    Disease,
    Drug,
    OutcomeMeasure,
    Source,
)

__all__ = ["DATA_FILES", "KnowledgeBase", "canonical_json", "knowledge_base", "load_records", "norm_key"]

M = TypeVar("M", bound=BaseModel)

DATA_FILES: dict[str, type[BaseModel]] = {
    "sources.json": Source,
    "drugs.json": Drug,
    "cytokines.json": Cytokine,
    "diseases.json": Disease,
    "outcomes.json": OutcomeMeasure,
    "evidence.json": CuratedStudy,
}


def canonical_json(records: list[dict]) -> str:
    """The one accepted formatting of a data file: 2-space indent, UTF-8, trailing newline."""
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def norm_key(text: str) -> str:
    """Lookup key: NFKC, lower case, Greek letters spelled out, punctuation and spaces removed."""
    s = unicodedata.normalize("NFKC", text).lower()
    for a, b in (("γ", "gamma"), ("α", "alpha"), ("β", "beta"), ("κ", "kappa")):
        s = s.replace(a, b)
    return re.sub(r"[\s\-_'’.,/()]+", "", s)


def load_records(name: str, model: type[M], text: str | None = None) -> list[M]:
    """Parse and validate one data file; errors name the file, the record and the field."""
    if text is None:
        text = resources.files("jakatlas.data").joinpath(name).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(name, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if not isinstance(raw, list):
        raise DataFileError(name, "must be a JSON list of records")
    out: list[M] = []
    for i, item in enumerate(raw):
        rid = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or None
            raise DataFileError(name, err["msg"], record=str(rid), field=loc) from exc
    return out


@dataclass(frozen=True)
class KnowledgeBase:
    """All curated records, indexed by id, with name resolution for drugs and diseases."""

    sources: dict[str, Source]
    drugs: dict[str, Drug]
    cytokines: dict[str, Cytokine]
    diseases: dict[str, Disease]
    outcomes: dict[str, OutcomeMeasure]
    studies: dict[str, CuratedStudy]
    _drug_index: dict[str, str] = field(default_factory=dict, repr=False)
    _disease_index: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_records(cls, recs: dict[str, list]) -> KnowledgeBase:
        def by_id(items: Iterable) -> dict:
            return {r.id: r for r in items}

        kb = cls(
            sources=by_id(recs["sources.json"]),
            drugs=by_id(recs["drugs.json"]),
            cytokines=by_id(recs["cytokines.json"]),
            diseases=by_id(recs["diseases.json"]),
            outcomes=by_id(recs["outcomes.json"]),
            studies=by_id(recs["evidence.json"]),
        )
        for d in kb.drugs.values():
            for n in (d.id, d.name, *d.brands, *d.codes, *d.synonyms):
                kb._drug_index.setdefault(norm_key(n), d.id)
        for x in kb.diseases.values():
            names = [x.id, x.name, *x.synonyms, *x.abbreviations]
            names += [v.name for v in x.variants] + [s for v in x.variants for s in v.synonyms]
            for n in names:
                kb._disease_index.setdefault(norm_key(n), x.id)
        return kb

    def _resolve(self, kind: str, name: str, index: dict[str, str]) -> str:
        key = norm_key(name)
        if key in index:
            return index[key]
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        names = self.drugs if kind == "drug" else self.diseases
        suggestions = list(dict.fromkeys(names[index[c]].name for c in close))  # type: ignore[attr-defined]
        raise NotFoundError(kind, name, suggestions)

    def drug(self, name: str) -> Drug:
        """Resolve an INN, brand, development code or synonym (case-insensitive)."""
        return self.drugs[self._resolve("drug", name, self._drug_index)]

    def disease(self, name: str) -> Disease:
        """Resolve a disease name, synonym, abbreviation or variant."""
        return self.diseases[self._resolve("disease", name, self._disease_index)]

    def find(self, name: str) -> Drug | Disease:
        """Resolve a name to a disease or a drug; suggestions come from both."""
        key = norm_key(name)
        if key in self._disease_index:
            return self.diseases[self._disease_index[key]]
        if key in self._drug_index:
            return self.drugs[self._drug_index[key]]
        index = {**{k: ("disease", v) for k, v in self._disease_index.items()},
                 **{k: ("drug", v) for k, v in self._drug_index.items()}}
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        sugg = []
        for c in close:
            kind, rid = index[c]
            sugg.append(self.diseases[rid].name if kind == "disease" else self.drugs[rid].name)
        raise NotFoundError("disease or drug", name, list(dict.fromkeys(sugg)))

    def studies_for(self, *, drug: str | None = None, disease: str | None = None) -> list[CuratedStudy]:
        """Curated studies whose interventions include ``drug`` and diseases include ``disease``."""
        out = []
        for s in self.studies.values():
            if drug and drug not in {i.name for i in s.interventions}:
                continue
            if disease and disease not in {d.name for d in s.diseases}:
                continue
            out.append(s)
        return out


@cache
def knowledge_base() -> KnowledgeBase:
    """Load, validate and index every shipped data file (cached for the process)."""
    return KnowledgeBase.from_records({name: load_records(name, model) for name, model in DATA_FILES.items()})
