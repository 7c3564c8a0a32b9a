"""The curated knowledge base shipped with jakatlas, loaded lazily and validated once.

Files live next to this module (``drugs.json``, ``cytokines.json``, ``diseases.json``,
``outcomes.json``, ``evidence.json``, ``sources.json``); each is a JSON list of records in
canonical formatting (see :func:`canonical_json`). Nothing is read at import time.
"""

from __future__ import annotations

from jakatlas.data._kb import (
    DATA_FILES,
    KnowledgeBase,
    canonical_json,
    knowledge_base,
    load_records,
)

__all__ = ["DATA_FILES", "KnowledgeBase", "canonical_json", "knowledge_base", "load_records"]
