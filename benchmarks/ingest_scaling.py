#!/usr/bin/env python3
"""Bulk ingestion throughput: records/s per worker and the speed-up from 1 to 2 Dask workers.

Builds gzipped files in NLM's baseline format from ``shared/corpora/abstracts`` (every abstract twice,
each copy under a made-up PMID), then ingests the same files twice in this process: on a
``LocalCluster`` of 1 worker and of 2 workers. Each cluster is warmed (the spaCy pipeline built
in every worker) before the clock starts, so the figures are the steady-state processing rate;
the wall time of ``run_ingest`` (discovery, MD5 checks, tasks, Parquet, manifest) is what counts.
A projection for the full baseline on 16 and 64 cores follows, with its assumptions.

    python benchmarks/ingest_scaling.py [--files 32] [--repeat 3] [--json OUT]

Runs of a few seconds vary by 10-15% on this machine, so each cluster size is measured
``--repeat`` times, alternating, and the fastest runs are compared (the median is printed too).
32 files by default: the full baseline is 1,274 files, so a worker waiting for the last long task
is a negligible share there; with 8 files that wait was an eighth of a 2-worker run (0.47 of 3.6 s).

The machine is shared: run ``uptime`` first and compare with the load printed at the end.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "abstracts" / "abstracts.jsonl"
BASELINE_FILES, BASELINE_CITATIONS = 1274, 36_000_000  # NLM 2025 baseline, approximate (issue 12)


def build(dest: Path, files: int) -> int:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    per = -(-len(rows) * 2 // files)  # the corpus twice over, split evenly
    records = rows + rows
    n = 0
    for i in range(files):
        body = ['<?xml version="1.0"?>\n<PubmedArticleSet>\n']
        for j, r in enumerate(records[i * per:(i + 1) * per]):
            pmid = 50_000_000 + i * per + j
            body.append(f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
                        f"<ArticleTitle>{escape(r['title'] or '')}</ArticleTitle><Abstract><AbstractText>"
                        f"{escape(r['abstract'] or '')}</AbstractText></Abstract></Article></MedlineCitation>"
                        "</PubmedArticle>\n")
            n += 1
        body.append("</PubmedArticleSet>\n")
        data = gzip.compress("".join(body).encode(), mtime=0)
        path = dest / f"pubmed25n{i + 1:04d}.xml.gz"
        path.write_bytes(data)
        path.with_name(path.name + ".md5").write_text(f"MD5({path.name})= {hashlib.md5(data).hexdigest()}\n")
    return n


def _warm() -> int:
    from jakatlas.extract import extract, get_pipeline

    get_pipeline()
    return len(extract("Tofacitinib 5 mg twice daily in 3 patients with alopecia areata.").studies)


def measure(inputs: Path, out: Path, workers: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from jakatlas.bulk import run_ingest

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(_warm)
        start = time.perf_counter()
        summary = run_ingest([str(inputs)], out, client=client, show_progress=False)
        wall = time.perf_counter() - start
    assert not summary.failed, summary.failed
    cpu = sum(e.cpu_seconds for e in summary.processed)
    return {"workers": workers, "records": summary.records, "seconds": wall, "cpu_seconds": cpu,
            "records_per_s": summary.records / wall, "records_per_cpu_s": summary.records / cpu,
            "candidates": summary.candidates}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of each; the fastest of each is compared")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    load_before = os.getloadavg()
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        n = build(inputs, args.files)
        for i in range(args.repeat):
            for w in (1, 2):
                runs[w].append(measure(inputs, Path(tmp) / f"out{w}-{i}", w))
    one, two = (min(runs[w], key=lambda r: r["seconds"]) for w in (1, 2))
    speedup = one["seconds"] / two["seconds"]
    median = statistics.median(r["seconds"] for r in runs[1]) / statistics.median(r["seconds"] for r in runs[2])
    rate = one["records_per_cpu_s"]  # per worker, CPU time: what a dedicated core delivers
    efficiency = 0.9  # assumed: independent file tasks, sharing nothing but the scheduler
    projection = {cores: BASELINE_CITATIONS / (rate * cores * efficiency) for cores in (16, 64)}
    load_after = os.getloadavg()
    print(f"input: {args.files} files, {n:,} records ({one['candidates']} candidate studies)")
    print("| workers | records | wall s | records/s (wall) | task CPU s | records per CPU s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in (one, two):
        print(f"| {r['workers']} | {r['records']:,} | {r['seconds']:.1f} | {r['records_per_s']:,.0f} | "
              f"{r['cpu_seconds']:.1f} | {r['records_per_cpu_s']:,.0f} |")
    for w in (1, 2):
        print(f"{w} worker(s), wall s of each run: " + ", ".join(f"{r['seconds']:.2f}" for r in runs[w]))
    print(f"speed-up 1 -> 2 workers (wall, fastest runs): {speedup:.2f}x (target >= 1.7x); from the median runs "
          f"{median:.2f}x; per-worker rate {rate:,.0f} records per CPU second")
    for cores, secs in projection.items():
        print(f"projected full baseline ({BASELINE_CITATIONS:,} citations, {BASELINE_FILES:,} files) on {cores} "
              f"cores at {efficiency:.0%} parallel efficiency: {secs / 60:.0f} min")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores, shared machine)")
    if args.json:
        args.json.write_text(json.dumps({"one": one, "two": two, "speedup": speedup, "runs": runs,
                                         "projection_s": projection, "load": [load_before, load_after]}))


if __name__ == "__main__":
    main()
