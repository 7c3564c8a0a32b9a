"""Reading the study table of ``jakatlas meta``: 2x2 counts, means and SDs, or yi/vi, with the
measure made explicit, continuity corrections stated, double-zero studies set aside with a note
and duplicate study labels refused."""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jakatlas.errors import InputError, StatisticsError

__all__ = ["COUNT_COLUMNS", "EFFECT_COLUMNS", "MEAN_COLUMNS", "MEASURES", "RATIO_MEASURES", "StudyTable",
           "read_studies"]

COUNT_COLUMNS = ("ai", "bi", "ci", "di")
EFFECT_COLUMNS = ("yi", "vi")
MEAN_COLUMNS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
MEASURES = {"counts": ("RR", "OR", "RD"), "means": ("MD", "SMD"), "yi/vi": ("RR", "OR", "RD", "MD", "SMD", "GEN")}
RATIO_MEASURES = frozenset({"RR", "OR"})
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class StudyTable:
    """Studies read from the CSV: analysis-scale effects plus what the table shows."""

    kind: str
    measure: str
    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    groups: tuple[str, ...] | None
    counts: tuple[tuple[int, int, int, int], ...] | None
    notes: tuple[str, ...] = ()


def _number(path: Path, row: int, col: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{path}, row {row}, column {col!r}: {raw!r} is not a number. "
                         "Use plain numbers with a dot as decimal separator.") from None
    if not math.isfinite(value):
        raise InputError(f"{path}, row {row}, column {col!r}: {raw!r} is not a finite number.")
    return value


