"""The merged latest view over an ingest's Parquet outputs (DuckDB).

NLM's rule for the baseline and its daily updates: apply files in order; a citation appearing
again replaces the earlier one (a revised record or a new ``Version``), and a ``DeleteCitation``
removes it. Files apply in name order (update files continue the baseline's numbering), rows
within a file in document order. The view keeps, per PMID, the last row; a deletion drops it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jakatlas.bulk.manifest import output_path, read_manifest
from jakatlas.errors import InputError

__all__ = ["LAST_SQL", "LATEST_SQL", "latest_rows", "latest_summary"]

#: The last row of every PMID (an article or a deletion), files in name order, rows in file order.
LAST_SQL = """
WITH all_rows AS (SELECT * FROM read_parquet(?)),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY pmid ORDER BY input DESC, seq DESC) AS rank_
  FROM all_rows WHERE pmid IS NOT NULL AND pmid <> ''
)
SELECT * EXCLUDE (rank_) FROM ranked WHERE rank_ = 1
"""
#: The merged latest view: the last rows that are articles (deleted PMIDs are gone).
LATEST_SQL = f"SELECT * FROM ({LAST_SQL}) WHERE kind = 'article'"


def _files(out: Path) -> list[str]:
    entries = read_manifest(out)
    if not entries:
        raise InputError(f"{out} holds no finished ingest; run 'jakatlas ingest INPUTS --out {out}' first.")
    return [str(output_path(out, name)) for name in sorted(entries)]


def latest_rows(out: str | Path, *, where: str = "TRUE", columns: str = "*",
                include_deleted: bool = False) -> list[dict[str, Any]]:
    """Rows of the latest view (``where``/``columns`` are SQL over the Parquet schema), by PMID;
    ``include_deleted`` adds the PMIDs whose last row is a deletion (``kind = 'delete'``)."""
    import duckdb

    view = LAST_SQL if include_deleted else LATEST_SQL
    sql = f"SELECT {columns} FROM ({view}) WHERE {where} ORDER BY pmid"
    with duckdb.connect() as con:
        cur = con.execute(sql, [_files(Path(out))])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def latest_summary(out: str | Path) -> dict[str, int]:
    """Counts of the latest view: citations, relevant ones and candidate studies."""
    import duckdb

    sql = (f"SELECT count(*), coalesce(sum(relevant::INT), 0), coalesce(sum(candidates), 0) "
           f"FROM ({LATEST_SQL})")
    with duckdb.connect() as con:
        row = con.execute(sql, [_files(Path(out))]).fetchone()
    citations, relevant, candidates = row if row else (0, 0, 0)
    return {"citations": int(citations), "relevant": int(relevant), "candidates": int(candidates)}
