"""The rule splitter: exact offsets, abbreviations, table rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakatlas.infer.sentences import split_sentences

ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "evidence_inference" / "articles" / "PMC59610.txt"


def test_offsets_index_the_text_exactly() -> None:
    if not ARTICLE.is_file():
        pytest.skip(f"{ARTICLE} is not present")
    text = ARTICLE.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert len(spans) > 50
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    row = next(s for s in spans if s.text.startswith("Total mortality"))
    assert row.text == "Total mortality\n98/2006 (4.9%)\n132/2027 (6.5%)\n0.76 (0.59-0.98)\n0.03"


def test_abbreviations_do_not_end_sentences() -> None:
    text = "As Hull et al. showed, pain fell vs. placebo (Fig. 2). Sleep did not change. J. Smith agreed."
    assert [s.text for s in split_sentences(text)] == [
        "As Hull et al. showed, pain fell vs. placebo (Fig. 2).", "Sleep did not change.", "J. Smith agreed."]


def test_headings_and_blank_lines() -> None:
    text = "ABSTRACT.RESULTS:\nPain fell (P < 0.01). 12 patients left.\n\n  \nBODY.METHODS:\n"
    assert [(s.start, s.end) for s in split_sentences(text)] == [(0, 17), (18, 39), (40, 57), (62, 75)]


def test_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences("\n \n") == []
