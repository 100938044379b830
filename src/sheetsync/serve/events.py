"""Server-sent events: each open page hears ``pull`` with the store's new version when a
pull lands, and fetches itself again (``live.js``). Pulls run in another thread, so they
``publish`` through the event loop; a stream ends when the service stops."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

KEEPALIVE = 15.0  # seconds: a comment line keeps proxies from closing an idle stream


class Broker:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.version = ""
        self.payload: dict[str, Any] = {}
        self._changed: asyncio.Event | None = None  # replaced by a new one at each change
        self.closed = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._changed = asyncio.Event()

    def publish(self, version: str, payload: dict[str, Any]) -> None:
        """From any thread: a pull landed; the pages are at ``version``."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._set, version, payload)

    def close(self) -> None:
        """From any thread: end every stream (the service is stopping)."""
        self.closed = True
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake)

    def _set(self, version: str, payload: dict[str, Any]) -> None:
        self.version, self.payload = version, payload
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        if changed is not None:
            changed.set()

    async def stream(self, seen: str) -> AsyncIterator[str]:
        """The event stream of one page, which shows version ``seen``."""
        yield f"retry: 5000\nevent: hello\ndata: {json.dumps({'version': self.version})}\n\n"
        while not self.closed:
            if self.version != seen:
                seen = self.version
                yield f"event: pull\ndata: {json.dumps({'version': seen, **self.payload})}\n\n"
                continue
            assert self._changed is not None
            try:
                await asyncio.wait_for(self._changed.wait(), KEEPALIVE)
            except TimeoutError:
                yield ": keepalive\n\n"
