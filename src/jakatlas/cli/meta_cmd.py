"""``jakatlas meta``: pool a CSV of studies with a fixed- or random-effects meta-analysis."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from jakatlas.cli._app import app
from jakatlas.cli.render import console, print_json
from jakatlas.errors import InputError

if TYPE_CHECKING:
    from jakatlas.synthesis.meta import MetaResult

COUNT_COLUMNS = ("ai", "bi", "ci", "di")
EFFECT_COLUMNS = ("yi", "vi")
MAX_BYTES = 5_000_000


class MeasureChoice(StrEnum):
    RR = "RR"
    OR = "OR"
    RD = "RD"


class MethodChoice(StrEnum):
    EE = "EE"
    DL = "DL"
    PM = "PM"
    REML = "REML"


class MetaFormat(StrEnum):
    table = "table"
    json = "json"


@dataclass(frozen=True)
class StudyTable:
    """Studies read from the CSV: analysis-scale effects plus what the table shows."""

    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    groups: tuple[str, ...] | None
    counts: tuple[tuple[int, int, int, int], ...] | None


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


def read_studies(path: Path, measure: str) -> StudyTable:
    """Read ``study,ai,bi,ci,di`` (metafor's 2x2 layout) or ``study,yi,vi`` rows, plus an optional ``group``."""
    from jakatlas.synthesis.effects import escalc

    if not path.is_file():
        raise InputError(f"File not found: {path}. Check the path to the CSV file.")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; a study table should be small.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save the CSV as UTF-8.") from None
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{path} is empty; it needs a header row and one row per study.")
    header = [h.strip().lower() for h in rows[0]]
    cols = {name: i for i, name in enumerate(header)}
    has_counts = all(c in cols for c in COUNT_COLUMNS)
    has_effects = all(c in cols for c in EFFECT_COLUMNS)
    if "study" not in cols or not (has_counts or has_effects):
        hint = " (the file looks semicolon-separated; use commas)" if len(header) == 1 and ";" in header[0] else ""
        raise InputError(f"{path}: missing columns{hint}. The header must be 'study,ai,bi,ci,di' (events and "
                         "non-events per arm: ai/bi treated, ci/di control) or 'study,yi,vi', optionally with "
                         f"'group'; found {', '.join(header) or 'nothing'}.")
    body = rows[1:]
    if not body:
        raise InputError(f"{path} has a header but no studies; add one row per study.")
    labels: list[str] = []
    groups: list[str] = []
    counts: list[tuple[int, int, int, int]] = []
    yi: list[float] = []
    vi: list[float] = []
    for n, r in enumerate(body, start=2):
        cells = [c.strip() for c in r] + [""] * (len(header) - len(r))

        def cell(name: str, n: int = n, cells: list[str] = cells) -> str:
            value = cells[cols[name]]
            if value == "":
                raise InputError(f"{path}, row {n}: column {name!r} is empty; fill it in or remove the row.")
            return value

        labels.append(cell("study"))
        if "group" in cols:
            groups.append(cell("group"))
        if has_counts:
            ai, bi, ci, di = (_count(path, n, c, cell(c)) for c in COUNT_COLUMNS)
            if ai + bi == 0 or ci + di == 0:
                raise InputError(f"{path}, row {n}: an arm has no participants (ai+bi or ci+di is 0).")
            counts.append((ai, bi, ci, di))
        else:
            yi.append(_number(path, n, "yi", cell("yi")))
            v = _number(path, n, "vi", cell("vi"))
            if v <= 0:
                raise InputError(f"{path}, row {n}: vi must be positive (got {v}); vi is a variance (SE squared).")
            vi.append(v)
    if has_counts:
        es = escalc(measure, *zip(*counts, strict=True))
        yi, vi = list(es.yi), list(es.vi)
    return StudyTable(tuple(labels), tuple(yi), tuple(vi), tuple(groups) if "group" in cols else None,
                      tuple(counts) if has_counts else None)


# --------------------------------------------------------------------------- formatting
def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "< 0.0001" if p < 1e-4 else f"= {p:.4f}"


def _show(x: float, ratio: bool) -> str:
    return f"{math.exp(x) if ratio else x:.4f}"


def _interval(lo: float, hi: float, ratio: bool) -> str:
    return f"{_show(lo, ratio)} to {_show(hi, ratio)}"


def _summary_lines(res: MetaResult, measure: str, ratio: bool) -> list[str]:
    model = "Equal-effects model" if res.method == "EE" else f"Random-effects model ({res.method})"
    pct = f"{100 * res.level:g}%"
    scale = f" (pooled on the log scale, shown as {measure})" if ratio else ""
    stat = f"t({res.df})" if res.knha else "z"
    lines = [
        f"{model}, k = {res.k}{', Hartung-Knapp adjustment' if res.knha else ''}{scale}",
        f"Pooled {measure}: {_show(res.estimate, ratio)} ({pct} CI {_interval(res.ci_lower, res.ci_upper, ratio)}), "
        f"{stat} = {res.statistic:.4f}, p {_p(res.p_value)}",
    ]
    if res.pi_lower is not None and res.pi_upper is not None:
        lines.append(f"{pct} prediction interval: {_interval(res.pi_lower, res.pi_upper, ratio)}")
    het = f"tau^2 = {res.tau2:.4f}"
    if res.tau2_se is not None:
        het += f" (SE {res.tau2_se:.4f})"
    het += f", tau = {res.tau:.4f}"
    if res.i2 is not None and res.h2 is not None:
        het += f", I^2 = {res.i2:.2f}%, H^2 = {res.h2:.2f}"
    lines.append(het)
    lines.append(f"Heterogeneity: Q({res.q_df}) = {res.q:.2f}, p {_p(res.q_p)}")
    return lines


def _study_table(data: StudyTable, res: MetaResult, measure: str, ratio: bool) -> Table:
    from scipy.stats import norm

    crit = float(norm.isf((1 - res.level) / 2))
    t = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("Study", overflow="fold")
    if data.counts is not None:
        t.add_column("Treated", justify="right")
        t.add_column("Control", justify="right")
    t.add_column(f"{measure} [{100 * res.level:g}% CI]", justify="right", no_wrap=True)
    t.add_column("Weight", justify="right")
    blank = [Text("")] * (len(t.columns) - 1)
    order: list[tuple[str | None, list[int]]] = [(None, list(range(len(data.labels))))]
    if data.groups is not None:
        names = list(dict.fromkeys(data.groups))
        order = [(name, [i for i, g in enumerate(data.groups) if g == name]) for name in names]
    for name, rows in order:
        if name is not None:
            t.add_row(Text(name, style="bold"), *blank)
        for i in rows:
            y, half = data.yi[i], crit * math.sqrt(data.vi[i])
            row = [Text(("  " if name is not None else "") + data.labels[i])]
            if data.counts is not None:
                ai, bi, ci, di = data.counts[i]
                row += [Text(f"{ai}/{ai + bi}"), Text(f"{ci}/{ci + di}")]
            row += [Text(f"{_show(y, ratio)} [{_show(y - half, ratio)}, {_show(y + half, ratio)}]"),
                    Text(f"{res.weights[i]:.1f}%")]
            t.add_row(*row)
    return t


def _print(line: str = "") -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


# --------------------------------------------------------------------------- command
FileArg = Annotated[Path, typer.Argument(help="CSV with columns study,ai,bi,ci,di or study,yi,vi (optional group).",
                                         show_default=False)]
MeasureOpt = Annotated[MeasureChoice, typer.Option("--measure", "-m", case_sensitive=False,
                                                   help="Effect measure: risk ratio, odds ratio or risk difference.")]
MethodOpt = Annotated[MethodChoice, typer.Option("--method", case_sensitive=False,
                                                 help="EE (equal effects), DL, PM or REML estimator of tau^2.")]
KnhaOpt = Annotated[bool, typer.Option("--knha", help="Hartung-Knapp adjustment: t-based test and intervals.")]
FormatOpt = Annotated[MetaFormat, typer.Option("--format", "-f", help="Output format.")]


@app.command("meta")
def meta(file: FileArg, measure: MeasureOpt = MeasureChoice.RR, method: MethodOpt = MethodChoice.REML,
         knha: KnhaOpt = False, fmt: FormatOpt = MetaFormat.table) -> None:
    """Pool studies with an inverse-variance meta-analysis (results match R's metafor).

    Counts follow metafor: ai/bi are events/non-events in the treated arm, ci/di in the control arm.

    With study,yi,vi columns the effects are pooled as given; yi of RR or OR must be log ratios.

    A group column adds a separate fit per group and a test for subgroup differences.

    Example: jakatlas meta trials.csv --measure RR --method REML --knha
    """
    from jakatlas.synthesis.meta import meta_analysis, subgroup_analysis

    m = measure.value
    data = read_studies(file, m)
    ratio = m in ("RR", "OR")
    res = meta_analysis(data.yi, data.vi, method=method.value, knha=knha, labels=data.labels, measure=m)
    sub = None
    if data.groups is not None:
        sub = subgroup_analysis(data.yi, data.vi, data.groups, method=method.value, knha=knha,
                                labels=data.labels, measure=m)
    if fmt is MetaFormat.json:
        out: dict[str, Any] = {"file": str(file), "input": "counts" if data.counts is not None else "yi/vi",
                               **res.to_dict()}
        if data.counts is not None:
            for study, c in zip(out["studies"], data.counts, strict=True):
                study.update(ai=c[0], bi=c[1], ci=c[2], di=c[3])
        if data.groups is not None:
            for study, group in zip(out["studies"], data.groups, strict=True):
                study["group"] = group
        if sub is not None:
            out["subgroups"] = {k: v for k, v in sub.to_dict().items() if k != "overall"}
        print_json(out)
        return
    console.print(_study_table(data, res, m, ratio))
    for line in _summary_lines(res, m, ratio):
        _print(line)
    if sub is not None:
        _print()
        _print("Subgroups:")
        for fit in sub.groups:
            r = fit.result
            _print(f"  {fit.name} (k = {r.k}): {m} {_show(r.estimate, ratio)} "
                   f"({_interval(r.ci_lower, r.ci_upper, ratio)}), tau^2 = {r.tau2:.4f}")
        for note in sub.notes:
            _print(f"  Note: {note}")
        _print(f"Test for subgroup differences: Q({sub.df_between}) = {sub.q_between:.2f}, p {_p(sub.p_between)}")
