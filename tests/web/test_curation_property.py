"""Property: random sequences of add / accept / edit / reject / build never break a page or command.

Hypothesis draws curation histories over a few shipped studies and extracted candidates, with
schema-valid edits of every kind (partial outcomes and adverse events, other drugs and diseases,
removed citations), on SQLite and PostgreSQL. After every step each write answered with a
documented status, a rebuild kept every curator decision, and at the end every page, download,
FHIR read, ``grade``, ``dossier`` and the map of the studies and diseases involved render.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _cli import run
from jakatlas.data import knowledge_base
from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.report.dossier import build_dossier, to_markdown
from jakatlas.report.evidence_map import evidence_map
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import create_token
from jakatlas.web import create_app
from jakatlas.web.fhir import fhir_id

pytestmark = pytest.mark.slow

SHIPPED = ("kimsr2018-eosinophilic-fasciitis", "damsky2020-jak-morphea-jid")
DISEASES = ("morphea", "eosinophilic fasciitis")
DRUGS = ("tofacitinib", "baricitinib", "jak inhibitor", "placebo", "methotrexate")
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"

CANDIDATES = (
    ExtractionResult(source=SourceInfo(id="m.txt", kind="text", sha256="1" * 64), studies=[Study(
        id="s1", interventions=[{"name": "tofacitinib", "dose": "5 mg"}], comparators=[{"name": "methotrexate"}],
        diseases=[{"name": "morphea"}], design="cohort", n=12, evidence_level=3,
        outcomes=[{"measure": "mRSS", "value": -6.5, "unit": "points", "comparator_value": -2.0, "n": 6,
                   "comparator_n": 6, "timepoint": {"value": 24, "unit": "week"}}])]),
    ExtractionResult(source=SourceInfo(id="e.txt", kind="text", sha256="2" * 64), studies=[Study(
        id="s1", interventions=[{"name": "baricitinib"}], diseases=[{"name": "eosinophilic fasciitis"}],
        design="case_report", n=1, adverse_events=[{"term": "herpes zoster", "value": 1.0}])]),
)

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)
_num = st.none() | st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
_duration = st.none() | st.fixed_dictionaries({"value": st.floats(0, 520, allow_nan=False),
                                               "unit": st.sampled_from(["day", "week", "month", "year"])})
_outcome = st.fixed_dictionaries({"measure": st.sampled_from(["mRSS", "complete response", "DLQI", "itch NRS"])},
                                 optional={"value": _num, "unit": st.sampled_from(["%", "points", None]),
                                           "comparator_value": _num, "n": st.none() | st.integers(0, 500),
                                           "comparator_n": st.none() | st.integers(0, 500), "timepoint": _duration,
                                           "p_value": st.none() | st.floats(0, 1), "arm": st.none() | _text})
_ae = st.fixed_dictionaries({"term": st.sampled_from(["acne", "herpes zoster", "nausea"]) | _text.filter(str.strip)},
                            optional={"value": _num, "unit": st.sampled_from(["%", "patients", None]),
                                      "serious": st.none() | st.booleans(), "negated": st.booleans()})
_FIELDS = {
    "n": st.none() | st.integers(0, 10**6),
    "design": st.none() | st.sampled_from(["rct", "case_report", "case_series", "cohort", "preclinical", "other"]),
    "phase": st.none() | st.sampled_from(["2", "3", "2b"]),
    "evidence_level": st.none() | st.integers(1, 5),
    "interventions": st.lists(st.fixed_dictionaries({"name": st.sampled_from(DRUGS)},
                                                    optional={"dose": st.none() | _text}), max_size=2),
    "comparators": st.lists(st.fixed_dictionaries({"name": st.sampled_from(DRUGS)}), max_size=1),
    "diseases": st.lists(st.fixed_dictionaries({"name": st.sampled_from(DISEASES)}), min_size=1, max_size=2),
    "duration": _duration,
    "outcomes": st.lists(_outcome, max_size=3),
    "adverse_events": st.lists(_ae, max_size=3),
    "result": st.none() | _text,
    "citation": st.none() | _text,
    "hedged": st.booleans(),
}
_edit = st.builds(lambda first, rest: {**rest, **first},
                  st.one_of([st.fixed_dictionaries({k: v}) for k, v in _FIELDS.items()]),
                  st.fixed_dictionaries({}, optional=_FIELDS))
_target = st.sampled_from(SHIPPED) | st.integers(0, len(CANDIDATES) - 1)
_op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, len(CANDIDATES) - 1)),
    st.tuples(st.sampled_from(["accept", "reject"]), _target),
    st.tuples(st.just("edit"), _target, _edit),
    st.tuples(st.just("build"), st.booleans()),
)


@dataclasses.dataclass
class Model:
    """What the atlas must show: each touched study's status and the curator's values."""

    status: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)


def _changed_kb() -> Any:
    """The knowledge base with the shipped studies' n and result changed (a later release)."""
    kb = knowledge_base()
    studies = dict(kb.studies)
    for sid in SHIPPED:
        studies[sid] = studies[sid].model_copy(update={"n": (studies[sid].n or 0) + 5, "result": "Updated result."})
    return dataclasses.replace(kb, studies=studies)


