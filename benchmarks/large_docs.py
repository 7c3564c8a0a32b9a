#!/usr/bin/env python3
"""Large-document extraction: time per MB at 0.1, 1, 5 and 20 MB in one run.

Each document is plain text built from real article text: the abstracts of
``shared/corpora/abstracts`` in order, with the seed report (a congress report on JAK inhibitors
in uncommon dermatoses) inserted every 100 KB, so every component of the pipeline has work
throughout. Documents go through :func:`jakatlas.bulk.chunked.extract_long` (sections of about
``CHUNK_CHARS`` characters). Times are CPU seconds of this process (``time.process_time``).
The target is a ratio of the 20 MB and 1 MB per-MB times of at most 1.3 (linear time).

    python benchmarks/large_docs.py [--sizes 0.1 1 5 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def make_text(n_chars: int) -> str:
    seed = (SHARED / "seed" / "jak-inhibition-uncommon-dermatoses-aad2022.txt").read_text()
    abstracts = [json.loads(line) for line in (SHARED / "corpora" / "abstracts" / "abstracts.jsonl")
                 .read_text().splitlines()]
    parts: list[str] = []
    size, since_seed, i = 0, 0, 0
    while size < n_chars:
        if since_seed >= 100_000 or not parts:
            piece, since_seed = seed, 0
        else:
            r = abstracts[i % len(abstracts)]
            piece = f"{r['title']}\n{r['abstract']}"
            i += 1
        parts.append(piece)
        size += len(piece) + 2
        since_seed += len(piece) + 2
    return "\n\n".join(parts)[:n_chars]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1, 5, 20])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from jakatlas.bulk.chunked import CHUNK_CHARS, extract_long
    from jakatlas.extract import extract, get_pipeline

    get_pipeline()
    extract("Warm-up: tofacitinib in alopecia areata.")
    load_before = os.getloadavg()
    rows = []
    for mb in args.sizes:
        text = make_text(int(mb * 1_000_000))
        start = time.process_time()
        result = extract_long(text)
        secs = time.process_time() - start
        rows.append({"mb": mb, "seconds": secs, "s_per_mb": secs / mb, "studies": len(result.studies),
                     "mentions": len(result.mentions)})
        print(f"{mb:g} MB: {secs:.1f} s CPU, {secs / mb:.2f} s/MB, {len(result.studies)} studies", flush=True)
    by = {r["mb"]: r for r in rows}
    print(f"\nsections of about {CHUNK_CHARS:,} characters")
    print("| size (MB) | CPU s | s/MB | studies |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mb']:g} | {r['seconds']:.1f} | {r['s_per_mb']:.2f} | {r['studies']:,} |")
    if 1 in by and 20 in by:
        print(f"per-MB time, 20 MB / 1 MB: {by[20]['s_per_mb'] / by[1]['s_per_mb']:.2f} (target <= 1.3)")
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (2 cores, shared machine)")
    if args.json:
        args.json.write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