def _count(path: Path, row: int, col: str, raw: str) -> int:
    value = _number(path, row, col, raw)
    if value < 0:
        raise InputError(f"{path}, row {row}, column {col!r}: counts cannot be negative (got {raw}). "
                         f"{col} is a number of participants.")
    if value != int(value):
        raise InputError(f"{path}, row {row}, column {col!r}: counts must be whole numbers (got {raw}).")
    return int(value)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise InputError(f"File not found: {path}. Check the path to the CSV file.")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; a study table should be small.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save the CSV as UTF-8.") from None
    rows = [r for r in csv.reader(text.splitlines()) if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{path} is empty; it needs a header row and one row per study.")
    return [h.strip().lower() for h in rows[0]], rows[1:]


def _kind(path: Path, header: list[str]) -> str:
    cols = set(header)
    kinds = [k for k, need in (("counts", COUNT_COLUMNS), ("means", MEAN_COLUMNS), ("yi/vi", EFFECT_COLUMNS))
             if set(need) <= cols]
    if "study" not in cols or not kinds:
        hint = " (the file looks semicolon-separated; use commas)" if len(header) == 1 and ";" in header[0] else ""
        raise InputError(f"{path}: missing columns{hint}. The header must be 'study,ai,bi,ci,di' (events and "
                         "non-events per arm: ai/bi treated, ci/di control), 'study,m1i,sd1i,n1i,m2i,sd2i,n2i' "
                         "(means, SDs and sizes) or 'study,yi,vi', optionally with 'group'; found "
                         f"{', '.join(header) or 'nothing'}.")
    return kinds[0]


def _measure(path: Path, kind: str, measure: str | None) -> str:
    if measure is None:
        if kind == "counts":
            return "RR"
        shown = ", ".join(MEASURES[kind])
        what = ("what yi is: RR or OR (yi = log ratio; results shown as ratios), RD, MD, SMD, or GEN (any other "
                "effect, never back-transformed)") if kind == "yi/vi" else "the effect: MD or SMD (Hedges' g)"
        raise InputError(f"{path}: {kind} input needs --measure to say {what}.", hint=f"Use --measure {shown}.")
    m = measure.upper()
    if m not in MEASURES[kind]:
        raise InputError(f"{path}: --measure {m} does not fit {kind} input; use one of "
                         f"{', '.join(MEASURES[kind])}.")
    return m


def _unique(path: Path, labels: list[str]) -> None:
    dups = [lab for lab, n in Counter(labels).items() if n > 1]
    if dups:
        raise InputError(f"{path}: study label{'s' if len(dups) > 1 else ''} {', '.join(repr(d) for d in dups)} "
                         "appear more than once; give each study one row with a unique label (add the year or "
                         "the arm, or combine the arms first).")


def read_studies(path: Path, measure: str | None = None, *, cc: float = 0.5, keep00: bool = False,
                 count_method: bool = False) -> StudyTable:
    """Read ``study,ai,bi,ci,di``, ``study,m1i,sd1i,n1i,m2i,sd2i,n2i`` or ``study,yi,vi`` (optional ``group``).

    ``cc`` is added to every cell of a table with a zero cell (``0`` turns it off); tables with no
    events (or only events) in both arms are left out unless ``keep00``. Each is said in ``notes``.
    ``count_method`` (Mantel-Haenszel, Peto): the pooled estimate needs no correction, so ``cc`` only
    affects the per-study effects shown beside it.
    """
    from jakatlas.synthesis.effects import escalc, mean_difference, standardized_mean_difference

    header, body = _rows(path)
    cols = {name: i for i, name in enumerate(header)}
    kind = _kind(path, header)
    m = _measure(path, kind, measure)
    if not body:
        raise InputError(f"{path} has a header but no studies; add one row per study.")
    labels: list[str] = []
    groups: list[str] = []
    counts: list[tuple[int, int, int, int]] = []
    yi: list[float] = []
    vi: list[float] = []
    notes: list[str] = []
    dropped: list[str] = []
    for n, r in enumerate(body, start=2):
        cells = [c.strip() for c in r] + [""] * (len(header) - len(r))

        def cell(name: str, n: int = n, cells: list[str] = cells) -> str:
            value = cells[cols[name]]
            if value == "":
                raise InputError(f"{path}, row {n}: column {name!r} is empty; fill it in or remove the row.")
            return value

        label = cell("study")
        group = cell("group") if "group" in cols else None
        if kind == "counts":
            ai, bi, ci, di = (_count(path, n, c, cell(c)) for c in COUNT_COLUMNS)
            if ai + bi == 0 or ci + di == 0:
                raise InputError(f"{path}, row {n}: an arm has no participants (ai+bi or ci+di is 0).")
            if not keep00 and ((ai == 0 and ci == 0) or (bi == 0 and di == 0)):
                dropped.append(label)
                continue
            counts.append((ai, bi, ci, di))
        elif kind == "means":
            m1, s1, n1, m2, s2, n2 = (_number(path, n, c, cell(c)) for c in MEAN_COLUMNS)
            try:
                fn = mean_difference if m == "MD" else standardized_mean_difference
                e = fn(m1, s1, _count(path, n, "n1i", cell("n1i")), m2, s2, _count(path, n, "n2i", cell("n2i")))
            except StatisticsError as exc:
                raise InputError(f"{path}, row {n}: {exc}") from None
            yi.append(e.yi)
            vi.append(e.vi)
        else:
            yi.append(_number(path, n, "yi", cell("yi")))
            v = _number(path, n, "vi", cell("vi"))
            if v <= 0:
                raise InputError(f"{path}, row {n}: vi must be positive (got {v}); vi is a variance (SE squared).")
            vi.append(v)
        labels.append(label)
        if group is not None:
            groups.append(group)
    _unique(path, labels + dropped)
    if dropped:
        notes.append(f"Left out {len(dropped)} stud{'y' if len(dropped) == 1 else 'ies'} with no events (or only "
                     f"events) in both arms, which carry no information on a ratio: {', '.join(dropped)} "
                     "(--keep-double-zero keeps them).")
    if kind == "counts":
        if not counts:
            raise InputError(f"{path}: every study has no events (or only events) in both arms; nothing to pool.")
        zero = [lab for lab, c in zip(labels, counts, strict=True) if 0 in c]
        if zero and cc == 0 and m in RATIO_MEASURES and not count_method:
            raise InputError(f"{path}: {', '.join(zero)} ha{'s' if len(zero) == 1 else 've'} a zero cell, so the "
                             f"log {m} is undefined without a continuity correction.",
                             hint="Use --cc 0.5, or --method MH (or PETO for OR), which need none.")
        es = escalc(m, *zip(*counts, strict=True), add=cc if cc > 0 or not count_method else 0.5)
        yi, vi = list(es.yi), list(es.vi)
        if zero and count_method:
            notes.append(f"The pooled estimate uses the raw counts; the per-study effects of {', '.join(zero)} "
                         "are shown with 0.5 added to every cell (zero cell).")
        elif zero and cc > 0:
            notes.append(f"Continuity correction: {cc:g} added to every cell of {len(zero)} table"
                         f"{'s' if len(zero) > 1 else ''} with a zero cell ({', '.join(zero)}); --cc 0 turns it off.")
    return StudyTable(kind, m, tuple(labels), tuple(yi), tuple(vi), tuple(groups) if "group" in cols else None,
                      tuple(counts) if kind == "counts" else None, tuple(notes))
