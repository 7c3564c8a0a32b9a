"""Per-record renditions: a study's table row and FHIR Evidence JSON, computed once per record version.

Turning a stored study into its API row or its validated FHIR resource costs far more than
reading it (``fhir.resources`` validation alone is about 1.7 ms per Evidence). Each rendition
depends only on the record and the shipped knowledge base, so it is kept per (record id,
version, status); any change to a study bumps its version and so makes a new entry. The store
is an LRU bounded in entries (only existing records can create entries, never query strings).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from jakatlas.store.atlas import StudyRecord

__all__ = ["Renditions"]

T = TypeVar("T")


class Renditions:
    """An LRU of per-record values keyed by kind, record id, version and status."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, kind: str, rec: StudyRecord, compute: Callable[[StudyRecord], T]) -> T:
        key = (kind, rec.id, rec.version, rec.status, rec.title, rec.n, rec.evidence_level)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[no-any-return]
        value = compute(rec)
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value
