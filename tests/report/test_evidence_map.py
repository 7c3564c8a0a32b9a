"""Evidence-gap map: every disease x JAK-inhibitor pair of the atlas is drawn, in PNG, SVG and HTML."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest

from jakatlas.data import knowledge_base
from jakatlas.errors import InputError
from jakatlas.report.evidence_map import (
    CLASS_LABEL,
    LEVEL_COLOURS,
    evidence_map,
    map_figure,
    map_plotly,
    write_map,
)
from jakatlas.store.atlas import Atlas
from jakatlas.synthesis.grading import ocebm_level
from jakatlas.synthesis.mechanism import JAKI_CLASSES


def _expected_pairs(atlas: Atlas) -> set[tuple[str, str]]:
    jaki = {d.name for d in knowledge_base().drugs.values() if d.drug_class in JAKI_CLASSES}
    pairs = set()
    for rec in atlas.studies(status=("curated",)):
        st = rec.study()
        pairs |= {(d.name, i.name) for d in st.diseases for i in st.interventions if i.name in jaki}
    return pairs


def test_every_disease_drug_pair_is_a_cell(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    assert set(emap.pairs) == _expected_pairs(report_atlas)
    assert len(emap.pairs) == len(set(emap.pairs))
    assert ("hidradenitis suppurativa", "povorcitinib") in emap.pairs
    assert ("hidradenitis suppurativa", "cyclosporine") not in emap.pairs  # a co-treatment, not a JAK inhibitor


def test_cells_carry_patients_studies_and_best_level(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    hs = {c.drug: c for c in emap.cells if c.disease == "hidradenitis suppurativa"}
    povo = hs["povorcitinib"]
    assert povo.studies == 5 and povo.patients == 10 + 35 + 209  # the phase 3 trials report no n
    assert all(c.patients is None or c.patients > 0 for c in emap.all_cells)  # never 0 for "not reported"
    assert povo.best_level == 2
    recs = {r.id: r for r in report_atlas.studies(disease="hidradenitis suppurativa", status=("curated",))}
    assert povo.best_level == min(ocebm_level(recs[i].study()).level or 9 for i in povo.study_ids)


def test_figure_draws_one_bubble_per_pair(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    fig = map_figure(emap)
    ax = fig.axes[0]
    points = [tuple(off) for coll in ax.collections for off in coll.get_offsets()]
    assert len(points) == len(emap.all_cells)
    named = {(emap.diseases[::-1][int(y)], emap.drugs[int(x)]) for x, y in points if x < len(emap.drugs)}
    assert named == set(emap.pairs)
    apart = {emap.diseases[::-1][int(y)] for x, y in points if x > len(emap.drugs)}
    assert apart == {c.disease for c in emap.class_cells}
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert not any("unnamed" in t for t in ticks)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(reversed(emap.diseases))
    legend_titles = {leg.get_title().get_text() for leg in fig.legends}
    assert legend_titles == {"Best evidence level", "Bubble area"}


def test_size_by_studies_or_patients(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    by_n = [c.get_sizes()[0] for c in map_figure(emap, size="patients").axes[0].collections]
    by_k = [c.get_sizes()[0] for c in map_figure(emap, size="studies").axes[0].collections]
    assert by_n != by_k


@pytest.mark.parametrize("ext", ["png", "svg", "html"])
def test_write_map_formats(report_atlas: Atlas, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"map.{ext}"
    pairs = write_map(evidence_map(report_atlas), out)
    data = out.read_bytes()
    assert set(pairs) == _expected_pairs(report_atlas)
    if ext == "png":
        assert data.startswith(b"\x89PNG")
    elif ext == "svg":
        assert b"<svg" in data[:500] and b"hidradenitis suppurativa" in data
    else:
        text = data.decode("utf-8")
        assert "Plotly.newPlot" in text or "plotly" in text.lower()
        assert not re.search(r'<script[^>]+src="https?://', text)
        assert len(text) > 1_000_000  # plotly.js is inlined, so the page works offline


def test_plotly_traces_cover_every_pair(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    fig = map_plotly(emap)
    levels = [tr for tr in fig.data if tr.xaxis in (None, "x")]
    drawn = {(y, x) for tr in levels for x, y in zip(tr.x, tr.y, strict=True)}
    expected = set(emap.pairs) | {(c.disease, CLASS_LABEL) for c in emap.class_cells}
    assert drawn == expected
    assert {tr.marker.color for tr in levels} <= set(LEVEL_COLOURS.values())


def test_html_map_has_a_bubble_size_key_at_true_size(report_atlas: Atlas) -> None:
    fig = map_plotly(evidence_map(report_atlas))
    (key,) = [tr for tr in fig.data if tr.xaxis == "x2"]
    sizes = list(key.marker.size)
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes) >= 2
    assert all(t.strip().endswith("patients") for t in key.text)
    level_sizes = {s for tr in fig.data if tr.xaxis in (None, "x") for s in tr.marker.size}
    # Same scale as the cells: the largest key value is the largest cell rounded down to one digit.
    assert 0.8 * max(level_sizes) <= max(sizes) <= max(level_sizes)
    assert any("Bubble area" in a.text for a in fig.layout.annotations)


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_level_palette_is_ordinal_and_neighbours_differ() -> None:
    graded = [LEVEL_COLOURS[lv] for lv in (1, 2, 3, 4, 5)]
    lum = [_luminance(c) for c in graded]
    assert lum == sorted(lum), "darker must mean a stronger level, also in greyscale"
    # Neighbouring levels differ in lightness (contrast ratio >= 1.6) and in hue (>= 40 degrees): the old
    # single-hue blue ramp had 1.36:1 between levels 4 and 5 and under 10 degrees of hue between any two.
    ratios = [(b + 0.05) / (a + 0.05) for a, b in zip(lum, lum[1:], strict=False)]
    assert min(ratios) >= 1.6, ratios
    hues = [colorsys.rgb_to_hls(*(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360 for c in graded]
    steps = [min(abs(a - b), 360 - abs(a - b)) for a, b in zip(hues, hues[1:], strict=False)]
    assert min(steps) >= 40, steps


def test_unknown_extension_is_refused(report_atlas: Atlas, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown extension '\.gif'\. Use \.png, \.svg or \.html\.$"):
        write_map(evidence_map(report_atlas), tmp_path / "map.gif")


def test_size_key_counts_in_words(report_atlas: Atlas) -> None:
    fig = map_plotly(evidence_map(report_atlas), size="studies")
    (key,) = [tr for tr in fig.data if tr.xaxis == "x2"]
    for text in key.text:
        value, unit = text.split()
        assert unit == ("study" if value == "1" else "studies")
