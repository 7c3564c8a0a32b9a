"""Run the two-stage evidence inference on one article for one prompt.

Stage 1 ranks the article's sentences as evidence for (intervention, comparator, outcome);
stage 2 classifies the best ones, and the label's probabilities are the evidence-weighted mean
of the top ``k`` sentences' class probabilities (weights: softmax of the stage-1 scores), as in
the pipeline of DeYoung et al. 2020 (doi:10.18653/v1/2020.bionlp-1.13) with soft top-k pooling.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from jakatlas.errors import InputError
from jakatlas.infer.corpus import LABELS
from jakatlas.infer.features import ArticleView, tokens
from jakatlas.infer.model import InferenceModel, article_view, load_model

__all__ = ["EvidenceSentence", "Inference", "infer_document", "infer_text", "infer_view"]


class EvidenceSentence(BaseModel):
    """A sentence picked as evidence: ``[start, end)`` offsets into the article text."""

    start: int
    end: int
    text: str
    score: float = Field(description="stage-1 evidence probability")
    label: str = Field(description="stage-2 label of this sentence alone")


class Inference(BaseModel):
    """The inferred effect of the intervention versus the comparator on the outcome."""

    intervention: str
    comparator: str
    outcome: str
    label: str
    probabilities: dict[str, float]
    evidence: list[EvidenceSentence]
    machine_inferred: bool = True


def _check_prompt(intervention: str, comparator: str, outcome: str) -> None:
    for name, value in (("intervention", intervention), ("comparator", comparator), ("outcome", outcome)):
        if not value.strip():
            raise InputError(f"The {name} is empty. Give it as words from the article, e.g. --{name} \"...\".")
        if not tokens(value):
            raise InputError(f"The {name} {value!r} has no words. Use the words the article uses for it.")


def infer_view(view: ArticleView, intervention: str, comparator: str, outcome: str,
               model: InferenceModel, top_k: int | None = None) -> Inference:
    """Infer from a prepared :class:`ArticleView` (reuse it across prompts of one article)."""
    _check_prompt(intervention, comparator, outcome)
    if not view.spans:
        raise InputError("The article has no text to read. Pass the full text of a trial report.")
    k = top_k or model.config.top_k
    terms = view.terms(intervention, comparator, outcome)
    scores = model.rank(view, terms)
    top = np.argsort(-scores, kind="stable")[:k]
    probs = model.classify([view.spans[i].text for i in top], terms)
    w = np.exp(scores[top] - scores[top].max())
    w /= w.sum()
    pooled = (w[:, None] * probs).sum(axis=0)
    evidence = [
        EvidenceSentence(start=view.spans[i].start, end=view.spans[i].end, text=view.spans[i].text,
                         score=round(float(1 / (1 + np.exp(-scores[i]))), 4), label=LABELS[int(np.argmax(p))])
        for i, p in zip(top, probs, strict=True)
    ]
    return Inference(
        intervention=intervention, comparator=comparator, outcome=outcome,
        label=LABELS[int(np.argmax(pooled))],
        probabilities={lab: round(float(p), 4) for lab, p in zip(LABELS, pooled, strict=True)},
        evidence=evidence,
    )


def infer_text(text: str, intervention: str, comparator: str, outcome: str, *,
               model: InferenceModel | None = None, top_k: int | None = None) -> Inference:
    """Infer from an article's plain text; evidence offsets index ``text``."""
    return infer_view(article_view(text), intervention, comparator, outcome, model or load_model(), top_k)


def infer_document(path: str | Path, intervention: str, comparator: str, outcome: str, *,
                   model: InferenceModel | None = None, top_k: int | None = None) -> tuple[str, Inference]:
    """Read ``path`` (text, HTML, PubMed XML) with :func:`jakatlas.ingest.read_document` and infer.

    Returns the document's plain text (which the evidence offsets index) and the inference.
    """
    from jakatlas.ingest import read_document

    doc = read_document(path)
    if doc.kind == "ctgov_json":
        raise InputError(f"{path}: a ClinicalTrials.gov record has no results prose to read. "
                         "Pass the article as text, HTML or PubMed XML.")
    return doc.text, infer_text(doc.text, intervention, comparator, outcome, model=model, top_k=top_k)
