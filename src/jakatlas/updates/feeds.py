"""Atom feeds (RFC 4287) of what the living updates brought, per disease and per drug.

Each entry is one fetched record (a PubMed citation or a CT.gov study) with the candidate
studies extracted from it and, for each, the study it duplicates when it was linked. Written
with feedgen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from feedgen.feed import FeedGenerator

from jakatlas import __version__
from jakatlas.store.living import NewEntry

__all__ = ["atom_feed", "record_url", "entry_summary"]


def record_url(e: NewEntry) -> str:
    """The record at its source: PubMed or ClinicalTrials.gov."""
    if e.source == "pubmed" and e.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{e.pmid}/"
    if e.nct:
        return f"https://clinicaltrials.gov/study/{e.nct}"
    return ""


def entry_summary(e: NewEntry) -> str:
    """One line per candidate study: design, n, level and the study it duplicates."""
    lines = []
    for s in e.studies:
        bits = [", ".join(s["drugs"]) or "unnamed intervention", "in", ", ".join(s["diseases"]) or "unspecified disease"]
        if s.get("design"):
            bits.append(f"({str(s['design']).replace('_', ' ')}" + (f", n = {s['n']})" if s.get("n") else ")"))
        if s.get("same_as"):
            bits.append(f"- same study as {s['same_as']} (by {s['link_basis']}), not counted again")
        elif s["status"] == "withdrawn":
            bits.append("- set aside (record withdrawn)")
        else:
            bits.append("- candidate awaiting curation")
        lines.append(" ".join(bits))
    label = {"new": "New record", "updated": "Revised record", "retracted": "Retracted publication",
             "withdrawn": "Withdrawn study", "deleted": "Deleted citation"}.get(e.change, e.change)
    return f"{label}. " + ("; ".join(lines) if lines else "No study extracted.")


def atom_feed(entries: Sequence[NewEntry], *, title: str, feed_id: str, self_url: str, base_url: str,
              subtitle: str) -> bytes:
    """The Atom XML of ``entries`` (newest first); ``base_url`` makes study links absolute."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": "jakatlas"})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=base_url + "/new", rel="alternate", type="text/html")
    fg.generator("jakatlas", version=__version__)
    fg.language("en")
    newest = max((e.changed_at for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    fg.updated(newest)
    for e in reversed(list(entries)):  # feedgen prepends: add oldest first
        fe = fg.add_entry()
        fe.id(f"{feed_id}:{e.record}:{e.changed_at.strftime('%Y%m%dT%H%M%S')}")
        fe.title(f"{e.change}: {e.title or e.record}")
        fe.updated(e.changed_at)
        fe.published(e.changed_at)
        if e.studies:
            fe.link(href=f"{base_url}/studies/{e.studies[0]['id']}", rel="alternate", type="text/html")
        if record_url(e):
            fe.link(href=record_url(e), rel="related")
        fe.summary(escape(entry_summary(e)))
    return fg.atom_str(pretty=True)
