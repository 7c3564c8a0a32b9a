"""Garbage-collector settings of batch jobs (jakatlas.runtime)."""

from __future__ import annotations

import gc

import pytest

from jakatlas.runtime import batch_gc


def test_batch_gc_freezes_what_was_loaded_and_restores_everything() -> None:
    threshold = gc.get_threshold()
    loaded = [[i] for i in range(1000)]
    with batch_gc():
        assert gc.get_freeze_count() >= len(loaded)
        assert gc.get_threshold()[0] >= 20_000
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


def test_batch_gc_restores_after_an_error() -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_gc():
        raise RuntimeError("interrupted")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
