"""Every request passes through ``Guard``: the security headers on every answer; a Host
header that is a host name or address and an optional port, nothing else; with no token,
only the loopback names as Host (a web page cannot rebind its name to this machine);
POSTs from another site refused; and, with a token, every page and API call needs
``Authorization: Bearer TOKEN`` or a session cookie the sign-in form sets.

The token is compared in constant time and never logged; wrong ones are slowed per client
address, and a session is a random id signed with a key of its own (both in ``signin``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from sheetsync.serve.observe import Metrics, event
from sheetsync.serve.pages import LIVE_HASH
from sheetsync.serve.signin import COOKIE, Sessions, Throttle, same

log = logging.getLogger("sheetsync.serve")

OPEN_PATHS = ("/health", "/login")  # answer without a token (health says only "ok")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_FORM = 4096  # bytes
CSP = ("default-src 'self'; "
       f"script-src '{LIVE_HASH}'; "
       "style-src 'self' 'unsafe-inline'; "  # the report's <style> and the charts' SVG styles
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

Scope = dict[str, Any]


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


# -- the guard ---------------------------------------------------------------------------


class Guard:
    """ASGI middleware in front of the whole app; counts every answer by route and
    status."""

    def __init__(self, app: Any, token: str | None, host: str,
                 sessions: Sessions | None = None, throttle: Throttle | None = None,
                 metrics: Metrics | None = None) -> None:
        self.app = app
        self.token = token
        self.names = {*LOOPBACK_NAMES, host.lower()}
        self.sessions = sessions or (Sessions(token) if token else None)
        self.throttle = throttle or Throttle()
        self.metrics = metrics or Metrics()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        status = 500

        async def send_secured(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            refusal = await self.refusal(scope, headers)
            if refusal is not None:
                await _answer(send_secured, *refusal)
                return
            await self.app(scope, receive, send_secured)
        finally:
            self.metrics.answered(self.route(scope), status)

    def route(self, scope: Scope) -> str:
        """The route's path as declared (``/districts/{district_id}``), so the metrics
        have one series per route, whatever the ids asked for; ``other`` for no route."""
        from starlette.routing import Match

        route = scope.get("route")
        if route is None:  # refused before routing: find the route it would have reached
            route = next((r for r in getattr(self.app, "routes", ())
                          if r.matches(scope)[0] is Match.FULL), None)
        return str(getattr(route, "path", "other"))

    async def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[Any, ...] | None:
        """Why this request gets no further, as (status, body, content type, headers)."""
        host = parse_host(headers.get("host", "")) if "host" in headers else ""
        if host is None:
            return 400, {"detail": "The Host header is not a host name and port."}
        if self.token is None and host not in self.names:
            return 421, {"detail": "This service answers only to its loopback address."}
        if scope["method"] not in SAFE_METHODS and cross_site(headers):
            return 403, {"detail": "Refused: the request came from another site."}
        if self.token is None or scope["path"] in OPEN_PATHS:
            return None
        if await self.allowed(scope, headers):
            return None
        if scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            target = "/login?next=" + quote(scope["path"], safe="/")
            return 303, b"", "text/plain", [(b"location", target.encode())]
        return 401, {"detail": "Sign in: send Authorization: Bearer TOKEN."}, \
            "application/json", [(b"www-authenticate", b'Bearer realm="sheetsync"')]

    async def allowed(self, scope: Scope, headers: dict[str, str]) -> bool:
        """True for the right token or a valid session."""
        assert self.token is not None and self.sessions is not None
        cookie = _cookies(headers.get("cookie", "")).get(COOKIE, "")
        if cookie and self.sessions.valid(cookie):
            return True
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return await self.check_token(client_address(scope), given.strip())

    async def check_token(self, client: str, given: str) -> bool:
        """``given`` against the token, for ``client``, slowed by the wrong ones before."""
        token = self.token
        assert token is not None
        right, burst = await self.throttle.check(client, lambda: same(given, token))
        if right:
            return True
        self.metrics.sign_in_failures.inc()
        if burst:
            event(log, "sign_in.failed", "a wrong token from %s; more from it are slowed "
                  "and counted (sheetsync_sign_in_failures_total), not logged, until none "
                  "comes for %.0f minutes", client, Throttle.QUIET / 60,
                  level=logging.WARNING, client=client)
        return False



def cross_site(headers: dict[str, str]) -> bool:
    """A browser says where a request came from (Sec-Fetch-Site, Origin); another site's
    page may not make this service pull or sign in. Programs that send neither pass."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != \
        headers.get("host", "").lower()


async def _answer(send: Any, status: int, body: Any, content_type: str = "application/json",
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()),
                            (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
                   r"(?::[0-9]{1,5})?")


def parse_host(value: str) -> str | None:
    """The host name of a Host header (lower case; an IPv6 address in brackets), or None
    when it is anything but a name or address and an optional port: no user part
    (``127.0.0.1:8712@evil.example``), nothing after the brackets (``[::1]evil``), no
    spaces."""
    match = _HOST.fullmatch(value)
    if match is None:
        return None
    name = match[1].lower()
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    return name


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        out[name] = value
    return out


# -- the login form --------------------------------------------------------------------

def login_page(next_path: str, failed: bool = False) -> str:
    wrong = '<p role="alert">That token is not right.</p>' if failed else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - sheetsync</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;}}
input,button{{font-size:1rem;padding:.4rem;}}</style></head>
<body><main><h1>sheetsync</h1>{wrong}
<form method="post" action="/login">
<input type="hidden" name="next" value="{escape(next_path)}">
<p><label>Token <input type="password" name="token" autocomplete="current-password"
required autofocus></label></p>
<p><button type="submit">Sign in</button></p></form></main></body></html>
"""


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def read_form(body: bytes) -> dict[str, str]:
    fields = parse_qs(body[:MAX_FORM].decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}

