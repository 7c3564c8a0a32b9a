"""Living updates: new evidence from PubMed and ClinicalTrials.gov, de-duplicated, and feeds."""

from __future__ import annotations

from jakatlas.updates.pipeline import (
    DEFAULT_START,
    SOURCES,
    SourceName,
    SourcePlan,
    SourceSummary,
    plan_update,
    run_update,
)

__all__ = ["DEFAULT_START", "SOURCES", "SourceName", "SourcePlan", "SourceSummary", "plan_update", "run_update"]
