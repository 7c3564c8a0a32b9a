"""Full-text search across the atlas: diseases, drugs, cytokines, outcome measures and studies.

One interface, two engines: SQLite's FTS5 (``bm25`` ranking, ``snippet``) on the embedded default
and PostgreSQL's text search (``tsvector`` with weights, ``ts_rank_cd``, ``ts_headline``) on a
server. The index is derived data: it is rebuilt from the knowledge base and the stored studies
whenever the atlas changes (see :func:`atlas_fingerprint`), so no writer has to maintain it. On a
database that cannot be written (a read-only file) the same documents are indexed in an in-memory
SQLite FTS5 table instead, so search still works.

References: SQLite FTS5 (https://sqlite.org/fts5.html); PostgreSQL, chapter 12 "Full Text Search".
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.errors import InputError, StorageError
from jakatlas.store.atlas import Atlas, StudyRecord
from jakatlas.store.db import get_engine, session_scope
from jakatlas.store.schema import AuditRow, MetaRow, StudyRow

__all__ = ["Kind", "SearchDoc", "SearchHit", "search", "search_documents", "atlas_fingerprint"]

Kind = Literal["disease", "drug", "cytokine", "outcome", "study"]
KINDS: tuple[Kind, ...] = ("disease", "drug", "cytokine", "outcome", "study")
MAX_QUERY_TERMS = 12
"""More terms than this are dropped: every term must match, so longer queries only find nothing."""
_START, _STOP = "\x02", "\x03"
"""Highlight markers put around matches by the engines; turned into ``<mark>`` after HTML escaping."""
_FINGERPRINT_KEY = "search_fingerprint"
_LAYOUT = 2
"""Version of the index's columns and weights: a change rebuilds the index on the next search."""


class SearchDoc(BaseModel):
    """One searchable record: its kind, id, a title (weighted high) and the rest of its text."""

    kind: Kind
    ref: str
    title: str
    names: str = Field("", description="Other names (synonyms, codes, brands, ids), ranked like the title.")
    body: str
    status: str = Field("curated", description="For studies: curated or candidate.")


class SearchHit(BaseModel):
    """A ranked search result with HTML snippets (matches wrapped in ``<mark>``, all else escaped)."""

    kind: Kind
    ref: str
    title: str
    title_html: str
    snippet_html: str
    status: str
    score: float = Field(description="Higher is better; comparable within one result list only.")


# -- documents ------------------------------------------------------------------------------------
def _join(*parts: Iterable[str | None] | str | None) -> str:
    out: list[str] = []
    for p in parts:
        if p is None:
            continue
        out.extend([p] if isinstance(p, str) else [x for x in p if x])
    return " · ".join(dict.fromkeys(x.strip() for x in out if x and x.strip()))


def search_documents(kb: KnowledgeBase, studies: Iterable[StudyRecord]) -> Iterator[SearchDoc]:
    """The documents of the index: every knowledge-base record and every curated or candidate study."""
    for d in kb.diseases.values():
        yield SearchDoc(kind="disease", ref=d.id, title=d.name,
                        names=_join(d.abbreviations, d.synonyms, d.identifiers, (v.name for v in d.variants)),
                        body=_join(kb.cytokines[c].name for c in d.cytokines if c in kb.cytokines))
    for g in kb.drugs.values():
        yield SearchDoc(kind="drug", ref=g.id, title=g.name, names=_join(g.brands, g.codes, g.synonyms),
                        body=_join(g.targets, [g.drug_class.replace("_", " ")]))
    for c in kb.cytokines.values():
        yield SearchDoc(kind="cytokine", ref=c.id, title=c.name, names=_join(c.synonyms),
                        body=_join(c.jaks, c.stats))
    for o in kb.outcomes.values():
        yield SearchDoc(kind="outcome", ref=o.id, title=o.name, names=_join([o.abbreviation], o.synonyms),
                        body=o.definition)
    for r in studies:
        yield _study_doc(kb, r)


def _study_doc(kb: KnowledgeBase, r: StudyRecord) -> SearchDoc:
    d = r.data
    sources = [kb.sources[s] for s in d.get("sources", []) if s in kb.sources]
    # The study's own registry ids only: a source's NCT list may name the other trials it covers.
    ids = [*d.get("registry_ids", []), *(s.pmid for s in sources), *(s.doi for s in sources)]
    ids += [str(d[k]) for k in ("pmid", "doi") if d.get(k)]
    body = _join(
        [d.get("citation")], (s.title for s in sources),
        (i.get("name") for i in d.get("interventions", [])), (c.get("name") for c in d.get("comparators", [])),
        (x.get("name") for x in d.get("diseases", [])), [(r.design or "").replace("_", " ")],
        (o.get("measure") for o in d.get("outcomes", [])), (a.get("term") for a in d.get("adverse_events", [])),
        [d.get("result")],
    )
    return SearchDoc(kind="study", ref=r.id, title=r.title, names=_join(ids), body=body, status=r.status)


