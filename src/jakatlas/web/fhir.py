"""FHIR R5 Evidence and Citation resources for atlas studies, validated by ``fhir.resources``.

Mapping: one study -> one Evidence (population, exposure, reference exposure and measured
variables; one statistic per outcome; OCEBM 2011 level as certainty) citing one Citation.
Designs and levels use local ``urn:jakatlas:*`` code systems; no external terminology is invented.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from fhir.resources.bundle import Bundle
from fhir.resources.capabilitystatement import CapabilityStatement
from fhir.resources.citation import Citation
from fhir.resources.evidence import Evidence
from fhir.resources.operationoutcome import OperationOutcome

from jakatlas.data import knowledge_base
from jakatlas.models.knowledge import Source
from jakatlas.store.atlas import StudyRecord
from jakatlas.store.views import evidence_row

__all__ = ["FHIR_JSON", "fhir_id", "evidence_resource", "citation_resource", "source_citation",
           "search_bundle", "evidence_json", "bundle_json", "operation_outcome", "capability_statement", "SEARCH_PARAMS"]

FHIR_JSON = "application/fhir+json"
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_STATUS = {"curated": "active", "candidate": "draft", "rejected": "retired"}
_ROLE = "http://hl7.org/fhir/variable-role"
_SYSTEMS = {"pmid": "https://pubmed.ncbi.nlm.nih.gov", "doi": "https://doi.org",
            "nct": "https://clinicaltrials.gov", "pmcid": "https://www.ncbi.nlm.nih.gov/pmc"}


def fhir_id(study_id: str) -> str:
    """The study id when it is a valid FHIR id, else a stable digest-based one."""
    if _FHIR_ID.match(study_id):
        return study_id
    return "x-" + hashlib.sha256(study_id.encode("utf-8")).hexdigest()[:40]


def _role(code: str) -> dict[str, Any]:
    return {"coding": [{"system": _ROLE, "code": code}]}


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _outcome_text(o: dict[str, Any]) -> str:
    unit = o.get("unit") or ""
    text = f"{o['measure']}: {_num(o.get('value'))}{unit}"
    if o.get("comparator_value") is not None:
        text += f" vs {_num(o['comparator_value'])}{unit}"
    if o.get("baseline_value") is not None:
        text += f" (baseline {_num(o['baseline_value'])}{unit})"
    tp = o.get("timepoint")
    if tp:
        text += f" at {_num(tp['value'])} {tp['unit']}s"
    return text


def _statistic(o: dict[str, Any], n: int | None) -> dict[str, Any]:
    stat: dict[str, Any] = {"description": _outcome_text(o)}
    if o.get("value") is not None:
        stat["quantity"] = {"value": o["value"], **({"unit": o["unit"]} if o.get("unit") else {})}
    arm_n = o.get("n") or n
    if arm_n:
        stat["sampleSize"] = {"numberOfParticipants": arm_n}
    estimates = []
    if o.get("ci_low") is not None and o.get("ci_high") is not None:
        estimates.append({"type": {"text": "95% confidence interval"}, "level": 0.95,
                          "range": {"low": {"value": o["ci_low"]}, "high": {"value": o["ci_high"]}}})
    if o.get("p_value") is not None:
        estimates.append({"type": {"text": "p-value"}, "quantity": {"value": o["p_value"]}})
    if estimates:
        stat["attributeEstimate"] = estimates
    return stat


def _sources(data: dict[str, Any]) -> list[Source]:
    kb = knowledge_base()
    return [kb.sources[t] for t in data.get("sources", []) if t in kb.sources]


def _identifiers(data: dict[str, Any], doc_source: str | None = None) -> list[dict[str, str]]:
    ids: list[tuple[str, str]] = []
    for s in _sources(data):
        if s.pmid:
            ids.append((_SYSTEMS["pmid"], s.pmid))
        if s.doi:
            ids.append((_SYSTEMS["doi"], s.doi))
        if s.pmcid:
            ids.append((_SYSTEMS["pmcid"], s.pmcid))
        ids += [(_SYSTEMS["nct"], n) for n in s.nct]
    ids += [(_SYSTEMS["nct"], n) for n in data.get("registry_ids", []) if n.upper().startswith("NCT")]
    if doc_source and doc_source.upper().startswith("PMID:"):
        ids.append((_SYSTEMS["pmid"], doc_source.split(":", 1)[1]))
    return [{"system": s, "value": v} for s, v in dict.fromkeys(ids)]


def evidence_resource(rec: StudyRecord) -> Evidence:
    """The FHIR R5 Evidence of one stored study."""
    d = rec.data
    row = evidence_row(rec)
    fid = fhir_id(rec.id)
    population = "; ".join(row.diseases) or "population not stated"
    if rec.n is not None:
        population += f" (n={rec.n})"
    variables: list[dict[str, Any]] = [{"description": population, "variableRole": _role("population")}]
    for i in d.get("interventions", []):
        desc = " ".join(x for x in (i["name"], i.get("dose"), i.get("frequency"), i.get("route")) if x)
        variables.append({"description": desc, "variableRole": _role("exposure")})
    for c in d.get("comparators", []):
        desc = " ".join(x for x in (c["name"], c.get("dose"), c.get("frequency")) if x)
        variables.append({"description": desc, "variableRole": _role("referenceExposure")})
    for m in dict.fromkeys(o["measure"] for o in d.get("outcomes", [])):
        variables.append({"description": m, "variableRole": _role("measuredVariable")})
    res: dict[str, Any] = {
        "resourceType": "Evidence",
        "id": fid,
        "meta": {"versionId": str(rec.version)},
        "status": _STATUS.get(rec.status, "unknown"),
        "title": rec.title,
        "description": row.result,
        "citeAsReference": {"reference": f"Citation/{fid}", "display": row.citation or rec.title},
        "variableDefinition": variables,
    }
    ids = _identifiers(d)
    if ids:
        res["identifier"] = ids
    if rec.design:
        res["studyDesign"] = [{"coding": [{"system": "urn:jakatlas:design", "code": rec.design}],
                               "text": rec.design.replace("_", " ")}]
    stats = [_statistic(o, rec.n) for o in d.get("outcomes", [])]
    if stats:
        res["statistic"] = stats
    if rec.evidence_level is not None:
        res["certainty"] = [{"description": "Oxford CEBM 2011 level of evidence for treatment benefit",
                             "rating": {"coding": [{"system": "urn:jakatlas:ocebm-2011",
                                                    "code": str(rec.evidence_level)}],
                                        "text": f"OCEBM level {rec.evidence_level}"}}]
    notes = [*d.get("notes", [])]
    if d.get("hedged"):
        notes.append("The source states this result tentatively.")
    if notes:
        res["note"] = [{"text": n} for n in notes]
    links = [{"type": "documentation", "label": label, "document": {"url": url}} for label, url in row.links]
    if links:
        res["relatedArtifact"] = links
    return Evidence.model_validate(res)


def citation_resource(rec: StudyRecord, *, document_source: str | None = None,
                      document_title: str | None = None) -> Citation:
    """The FHIR R5 Citation of one stored study (its publication, registry record or document)."""
    d = rec.data
    row = evidence_row(rec)
    title = document_title or rec.title
    artifact: dict[str, Any] = {"title": [{"text": title}]}
    ids = _identifiers(d, document_source)
    if ids:
        artifact["identifier"] = ids
    urls = [url for _, url in row.links]
    if urls:
        artifact["webLocation"] = [{"url": u} for u in urls]
    res: dict[str, Any] = {"resourceType": "Citation", "id": fhir_id(rec.id),
                           "status": _STATUS.get(rec.status, "unknown"), "title": title, "citedArtifact": artifact}
    if row.citation:
        res["summary"] = [{"text": row.citation}]
    return Citation.model_validate(res)


def source_citation(src: Source) -> Citation:
    """The FHIR R5 Citation of a knowledge-base source tag (``S25``)."""
    artifact: dict[str, Any] = {"title": [{"text": src.title}]}
    ids = [(_SYSTEMS["pmid"], src.pmid), (_SYSTEMS["doi"], src.doi), (_SYSTEMS["pmcid"], src.pmcid)]
    ident = [{"system": s, "value": v} for s, v in ids if v] + [{"system": _SYSTEMS["nct"], "value": n}
                                                                for n in src.nct]
    if ident:
        artifact["identifier"] = ident
    urls = [url for _, url in src.links()]
    if urls:
        artifact["webLocation"] = [{"url": u} for u in urls]
    return Citation.model_validate({"resourceType": "Citation", "id": src.id, "status": "active",
                                    "title": src.title, "citedArtifact": artifact})


def search_bundle(resources: list[Evidence], *, base: str, total: int, self_url: str,
                  next_url: str | None = None, previous_url: str | None = None) -> Bundle:
    """A ``searchset`` Bundle of Evidence resources with self/next/previous links."""
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    if previous_url:
        links.append({"relation": "previous", "url": previous_url})
    return Bundle.model_validate({
        "resourceType": "Bundle", "type": "searchset", "total": total, "link": links,
        "entry": [{"fullUrl": f"{base}/fhir/Evidence/{r.id}", "resource": r, "search": {"mode": "match"}}
                  for r in resources]})


def evidence_json(rec: StudyRecord) -> str:
    """The validated Evidence resource of ``rec`` as JSON text."""
    return evidence_resource(rec).model_dump_json()


def bundle_json(resources: list[tuple[str, str]], *, total: int, links: list[tuple[str, str]]) -> str:
    """A ``searchset`` Bundle as JSON text from ``(fullUrl, resource JSON)`` pairs already validated
    one by one (the Bundle shell adds nothing that needs validating again; tests validate whole bundles)."""
    entries = ",".join(f'{{"fullUrl":{json.dumps(url)},"resource":{body},"search":{{"mode":"match"}}}}'
                       for url, body in resources)
    link = json.dumps([{"relation": rel, "url": url} for rel, url in links], separators=(",", ":"))
    return f'{{"resourceType":"Bundle","type":"searchset","total":{int(total)},"link":{link},"entry":[{entries}]}}'


def operation_outcome(message: str, *, code: str = "processing", hint: str | None = None) -> OperationOutcome:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if hint:
        issue["details"] = {"text": hint}
    return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": [issue]})


#: Search parameters of Evidence: name -> (FHIR type, documentation).
SEARCH_PARAMS: dict[str, tuple[str, str]] = {
    "_id": ("token", "Logical id; several separated by commas."),
    "_count": ("number", "Entries per page (0 = only the total)."),
    "_offset": ("number", "Entries to skip (paging)."),
    "subject": ("string", "The population's condition: disease name, synonym, abbreviation or id."),
    "disease": ("string", "Same as subject."),
    "drug": ("string", "The exposure: drug INN, brand or development code."),
    "status": ("token", "curated (default), candidate, rejected, reviewable or all."),
}


def capability_statement(base: str) -> CapabilityStatement:
    """The server's R5 CapabilityStatement: Evidence read and search, Citation read, JSON only."""
    from jakatlas import __version__

    params = [{"name": n, "type": t, "documentation": d} for n, (t, d) in SEARCH_PARAMS.items()]
    return CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-04", "kind": "instance",
        "name": "JakatlasFhirServer", "title": "jakatlas FHIR R5 server",
        "description": "Read-only FHIR R5 view of the jakatlas evidence atlas: one Evidence and one Citation "
                       "per study. Unknown search parameters are refused unless 'Prefer: handling=lenient'.",
        "software": {"name": "jakatlas", "version": __version__},
        "implementation": {"description": "jakatlas evidence atlas", "url": f"{base}/fhir"},
        "fhirVersion": "5.0.0", "format": ["json"],
        "rest": [{"mode": "server", "resource": [
            {"type": "Evidence", "interaction": [{"code": "read"}, {"code": "search-type"}],
             "versioning": "no-version", "conditionalRead": "full-support", "searchParam": params},
            {"type": "Citation", "interaction": [{"code": "read"}], "versioning": "no-version",
             "conditionalRead": "full-support"},
        ]}],
    })
