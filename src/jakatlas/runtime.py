"""Process-level settings for long batch jobs (``jakatlas update``, bulk ingestion) and servers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["batch_gc", "freeze_heap"]


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


def freeze_heap(*, collect: bool = False) -> None:
    """Move every object alive now to the permanent generation (:func:`gc.freeze`).

    For servers: the knowledge base, compiled statements and cached records then stay out of the
    full collections, whose pause otherwise grows with everything the server has loaded (about
    110 ms per full collection in a warmed web worker, i.e. the whole latency tail). ``collect``
    first frees unreachable cycles so that they are not kept for good; leave it off while serving,
    where a full collection is the very pause this avoids.
    """
    if collect:
        gc.collect()
    gc.freeze()
