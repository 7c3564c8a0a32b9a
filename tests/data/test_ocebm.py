"""The shipped OCEBM 2011 table (data/ocebm.json): one record per design, checked record by record."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from jakatlas.data import canonical_json
from jakatlas.data.ocebm import OCEBM_FILE, ocebm_table
from jakatlas.errors import DataFileError
from jakatlas.models.evidence import DESIGNS

# OCEBM 2011, "Does this intervention help?": (level with a concurrent control, without one).
EXPECTED = {
    "systematic_review": (None, None),  # graded by what it reviews
    "rct": (2, None),
    "nonrandomized_trial": (3, 4),
    "open_label_trial": (3, 4),
    "cohort": (3, 4),
    "case_control": (4, None),
    "case_series": (4, None),
    "case_report": (4, None),
    "narrative_review": (5, None),
    "preclinical": (5, None),
    "other": (None, None),
}


def test_every_design_has_exactly_its_ocebm_level() -> None:
    table = ocebm_table()
    assert set(table.entries) == set(DESIGNS) == set(EXPECTED)
    for design, (controlled, uncontrolled) in EXPECTED.items():
        e = table.entries[design]
        assert (e.level, e.uncontrolled_level) == (controlled, uncontrolled), design
        assert e.rule.endswith(".") and e.label


def test_reviews_take_the_level_of_what_they_review() -> None:
    table = ocebm_table()
    assert table.review_level(["rct"]) == 1
    assert table.review_level(["cohort"]) == 3
    assert table.review_level(["rct", "case_series"]) == 4
    assert table.review_level([]) is None
    assert table.review_level(["preclinical"]) is None


def test_file_is_canonically_formatted() -> None:
    text = resources.files("jakatlas.data").joinpath(OCEBM_FILE).read_text(encoding="utf-8")
    assert text == canonical_json(json.loads(text))


def test_a_missing_design_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from jakatlas.data import ocebm

    real = ocebm.load_records

    def fewer(name: str, model: type) -> list:  # type: ignore[type-arg]
        return [r for r in real(name, model) if r.design != "cohort"]

    monkeypatch.setattr(ocebm, "load_records", fewer)
    ocebm.ocebm_table.cache_clear()
    try:
        with pytest.raises(DataFileError, match=r"^ocebm.json: no record for design\(s\) cohort; add one per design"):
            ocebm.ocebm_table()
    finally:
        ocebm.ocebm_table.cache_clear()