def _replay(url: str, ops: list[tuple[Any, ...]], tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    atlas = Atlas(url)
    token = create_token(atlas, "alice")
    model = Model(status={sid: "curated" for sid in SHIPPED})
    added: dict[int, str] = {}
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        def sid_of(target: Any) -> str | None:
            return target if isinstance(target, str) else added.get(target)

        for op in ops:
            if op[0] == "add":
                sid = atlas.add_candidates(CANDIDATES[op[1]], f"document {op[1]}").added
                for s in sid:
                    added[op[1]] = s
                    model.status[s] = "candidate"
                continue
            if op[0] == "build":
                atlas.build(_changed_kb() if op[1] else None)
                client.app.state.ctx.cache.invalidate()  # type: ignore[attr-defined]
                for s, status in model.status.items():
                    rec = atlas.study(s)
                    assert rec.status == status, (s, "a rebuild changed a curator decision")
                    for k, v in model.values.get(s, {}).items():
                        assert rec.data[k] == v, (s, k, "a rebuild reverted a curator edit")
                continue
            sid = sid_of(op[1])
            if sid is None:
                continue
            path = f"/api/v1/studies/{quote(sid, safe='')}"
            tag = client.get(path).headers["etag"]
            headers = {"Authorization": f"Bearer {token}", "If-Match": tag}
            if op[0] == "edit":
                r = client.patch(path, json=op[2], headers=headers)
                assert r.status_code in (200, 422), (op, r.status_code, r.text)
                if r.status_code == 200:
                    model.values.setdefault(sid, {}).update({k: r.json()["data"][k] for k in op[2]})
                else:
                    assert client.get(path).headers["etag"] == tag  # a refused edit writes nothing
            else:
                r = client.post(f"{path}/{op[0]}", headers=headers)
                target = "curated" if op[0] == "accept" else "rejected"
                expected = 409 if model.status[sid] == target else 200
                assert r.status_code == expected, (op, r.status_code, r.text)
                model.status[sid] = target
        _renders(client, atlas, model, tmp_path, capsys, monkeypatch)


def _renders(client: TestClient, atlas: Atlas, model: Model, tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    kb = knowledge_base()
    diseases = set(DISEASES)
    for sid in model.status:
        q = quote(sid, safe="")
        rec = atlas.study(sid)
        assert rec.status == model.status[sid]
        diseases |= {d["name"] for d in rec.data.get("diseases", [])}
        for url in (f"/studies/{q}", f"/api/v1/studies/{q}", f"/fhir/Evidence/{fhir_id(sid)}",
                    f"/studies/{q}/tables/outcomes.csv", f"/studies/{q}/tables/adverse_events.json"):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
    for name in sorted(diseases):
        d = kb.disease(name)
        for url in (f"/diseases/{d.id}", f"/api/v1/diseases/{quote(name)}?format=csv",
                    f"/diseases/{d.id}/tables/effects.csv", f"/fhir/Evidence?disease={quote(name)}",
                    f"/api/v1/studies?disease={quote(name)}&status=all&format=csv", f"/compare?disease={quote(name)}"):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
        to_markdown(build_dossier(atlas, d, candidates=True))
    for url in ("/", "/new", "/api/v1/evidence-map", "/drugs/tofacitinib", "/drugs/baricitinib"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    evidence_map(atlas, candidates=True)
    monkeypatch.setenv("JAKATLAS_DB", atlas.url)
    for name in ("morphea", "eosinophilic fasciitis"):
        code, out, err = run(capsys, monkeypatch, "grade", name, "--format", "json")
        assert code == 0 and json.loads(out)["disease"] == name, err
    code, _, err = run(capsys, monkeypatch, "dossier", "morphea", "--out", str(tmp_path / "m.md"))
    assert code == 0, err


_SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": False}


@settings(max_examples=6, **_SETTINGS)
@given(ops=st.lists(_op, min_size=1, max_size=7))
def test_curation_histories_never_break_the_atlas_sqlite(ops: list[tuple[Any, ...]], built_db: Path, tmp_path: Path,
                                                         capsys: Any, monkeypatch: Any) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    with closing(sqlite3.connect(built_db)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    _replay(f"sqlite:///{path}", ops, tmp_path, capsys, monkeypatch)


@settings(max_examples=3, **_SETTINGS)
@given(ops=st.lists(_op, min_size=3, max_size=7))
def test_curation_histories_never_break_the_atlas_postgresql(ops: list[tuple[Any, ...]], pg_available: None,
                                                             tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    import psycopg

    from jakatlas.store.db import get_engine

    schema = f"jk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        Atlas(url).build()
        _replay(url, ops, tmp_path, capsys, monkeypatch)
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
