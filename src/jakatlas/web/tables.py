"""CSV and JSON downloads of tables (formula-safe CSV, generated file names only)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi import Response
from pydantic import BaseModel

__all__ = ["Responses", "Format", "csv_text", "table_response", "json_bytes", "JSON_TYPE", "CSV_TYPE"]

Format = Literal["json", "csv"]
Responses = dict[int | str, dict[str, Any]]
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        text = "; ".join(_cell(v) if not isinstance(v, (list, tuple)) else " ".join(map(str, v)) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    if text.startswith(_FORMULA) and not _is_number(text):
        text = "'" + text  # a spreadsheet must not evaluate text taken from a document
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "table"


def table_response(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, fmt: Format, name: str,
                   payload: Any = None) -> Response:
    """CSV (as an attachment) or JSON (``payload`` if given, else the rows) of one table."""
    if fmt == "csv":
        return Response(csv_text(rows, columns), media_type=CSV_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{_safe_name(name)}.csv"'})
    if isinstance(payload, BaseModel):  # pydantic-core writes JSON several times faster than json.dumps
        return Response(payload.model_dump_json(), media_type=JSON_TYPE)
    return Response(json_bytes(rows if payload is None else payload), media_type=JSON_TYPE)
