"""The life of a study record: a base layer, curator overrides on top, and a curation status.

* **base**: the record as it came in: the shipped knowledge-base record as loaded by the last
  ``jakatlas build`` (origin ``shipped``), or the study extracted from a document (origin
  ``extracted``). Only ``build`` changes a shipped base; nothing changes an extracted one.
* **overrides**: the top-level fields curators changed, with their values. They win over the base
  and survive every rebuild.
* **status**: the curator's decision: ``curated`` (in the atlas), ``candidate`` (awaiting review)
  or ``rejected``. A rebuild never changes it.

The effective record (``data``) is always ``base`` with ``overrides`` on top, validated with the
model of its origin (:class:`~jakatlas.models.knowledge.CuratedStudy` or
:class:`~jakatlas.models.knowledge.ExtractedStudy`) and stored in its normalised form, so every
state a curator can reach has every field the pages, the API, FHIR and the reports read.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jakatlas.data import KnowledgeBase
from jakatlas.errors import InvalidChangeError, JakatlasError
from jakatlas.models.knowledge import CuratedStudy, ExtractedStudy
from jakatlas.store.schema import AuditRow, StudyDiseaseRow, StudyDrugRow, StudyRow, utcnow

__all__ = ["ORIGINS", "record_model", "effective", "normalise_changes", "snapshot", "candidate_title",
           "load_shipped", "link_rows", "index_rows", "apply_columns"]

ORIGINS = ("shipped", "extracted")
BUILD_ACTOR = "build"


def record_model(origin: str) -> type[CuratedStudy] | type[ExtractedStudy]:
    """The model a record of this origin must satisfy."""
    return CuratedStudy if origin == "shipped" else ExtractedStudy


def _invalid(study_id: str, exc: ValidationError) -> InvalidChangeError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return InvalidChangeError(f"The change makes study {study_id!r} invalid ({where}: {first['msg']}).",
                      hint="Fix that field and send the change again.")


def effective(study_id: str, origin: str, base: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """``base`` with ``overrides`` on top, validated and normalised (InvalidChangeError when invalid).

    The effective record carries the atlas id: an extracted study's own id (``s1``) is only unique
    within its document, and grades, levels and labels name studies by this id.
    """
    merged = {**base, **(overrides or {}), "id": study_id}  # the atlas id, not the document-local one
    try:
        return record_model(origin).model_validate(merged).model_dump(mode="json")
    except ValidationError as exc:
        raise _invalid(study_id, exc) from exc


def normalise_changes(study_id: str, changes: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Curator changes with disease names resolved to the knowledge base's canonical names.

    Studies are filed under diseases by canonical name, so an unknown disease would leave the study
    on no disease page; it is refused with suggestions instead.
    """
    out = dict(changes)
    if "id" in out and out["id"] != study_id:
        raise InvalidChangeError("A study's id cannot be changed.", hint="Leave 'id' out of the change.")
    out.pop("id", None)
    if out.get("diseases"):
        resolved = []
        for ref in out["diseases"]:
            try:
                name = kb.disease(str(ref.get("name", ""))).name
            except JakatlasError as exc:
                raise InvalidChangeError(f"Unknown disease {ref.get('name')!r} in the change to study {study_id!r}.",
                                 hint=exc.hint or "Run 'jakatlas diseases' to list the known names.") from exc
            resolved.append({**ref, "name": name})
        out["diseases"] = resolved
    return out


def snapshot(row: StudyRow) -> dict[str, Any]:
    """What the audit trail keeps of a record: its status, version and effective fields."""
    return {"status": row.status, "version": row.version, **row.data}


def candidate_title(data: dict[str, Any], source_id: str) -> str:
    """Title of an extracted study: its drugs and diseases and the document it came from."""
    drugs = ", ".join(i["name"] for i in data.get("interventions", [])) or "unnamed intervention"
    dis = ", ".join(d["name"] + (f" ({d['variant']})" if d.get("variant") else "")
                    for d in data.get("diseases", [])) or "unspecified disease"
    return f"{drugs} in {dis} ({source_id})"


