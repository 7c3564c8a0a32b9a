"""``jakatlas meta``: pool a CSV of studies with a fixed- or random-effects meta-analysis."""

from __future__ import annotations

import math
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from jakatlas.cli._app import app
from jakatlas.cli.meta_input import RATIO_MEASURES, StudyTable, read_studies
from jakatlas.cli.render import console, print_json
from jakatlas.errors import InputError

if TYPE_CHECKING:
    from jakatlas.synthesis.meta import MetaResult



class MeasureChoice(StrEnum):
    RR = "RR"
    OR = "OR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"
    GEN = "GEN"


class MethodChoice(StrEnum):
    EE = "EE"
    DL = "DL"
    PM = "PM"
    REML = "REML"
    MH = "MH"
    PETO = "PETO"


class MetaFormat(StrEnum):
    table = "table"
    json = "json"


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
    model = {"EE": "Equal-effects model", "MH": "Equal-effects model (Mantel-Haenszel)",
             "PETO": "Equal-effects model (Peto)"}.get(res.method, f"Random-effects model ({res.method})")
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
    if res.method in ("MH", "PETO"):
        het = "" if res.i2 is None or res.h2 is None else f"I^2 = {res.i2:.2f}%, H^2 = {res.h2:.2f}"
    else:
        het = f"tau^2 = {res.tau2:.4f}"
        if res.tau2_se is not None:
            het += f" (SE {res.tau2_se:.4f})"
        het += f", tau = {res.tau:.4f}"
        if res.i2 is not None and res.h2 is not None:
            het += f", I^2 = {res.i2:.2f}%, H^2 = {res.h2:.2f}"
    if het:
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
            y, half = res.yi[i], crit * math.sqrt(res.vi[i])
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
FileArg = Annotated[Path, typer.Argument(help="CSV with columns study,ai,bi,ci,di or study,m1i,sd1i,n1i,m2i,sd2i,n2i "
                                              "or study,yi,vi (optional group).", show_default=False)]
MeasureOpt = Annotated[MeasureChoice | None, typer.Option(
    "--measure", "-m", case_sensitive=False, show_default=False,
    help="RR, OR or RD for counts (default RR); MD or SMD (Hedges' g) for means; required for yi/vi: RR or OR "
         "(yi = log ratio, shown as ratios), RD, MD, SMD or GEN (never back-transformed).")]
MethodOpt = Annotated[MethodChoice, typer.Option("--method", case_sensitive=False,
                                                 help="EE, DL, PM or REML (inverse variance); MH (Mantel-Haenszel) "
                                                      "or PETO (odds ratio) for counts.")]
KnhaOpt = Annotated[bool, typer.Option("--knha", help="Hartung-Knapp adjustment: t-based test and intervals.")]
CcOpt = Annotated[float, typer.Option("--cc", min=0.0, help="Continuity correction added to every cell of a table "
                                                            "with a zero cell (0 turns it off).")]
Keep00Opt = Annotated[bool, typer.Option("--keep-double-zero", help="Keep studies with no events (or only events) "
                                                                    "in both arms; left out by default.")]
PlotOpt = Annotated[list[Path] | None, typer.Option(
    "--plot", help="Write a forest or funnel plot (.png or .svg); the kind is read from the file name, "
                   "e.g. --plot forest.png --plot funnel.png.", show_default=False)]
LooOpt = Annotated[bool, typer.Option("--leave-one-out", help="Refit without each study in turn.")]
FormatOpt = Annotated[MetaFormat, typer.Option("--format", "-f", help="Output format.")]


def _fit(data: StudyTable, method: str, knha: bool) -> MetaResult:
    from jakatlas.synthesis.meta import meta_analysis
    from jakatlas.synthesis.meta_2x2 import mantel_haenszel, peto

    if method in ("MH", "PETO"):
        if data.counts is None:
            raise InputError(f"--method {method} pools 2x2 counts; the file has {data.kind} columns.",
                             hint="Use EE, DL, PM or REML.")
        if knha:
            raise InputError(f"--knha applies to random-effects models, not --method {method}.", hint="Drop --knha.")
        if data.groups is not None:
            raise InputError(f"Subgroup tests use inverse-variance models, not --method {method}.",
                             hint="Use --method EE or REML with a group column.")
        if method == "PETO" and data.measure != "OR":
            raise InputError(f"Peto's method pools odds ratios, not {data.measure}.", hint="Use --measure OR.")
        cols = list(zip(*data.counts, strict=True))
        if method == "PETO":
            res = peto(*cols, labels=data.labels, drop00=False)
        else:
            res = mantel_haenszel(*cols, measure=data.measure, labels=data.labels, drop00=False)
    else:
        res = meta_analysis(data.yi, data.vi, method=method, knha=knha, labels=data.labels, measure=data.measure)
    return replace(res, notes=(*data.notes, *res.notes))


