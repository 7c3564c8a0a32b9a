"""Attach machine-inferred directions to the outcomes an extraction found in a full text.

Where a study of an :class:`~jakatlas.models.evidence.ExtractionResult` has an intervention, a
comparator and an outcome measure, the two-stage model is asked whether the intervention
significantly increased, decreased or did not change that outcome versus the comparator, and the
answer, its probability and evidence sentence are stored on the outcome as
:class:`~jakatlas.models.evidence.InferredEffect`. Only full texts are read this way (at least
:data:`FULL_TEXT_CHARS` characters): the model was trained on full trial reports.
"""

from __future__ import annotations

from jakatlas.infer.model import InferenceModel, article_view, load_model
from jakatlas.infer.pipeline import infer_view
from jakatlas.models.evidence import ExtractionResult, InferredEffect, Span

__all__ = ["FULL_TEXT_CHARS", "attach_inferences"]

FULL_TEXT_CHARS = 5000


def attach_inferences(result: ExtractionResult, text: str, *, model: InferenceModel | None = None,
                      min_chars: int = FULL_TEXT_CHARS) -> ExtractionResult:
    """A copy of ``result`` whose comparative outcomes carry an inferred direction (``text`` is the
    document text the result's offsets index). Shorter texts are returned unchanged."""
    if len(text) < min_chars or not any(s.interventions and s.comparators and s.outcomes for s in result.studies):
        return result
    model = model or load_model()
    view = article_view(text)
    out = result.model_copy(deep=True)
    for study in out.studies:
        if not (study.interventions and study.comparators):
            continue
        comparator = study.comparators[0].name
        for outcome in study.outcomes:
            intervention = outcome.arm or study.interventions[0].name
            res = infer_view(view, intervention, comparator, outcome.measure, model)
            top = res.evidence[0]
            outcome.inferred = InferredEffect(
                label=res.label,  # type: ignore[arg-type]
                probability=res.probabilities[res.label], intervention=intervention, comparator=comparator,
                evidence=top.text, evidence_span=Span(start=top.start, end=top.end),
            )
    return out
