"""Bulk ingestion: baseline + update semantics, resume after kill -9, corrupt inputs skipped whole."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from jakatlas.bulk import discover_inputs, latest_rows, latest_summary, read_manifest, run_ingest
from jakatlas.bulk.inputs import read_md5_sidecar
from jakatlas.bulk.manifest import output_path
from jakatlas.errors import InputError

from .corpus import Corpus, write_gz

SRC = Path(__file__).resolve().parents[2] / "src"


def _content(out: Path) -> dict[str, Any]:
    """Every output's rows and the manifest entries (minus timings), by input name."""
    entries = read_manifest(out)
    return {name: (pq.read_table(output_path(out, name)).to_pylist(),
                   e.model_dump(exclude={"seconds", "cpu_seconds"})) for name, e in entries.items()}


@pytest.fixture(scope="module")
def reference(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    summary = run_ingest([str(corpus.folder)], out, workers=0, show_progress=False)
    assert summary.failed == {} and len(summary.processed) == len(corpus.baseline) + 1
    return out


def test_inputs_come_in_name_order_with_their_md5(corpus: Corpus) -> None:
    inputs = discover_inputs([str(corpus.folder)])
    assert [i.name for i in inputs] == [p.name for p in [*corpus.baseline, corpus.update]]
    assert all(i.expected_md5 and len(i.expected_md5) == 32 for i in inputs)
    assert [i.name for i in discover_inputs([str(corpus.folder / "pubmed25n000[12].xml.gz")])] == [
        "pubmed25n0001.xml.gz", "pubmed25n0002.xml.gz"]


def test_md5_sidecar_in_both_formats(tmp_path: Path) -> None:
    f = tmp_path / "a.xml.gz"
    f.write_bytes(b"x")
    (tmp_path / "a.xml.gz.md5").write_text("MD5(a.xml.gz)= 9DD4E461268C8034F5C8564E155C67A6\n")
    assert read_md5_sidecar(f) == "9dd4e461268c8034f5c8564e155c67a6"
    (tmp_path / "a.xml.gz.md5").write_text("9dd4e461268c8034f5c8564e155c67a6  a.xml.gz\n")
    assert read_md5_sidecar(f) == "9dd4e461268c8034f5c8564e155c67a6"
    (tmp_path / "a.xml.gz.md5").write_text("garbage\n")
    with pytest.raises(InputError, match="no MD5 digest found; download the .md5 file again or delete it"):
        read_md5_sidecar(f)


def test_nothing_to_ingest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        run_ingest([str(tmp_path)], tmp_path / "out", workers=0)
    assert str(err.value) == (f"{tmp_path}: no PubMed XML files found (looked for pubmed*.xml.gz and *.xml); "
                              "give a folder, a file or a glob such as 'baseline/pubmed*.xml.gz'.")


def test_update_file_revises_replaces_adds_and_deletes(corpus: Corpus, reference: Path) -> None:
    rows = {r["pmid"]: r for r in latest_rows(reference)}
    assert set(rows) == (set(corpus.pmids) - {corpus.deleted}) | {corpus.added}
    assert rows[corpus.revised]["pmid_version"] == 2
    assert rows[corpus.revised]["title"].startswith("REVISED ")
    assert rows[corpus.revised]["input"] == corpus.update.name
    assert rows[corpus.replaced]["text"].endswith("Corrected abstract.")
    assert rows[corpus.pmids[0]]["input"] == corpus.baseline[0].name  # the real efetch records
    summary = latest_summary(reference)
    assert summary["citations"] == len(rows)
    assert summary["relevant"] == sum(r["relevant"] for r in rows.values()) > 0
    assert summary["candidates"] == sum(r["candidates"] for r in rows.values()) > 0


def test_records_counted_once_and_candidates_carry_the_contract(reference: Path, corpus: Corpus) -> None:
    entries = read_manifest(reference)
    assert sum(e.records for e in entries.values()) == len(corpus.pmids) + 3
    assert entries[corpus.update.name].deletions == 1
    with_results = latest_rows(reference, where="result IS NOT NULL")
    assert with_results and all(r["relevant"] and r["candidates"] > 0 and r["text"] for r in with_results)
    assert all(r["result"].startswith('{"source":{"id":"PMID:') for r in with_results)


def test_second_run_without_resume_is_refused_and_with_resume_skips_all(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = [str(corpus.baseline[1])]
    run_ingest(files, out, workers=0, show_progress=False)
    with pytest.raises(InputError) as err:
        run_ingest(files, out, workers=0)
    assert str(err.value) == (f"{out} already holds an ingest (1 inputs done); pass --resume to continue it "
                              "or choose an empty --out folder.")
    again = run_ingest(files, out, workers=0, resume=True)
    assert again.skipped == [corpus.baseline[1].name] and again.processed == []


def test_corrupt_gzip_and_md5_mismatch_are_reported_and_never_written(corpus: Corpus, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(corpus.folder, folder)
    good, truncated, garbled, mismatched = (folder / p.name for p in corpus.baseline[:4])
    data = truncated.read_bytes()
    write_gz(truncated, "", md5=False)
    truncated.write_bytes(data[: len(data) // 2])
    truncated.with_name(truncated.name + ".md5").unlink()
    raw = bytearray(garbled.read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 64] = b"\x00" * 64
    garbled.write_bytes(bytes(raw))
    garbled.with_name(garbled.name + ".md5").unlink()
    mismatched.with_name(mismatched.name + ".md5").write_text(f"MD5({mismatched.name})= {'0' * 32}\n")
    out = tmp_path / "out"
    summary = run_ingest([str(p) for p in (good, truncated, garbled, mismatched)], out, workers=0)
    assert [e.input for e in summary.processed] == [good.name]
    assert set(summary.failed) == {truncated.name, garbled.name, mismatched.name}
    assert summary.failed[truncated.name].startswith(f"{truncated.name}: corrupt or truncated gzip (")
    assert summary.failed[truncated.name].endswith("); download the file again.")
    assert "download the file again" in summary.failed[garbled.name]
    md5 = summary.failed[mismatched.name]
    assert md5.startswith(f"{mismatched.name}: MD5 mismatch (file ")
    assert md5.endswith(f", {mismatched.name}.md5 says {'0' * 32}); download the file again.")
    assert sorted(p.name for p in (out / "records").iterdir()) == [f"{good.name}.parquet"]
    assert sorted(read_manifest(out)) == [good.name]


def _ingest_cmd(corpus: Corpus, out: Path, *extra: str) -> list[str]:
    code = "from jakatlas.cli import main; main()"
    return [sys.executable, "-c", code, "ingest", str(corpus.folder), "--out", str(out), "--no-progress", *extra]


@pytest.mark.slow
def test_kill_9_mid_run_then_resume_equals_an_uninterrupted_run(
    corpus: Corpus, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(_ingest_cmd(corpus, out, "--workers", "1"), env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    total = len(corpus.baseline) + 1
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list((out / "manifest").glob("*.json"))) if (out / "manifest").is_dir() else 0
        if done >= 1:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the ingest, its scheduler and its worker processes
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    partial = read_manifest(out)
    assert 1 <= len(partial) < total, "the kill came too late to interrupt the run"

    resumed = subprocess.run(_ingest_cmd(corpus, out, "--workers", "2", "--resume"), env=env,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(partial)} already done, 0 failed)" in resumed.stdout
    assert _content(out) == _content(reference)
    assert latest_rows(out) == latest_rows(reference)
    leftovers = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [], "temporary files from the killed run are never taken for outputs"


def test_gzip_helper_is_deterministic(tmp_path: Path) -> None:
    a = write_gz(tmp_path / "a.xml.gz", "<x/>")
    assert gzip.decompress(a.read_bytes()) == b"<x/>"


def test_load_stores_the_latest_candidates_as_living_records_once(reference: Path, tmp_path: Path,
                                                                  corpus: Corpus) -> None:
    from jakatlas.store.atlas import Atlas
    from jakatlas.store.bulk_load import load_latest

    atlas = Atlas(f"sqlite:///{tmp_path / 'atlas.db'}")
    atlas.migrate()
    with_results = latest_rows(reference, where="result IS NOT NULL")
    expected = sum(r["candidates"] for r in with_results)
    first = load_latest(reference, atlas.url)
    assert first.fetched == len(with_results) + 1  # + the deleted PMID, passed on as deleted
    assert first.new == len(with_results) and first.candidates == expected > 0 and first.failed == []
    again = load_latest(reference, atlas.url)
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(with_results) + 1)
    studies = atlas.studies(status=("candidate",))
    assert {s.id.split("-")[1] for s in studies} == {r["pmid"] for r in with_results}
    assert len(studies) == expected - first.linked
