"""Replay recorded PubMed and CT.gov records through update + extract + store.

5,000 PubMed records in efetch XML (the real records of ``shared/corpora/pubmed_xml`` and records
built in the same structure from the titles and abstracts of ``shared/corpora/abstracts``) and
1,000 ClinicalTrials.gov API v2 studies (the test fixtures' structure with varied ids and drugs)
are served through :class:`httpx.MockTransport` by the fake services of ``tests/living`` and
fetched by ``run_update`` into a fresh SQLite atlas. The baseline, in the same process, is the
extraction alone of the same documents (``extract_many`` with the same pre-screen settings).
Each is run ``--repeat`` times, alternating, and the best time of each is compared (the
machine's noise is about 5%). Resident memory is sampled after every stored batch.

    python benchmarks/update_replay.py [--pubmed 5000] [--ctgov 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "tests" / "living"))

from fakeapi import CtgovRecord, FakeApis, PubmedRecord, corpus_articles  # noqa: E402

from jakatlas.extract import extract_many, get_pipeline  # noqa: E402
from jakatlas.ingest import read_document  # noqa: E402
from jakatlas.ingest.ctgov_api import CtgovClient, canonical_study_bytes  # noqa: E402
from jakatlas.ingest.eutils import EutilsClient, parse_efetch  # noqa: E402
from jakatlas.ingest.http import RateLimiter, RetryPolicy  # noqa: E402
from jakatlas.ingest.queries import build_queries  # noqa: E402
from jakatlas.store.atlas import Atlas  # noqa: E402
from jakatlas.updates import run_update  # noqa: E402

DAY = date(2026, 6, 1)
DRUGS = ["Tofacitinib", "Baricitinib", "Upadacitinib", "Abrocitinib", "Ruxolitinib", "Ritlecitinib",
         "Povorcitinib", "Deucravacitinib"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _article(pmid: str, title: str, abstract: str) -> bytes:
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            f'<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2026</Year>'
            f"</PubDate></JournalIssue><Title>Replay Journal</Title></Journal><ArticleTitle>{escape(title)}"
            f"</ArticleTitle><Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
            f"<Language>eng</Language><PublicationTypeList><PublicationType>Journal Article</PublicationType>"
            f"</PublicationTypeList></Article></MedlineCitation><PubmedData><ArticleIdList>"
            f'<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>'
            ).encode()


def build_world(n_pubmed: int, n_ctgov: int) -> FakeApis:
    fake = FakeApis(match_all=True)
    real = corpus_articles(SHARED)
    for pmid, xml in real:
        fake.add_pubmed(PubmedRecord(pmid, DAY, DAY, xml))
    with (SHARED / "corpora" / "abstracts" / "abstracts.jsonl").open() as fh:
        for i, line in enumerate(fh):
            if len(fake.pubmed) >= n_pubmed:
                break
            rec = json.loads(line)
            pmid = str(91_000_000 + i)
            fake.add_pubmed(PubmedRecord(pmid, DAY, DAY, _article(pmid, rec["title"] or "", rec["abstract"] or "")))
    templates = [json.loads((REPO / "tests" / "fixtures" / "ingest" / n).read_text())
                 for n in ("ctgov_rct_results.json", "ctgov_single_arm.json")]
    for i in range(n_ctgov):
        study = copy.deepcopy(templates[i % 2])
        nct = f"NCT09{i:06d}"
        ident = study["protocolSection"]["identificationModule"]
        drug = DRUGS[i % len(DRUGS)]
        ident["nctId"] = nct
        text = json.dumps(study).replace("Exampletinib", drug).replace("exampletinib", drug.lower())
        fake.add_ctgov(CtgovRecord(nct, DAY, json.loads(text)))
    return fake


def _extract_only(pub_docs: list, ct_docs: list) -> tuple[float, int]:
    t0 = time.process_time()
    n_studies = sum(len(r.studies) for r in extract_many(pub_docs, prescreen=True))
    n_studies += sum(len(r.studies) for r in extract_many(ct_docs, prescreen=False))
    return time.process_time() - t0, n_studies


def _update(fake: FakeApis, samples: list[float]) -> tuple[float, list]:
    with tempfile.TemporaryDirectory() as tmp:
        atlas = Atlas(f"sqlite:///{tmp}/replay.db")
        atlas.build()
        lim = RateLimiter(1e9)
        retry = RetryPolicy(attempts=2, base=0, cap=0)
        eutils = EutilsClient("https://eutils.replay", identity={"tool": "replay"}, limiter=lim, retry=retry,
                              transport=fake.transport(), batch_size=200)
        ctgov = CtgovClient("https://ctgov.replay", limiter=lim, retry=retry, transport=fake.transport(),
                            page_size=200)

        def tick(_src: str, _done: int, _total: int | None) -> None:
            samples.append(_rss_mb())

        query = build_queries()[:1]  # the fake answers every query with every record: one query replays all
        t0 = time.process_time()
        summaries = run_update(atlas, since=date(2026, 1, 1), today=date(2026, 12, 4), eutils=eutils, ctgov=ctgov,
                               progress=tick, queries=query)
        return time.process_time() - t0, summaries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pubmed", type=int, default=5000)
    ap.add_argument("--ctgov", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, alternating; the best of each is used")
    args = ap.parse_args()
    fake = build_world(args.pubmed, args.ctgov)
    get_pipeline()  # load once, outside both timings
    # documents exactly as the update reads them, for the extraction-only baseline
    t0 = time.process_time()
    xml = b"<PubmedArticleSet>" + b"".join(r.xml for r in fake.pubmed.values()) + b"</PubmedArticleSet>"
    pub_docs = parse_efetch(xml).documents
    ct_docs = [read_document(canonical_study_bytes(r.study), "ctgov_json", name=r.nct) for r in fake.ctgov.values()]
    t_read = time.process_time() - t0
    n = len(pub_docs) + len(ct_docs)
    extract_times: list[float] = []
    update_times: list[float] = []
    for _ in range(args.repeat):
        t, n_studies = _extract_only(pub_docs, ct_docs)
        extract_times.append(t)
        samples: list[float] = []
        t, summaries = _update(fake, samples)
        update_times.append(t)
    t_extract, t_update = min(extract_times), min(update_times)
    fetched = sum(s.counts.fetched for s in summaries)
    stored = sum(s.counts.candidates for s in summaries)
    runs = lambda ts: ", ".join(f"{t:.1f}" for t in ts)  # noqa: E731
    print(f"records: {len(pub_docs):,} PubMed + {len(ct_docs):,} CT.gov = {n:,}; fetched {fetched:,}; "
          f"candidate studies stored {stored:,} (extraction alone found {n_studies:,})")
    print(f"extraction only:        {n / t_extract:8.1f} records/s (best of {runs(extract_times)} s)")
    print(f"update+extract+store:   {fetched / t_update:8.1f} records/s (best of {runs(update_times)} s)")
    print(f"update time / extraction time: {t_update / t_extract:.2f}x (target <= 1.3x)")
    print(f"reading alone (PubMed XML and CT.gov JSON readers): {t_read:.1f} s; update time without it / "
          f"extraction time: {(t_update - t_read) / t_extract:.2f}x")
    if samples:
        third = max(1, len(samples) // 3)
        print(f"resident memory per batch (last run): first {samples[0]:.1f} MB, after a third {samples[third]:.1f} MB, "
              f"last {samples[-1]:.1f} MB, max {max(samples):.1f} MB ({len(samples)} samples)")


if __name__ == "__main__":
    main()