def _plots(paths: list[Path], data: StudyTable, res: MetaResult, ratio: bool) -> list[str]:
    from jakatlas.report.plots import ForestRow, figure_bytes, forest_plot, funnel_plot

    done = []
    for path in paths:
        ext = path.suffix.lower().lstrip(".")
        kind = "funnel" if "funnel" in path.stem.lower() else "forest" if "forest" in path.stem.lower() else None
        if ext not in ("png", "svg") or kind is None:
            raise InputError(f"Cannot tell which plot to write to {path.name!r}.",
                             hint="Name the file forest*.png|svg or funnel*.png|svg.")
        if not path.parent.exists():
            raise InputError(f"Cannot write {path}: folder {path.parent} does not exist.", hint="Create it first.")
        label = {"GEN": "Effect"}.get(data.measure, data.measure)
        if kind == "funnel":
            fig = funnel_plot(res.yi, res.vi, estimate=res.estimate, labels=res.labels, ratio=ratio,
                              xlabel=f"{label}{' (log scale)' if ratio else ''}")
        else:
            from scipy.stats import norm

            crit = float(norm.isf((1 - res.level) / 2))
            tr = math.exp if ratio else (lambda x: x)
            rows = [ForestRow(lab, tr(y), tr(y - crit * math.sqrt(v)), tr(y + crit * math.sqrt(v)), weight=w,
                              text=f"{tr(y):.2f} [{tr(y - crit * math.sqrt(v)):.2f}, {tr(y + crit * math.sqrt(v)):.2f}]")
                    for lab, y, v, w in zip(res.labels, res.yi, res.vi, res.weights, strict=True)]
            rows.append(ForestRow(f"Pooled ({res.method}, k={res.k})", tr(res.estimate), tr(res.ci_lower),
                                  tr(res.ci_upper), kind="pooled",
                                  text=f"{tr(res.estimate):.2f} [{tr(res.ci_lower):.2f}, {tr(res.ci_upper):.2f}]"))
            fig = forest_plot(rows, xlabel=label, null=1.0 if ratio else 0.0, log_x=ratio,
                              favours=("favours treatment", "favours control") if data.measure != "GEN"
                              else ("lower", "higher"))
        path.write_bytes(figure_bytes(fig, "svg" if ext == "svg" else "png"))
        done.append(f"Wrote the {kind} plot to {path}.")
    return done


@app.command("meta")
def meta(file: FileArg, measure: MeasureOpt = None, method: MethodOpt = MethodChoice.REML,
         knha: KnhaOpt = False, cc: CcOpt = 0.5, keep_double_zero: Keep00Opt = False, plot: PlotOpt = None,
         leave_one_out: LooOpt = False, fmt: FormatOpt = MetaFormat.table) -> None:
    """Pool studies with a meta-analysis (results match R's metafor).

    Counts follow metafor: ai/bi are events/non-events in the treated arm, ci/di in the control arm.

    With study,yi,vi columns --measure says what yi is; RR and OR mean log ratios.

    A group column adds a separate fit per group and a test for subgroup differences; with 10 or more
    studies Egger's test for funnel-plot asymmetry is reported.

    Example: jakatlas meta trials.csv --measure RR --method REML --knha --plot forest.png
    """
    from jakatlas.synthesis.meta import leave_one_out as loo_fit
    from jakatlas.synthesis.meta import subgroup_analysis
    from jakatlas.synthesis.pubbias import MIN_STUDIES, egger_test

    data = read_studies(file, measure.value if measure else None, cc=cc, keep00=keep_double_zero,
                        count_method=method.value in ("MH", "PETO"))
    m = data.measure
    ratio = m in RATIO_MEASURES
    res = _fit(data, method.value, knha)
    sub = None
    if data.groups is not None:
        sub = subgroup_analysis(data.yi, data.vi, data.groups, method=method.value, knha=knha,
                                labels=data.labels, measure=m)
    egger = egger_test(res.yi, res.vi) if res.k >= MIN_STUDIES else None
    loo = None
    if leave_one_out:
        if method.value in ("MH", "PETO"):
            raise InputError("--leave-one-out refits inverse-variance models.", hint="Use --method EE or REML.")
        loo = loo_fit(data.yi, data.vi, method=method.value, knha=knha, labels=data.labels, measure=m)
    written = _plots(list(plot or []), data, res, ratio)
    if fmt is MetaFormat.json:
        out: dict[str, Any] = {"file": str(file), "input": data.kind, **res.to_dict()}
        if data.counts is not None:
            for study, c in zip(out["studies"], data.counts, strict=True):
                study.update(ai=c[0], bi=c[1], ci=c[2], di=c[3])
        if data.groups is not None:
            for study, group in zip(out["studies"], data.groups, strict=True):
                study["group"] = group
        if sub is not None:
            out["subgroups"] = {k: v for k, v in sub.to_dict().items() if k != "overall"}
        out["egger"] = egger.to_dict() if egger is not None else None
        if loo is not None:
            out["leave_one_out"] = [x.to_dict() for x in loo]
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
    if egger is not None:
        _print(egger.summary)
    else:
        _print(f"Egger's test not run: k = {res.k} (at least {MIN_STUDIES} studies are needed).")
    if loo is not None:
        _print()
        _print(f"Leave-one-out ({res.method}):")
        for x in loo:
            r = x.result
            _print(f"  without {x.omitted}: {m} {_show(r.estimate, ratio)} "
                   f"({_interval(r.ci_lower, r.ci_upper, ratio)})"
                   + ("" if r.i2 is None else f", I^2 = {r.i2:.2f}%"))
    for note in res.notes:
        _print(f"Note: {note}")
    for line in written:
        _print(line)
