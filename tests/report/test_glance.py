"""The dossier's "at a glance" box: key numbers up front, JAK inhibitors apart from benchmarks."""

from __future__ import annotations

from jakatlas.data import knowledge_base
from jakatlas.report.dossier import build_dossier
from jakatlas.report.glance import at_a_glance
from jakatlas.report.render import render_html, render_markdown
from jakatlas.store.atlas import Atlas
from jakatlas.synthesis.mechanism import JAKI_CLASSES


def test_hs_glance_names_jak_inhibitor_figures_and_benchmarks(report_atlas: Atlas) -> None:
    d = build_dossier(report_atlas, "hidradenitis suppurativa")
    facts = {f.label: f.value for f in at_a_glance(d)}
    kb = knowledge_base()
    jaki = {g.name for g in kb.drugs.values() if g.drug_class in JAKI_CLASSES}
    ids = {s.id for s in d.studies}
    assert facts["Evidence"].startswith(f"{len(ids)} studies (")
    assert f"{d.n_patients:,} patients with reported n" in facts["Evidence"]
    benchmarks = {x.strip() for x in facts.get("Benchmarks (not JAK inhibitors)", "").split(",") if x.strip()}
    assert benchmarks == {s.drug for s in d.drugs} - jaki
    certainty_drug = facts["Highest certainty"].split(": ", 1)[1].split(",")[0]
    assert certainty_drug in jaki  # never a benchmark biologic
    comparison = facts["Largest JAK-inhibitor comparison"]
    assert "vs placebo" in comparison and "RD " in comparison
    assert not any(b in comparison for b in benchmarks)


def test_glance_comes_before_the_tables_in_html_and_markdown(report_atlas: Atlas) -> None:
    d = build_dossier(report_atlas, "morphea")
    html = render_html(d)
    assert html.index("At a glance") < html.index("Summary by drug")
    md = render_markdown(d)
    assert md.index("## At a glance") < md.index("## Summary by drug")
    assert "- **Largest JAK-inhibitor comparison:** no controlled comparison with arm sizes" in md
