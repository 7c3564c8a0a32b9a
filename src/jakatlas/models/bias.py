"""Risk-of-bias judgements per study: RoB 2 for randomised trials, ROBINS-I for non-randomised ones.

RoB 2: Sterne et al., BMJ 2019;366:l4898 (five domains; low / some concerns / high; overall high
if any domain is high, low only if all are low). ROBINS-I: Sterne et al., BMJ 2016;355:i4919
(seven domains; low / moderate / serious / critical / no information; overall the most severe
domain). A judgement is ``curated`` when a person recorded it from the publication, ``derived``
when the atlas inferred it conservatively from what the record says (with the reason per domain).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ROB2_DOMAINS", "ROBINS_I_DOMAINS", "SEVERITY", "RiskOfBias", "overall_judgement"]

Tool = Literal["RoB 2", "ROBINS-I"]
Judgement = Literal["low", "some concerns", "high", "moderate", "serious", "critical", "no information"]

ROB2_DOMAINS: tuple[str, ...] = ("randomisation process", "deviations from intended interventions",
                                 "missing outcome data", "measurement of the outcome",
                                 "selection of the reported result")
ROBINS_I_DOMAINS: tuple[str, ...] = ("confounding", "selection of participants", "classification of interventions",
                                     "deviations from intended interventions", "missing data",
                                     "measurement of outcomes", "selection of the reported result")
_SCALES: dict[str, tuple[str, ...]] = {"RoB 2": ("low", "some concerns", "high"),
                                       "ROBINS-I": ("low", "moderate", "serious", "critical", "no information")}
_DOMAINS = {"RoB 2": ROB2_DOMAINS, "ROBINS-I": ROBINS_I_DOMAINS}
SEVERITY: dict[str, int] = {"low": 0, "some concerns": 1, "moderate": 1, "high": 2, "serious": 2, "critical": 3,
                            "no information": 0}
"""Ordering used for GRADE: 2 = serious risk of bias (RoB 2 high, ROBINS-I serious), 3 = critical."""


def overall_judgement(tool: str, domains: dict[str, str]) -> str:
    """The tool's overall rule: RoB 2 high if any high, low if all low; ROBINS-I the worst domain."""
    values = list(domains.values())
    if tool == "RoB 2":
        return "high" if "high" in values else "low" if all(v == "low" for v in values) else "some concerns"
    known = [v for v in values if v != "no information"]
    return max(known, key=lambda v: SEVERITY[v]) if known else "no information"


class RiskOfBias(BaseModel):
    """One study's risk-of-bias judgement by domain, with the overall judgement and its basis."""

    model_config = ConfigDict(extra="forbid")

    tool: Tool
    domains: dict[str, Judgement] = Field(description="Judgement per domain of the tool.")
    overall: Judgement
    basis: Literal["curated", "derived"] = Field("curated", description="Recorded by a person, or derived.")
    reasons: dict[str, str] = Field(default_factory=dict, description="Why, per domain (required when derived).")
    sources: list[str] = Field(default_factory=list, description="Source tags of a curated judgement.")

    @model_validator(mode="after")
    def _consistent(self) -> RiskOfBias:
        if set(self.domains) != set(_DOMAINS[self.tool]):
            raise ValueError(f"{self.tool} needs exactly the domains {', '.join(_DOMAINS[self.tool])}")
        scale = _SCALES[self.tool]
        bad = [f"{d}: {v}" for d, v in [*self.domains.items(), ("overall", self.overall)] if v not in scale]
        if bad:
            raise ValueError(f"{self.tool} judgements are {', '.join(scale)}; got {'; '.join(bad)}")
        if self.overall != overall_judgement(self.tool, dict(self.domains)) and self.basis == "derived":
            raise ValueError("a derived overall judgement must follow the tool's rule")
        if self.basis == "curated" and not self.sources:
            raise ValueError("a curated judgement names its sources")
        return self

    @property
    def summary(self) -> str:
        """'RoB 2 (derived): some concerns' with the domains that drive it."""
        worst = [d for d, v in self.domains.items() if v == self.overall and v != "low"]
        tail = f" ({', '.join(worst)})" if worst else ""
        return f"{self.tool} ({self.basis}): {self.overall}{tail}"
