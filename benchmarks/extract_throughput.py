#!/usr/bin/env python3
"""Throughput of ``jakatlas.extract`` on a corpus of real abstracts (one process, one core).

Measures, over ``shared/corpora/abstracts/abstracts.jsonl`` (title + abstract per line):

* spaCy's tokenizer alone (``nlp.tokenizer.pipe``) - the cost floor of any spaCy pipeline;
* full extraction (``extract_many``) without the relevance pre-screen, and with it (components
  after entity recognition also stop early on a document that names no drug or no disease);
* full extraction on the documents that pass the pre-screen alone (the cost of the whole pipeline);
* the pre-screen itself (``is_relevant``) in MB/s;
* resident memory (RSS) sampled while streaming, to show that it stays flat.

Times are CPU seconds of this process (``time.process_time``), so other load on a shared machine
distorts them less than wall-clock time would. The process is pinned to one core when the
platform allows it.

    python benchmarks/extract_throughput.py [--limit N] [--corpus PATH] [--repeat R] [--json OUT]

The last lines printed are a Markdown table that can be pasted into the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "abstracts" / "abstracts.jsonl"


def load_texts(path: Path, limit: int | None) -> list[str]:
    """Title and abstract of each JSON line, joined by a newline."""
    out: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            rec = json.loads(line)
            out.append(f"{rec.get('title') or ''}\n{rec.get('abstract') or ''}".strip())
    return out


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc; 0.0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Best CPU time of ``repeat`` runs of ``fn`` (which returns an item count)."""
    best = float("inf")
    count = 0
    for _ in range(repeat):
        t0 = time.process_time()
        count = fn()
        best = min(best, time.process_time() - t0)
    return best, count


def drain(items: Iterable[object], samples: list[float] | None = None, every: int = 500) -> int:
    n = 0
    for n, _ in enumerate(items, start=1):
        if samples is not None and n % every == 0:
            samples.append(rss_mb())
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N documents")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best is reported)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    a = ap.parse_args(argv)
    if not a.corpus.is_file():
        print(f"corpus not found: {a.corpus}", file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    from jakatlas.extract import extract_many, get_pipeline, is_relevant

    texts = load_texts(a.corpus, a.limit)
    n_docs = len(texts)
    mbytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    nlp = get_pipeline()
    is_relevant("warm-up")
    drain(extract_many(texts[:20], prescreen=False))

    def tokenize() -> int:
        return drain(nlp.tokenizer.pipe(texts, batch_size=256))

    def screen() -> int:
        return sum(1 for t in texts if is_relevant(t))

    samples: list[float] = []

    def full(prescreen: bool, keep: list[float] | None = None) -> Callable[[], int]:
        def run() -> int:
            stream: Iterator[object] = extract_many(texts, prescreen=prescreen)
            return drain(stream, keep)
        return run

    relevant = [t for t in texts if is_relevant(t)]

    def tokenize_relevant() -> int:
        return drain(nlp.tokenizer.pipe(relevant * 5, batch_size=256))

    def full_relevant() -> int:
        return drain(extract_many(relevant * 5, prescreen=False))

    t_tok, _ = timed(tokenize, a.repeat)
    t_tok_rel, n_rel5 = timed(tokenize_relevant, a.repeat)
    t_full_rel, _ = timed(full_relevant, a.repeat)
    t_screen, n_relevant = timed(screen, max(3, a.repeat))  # cheap: always best of three
    t_full, _ = timed(full(False, samples), a.repeat)
    t_pre, _ = timed(full(True), a.repeat)

    figures = {
        "documents": n_docs,
        "megabytes": round(mbytes, 2),
        "relevant_documents": n_relevant,
        "tokenizer_docs_per_s": round(n_docs / t_tok, 1),
        "extract_docs_per_s": round(n_docs / t_full, 1),
        "extract_prescreen_docs_per_s": round(n_docs / t_pre, 1),
        "ratio_extract_to_tokenizer": round(t_full / t_tok, 2),
        "ratio_extract_prescreen_to_tokenizer": round(t_pre / t_tok, 2),
        "prescreen_mb_per_s": round(mbytes / t_screen, 1),
        "ms_per_doc_full_extraction": round(1000 * t_full / n_docs, 2),
        "relevant_ms_per_doc_extraction": round(1000 * t_full_rel / max(n_rel5, 1), 2),
        "relevant_ms_per_doc_tokenizer": round(1000 * t_tok_rel / max(n_rel5, 1), 2),
        "relevant_ratio_extract_to_tokenizer": round(t_full_rel / t_tok_rel, 2) if t_tok_rel else None,
        "rss_mb_first_sample": round(samples[0], 1) if samples else None,
        "rss_mb_last_sample": round(samples[-1], 1) if samples else None,
        "rss_mb_max_sample": round(max(samples), 1) if samples else None,
        "python": platform.python_version(),
    }
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"corpus: {a.corpus.name}, {n_docs} documents, {mbytes:.1f} MB, {n_relevant} pass the pre-screen")
    runs = "run" if a.repeat == 1 else "runs"
    print(f"CPU time of one process pinned to one core (best of {a.repeat} {runs})")
    print()
    print("| measure | figure |")
    print("|---|---|")
    print(f"| spaCy tokenizer alone (`nlp.tokenizer.pipe`) | {figures['tokenizer_docs_per_s']:,} docs/s |")
    print(f"| full extraction, no pre-screen | {figures['extract_docs_per_s']:,} docs/s "
          f"({figures['ms_per_doc_full_extraction']} ms/doc; {figures['ratio_extract_to_tokenizer']}x tokenizer) |")
    print(f"| full extraction with pre-screen | {figures['extract_prescreen_docs_per_s']:,} docs/s "
          f"({figures['ratio_extract_prescreen_to_tokenizer']}x tokenizer) |")
    print(f"| relevant documents only ({n_relevant}, the full pipeline runs) | "
          f"{figures['relevant_ms_per_doc_extraction']} ms/doc vs {figures['relevant_ms_per_doc_tokenizer']} ms/doc "
          f"tokenizing ({figures['relevant_ratio_extract_to_tokenizer']}x) |")
    print(f"| pre-screen (`is_relevant`) | {figures['prescreen_mb_per_s']} MB/s |")
    if samples:
        print(f"| RSS while streaming (first / last / max sample) | {figures['rss_mb_first_sample']} / "
              f"{figures['rss_mb_last_sample']} / {figures['rss_mb_max_sample']} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
