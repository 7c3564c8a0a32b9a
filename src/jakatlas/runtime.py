"""Process-level settings for long batch jobs (``jakatlas update``, bulk ingestion)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["batch_gc"]

@contextmanager
def batch_gc() -> Iterator[None]:
    """Run a batch job without rescanning what was loaded before it.

    Objects alive on entry (the spaCy pipeline, the knowledge base) are moved to the permanent
    generation with :func:`gc.freeze`, so the full collections during the job only scan what the
    job allocates; undone on exit. The collection thresholds stay as they are: raising them let
    HTTP responses caught in reference cycles pile up (memory grew by each batch's size).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
