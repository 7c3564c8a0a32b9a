"""Long documents: sections cover the text exactly, spans stay exact, nothing hits spaCy's E088."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakatlas.bulk.chunked import extract_long, sections
from jakatlas.extract import extract
from jakatlas.ingest import read_document

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "jak-inhibition-uncommon-dermatoses-aad2022.txt"


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed report not found at {SEED}")
    return SEED.read_text()


def test_sections_cover_the_text_and_end_at_paragraphs(seed: str) -> None:
    text = "\n\n".join([seed] * 5)
    cuts = list(sections(text, 10_000))
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    assert all(0 < e - s <= 10_000 for s, e in cuts)
    assert all(text[e - 1] == "\n" or text[e - 1].isspace() for _, e in cuts[:-1])


def test_sections_of_text_without_spaces_are_cut_hard() -> None:
    assert list(sections("x" * 25, 10)) == [(0, 10), (10, 20), (20, 25)]


def test_short_documents_give_exactly_what_extract_gives(seed: str) -> None:
    assert extract_long(seed) == extract(seed)


def test_copies_of_the_seed_give_each_study_at_its_own_offset(seed: str) -> None:
    sep = "\n\n"
    text = sep.join([seed] * 4)
    one = extract(seed)
    long = extract_long(text, chunk_chars=len(seed) + len(sep))
    assert len(long.studies) == 4 * len(one.studies) > 0
    assert [s.id for s in long.studies] == [f"s{i + 1}" for i in range(len(long.studies))]
    for copy in range(4):
        offset = copy * (len(seed) + len(sep))
        for got, want in zip(long.studies[copy * len(one.studies):], one.studies, strict=False):
            assert [(sp.start - offset, sp.end - offset) for sp in got.spans] == [
                (sp.start, sp.end) for sp in want.spans]
            assert got.interventions == want.interventions and got.n == want.n
    for m in long.mentions:
        assert text[m.start:m.end] == m.text


@pytest.mark.slow
def test_over_a_million_characters_no_e088_and_progress_reported(seed: str, tmp_path: Path) -> None:
    reps = 1_050_000 // (len(seed) + 2) + 1
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join([seed] * reps))
    doc = read_document(path)
    assert len(doc.text) > 1_000_000
    seen: list[tuple[int, int]] = []
    result = extract_long(doc, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(doc.text), len(doc.text)) and len(seen) > 10
    assert result.source.id == "long.txt" and result.source.sha256 == doc.sha256
    assert len(result.studies) >= reps  # the seed reports at least one study per copy
    assert all(doc.text[m.start:m.end] == m.text for m in result.mentions)
