"""Signing in: sessions and wrong tokens.

A session is a random id and its issue time signed with a key of its own (``Sessions``),
kept beside the store so a restart keeps people signed in; ``sheetsync serve
--revoke-sessions`` replaces the key, signing every browser out, and a new token does the
same. A session lasts a working day.

Wrong tokens are slowed per client address (``Throttle``): a client's tries are taken one
at a time, and after a few wrong ones each waits twice as long as the one before, on the
event loop; a burst of them is logged once (by ``auth.Guard``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import ServeError

log = logging.getLogger("sheetsync.serve")
COOKIE = "sheetsync_session"
SESSION_HOURS = 10  # a working day
SESSION_KEY = "session.key"  # beside the store
KEY_CHECK = 1.0  # seconds: how often the session key's file is looked at


def same(given: str, expected: str) -> bool:
    """Compared in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())


def session_key(path: Path, rotate: bool = False) -> bytes:
    """The sessions' key in ``path`` (made, mode 0600, if missing; made anew if
    ``rotate``)."""
    if not rotate:
        try:
            text = path.read_text(encoding="ascii").strip()
            if len(text) >= 64:
                return bytes.fromhex(text)
        except (OSError, ValueError):
            pass
    key = secrets.token_bytes(32)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key.hex().encode() + b"\n")
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        raise ServeError(f"{path}: the sessions' key cannot be written ({exc.strerror})") \
            from None
    return key


class Sessions:
    """Signed-in browsers. A cookie is ``issued.id.signature``: the time it was issued, a
    random id, and an HMAC of both under a key made from the sessions' key and the token.
    Valid for ``SESSION_HOURS``; all of them end when the key (``--revoke-sessions``) or
    the token changes. With no ``path`` the key is random and lives as long as the
    process (a restart signs everyone out)."""

    def __init__(self, token: str, path: Path | None = None,
                 clock: Any = time.time) -> None:
        self.token = token
        self.path = path
        self.clock = clock
        self._key = b""
        self._stamp: tuple[int, int] | None = None
        self._checked = -KEY_CHECK
        if path is None:
            self._key = self._derive(secrets.token_bytes(32))
        else:
            self._load()

    def _derive(self, secret: bytes) -> bytes:
        return hmac.new(secret, b"sheetsync session\0" + self.token.encode(),
                        hashlib.sha256).digest()

    def _load(self) -> None:
        assert self.path is not None
        self._key = self._derive(session_key(self.path))
        info = self.path.stat()
        self._stamp = (info.st_mtime_ns, info.st_ino)

    def key(self) -> bytes:
        """The key in force; its file looked at again at most every ``KEY_CHECK`` s."""
        now = time.monotonic()
        if self.path is not None and now - self._checked >= KEY_CHECK:
            self._checked = now
            try:
                info = self.path.stat()
                changed = (info.st_mtime_ns, info.st_ino) != self._stamp
            except OSError:  # removed: a new one is made, and everyone signs in again
                changed = True
            if changed:
                try:
                    self._load()
                except (OSError, ServeError):
                    log.exception("the sessions' key %s cannot be read or made", self.path)
                    self._key = self._derive(secrets.token_bytes(32))  # nobody signed in
        return self._key

    def new(self) -> str:
        issued, sid = str(int(self.clock())), secrets.token_urlsafe(18)
        return f"{issued}.{sid}.{self._sign(issued, sid)}"

    def valid(self, value: str) -> bool:
        issued, _, rest = value.partition(".")
        sid, _, signature = rest.partition(".")
        if not (issued.isdigit() and sid and signature):
            return False
        if not same(signature, self._sign(issued, sid)):
            return False
        return 0 <= self.clock() - int(issued) < SESSION_HOURS * 3600

    def _sign(self, issued: str, sid: str) -> str:
        return hmac.new(self.key(), f"{issued}.{sid}".encode(), hashlib.sha256).hexdigest()

    def cookie(self) -> str:
        return (f"{COOKIE}={self.new()}; HttpOnly; SameSite=Strict; Path=/; "
                f"Max-Age={SESSION_HOURS * 3600}")


# -- wrong tokens, slowed ----------------------------------------------------------------


@dataclass
class _Tries:
    failures: int = 0
    until: float = 0.0  # the next try waits until this (monotonic)
    last: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Throttle:
    """Tokens tried per client address, one at a time. After the n-th wrong one in a row
    (n > ``FREE``: typing errors), the next try waits ``FIRST_WAIT * 2**(n - FREE - 1)``
    seconds, at most ``MAX_WAIT``, before it is checked: 500 wrong tries take an hour, not
    a quarter of a second, however many connections they come on. The wait is spent on the
    event loop (no thread held). A burst ends after ``QUIET`` seconds without a wrong token,
    or with the right one; only its first wrong token is logged."""

    FREE, FIRST_WAIT, MAX_WAIT, QUIET, KEPT = 3, 0.5, 8.0, 900.0, 4096

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self.clients: OrderedDict[str, _Tries] = OrderedDict()

    async def check(self, client: str, right: Callable[[], bool]) -> tuple[bool, bool]:
        """``right()`` (the token compared) once ``client`` has waited what it owes:
        whether it was right, and whether this wrong try starts a burst."""
        tries = self.clients.get(client)
        if tries is None:
            tries = self.clients[client] = _Tries()
            while len(self.clients) > self.KEPT:
                self.clients.popitem(last=False)
        self.clients.move_to_end(client)
        async with tries.lock:
            wait = tries.until - self.clock()
            if wait > 0:
                await self.sleep(wait)
            if right():
                tries.failures, tries.until = 0, 0.0
                return True, False
            return False, self._failed(tries)

    def _failed(self, tries: _Tries) -> bool:
        now = self.clock()
        if now - tries.last > self.QUIET:
            tries.failures = 0
        tries.failures += 1
        tries.last = now
        over = tries.failures - self.FREE
        tries.until = now + (min(self.FIRST_WAIT * 2 ** (over - 1), self.MAX_WAIT)
                             if over > 0 else 0.0)
        return tries.failures == 1