def index_rows(study_id: str, study: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The drug and disease index rows the queries filter on, from the effective record (as dicts)."""
    drugs = {(i["name"], "intervention") for i in study.get("interventions", [])}
    drugs |= {(c["name"], "comparator") for c in study.get("comparators", [])}
    seen: dict[str, str | None] = {}
    for d in study.get("diseases", []):
        seen.setdefault(d["name"], d.get("variant"))
    return ([{"study_id": study_id, "drug": d, "role": r} for d, r in sorted(drugs)],
            [{"study_id": study_id, "disease": k, "variant": v} for k, v in sorted(seen.items())])


def link_rows(row: StudyRow, study: dict[str, Any]) -> None:
    """Set the row's drug and disease index rows (:func:`index_rows`)."""
    drugs, diseases = index_rows(row.id, study)
    row.drugs = [StudyDrugRow(drug=x["drug"], role=x["role"]) for x in drugs]
    row.diseases = [StudyDiseaseRow(disease=x["disease"], variant=x["variant"]) for x in diseases]


def apply_columns(row: StudyRow, data: dict[str, Any]) -> None:
    """Copy the filtered columns (design, n, level, title of shipped records) from ``data``."""
    row.data = data
    row.design, row.n, row.evidence_level = data.get("design"), data.get("n"), data.get("evidence_level")
    if row.origin == "shipped":
        row.title = data["title"]


def load_shipped(s: Session, kb: KnowledgeBase) -> tuple[int, int, int]:
    """Bring the shipped layer of every knowledge-base study up to date; returns (inserted, updated, same).

    A new study is inserted as curated. For a known one only the base changes: the curator's
    overrides and decision (status) are kept, and every change to what the atlas shows is audited
    (actor ``build``), naming the fields where the knowledge base changed under a curator's value.
    """
    rows = {r.id: r for r in s.scalars(select(StudyRow).where(StudyRow.id.in_(list(kb.studies))))}
    first_build = s.scalar(select(StudyRow.id).limit(1)) is None
    ins = upd = same = 0
    for st in kb.studies.values():
        base = st.model_dump(mode="json")
        row = rows.get(st.id)
        if row is None:
            row = StudyRow(id=st.id, status="curated", origin="shipped", title=st.title, base=base, overrides={})
            apply_columns(row, effective(st.id, "shipped", base, None))
            link_rows(row, row.data)
            s.add(row)
            if not first_build:
                s.add(AuditRow(actor=BUILD_ACTOR, action="build", study_id=st.id, before=None,
                               after={"status": row.status, "version": 1, **row.data},
                               note="New study in the knowledge base."))
            ins += 1
            continue
        old_base = row.base if row.base is not None else row.data
        if row.origin == "shipped" and old_base == base:
            same += 1
            continue
        overrides = dict(row.overrides or {})
        notes = []
        kept = sorted(k for k in overrides if old_base.get(k) != base.get(k))
        if kept:
            notes.append(f"The knowledge base changed {', '.join(kept)}; the curator's value is kept.")
        try:
            data = effective(st.id, "shipped", base, overrides)
        except InvalidChangeError:
            notes.append(f"Curator changes to {', '.join(sorted(overrides))} no longer fit the knowledge-base "
                         "record and were set aside (their values are in 'before').")
            overrides = {}
            data = effective(st.id, "shipped", base, None)
        before = snapshot(row)
        row.origin, row.base, row.overrides = "shipped", base, overrides
        row.updated_at = utcnow()
        if data != row.data:
            apply_columns(row, data)
            link_rows(row, data)
        s.flush()
        s.add(AuditRow(actor=BUILD_ACTOR, action="build", study_id=st.id, before=before, after=snapshot(row),
                       note=" ".join(notes) or "The knowledge-base record changed."))
        upd += 1
    return ins, upd, same
