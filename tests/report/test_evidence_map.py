"""Evidence-gap map: every disease x JAK-inhibitor pair of the atlas is drawn, in PNG, SVG and HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jakatlas.data import knowledge_base
from jakatlas.errors import InputError
from jakatlas.report.evidence_map import LEVEL_COLOURS, evidence_map, map_figure, map_plotly, write_map
from jakatlas.store.atlas import Atlas
from jakatlas.synthesis.grading import ocebm_level
from jakatlas.synthesis.mechanism import JAKI_CLASSES


def _expected_pairs(atlas: Atlas) -> set[tuple[str, str]]:
    jaki = {d.name for d in knowledge_base().drugs.values() if d.drug_class in JAKI_CLASSES} | {"jak inhibitor"}
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
    assert povo.best_level == 2
    recs = {r.id: r for r in report_atlas.studies(disease="hidradenitis suppurativa", status=("curated",))}
    assert povo.best_level == min(ocebm_level(recs[i].study()).level or 9 for i in povo.study_ids)


def test_figure_draws_one_bubble_per_pair(report_atlas: Atlas) -> None:
    emap = evidence_map(report_atlas)
    fig = map_figure(emap)
    ax = fig.axes[0]
    points = [tuple(off) for coll in ax.collections for off in coll.get_offsets()]
    assert len(points) == len(emap.cells)
    drawn = {(emap.diseases[::-1][int(y)], emap.drugs[int(x)]) for x, y in points}
    assert drawn == set(emap.pairs)
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
    drawn = {(y, x) for tr in fig.data for x, y in zip(tr.x, tr.y, strict=True)}
    labels = {"jak inhibitor": "JAK inhibitor (unnamed)"}
    assert drawn == {(d, labels.get(g, g)) for d, g in emap.pairs}
    assert {tr.marker.color for tr in fig.data} <= set(LEVEL_COLOURS.values())


def test_unknown_extension_is_refused(report_atlas: Atlas, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown extension '\.gif'\. Use \.png, \.svg or \.html\.$"):
        write_map(evidence_map(report_atlas), tmp_path / "map.gif")
