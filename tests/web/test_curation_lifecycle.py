"""Every state a curator can reach renders everywhere, and a rebuild keeps every curator decision.

Each test reproduces a failure once seen on a fresh atlas (on SQLite and on PostgreSQL): accepting
an extracted candidate broke its disease page, table downloads, ``grade`` and ``dossier``;
rejecting a shipped study broke every later ``build``; ``build`` silently reverted curator edits;
a partial adverse event made the study page fail.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from _candidates import CANDIDATE_TEXT, candidate_result
from fastapi.testclient import TestClient

from _cli import run
from jakatlas.data import knowledge_base
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import audit_log, create_token
from jakatlas.web import create_app
from jakatlas.web.fhir import fhir_id

LP = "lichen planus"


@dataclasses.dataclass
class Live:
    url: str
    atlas: Atlas
    client: TestClient
    token: str
    candidate: str

    def write(self, method: str, path: str, sid: str, **kw: object) -> object:
        """A curator write with the study's current ETag in If-Match."""
        tag = self.client.get(f"/api/v1/studies/{quote(sid, safe='')}").headers.get("etag", "*")
        headers = {"Authorization": f"Bearer {self.token}", "If-Match": tag}
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture
def live(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """A built atlas on either backend with one extracted candidate, a token and a client."""
    atlas = Atlas(db_url)
    atlas.build()
    sid = atlas.add_candidates(candidate_result(), CANDIDATE_TEXT, actor="test").added[0]
    monkeypatch.setenv("JAKATLAS_DB", db_url)
    with TestClient(create_app(db_url), raise_server_exceptions=False) as client:
        yield Live(db_url, atlas, client, create_token(atlas, "alice"), sid)


def _renders_everywhere(live: Live, sid: str, disease: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The study and its disease render on every page, download, FHIR read and command."""
    c = live.client
    d = knowledge_base().disease(disease)
    for url in (f"/diseases/{d.id}", f"/api/v1/diseases/{quote(d.name)}", f"/api/v1/diseases/{quote(d.name)}?format=csv",
                f"/diseases/{d.id}/tables/effects.csv", f"/diseases/{d.id}/tables/placebo.json",
                f"/studies/{quote(sid, safe='')}", f"/api/v1/studies/{quote(sid, safe='')}",
                f"/fhir/Evidence/{fhir_id(sid)}", f"/fhir/Evidence?disease={quote(d.name)}", "/", "/new",
                "/api/v1/evidence-map", f"/compare?disease={quote(d.name)}"):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    code, out, err = run(capsys, monkeypatch, "grade", d.name, "--format", "json")
    assert code == 0 and json.loads(out), err
    code, out, err = run(capsys, monkeypatch, "dossier", d.name, "--out", str(tmp_path / "d.md"))
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, "map", "--out", str(tmp_path / "map.svg"))
    assert code == 0, err


def test_accepted_candidate_renders_everywhere(live: Live, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    r = live.write("POST", f"/api/v1/studies/{live.candidate}/accept", live.candidate)
    assert r.status_code == 200 and r.json()["status"] == "curated"  # type: ignore[attr-defined]
    _renders_everywhere(live, live.candidate, LP, tmp_path, capsys, monkeypatch)
    page = live.client.get("/diseases/lichen_planus").text
    assert f"/studies/{live.candidate}" in page
    code, out, _ = run(capsys, monkeypatch, "grade", LP, "--format", "json")
    assert live.candidate in out
    assert live.candidate in (tmp_path / "d.md").read_text(encoding="utf-8") or "baricitinib" in \
        (tmp_path / "d.md").read_text(encoding="utf-8")


def test_rejected_shipped_study_stays_rejected_across_builds(live: Live, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sid = "alavi2022-study1"
    r = live.write("POST", f"/api/v1/studies/{sid}/reject", sid)
    assert r.status_code == 200  # type: ignore[attr-defined]
    code, out, err = run(capsys, monkeypatch, "build")
    assert code == 0, err
    assert live.atlas.study(sid).status == "rejected"
    assert sid not in {s.id for s in live.atlas.studies(disease="hidradenitis suppurativa", status=("curated",))}
    assert live.atlas.build().changed == 0  # a second rebuild has nothing to do
    _renders_everywhere(live, sid, "hidradenitis suppurativa", tmp_path, capsys, monkeypatch)


def test_rebuild_keeps_curator_edits_and_audits_what_it_changes(live: Live) -> None:
    sid = "alavi2022-study1"
    r = live.write("PATCH", f"/api/v1/studies/{sid}", sid, json={"n": 999})
    assert r.status_code == 200  # type: ignore[attr-defined]
    live.atlas.build()
    assert live.atlas.study(sid).n == 999
    assert [e.action for e in audit_log(live.atlas, sid)] == ["edit"]  # nothing changed, nothing audited
    kb = knowledge_base()
    shipped = kb.studies[sid]
    changed = shipped.model_copy(update={"n": 120, "result": "A changed result in the knowledge base."})
    report = live.atlas.build(dataclasses.replace(kb, studies={**kb.studies, sid: changed}))
    assert report.updated["studies"] == 1
    now = live.atlas.study(sid)
    assert now.n == 999 and now.data["result"] == "A changed result in the knowledge base."
    assert now.overrides == {"n": 999}
    entry = audit_log(live.atlas, sid)[0]
    assert entry.action == "build" and entry.actor == "build"
    assert entry.before is not None and entry.after is not None
    assert entry.before["result"] == shipped.result and entry.after["result"] == changed.result
    assert entry.note == "The knowledge base changed n; the curator's value is kept."
    live.atlas.build()  # back to the shipped record: the override still wins
    assert live.atlas.study(sid).n == 999 and live.atlas.study(sid).data["result"] == shipped.result


def test_partial_adverse_event_is_stored_whole_and_renders(live: Live, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sid = "alavi2022-study1"
    r = live.write("PATCH", f"/api/v1/studies/{sid}", sid, json={"adverse_events": [{"term": "acne"}]})
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert r.json()["data"]["adverse_events"] == [  # type: ignore[attr-defined]
        {"term": "acne", "value": None, "unit": None, "serious": None, "arm": None, "negated": False}]
    page = live.client.get(f"/studies/{sid}")
    assert page.status_code == 200 and "Acne" in page.text
    _renders_everywhere(live, sid, "hidradenitis suppurativa", tmp_path, capsys, monkeypatch)


def test_edits_that_break_a_record_are_refused_with_the_field(live: Live) -> None:
    sid = "alavi2022-study1"
    r = live.write("PATCH", f"/api/v1/studies/{sid}", sid, json={"citation": None})
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert r.json()["error"] == ("The change makes study 'alavi2022-study1' invalid "  # type: ignore[attr-defined]
                                 "(citation: Input should be a valid string).")
    r = live.write("PATCH", f"/api/v1/studies/{sid}", sid, json={"diseases": [{"name": "hidradenitis supurativa"}]})
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert r.json()["error"] == ("Unknown disease 'hidradenitis supurativa' in the change "  # type: ignore[attr-defined]
                                 "to study 'alavi2022-study1'.")
    r = live.write("PATCH", f"/api/v1/studies/{sid}", sid, json={"diseases": [{"name": "HS"}]})
    assert r.status_code == 200 and r.json()["data"]["diseases"] == [  # type: ignore[attr-defined]
        {"name": "hidradenitis suppurativa", "variant": None}]
    assert live.atlas.study(sid).version == 2  # the refused changes wrote nothing
