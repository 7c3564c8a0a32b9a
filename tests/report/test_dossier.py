"""The disease dossier: contents of the Markdown and HTML, escaping, figures, PDF through Chromium."""

from __future__ import annotations

import base64
import dataclasses
import re
from dataclasses import replace
from pathlib import Path

import pytest

from jakatlas.data import knowledge_base
from jakatlas.report.dossier import build_dossier, to_html, to_markdown, to_pdf
from jakatlas.report.render import find_chromium
from jakatlas.store.atlas import Atlas

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def md(hs_dossier, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("md") / "hs.md"
    return to_markdown(hs_dossier, path), path


@pytest.fixture(scope="module")
def html(hs_dossier) -> str:  # type: ignore[no-untyped-def]
    return to_html(hs_dossier)


def test_markdown_has_povorcitinib_phase2_and_phase3_results(md: tuple[str, Path]) -> None:
    text, _ = md
    assert text.startswith("# Hidradenitis suppurativa: JAK inhibitor evidence dossier\n")
    # phase 2 (Kirby 2024), with Newcombe CIs and NNT
    assert ("| Kirby 2024 | povorcitinib 15 mg | HiSCR | not reported (study wk 16) | 48.1% (n=52) | placebo 28.8% (n=52) | "
            "RD +19.2 pp (95% CI +0.6 to +36.1); RR 1.67 (1.00 to 2.78); NNTB 5.2") in text
    # phase 2 (Alavi 2022, study 2): 57.1% placebo is no whole count of 9, so no count is invented
    assert ("| Alavi 2022 (study 2) | povorcitinib 30 mg | HiSCR | wk 8 | 55.6% | placebo 57.1% (n=9) | "
            "insufficient: control arm: 57.1% is not a whole count of 9 (nearest 5/9 = 55.6%), so its denominator "
            "is not the arm size (55.6% vs 57.1%, difference -1.5 pp, no CI) |") in text
    assert "RD +0.0 pp" not in text and "5/9 used" not in text
    # phase 3: figures shown, no interval invented
    assert ("| STOP-HS1 | povorcitinib 45 mg | HiSCR | wk 12 | 40.2% | placebo 29.7% | insufficient: arm sizes "
            "not reported (40.2% vs 29.7%, difference +10.5 pp, no CI) |") in text
    assert "STOP-HS2" in text and "phase 3 RCT" in text


def test_markdown_has_placebo_context_grades_and_mechanism(md: tuple[str, Path]) -> None:
    text, _ = md
    assert ("**HiSCR.** Placebo HiSCR response in 9 controlled studies: 57.1%, 23.8%, 26.0%, 27.6%, 29.7%, "
            "28.6%, 29.0%, 32.0%, 28.8% (range 24–57%). Pooled 26.9% (95% CI 24.7 to 29.3%") in text
    assert "uncontrolled: 42.9% HiSCR (wk 8) vs placebo responses of 24–57% in RCTs" in text
    assert ("- **povorcitinib, HiSCR, wk 16: VERY LOW** (1 study). Started at high: 1 randomised comparison. Rated "
            "down two levels for imprecision: only 209 patients in total") in text
    assert ("| kirby2024-povorcitinib-ph2 | RoB 2 | derived | some concerns | randomisation process: some concerns; "
            "deviations from intended interventions: low;") in text
    assert "## Mechanism coverage" in text
    assert "| IL-23 | jak-dependent | JAK2+TYK2 | STAT3, STAT4 |" in text
    assert "JAK-independent (not blocked directly by any JAK inhibitor): IL-1, TNF, IL-17A, IL-36." in text
    assert "| upadacitinib | JAK1 | 67% | upadacitinib (JAK1) reaches 4 of 6 JAK-dependent cytokines" in text


def test_markdown_writes_the_forest_plot_next_to_it(md: tuple[str, Path]) -> None:
    text, path = md
    png = path.with_name("hs-forest-1.png")
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert "![Forest plot: Responder outcomes (higher is better)](hs-forest-1.png)" in text


def test_markdown_has_safety_and_linked_references(md: tuple[str, Path]) -> None:
    text, _ = md
    assert "- **upadacitinib**: boxed warning: Yes: Serious infections, mortality, malignancy" in text
    assert "  - Alavi 2022 (study 1): any treatment-emergent adverse event 70%" in text
    assert "[NCT05620823](https://clinicaltrials.gov/study/NCT05620823)" in text
    assert re.search(r"\[DOI 10\.[^\]]+\]\(https://doi\.org/10\.", text)


def test_html_is_self_contained_with_embedded_forest_plot(html: str) -> None:
    assert html.lstrip().startswith("<!DOCTYPE html>")
    uri = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="Forest plot', html)
    assert uri is not None
    assert base64.b64decode(uri.group(1)).startswith(PNG_MAGIC)
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and "<script" not in html


def test_html_contents(html: str) -> None:
    assert "Kirby 2024" in html and "RD +19.2 pp (95% CI +0.6 to +36.1)" in html
    assert "STOP-HS1" in html and "insufficient: arm sizes not reported (40.2% vs 29.7%" in html
    assert "Placebo HiSCR response in 9 controlled studies" in html
    assert '<h2>Mechanism coverage</h2>' in html and "JAK2 + TYK2" in html
    assert '<span class="cert c-low">low</span>' in html
    assert "<h3>Risk of bias per study</h3>" in html
    assert '<a href="https://clinicaltrials.gov/study/NCT05620823">NCT05620823</a>' in html


def test_hostile_study_title_is_escaped(tmp_path: Path) -> None:
    kb = knowledge_base()
    st = kb.studies["kirby2024-povorcitinib-ph2"]
    evil = st.model_copy(update={"title": '<script>alert("x")</script> & <img src=x onerror=alert(1)>'})
    kb2 = dataclasses.replace(kb, studies={**kb.studies, st.id: evil})
    atlas = Atlas(f"sqlite:///{tmp_path / 'evil.db'}")
    atlas.build(kb2)
    page = to_html(build_dossier(atlas, "hidradenitis suppurativa", kb=kb2))
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page


def test_unbuilt_atlas_says_to_build(tmp_path: Path) -> None:
    from jakatlas.errors import StorageError

    with pytest.raises(StorageError, match="Run 'jakatlas build' first"):
        build_dossier(Atlas(f"sqlite:///{tmp_path / 'empty.db'}"), "HS")


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_pdf_through_chromium(hs_dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "hs.pdf"
    to_pdf(hs_dossier, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000


def test_pdf_without_chromium_is_a_clear_error(hs_dossier, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from jakatlas.errors import JakatlasError

    monkeypatch.setenv("JAKATLAS_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(JakatlasError, match=r"^Cannot write a PDF: Chromium is not installed\. Install it"):
        to_pdf(hs_dossier, tmp_path / "x.pdf")


def test_forest_axis_says_jak_inhibitor_only_when_every_row_is_one(hs_dossier) -> None:  # type: ignore[no-untyped-def]
    from jakatlas.report.dossier import _forest
    from jakatlas.synthesis.mechanism import JAKI_CLASSES

    kb = knowledge_base()
    jakis = frozenset(d.name for d in kb.drugs.values() if d.drug_class in JAKI_CLASSES)
    syn = hs_dossier.synthesis
    only_jak = replace(syn, effects=tuple(r for r in syn.effects if r.drug in jakis))
    assert _forest(only_jak, hs_dossier.disease.outcome_measures)[0].xlabel.startswith(
        "Risk difference, JAK inhibitor minus ")
    benchmark = replace(syn, effects=(*only_jak.effects, replace(only_jak.effects[0], drug="adalimumab")))
    panel = _forest(benchmark, hs_dossier.disease.outcome_measures)[0]
    assert panel.xlabel.startswith("Risk difference, treatment minus ") and panel.favours[1] == "favours treatment"
