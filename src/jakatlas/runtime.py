"""Process-level settings for long batch jobs (``jakatlas update``, bulk ingestion)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["batch_gc"]

# Young-generation threshold while a batch job runs: the ORM and the readers allocate many
# short-lived container objects per record, and at CPython's default (700) the collector ran
# ~1,500 times over 6,000 replayed records, including full collections of the loaded model.
_BATCH_GEN0 = 20_000


@contextmanager
def batch_gc() -> Iterator[None]:
    """Run a batch job without rescanning what was loaded before it.

    Objects alive on entry (the spaCy pipeline, the knowledge base) are moved to the permanent
    generation with :func:`gc.freeze`, so full collections during the job only scan what the job
    allocates; young collections run less often. Both are undone on exit. In the update replay
    benchmark this took garbage collection from 1.3 s to 0.1 s of a 15 s run.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], _BATCH_GEN0), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