# -- freshness ------------------------------------------------------------------------------------
@cache
def _kb_digest() -> str:
    kb = knowledge_base()
    h = hashlib.sha256()
    for part in (kb.diseases, kb.drugs, kb.cytokines, kb.outcomes, kb.sources):
        for key in sorted(part):
            h.update(part[key].model_dump_json().encode("utf-8"))
    return h.hexdigest()[:16]


def atlas_fingerprint(conn: Connection) -> str:
    """What the index was built from: the shipped knowledge base and the studies' count, newest
    change and newest audit entry (the same signals the web cache uses to see a change)."""
    count, newest = conn.execute(select(func.count(), func.max(StudyRow.updated_at))).one()
    last_audit = conn.execute(select(func.max(AuditRow.id))).scalar()
    return f"{_kb_digest()}:{count}:{newest}:{last_audit}"


# -- query parsing --------------------------------------------------------------------------------
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


def _terms(query: str) -> list[str]:
    terms = _TERM.findall(query.lower())
    if not terms:
        raise InputError(f"Nothing to search for in {query!r}.",
                         hint="Type a word, a name, a trial acronym, a registry id or a PMID.")
    return terms[:MAX_QUERY_TERMS]


def _fts5_query(terms: list[str]) -> str:
    # Each term quoted (no FTS5 operators reach the engine) and matched as a prefix; all must match.
    return " ".join(f'"{t}"*' for t in terms)


