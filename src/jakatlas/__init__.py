"""jakatlas: a living, graded evidence atlas for JAK inhibitors in dermatology.

The public API is listed in ``__all__``; heavy parts (spaCy, statistics, plotting) are imported
on first use, so ``import jakatlas`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from jakatlas.errors import (
    AuthError,
    DataFileError,
    InputError,
    JakatlasError,
    NetworkError,
    NotFoundError,
    StatisticsError,
    StorageError,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "knowledge_base": "jakatlas.data",
    "KnowledgeBase": "jakatlas.data",
    "Atlas": "jakatlas.store.atlas",
    "ExtractionResult": "jakatlas.models.evidence",
    "Study": "jakatlas.models.evidence",
    "Drug": "jakatlas.models.knowledge",
    "Disease": "jakatlas.models.knowledge",
    "Cytokine": "jakatlas.models.knowledge",
    "OutcomeMeasure": "jakatlas.models.knowledge",
    "read_document": "jakatlas.ingest.readers",
    "extract": "jakatlas.extract",
    "extract_path": "jakatlas.extract",
    "meta_analysis": "jakatlas.synthesis.meta",
}

__all__ = [
    "__version__",
    "AuthError",
    "DataFileError",
    "InputError",
    "JakatlasError",
    "NetworkError",
    "NotFoundError",
    "StatisticsError",
    "StorageError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jakatlas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
