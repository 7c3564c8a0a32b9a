"""The dossier's tables as rows: one shape for the web page's downloads and ``jakatlas dossier --tables``.

Every row comes from :func:`jakatlas.report.dossier.build_dossier`; this module only flattens the
synthesis into records (lists kept as lists) and writes them as CSV files.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jakatlas.report.dossier import Dossier
from jakatlas.synthesis._common import fmt_timepoint

__all__ = ["TABLES", "DossierTables", "dossier_tables", "table_rows", "write_tables"]

TABLES = ("summary", "evidence", "effects", "placebo", "grades", "mechanism", "coverage", "safety", "references")


@dataclass(frozen=True)
class DossierTables:
    """The dossier's synthesis flattened into rows, table by table."""

    dossier: Dossier
    effects: list[dict[str, Any]]
    placebo: list[dict[str, Any]]
    grades: list[dict[str, Any]]
    mechanism: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    safety: list[dict[str, Any]]


def _pp(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _nnt(r: Any) -> str | None:
    if r.nnt is None:
        return None
    text = f"{r.nnt.kind} {r.nnt.value:.0f}" if r.nnt.value != float("inf") else r.nnt.kind
    return text + (" (CI crosses no effect)" if r.nnt.crosses_no_effect else "")


def _effects(d: Dossier) -> list[dict[str, Any]]:
    rows = []
    for r in d.synthesis.effects:
        if r.value is None or r.role not in ("arm", "combined"):
            continue
        rows.append({
            "study_id": r.study_id, "study": r.label, "drug": r.drug, "measure": r.measure, "arm": r.arm,
            "time": fmt_timepoint(r.weeks, r.weeks_assumed) if r.weeks is not None or r.weeks_assumed else None,
            "value": r.value, "unit": r.unit or "",
            "n": r.n, "comparator": r.comparator, "comparator_value": r.comparator_value,
            "comparator_n": r.comparator_n, "rd_pp": _pp(r.rd.estimate) if r.rd else None,
            "rd_low": _pp(r.rd.ci_lower) if r.rd else None, "rd_high": _pp(r.rd.ci_upper) if r.rd else None,
            "nnt": _nnt(r), "kind": r.kind, "note": r.note or None,
            "higher_is_better": r.higher_is_better,
        })
    rows.sort(key=lambda x: (x["measure"], x["rd_pp"] is None, x["study"]))
    return rows


def _placebo(d: Dossier) -> list[dict[str, Any]]:
    out = []
    for p in d.synthesis.placebo:
        out.append({
            "measure": p.measure, "low": p.low, "high": p.high, "pooled": p.pooled, "ci_lower": p.ci_lower,
            "ci_upper": p.ci_upper, "k_pooled": p.k_pooled, "method": p.method, "note": p.note,
            "rates": [{"study_id": r.study_id, "study": r.label, "comparator": r.comparator, "value": r.value,
                       "n": r.n, "time": fmt_timepoint(r.weeks, r.weeks_assumed)
                       if r.weeks is not None or r.weeks_assumed else None} for r in p.rates],
        })
    return out


def _grades(d: Dossier) -> list[dict[str, Any]]:
    return [{"drug": g.drug, "outcome": g.outcome, "certainty": g.certainty, "start": g.start,
             "start_reason": g.start_reason, "total_n": g.total_n, "studies": list(g.study_ids),
             "judgements": [f"{j.domain}: {j.reason}" for j in g.judgements]} for g in d.synthesis.grades]


def dossier_tables(d: Dossier) -> DossierTables:
    """All tables of dossier ``d``."""
    mech = d.synthesis.mechanism
    return DossierTables(
        dossier=d, effects=_effects(d), placebo=_placebo(d), grades=_grades(d),
        mechanism=[{"cytokine": c.name, "status": c.status.replace("_", " "), "jaks": list(c.jaks),
                    "stats": list(c.stats), "alternatives": list(c.alternatives)} for c in mech.cytokines],
        coverage=[{"drug": c.drug, "drug_id": c.drug_id, "selectivity": c.selectivity, "targets": list(c.targets),
                   "covered": list(c.covered), "not_covered": list(c.not_covered),
                   "explanation": c.explanation} for c in mech.drugs],
        safety=[{"drug": s.drug, "boxed_warning": s.boxed_warning, "events": list(s.events)} for s in d.safety],
    )


def table_rows(t: DossierTables, table: str) -> list[dict[str, Any]]:
    """Rows of one table (``table`` in :data:`TABLES`)."""
    d = t.dossier
    if table == "summary":
        return [{"drug": x.drug, "selectivity": x.selectivity, "status": x.status, "approvals": x.approvals,
                 "studies": x.studies, "patients": x.patients, "best_level": x.best_level,
                 "bottom_line": x.bottom_line} for x in d.drugs]
    if table == "evidence":
        return [{"id": x.id, "study": x.label, "drug": x.drug, "design": x.design, "n": x.n, "dose": x.dose,
                 "duration": x.duration, "result": x.result, "level": x.level, "certainty": x.certainty,
                 "citation": x.citation, "sources": list(x.sources)} for x in d.studies]
    if table == "references":
        return [{"tag": r.tag, "title": r.title, "type": r.type, "links": [u for _, u in r.links]}
                for r in d.references]
    rows: list[dict[str, Any]] = getattr(t, table)
    return rows


def _cell(value: Any) -> str:
    """CSV cell: empty for unknown, lists joined with '; ', nested records as JSON."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        if any(isinstance(v, dict) for v in value):
            return json.dumps(value, ensure_ascii=False)
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_tables(d: Dossier, folder: Path, stem: str) -> list[Path]:
    """Write every table of ``d`` as ``STEM-TABLE.csv`` (UTF-8, header row) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    t = dossier_tables(d)
    written = []
    for name in TABLES:
        rows = table_rows(t, name)
        columns = list(dict.fromkeys(k for r in rows for k in r)) or ["(no rows)"]
        path = folder / f"{stem}-{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        written.append(path)
    return written
