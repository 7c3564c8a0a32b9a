"""The one table of OCEBM 2011 levels by study design, shipped as ``ocebm.json``.

Source: OCEBM Levels of Evidence Working Group, "The Oxford 2011 Levels of Evidence", Oxford
Centre for Evidence-Based Medicine (question "Does this intervention help?"): level 1 systematic
review of randomised trials; 2 randomised trial; 3 non-randomised controlled cohort/follow-up
study; 4 case series, case-control or historically controlled studies; 5 mechanism-based
reasoning. A systematic review is graded by what it reviews. Extraction
(:func:`jakatlas.extract.design.evidence_level`) and grading
(:func:`jakatlas.synthesis.grading.ocebm_level`) both read this table, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from jakatlas.data._kb import load_records
from jakatlas.errors import DataFileError
from jakatlas.models.evidence import DESIGNS, Design

__all__ = ["OCEBM_FILE", "OcebmDesign", "OcebmTable", "ocebm_table"]

OCEBM_FILE = "ocebm.json"


class OcebmDesign(BaseModel):
    """One design's OCEBM 2011 level for treatment benefit."""

    model_config = ConfigDict(extra="forbid")

    design: Design
    label: str
    level: int | None = Field(None, ge=1, le=5, description="Level with a concurrent control group, or the "
                                                             "design's only level; null when not derivable.")
    uncontrolled_level: int | None = Field(None, ge=1, le=5, description="Level without a concurrent control "
                                                                          "group (single-arm or historical).")
    review_level: int | None = Field(None, ge=1, le=5, description="Level of a systematic review of this design.")
    rule: str = Field(description="The OCEBM rule in words.")


@dataclass(frozen=True)
class OcebmTable:
    """Design -> level lookups over the shipped records."""

    entries: dict[str, OcebmDesign]

    def entry(self, design: str | None) -> OcebmDesign | None:
        return self.entries.get(design or "")

    def level(self, design: str | None, controlled: bool | None = None) -> int | None:
        """Level of a primary study. ``controlled`` None (unknown) gives the conservative level."""
        e = self.entry(design)
        if e is None:
            return None
        if e.uncontrolled_level is not None and not controlled:
            return e.uncontrolled_level
        return e.level

    def review_level(self, reviewed: Iterable[str]) -> int | None:
        """Level of a systematic review of ``reviewed`` designs: the weakest; None when unknown."""
        levels = [e.review_level for d in reviewed if (e := self.entry(d)) is not None]
        if not levels or any(x is None for x in levels):
            return None
        return max(x for x in levels if x is not None)


@cache
def ocebm_table() -> OcebmTable:
    """The validated table (cached); every design of the evidence contract has exactly one record."""
    records = load_records(OCEBM_FILE, OcebmDesign)
    entries: dict[str, OcebmDesign] = {r.design: r for r in records}
    if len(entries) != len(records):
        raise DataFileError(OCEBM_FILE, "a design is listed twice; keep one record per design")
    missing = [d for d in DESIGNS if d not in entries]
    if missing:
        raise DataFileError(OCEBM_FILE, f"no record for design(s) {', '.join(missing)}; add one per design")
    return OcebmTable(entries)
