"""Garbage-collector settings of batch jobs (jakatlas.runtime)."""

from __future__ import annotations

import gc

import pytest

from jakatlas.runtime import batch_gc


def test_batch_gc_freezes_what_was_loaded_and_restores_everything() -> None:
    loaded = [[i] for i in range(1000)]
    with batch_gc():
        assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_freeze_count() == 0


def test_batch_gc_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError), batch_gc():
        raise RuntimeError("interrupted")
    assert gc.get_freeze_count() == 0
