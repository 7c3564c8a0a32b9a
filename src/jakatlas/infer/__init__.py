"""Evidence inference: does the intervention significantly increase, decrease or not change an
outcome compared with the comparator, and which sentence says so.

A two-stage classical pipeline (evidence-sentence ranking, then three-way classification),
trained on the Evidence Inference 2.0 train split; see :mod:`jakatlas.infer.model`.

Example::

    from jakatlas.infer import infer_text
    res = infer_text(article, intervention="Tofacitinib", comparator="Placebo", outcome="EASI-75")
    res.label, res.probabilities, res.evidence[0].start
"""

from __future__ import annotations

from jakatlas.infer.corpus import LABELS
from jakatlas.infer.model import ModelError, load_model
from jakatlas.infer.pipeline import EvidenceSentence, Inference, infer_document, infer_text

__all__ = ["LABELS", "EvidenceSentence", "Inference", "ModelError", "infer_document", "infer_text", "load_model"]
