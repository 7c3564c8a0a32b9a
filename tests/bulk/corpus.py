"""Small files in NLM's baseline/update format built from the shared corpora (real article text).

Baseline files hold ``PubmedArticle`` records: the real efetch records of ``corpora/pubmed_xml``
and records built from ``corpora/abstracts`` (their PubMed ids, titles and abstracts). The update
file revises one citation (a new ``Version``), replaces another, adds one and deletes one
(``DeleteCitation``), as NLM's daily update files do.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
          '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
          "<PubmedArticleSet>\n")
FOOTER = "</PubmedArticleSet>\n"


@dataclass(frozen=True)
class Corpus:
    """The files built and the PMIDs the update file touches."""

    folder: Path
    baseline: list[Path]
    update: Path
    revised: str  # gets Version="2" with a new title in the update
    replaced: str  # same version, new abstract in the update
    deleted: str  # removed by DeleteCitation
    added: str  # first appears in the update
    pmids: list[str]  # every baseline PMID, in file order


def article(pmid: str, title: str, abstract: str, version: int = 1) -> str:
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="{version}">{pmid}'
            f"</PMID><Article><Journal><Title>Test Journal</Title><JournalIssue><PubDate><Year>2020</Year>"
            f"</PubDate></JournalIssue></Journal><ArticleTitle>{escape(title)}</ArticleTitle><Abstract>"
            f"<AbstractText>{escape(abstract)}</AbstractText></Abstract><Language>eng</Language>"
            f"</Article></MedlineCitation></PubmedArticle>\n")


def _abstracts(shared: Path) -> list[dict[str, str]]:
    rows = []
    for line in (shared / "corpora" / "abstracts" / "abstracts.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r["id"].isdigit() and r["abstract"]:
            rows.append(r)
    return rows


def write_gz(path: Path, body: str, *, md5: bool = True) -> Path:
    data = gzip.compress(body.encode(), mtime=0)
    path.write_bytes(data)
    if md5:
        path.with_name(path.name + ".md5").write_text(f"MD5({path.name})= {hashlib.md5(data).hexdigest()}\n")
    return path


def build(shared: Path, dest: Path, *, files: int = 6, per_file: int = 150) -> Corpus:
    """``files`` baseline files of ``per_file`` records plus one update file, with .md5 sidecars."""
    dest.mkdir(parents=True, exist_ok=True)
    real = [p.read_text() for p in sorted((shared / "corpora" / "pubmed_xml").glob("*.xml"))]
    real_articles = [m.group(0) + "\n" for t in real for m in re.finditer(r"<PubmedArticle>.*?</PubmedArticle>", t, re.S)]
    # relevant abstracts are spread over the files so every task extracts something
    rows = _abstracts(shared)
    from jakatlas.extract import is_relevant

    relevant = [r for r in rows if is_relevant(r["title"] + "\n\n" + r["abstract"])]
    other = [r for r in rows if r not in relevant]
    baseline: list[Path] = []
    pmids: list[str] = []
    for i in range(files):
        chunk_rel = relevant[i::files][: max(1, per_file // 10)]
        chunk = chunk_rel + other[i * per_file: (i + 1) * per_file - len(chunk_rel)]
        body = "".join(real_articles) if i == 0 else ""
        body += "".join(article(r["id"], r["title"], r["abstract"]) for r in chunk)
        pmids += [re.search(r"<PMID[^>]*>(\d+)<", a).group(1) for a in real_articles] if i == 0 else []  # type: ignore[union-attr]
        pmids += [r["id"] for r in chunk]
        baseline.append(write_gz(dest / f"pubmed25n{i + 1:04d}.xml.gz", HEADER + body + FOOTER))
    first = [r for r in relevant[0::files][: max(1, per_file // 10)]]
    revised, replaced, deleted = first[0], first[1], other[2]
    added = other[files * per_file + 5]
    update = (HEADER
              + article(revised["id"], "REVISED " + revised["title"], revised["abstract"], version=2)
              + article(replaced["id"], replaced["title"], replaced["abstract"] + " Corrected abstract.")
              + article(added["id"], added["title"], added["abstract"])
              + f'<DeleteCitation><PMID Version="1">{deleted["id"]}</PMID></DeleteCitation>\n' + FOOTER)
    upd = write_gz(dest / f"pubmed25n{files + 1:04d}.xml.gz", update)
    return Corpus(dest, baseline, upd, revised["id"], replaced["id"], deleted["id"], added["id"], pmids)
