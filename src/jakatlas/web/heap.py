"""Keep what a warmed server holds out of the garbage collector's full passes (pure ASGI)."""

from __future__ import annotations

from jakatlas.runtime import freeze_heap
from jakatlas.web.security import ASGIApp, Receive, Scope, Send

__all__ = ["HeapFreezeMiddleware"]


class HeapFreezeMiddleware:
    """Freeze the heap when the worker has served each of ``after`` requests.

    Warm-up fills the record memo, the compiled-statement cache and the templates; freezing after
    it keeps full collections short (see :func:`jakatlas.runtime.freeze_heap`). Two or three
    points suffice: each freeze is constant-time and only keeps the cycles not yet collected.
    """

    def __init__(self, app: ASGIApp, *, after: tuple[int, ...]) -> None:
        self.app = app
        self.after = frozenset(after)
        self.served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.served += 1
            if self.served in self.after:
                freeze_heap()
        await self.app(scope, receive, send)
