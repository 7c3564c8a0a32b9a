"""NLP layer: entities, numbers and study assembly from dermatology texts about JAK inhibitors.

Public API::

    from jakatlas.extract import extract, extract_path, extract_many, is_relevant

The pipeline is ``spacy.blank("en")`` with rule-based components (see
:mod:`jakatlas.extract.pipeline`); nothing is downloaded.
"""

from __future__ import annotations

from jakatlas.extract.pipeline import (
    PIPE_NAMES,
    build_pipeline,
    documents_index,
    extract,
    extract_many,
    extract_path,
    get_pipeline,
)
from jakatlas.extract.prescreen import is_relevant

__all__ = [
    "PIPE_NAMES",
    "build_pipeline",
    "documents_index",
    "extract",
    "extract_many",
    "extract_path",
    "get_pipeline",
    "is_relevant",
]
