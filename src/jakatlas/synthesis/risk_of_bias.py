"""Risk of bias per study: the curated RoB 2 / ROBINS-I judgement when recorded, else a conservative
derivation from what the record says, labelled "derived", with a reason per domain.

The derivation never judges a domain "low" without a statement that supports it: randomisation
and missing outcome data are "some concerns" in a trial summary that records neither; blinding
("double-blind", "placebo-/vehicle-controlled") supports low risk for deviations and outcome
measurement, an open-label design makes outcome measurement high risk (outcomes here are
assessor- or patient-rated); a registered trial backed by a primary source makes selective
reporting low risk. For non-randomised studies (ROBINS-I) a study without a concurrent comparison
group is at critical risk of confounding, and case reports and series at critical risk of
selection (patients reported because they responded).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jakatlas.models.bias import RiskOfBias, overall_judgement
from jakatlas.models.knowledge import Source
from jakatlas.synthesis._common import has_comparator, is_placebo, study_text

__all__ = ["study_risk_of_bias"]

_BLIND = re.compile(r"double[- ]blind|triple[- ]blind|placebo[- ]controlled|vehicle[- ]controlled|masked")
_OPEN = re.compile(r"open[- ]label(?![- ](extension|period|phase|follow))|unblinded|not blinded")
_ADJUSTED = re.compile(r"\b(iptw|propensity|adjusted|matched|multivariable|inverse probability)\b")
_RETRO = re.compile(r"retrospective|chart review|registry")


def _primary(study: Any, sources: Mapping[str, Source] | None) -> bool:
    if getattr(study, "confirmed", False):
        return True
    if sources is None:
        return False
    return any(sources[t].type == "primary" for t in getattr(study, "sources", []) or [] if t in sources)


def _rob2(study: Any, text: str, sources: Mapping[str, Source] | None) -> RiskOfBias:
    blinded = bool(_BLIND.search(text)) or (any(is_placebo(c.name) for c in study.comparators)
                                            and not _OPEN.search(text))
    open_label = bool(_OPEN.search(text)) and not _BLIND.search(text)
    d: dict[str, str] = {}
    r: dict[str, str] = {}
    d["randomisation process"] = "some concerns"
    r["randomisation process"] = "allocation concealment and baseline balance are not recorded"
    if blinded:
        d["deviations from intended interventions"] = "low"
        r["deviations from intended interventions"] = "participants and carers blinded (placebo or vehicle)"
    else:
        d["deviations from intended interventions"] = "some concerns"
        r["deviations from intended interventions"] = ("open-label: participants and carers aware of the assigned "
                                                       "treatment" if open_label else "blinding not recorded")
    d["missing outcome data"] = "some concerns"
    r["missing outcome data"] = "completeness of outcome data is not recorded"
    if blinded:
        d["measurement of the outcome"] = "low"
        r["measurement of the outcome"] = "outcome assessed blind to treatment"
    elif open_label:
        d["measurement of the outcome"] = "high"
        r["measurement of the outcome"] = "open-label: assessors aware of treatment for rated outcomes"
    else:
        d["measurement of the outcome"] = "some concerns"
        r["measurement of the outcome"] = "blinding of outcome assessment not recorded"
    if study.registry_ids and _primary(study, sources):
        d["selection of the reported result"] = "low"
        r["selection of the reported result"] = "registered trial reported in a primary source"
    else:
        d["selection of the reported result"] = "some concerns"
        r["selection of the reported result"] = ("no registration recorded" if not study.registry_ids
                                                 else "results only from secondary reports")
    return RiskOfBias(tool="RoB 2", domains=d, overall=overall_judgement("RoB 2", d), basis="derived",  # type: ignore[arg-type]
                      reasons=r)


def _robins(study: Any, text: str, *, single_arm: bool = False) -> RiskOfBias:
    anecdotal = study.design in ("case_report", "case_series")
    controlled = has_comparator(study) and "historical" not in text and not single_arm
    d: dict[str, str] = {}
    r: dict[str, str] = {}
    if not controlled:
        d["confounding"], r["confounding"] = "critical", ("single-arm figures (within-arm change), no concurrent "
                                                          "comparison" if single_arm else
                                                          "no concurrent comparison group")
    elif _ADJUSTED.search(text):
        d["confounding"], r["confounding"] = "moderate", "comparison adjusted for confounders"
    else:
        d["confounding"], r["confounding"] = "serious", "no adjustment for confounders recorded"
    if anecdotal:
        d["selection of participants"] = "critical"
        r["selection of participants"] = "patients reported because of their course (case report or series)"
    elif _RETRO.search(text):
        d["selection of participants"], r["selection of participants"] = "serious", "retrospective selection"
    else:
        d["selection of participants"], r["selection of participants"] = "moderate", "prospective enrolment"
    d["classification of interventions"] = "low"
    r["classification of interventions"] = "the JAK inhibitor given is named"
    d["deviations from intended interventions"] = "no information"
    r["deviations from intended interventions"] = "co-interventions and adherence not recorded"
    d["missing data"], r["missing data"] = "no information", "completeness of data not recorded"
    if controlled:
        d["measurement of outcomes"] = "moderate"
        r["measurement of outcomes"] = "assessors aware of the treatment; the same assessment in both groups assumed"
    else:
        d["measurement of outcomes"] = "serious"
        r["measurement of outcomes"] = "outcome rated by assessors aware of the treatment, with no comparison group"
    d["selection of the reported result"] = "serious" if anecdotal else "moderate"
    r["selection of the reported result"] = ("selective reporting of favourable cases is likely" if anecdotal
                                             else "no pre-specified analysis recorded")
    return RiskOfBias(tool="ROBINS-I", domains=d, overall=overall_judgement("ROBINS-I", d), basis="derived",  # type: ignore[arg-type]
                      reasons=r)


def study_risk_of_bias(study: Any, sources: Mapping[str, Source] | None = None, *,
                       randomised_comparison: bool = True) -> RiskOfBias | None:
    """The study's curated judgement, else a derived one (RoB 2 for RCTs, ROBINS-I otherwise).

    ``randomised_comparison=False``: the figures judged are single-arm results, even from a
    randomised trial, so ROBINS-I applies (uncontrolled: critical risk of confounding). None for
    designs neither tool covers (reviews, preclinical work) or an unknown design.
    """
    curated = getattr(study, "risk_of_bias", None)
    rct = study.design == "rct" and randomised_comparison
    if curated is not None and (curated.tool == "RoB 2") == rct:
        return curated  # type: ignore[no-any-return]
    if study.design is None or study.design in ("systematic_review", "narrative_review", "preclinical", "other"):
        return None
    text = study_text(study)
    return _rob2(study, text, sources) if rct else _robins(study, text, single_arm=study.design == "rct")
