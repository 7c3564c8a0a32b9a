"""No lost updates: real concurrent clients against a real uvicorn server (2 workers) on 127.0.0.1.

Two curators patch different fields of one study at the same moment, or accept one candidate at
the same moment, on SQLite and on PostgreSQL. Exactly one write of each pair wins; the other is
told (412 or 409), nothing is lost silently, and every audit entry's "before" is the record the
previous entry left.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import audit_log, create_token

pytestmark = pytest.mark.slow

ROUNDS = 8
SID = "alavi2022-study1"
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


class Server:
    def __init__(self, url: str, base: str, token: str, candidates: list[str]) -> None:
        self.url, self.base, self.token, self.candidates = url, base, token, candidates

    def auth(self, tag: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **({"If-Match": tag} if tag else {})}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "JAKATLAS_DB": url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "jakatlas.web.app:create_app_from_env",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("uvicorn did not answer /health within 60 s")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('conc') / 'atlas.db'}"
    else:
        request.getfixturevalue("pg_available")
        import psycopg

        schema = f"jk_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    atlas = Atlas(url)
    atlas.build()
    candidates = []
    for i in range(ROUNDS):
        res = ExtractionResult(source=SourceInfo(id=f"c{i}.txt", kind="text", sha256=f"{i:064x}"),
                               studies=[Study(id="s1", interventions=[{"name": "baricitinib"}],
                                              diseases=[{"name": "lichen planus"}], n=i + 1)])
        candidates += atlas.add_candidates(res, f"text {i}").added
    token = create_token(atlas, "alice")
    proc, base = _start(url)
    try:
        yield Server(url, base, token, candidates)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        from jakatlas.store.db import get_engine

        get_engine(url).dispose()
        if schema:
            import psycopg

            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _together(*calls: Any) -> list[httpx.Response]:
    """Run the calls in threads released at the same instant; their responses in call order."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def go(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            barrier.wait()
            out[i] = calls[i](c)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _etag(server: Server, sid: str) -> str:
    """The study's current ETag as the API sends it, waiting out the other worker's read cache
    (a change is seen there within the cache's probe interval)."""
    current = Atlas(server.url).study(sid).version
    deadline = time.monotonic() + 10
    while True:
        r = httpx.get(f"{server.base}/api/v1/studies/{sid}", timeout=10)
        if r.json()["version"] == current or time.monotonic() > deadline:
            return str(r.headers["etag"])
        time.sleep(0.05)


def test_concurrent_patches_of_different_fields_never_lose_one(server: Server) -> None:
    outcomes = []
    for i in range(ROUNDS):
        tag = _etag(server, SID)
        changes = ({"n": 1000 + i}, {"phase": f"p{i}"})
        rs = _together(*(lambda c, ch=ch, tag=tag: c.patch(f"{server.base}/api/v1/studies/{SID}", json=ch,
                                                           headers=server.auth(tag)) for ch in changes))
        codes = sorted(r.status_code for r in rs)
        outcomes.append(codes)
        assert codes == [200, 412], [r.text for r in rs]
        loser = next(k for k, r in enumerate(rs) if r.status_code == 412)
        assert rs[loser].json()["hint"] == ("Re-read the study, check the change, and retry with its "
                                            "current ETag in If-Match.")
        retry = httpx.patch(f"{server.base}/api/v1/studies/{SID}", json=changes[loser],
                            headers=server.auth(_etag(server, SID)), timeout=10)
        assert retry.status_code == 200, retry.text
        data = retry.json()["data"]
        assert data["n"] == 1000 + i and data["phase"] == f"p{i}"  # both changes are there
    log = list(reversed(audit_log(Atlas(server.url), SID)))
    assert len(log) == 2 * ROUNDS
    for prev, entry in zip(log, log[1:], strict=False):
        assert entry.before == prev.after  # no audit entry ever saw a stale record


def test_concurrent_accepts_one_wins_one_gets_409(server: Server) -> None:
    for sid in server.candidates:
        tag = _etag(server, sid)
        rs = _together(*(lambda c, sid=sid, tag=tag: c.post(f"{server.base}/api/v1/studies/{sid}/accept",
                                                            headers=server.auth(tag)) for _ in range(2)))
        assert sorted(r.status_code for r in rs) == [200, 409], [r.text for r in rs]
        loser = next(r for r in rs if r.status_code == 409)
        assert loser.json()["error"] == f"Study {sid!r} is already curated (version 2)."
        log = audit_log(Atlas(server.url), sid)
        assert [e.action for e in log] == ["accept", "add"]
        assert log[0].before == log[1].after


def test_reject_racing_an_edit_is_decided_once(server: Server) -> None:
    atlas = Atlas(server.url)
    sid = "kimsr2018-eosinophilic-fasciitis"
    before = len(audit_log(atlas, sid))
    tag = _etag(server, sid)
    rs = _together(lambda c: c.post(f"{server.base}/api/v1/studies/{sid}/reject", headers=server.auth(tag)),
                   lambda c: c.patch(f"{server.base}/api/v1/studies/{sid}", json={"n": 7}, headers=server.auth(tag)))
    assert sorted(r.status_code for r in rs) == [200, 412], [r.text for r in rs]
    assert len(audit_log(atlas, sid)) == before + 1