def _tsquery(terms: list[str]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


def _marked_html(value: str) -> str:
    return html.escape(value).replace(_START, "<mark>").replace(_STOP, "</mark>")


# -- engines --------------------------------------------------------------------------------------
_FTS5_DDL = ("CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
             "kind UNINDEXED, ref UNINDEXED, status UNINDEXED, title, names, body, "
             "tokenize = 'porter unicode61 remove_diacritics 2')")
_FTS5_QUERY = (
    "SELECT kind, ref, status, title, highlight(search_index, 3, :a, :b), "
    "snippet(search_index, -1, :a, :b, '…', 16), -bm25(search_index, 0, 0, 0, 8.0, 8.0, 1.0) AS score "
    "FROM search_index WHERE search_index MATCH :q {where} ORDER BY score DESC LIMIT :limit")


_INSERT = ("INSERT INTO search_index (kind, ref, status, title, names, body) "
           "VALUES (:kind, :ref, :status, :title, :names, :body)")


def _fill_sqlite(conn: Connection, docs: Iterable[SearchDoc]) -> None:
    rows = [d.model_dump() for d in docs]
    conn.execute(text("DELETE FROM search_index"))
    if rows:
        conn.execute(text(_INSERT), rows)


def _filters(kinds: tuple[Kind, ...], candidates: bool) -> tuple[str, dict[str, object]]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if set(kinds) != set(KINDS):
        names = [f":k{i}" for i in range(len(kinds))]
        clauses.append(f"kind IN ({', '.join(names)})")
        params |= {f"k{i}": k for i, k in enumerate(kinds)}
    if not candidates:
        clauses.append("status != 'candidate'")
    return "".join(f" AND {c}" for c in clauses), params


def _rows_to_hits(rows: Iterable[tuple[object, ...]]) -> list[SearchHit]:
    return [SearchHit(kind=k, ref=str(r), status=str(st), title=str(t), title_html=_marked_html(str(th)),
                      snippet_html=_marked_html(str(sn or "")), score=round(float(sc or 0.0), 6))  # type: ignore[arg-type]
            for k, r, st, t, th, sn, sc in rows]


def _search_sqlite(conn: Connection, terms: list[str], kinds: tuple[Kind, ...], candidates: bool,
                   limit: int) -> list[SearchHit]:
    where, params = _filters(kinds, candidates)
    rows = conn.execute(text(_FTS5_QUERY.format(where=where)),
                        {"q": _fts5_query(terms), "a": _START, "b": _STOP, "limit": limit, **params})
    return _rows_to_hits(rows)


_PG_DDL = (
    "CREATE TABLE IF NOT EXISTS search_index (kind varchar(12) NOT NULL, ref varchar(200) NOT NULL, "
    "status varchar(20) NOT NULL, title text NOT NULL, names text NOT NULL, body text NOT NULL, "
    "tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', names), 'A') || setweight(to_tsvector('english', body), 'B')) STORED, "
    "PRIMARY KEY (kind, ref))",
    "CREATE INDEX IF NOT EXISTS ix_search_index_tsv ON search_index USING gin (tsv)",
)
_PG_QUERY = (
    "SELECT kind, ref, status, title, ts_headline('english', title, q, :opts_title), "
    "ts_headline('english', names || ' · ' || body, q, :opts_body), "
    "ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', tsv, q, 2) AS score "
    "FROM search_index, to_tsquery('english', :q) AS q WHERE tsv @@ q {where} ORDER BY score DESC, ref LIMIT :limit")


def _search_postgres(conn: Connection, terms: list[str], kinds: tuple[Kind, ...], candidates: bool,
                     limit: int) -> list[SearchHit]:
    where, params = _filters(kinds, candidates)
    marks = f"StartSel={_START}, StopSel={_STOP}"
    rows = conn.execute(text(_PG_QUERY.format(where=where)), {
        "q": _tsquery(terms), "limit": limit, **params,
        "opts_title": f"{marks}, HighlightAll=true",
        "opts_body": f"{marks}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"",
    })
    return _rows_to_hits(rows)


def _refresh(atlas: Atlas, conn: Connection) -> None:
    """Rebuild the index in this transaction when the atlas (or the index layout) changed since it was built."""
    fingerprint = f"{_LAYOUT}:{atlas_fingerprint(conn)}"
    stored = conn.execute(select(MetaRow.value).where(MetaRow.key == _FINGERPRINT_KEY)).scalar()
    if stored == fingerprint:
        return
    docs = list(search_documents(knowledge_base(), atlas.studies(status=("curated", "candidate"))))
    conn.execute(text("DROP TABLE IF EXISTS search_index"))
    if conn.dialect.name == "postgresql":
        for ddl in _PG_DDL:
            conn.execute(text(ddl))
        rows = [d.model_dump() for d in docs]
        if rows:
            conn.execute(text(_INSERT), rows)
    else:
        conn.execute(text(_FTS5_DDL))
        _fill_sqlite(conn, docs)
    if stored is None:
        conn.execute(insert(MetaRow).values(key=_FINGERPRINT_KEY, value=fingerprint))
    else:
        conn.execute(update(MetaRow).where(MetaRow.key == _FINGERPRINT_KEY).values(value=fingerprint))


def _search_in_memory(atlas: Atlas, terms: list[str], kinds: tuple[Kind, ...], candidates: bool,
                      limit: int) -> list[SearchHit]:
    """The same search on a private in-memory FTS5 index (for databases that cannot be written)."""
    from sqlalchemy import create_engine

    docs = list(search_documents(knowledge_base(), atlas.studies(status=("curated", "candidate"))))
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text(_FTS5_DDL))
        _fill_sqlite(conn, docs)
        return _search_sqlite(conn, terms, kinds, candidates, limit)


def search(atlas: Atlas, query: str, *, kinds: Iterable[Kind] = KINDS, candidates: bool = False,
           limit: int = 20) -> list[SearchHit]:
    """Ranked full-text search of ``query`` (every word must match, as a prefix) over the atlas.

    Candidates (unreviewed extracted studies) are left out unless ``candidates`` is true.
    """
    terms = _terms(query)
    chosen = tuple(k for k in KINDS if k in set(kinds))
    if not chosen:
        raise InputError("No kind of record to search.", hint=f"Choose among {', '.join(KINDS)}.")
    if not 1 <= limit <= 200:
        raise InputError(f"Cannot return {limit} results.", hint="Ask for 1 to 200.")
    atlas.require_built()
    engine = get_engine(atlas.url)
    run = _search_postgres if engine.dialect.name == "postgresql" else _search_sqlite
    try:
        with engine.begin() as conn:
            _refresh(atlas, conn)
    except (OperationalError, DBAPIError) as exc:
        if not _read_only(exc):
            raise StorageError(f"Cannot update the search index: {_first_line(exc)}.",
                               hint="Check the database with 'jakatlas build'; then search again.") from exc
        return _search_in_memory(atlas, terms, chosen, candidates, limit)
    with session_scope(atlas.url) as s:
        return run(s.connection(), terms, chosen, candidates, limit)


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]


def _read_only(exc: BaseException) -> bool:
    msg = _first_line(exc).lower()
    return "readonly" in msg or "read-only" in msg or "read only" in msg
