"""End to end: `jakatlas update` against a local fake server, killed with SIGKILL mid-run and run again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakeapi import FIXTURES, CtgovRecord, FakeApis, PubmedRecord, pubmed_article

from jakatlas.store.atlas import Atlas

REPO = Path(__file__).resolve().parents[2]
DEVSET = REPO / "tests" / "devset" / "docs"


def _world() -> FakeApis:
    fake = FakeApis(delay=0.02)
    docs = sorted(DEVSET.glob("*.txt"))
    for i, path in enumerate(docs):
        title, _, body = path.read_text().partition("\n")
        pmid = str(90_000_500 + i)
        day = date.today() - timedelta(days=30 + i)
        fake.add_pubmed(PubmedRecord(pmid, day, day, pubmed_article(pmid, title.strip(), body.strip(),
                                                                    authors=(("Author", "A"),), year=2026)))
    study = json.loads((FIXTURES / "ctgov_NCT03607487.json").read_text())
    fake.add_ctgov(CtgovRecord("NCT03607487", date.today() - timedelta(days=3), study))
    return fake


def _env(url: str, db: str) -> dict[str, str]:
    env = {**os.environ, "JAKATLAS_EUTILS_URL": url + "/entrez/eutils", "JAKATLAS_CTGOV_URL": url,
           "JAKATLAS_DB": db, "JAKATLAS_REQUESTS_PER_SECOND": "500", "PYTHONPATH": str(REPO / "src")}
    env.pop("NCBI_API_KEY", None)
    return env


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from jakatlas.cli import main; main()", *args]


def _dump(path: Path) -> dict[str, list]:
    con = sqlite3.connect(path)
    try:
        return {
            "records": sorted(con.execute("select id, content_hash, status, version, change, studies, document_id "
                                          "from fetched_records")),
            "studies": sorted(con.execute("select id, status, title, design, n, evidence_level, document_id, data "
                                          "from studies")),
            "links": sorted(con.execute("select study_id, target_id, basis, score from study_links")),
            "documents": sorted(con.execute("select id, kind, source_id, title, text from documents")),
            "drugs": sorted(con.execute("select * from study_drugs")),
            "diseases": sorted(con.execute("select * from study_diseases")),
            "watermarks": sorted(con.execute("select source, watermark, data_timestamp from watermarks")),
            "audit": sorted(con.execute("select actor, action, study_id, after from audit")),
        }
    finally:
        con.close()


def _count(path: Path) -> int:
    try:
        con = sqlite3.connect(path, timeout=1)
        try:
            return int(con.execute("select count(*) from fetched_records").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    fake = _world()
    server, url = fake.serve()
    try:
        clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
        for p in (clean_db, killed_db):
            Atlas(f"sqlite:///{p}").build()
        done = subprocess.run(_cmd("update", "--since", "2025-01-01"), env=_env(url, f"sqlite:///{clean_db}"),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "pubmed 2025-01-01 to" in done.stdout and "failed 0" in done.stdout
        total = _count(clean_db)
        assert total >= 25  # every development-set text that names a JAK inhibitor, and the CT.gov study

        fake.delay = 0.15  # slow enough to be caught half way
        proc = subprocess.Popen(_cmd("update", "--since", "2025-01-01"), env=_env(url, f"sqlite:///{killed_db}"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _count(killed_db) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the update finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        partial = _count(killed_db)
        assert 0 < partial < total
        fake.delay = 0.0
        again = subprocess.run(_cmd("update", "--since", "2025-01-01"), env=_env(url, f"sqlite:///{killed_db}"),
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert _dump(killed_db) == _dump(clean_db)
    finally:
        server.shutdown()
