"""Bounds on what a client can make the service hold: the socket bound before any work
(so a port in use is said at once), a request's headers within ``HEADER_SECONDS`` of its
first byte (or of the connection), and its body within ``MAX_BODY`` bytes and
``BODY_SECONDS``.

The body limit is checked from Content-Length before a byte of the body is read (413),
and again while a body of unannounced length streams in; a request answered before its
body was read whole is answered with ``Connection: close``, so the rest is never read.
The service's largest body is the sign-in form's (a token and a path), so the limit is
small, and the same on every route.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from sheetsync.errors import ServeError

MAX_BODY = 4096  # bytes, on every route
BODY_SECONDS = 10.0  # a body must arrive whole within this
HEADER_SECONDS = 10.0  # a request's line and headers must arrive whole within this
MAX_HEADERS = 16384  # bytes: larger headers are refused by h11 (uvicorn answers 400)
KEEP_ALIVE = 5  # seconds an idle connection is kept between requests

log = logging.getLogger("sheetsync.serve")
Scope = dict[str, Any]


class Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a deadline on the request's headers and a cap on
    their size: uvicorn times out a connection idle between requests
    (``timeout_keep_alive``) but not one that never finishes its headers (a byte every two
    seconds), which would hold it for ever; and h11 caps only headers that arrive in
    pieces, not ones that arrive whole (431 here, either way)."""

    _deadline: asyncio.TimerHandle | None = None
    _head = 0  # bytes of the current request's line and headers so far

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self._deadline is None:
                self._arm()  # the first byte of the next request on a kept connection
            end = data.find(b"\r\n\r\n")
            self._head += end + 4 if end >= 0 else len(data)
            if self._head > MAX_HEADERS:
                self._disarm()
                self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                     b"content-length: 0\r\nconnection: close\r\n\r\n")
                self.transport.close()
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the headers are in
            self._head = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class BodyLimit:
    """ASGI middleware: every request's body read here first, whole, within the limits,
    then handed on; 413 or 408 (and the connection closed) otherwise."""

    def __init__(self, app: Any, limit: int = MAX_BODY, seconds: float | None = None,
                 refused: Any = None) -> None:
        self.app = app
        self.limit = limit
        self.seconds = seconds
        self.refused = refused or (lambda status: None)  # told each 413 and 408

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is None or length > self.limit:
            await self._refuse(send, 413 if length is not None else 400,
                               f"Request bodies here are at most {self.limit} bytes."
                               if length is not None else "Bad Content-Length.")
            return
        try:
            message = await asyncio.wait_for(self._read(receive),
                                             self.seconds or BODY_SECONDS)
        except TimeoutError:
            await self._refuse(send, 408, "The request body came too slowly.")
            return
        if message is None:
            await self._refuse(send, 413, f"Request bodies here are at most {self.limit} "
                               "bytes.")
            return
        if message["type"] == "http.disconnect":
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return message
            return dict(await receive())

        await self.app(scope, replay, send)

    async def _read(self, receive: Any) -> dict[str, Any] | None:
        """The body as one message (or the disconnect); None past the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return dict(message)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _refuse(self, send: Any, status: int, detail: str) -> None:
        self.refused(status)
        data = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": data})


def _content_length(scope: Scope) -> int | None:
    """The declared body length: 0 when none is declared, None when it is not a number."""
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else None
    return 0


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (uvicorn listens on it); ``ServeError`` saying
    why not (the port in use, the address not this machine's)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ServeError(f"--host {host}: not an address of this machine ({exc.strerror})") \
            from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is in use by another program: stop "
                             "it, or choose another port with --port") from None
        raise ServeError(f"cannot listen on {host} port {port} ({exc.strerror})") from None
    return sock
