"""Dossier forest plots: dose arms before the 'all doses' row, benchmarks named, pooled PI, no clipping."""

from __future__ import annotations

from jakatlas.report.dossier import build_dossier
from jakatlas.report.plots import forest_plot
from jakatlas.store.atlas import Atlas


def _panel(report_atlas: Atlas):  # type: ignore[no-untyped-def]
    d = build_dossier(report_atlas, "hidradenitis suppurativa")
    return next(p for p in d.forest if p.title.startswith("Responder"))


def test_all_doses_row_follows_the_dose_arms(report_atlas: Atlas) -> None:
    labels = [r.label for r in _panel(report_atlas).rows]
    alavi = [x for x in labels if x.startswith("Alavi 2022 (study 2)")]
    assert alavi[-1].endswith("all doses combined") and len(alavi) > 1
    assert not any("all doses" in x for x in alavi[:-1])


def test_benchmarks_are_named_and_the_axis_says_treatment(report_atlas: Atlas) -> None:
    panel = _panel(report_atlas)
    rows = [r.label for r in panel.rows]
    assert any("adalimumab" in x and x.endswith("(benchmark)") for x in rows)
    assert not any("povorcitinib" in x and "benchmark" in x for x in rows)
    assert panel.xlabel.startswith("Risk difference, treatment minus ")  # not "JAK inhibitor" over biologics
    assert panel.favours[1] == "favours treatment"


def test_pooled_rows_carry_their_prediction_interval(report_atlas: Atlas) -> None:
    pooled = [r for r in _panel(report_atlas).rows if r.kind == "pooled"]
    assert pooled and all("; PI " in r.text for r in pooled)


def test_no_label_is_clipped(report_atlas: Atlas) -> None:
    panel = _panel(report_atlas)
    fig = forest_plot(panel.rows, xlabel=panel.xlabel, favours=panel.favours)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    left, right = fig.axes[0], fig.axes[2]
    for ax in (left, right):
        box = ax.get_window_extent(renderer)
        for t in ax.texts:
            ext = t.get_window_extent(renderer)
            assert ext.x1 <= box.x1 + 1 or ax is right, t.get_text()
            assert ext.x1 <= fig.bbox.x1 + 1, t.get_text()
