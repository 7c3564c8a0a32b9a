"""Score the pipeline on a split of a corpus in the Evidence Inference 2.0 layout.

Three figures, as defined for the task (DeYoung et al. 2020, doi:10.18653/v1/2020.bionlp-1.13):
macro-F1 over the three labels for the whole pipeline (evidence found by stage 1); macro-F1
when stage 2 is given the annotated evidence spans ("oracle"; class probabilities averaged over a
prompt's spans); and evidence-identification accuracy, the share of prompts whose top-ranked
sentence overlaps an annotated span.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from jakatlas.errors import InputError
from jakatlas.infer.corpus import LABELS, Example, load_examples, read_article
from jakatlas.infer.features import ArticleView
from jakatlas.infer.model import InferenceModel, article_view, load_model
from jakatlas.infer.pipeline import infer_view

__all__ = ["EvalReport", "evaluate", "macro_f1"]


class EvalReport(BaseModel):
    split: str
    prompts: int
    articles: int
    pipeline_macro_f1: float
    oracle_macro_f1: float
    evidence_accuracy: float
    per_class_f1: dict[str, float]
    seconds: float
    prompts_per_second: float


def macro_f1(gold: list[str], pred: list[str]) -> tuple[float, dict[str, float]]:
    """Unweighted mean of the per-label F1 over :data:`LABELS` (a label never gold nor predicted scores 0)."""
    per: dict[str, float] = {}
    for lab in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        per[lab] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return sum(per.values()) / len(per), per


def oracle_label(model: InferenceModel, view: ArticleView, ex: Example) -> str:
    terms = view.terms(ex.intervention, ex.comparator, ex.outcome)
    probs = model.classify([view.text[s:e] for s, e in ex.spans], terms)
    return LABELS[int(np.argmax(probs.mean(axis=0)))]


def evaluate(root: Path, split: Path, model: InferenceModel | None = None) -> EvalReport:
    """Run the pipeline over every annotated prompt of ``split``."""
    model = model or load_model()
    examples = load_examples(root, split)
    if not examples:
        raise InputError(f"{split}: no annotated prompts for the articles it lists. Check that the split "
                         "holds PMCIDs that appear in prompts.csv and v2_annotations.csv.")
    t0 = time.perf_counter()
    views: dict[str, ArticleView] = {}
    gold, pipe, oracle, hits = [], [], [], 0
    for ex in examples:
        if ex.pmcid not in views:
            views[ex.pmcid] = article_view(read_article(root, ex.pmcid))
        view = views[ex.pmcid]
        res = infer_view(view, ex.intervention, ex.comparator, ex.outcome, model)
        top = res.evidence[0]
        hits += any(top.start < e and s < top.end for s, e in ex.spans)
        gold.append(ex.label)
        pipe.append(res.label)
        oracle.append(oracle_label(model, view, ex))
    seconds = time.perf_counter() - t0
    f1, per = macro_f1(gold, pipe)
    return EvalReport(
        split=split.name, prompts=len(examples), articles=len(views), pipeline_macro_f1=round(f1, 4),
        oracle_macro_f1=round(macro_f1(gold, oracle)[0], 4), evidence_accuracy=round(hits / len(examples), 4),
        per_class_f1={k: round(v, 4) for k, v in per.items()}, seconds=round(seconds, 2),
        prompts_per_second=round(len(examples) / seconds, 2),
    )
