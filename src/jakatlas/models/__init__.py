"""Typed records shared by every layer: the knowledge base and the evidence contract."""

from __future__ import annotations

from jakatlas.models.evidence import *  # noqa: F403
from jakatlas.models.evidence import __all__ as _ev
from jakatlas.models.knowledge import *  # noqa: F403
from jakatlas.models.knowledge import __all__ as _kb

__all__ = [*_ev, *_kb]
