"""Every request passes through ``Guard``: the security headers on every answer; with no
token, only the loopback names as Host (a web page cannot rebind its name to this
machine); POSTs from another site refused; and, with a token, every page and API call
needs ``Authorization: Bearer TOKEN`` or the cookie the login form sets.

The token is compared in constant time and never logged; the cookie holds a keyed digest
of it, not the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from sheetsync.serve.pages import LIVE_HASH

COOKIE = "sheetsync_session"
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


def session_value(token: str) -> str:
    """What the login cookie holds: a digest keyed by the token (not the token)."""
    return hmac.new(token.encode(), b"sheetsync session", hashlib.sha256).hexdigest()


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class Guard:
    """ASGI middleware in front of the whole app."""

    def __init__(self, app: Any, token: str | None, host: str) -> None:
        self.app = app
        self.token = token
        self.names = {*LOOPBACK_NAMES, host.lower()}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await _answer(send_secured, *refusal)
            return
        await self.app(scope, receive, send_secured)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[Any, ...] | None:
        """Why this request gets no further, as (status, body, content type, headers)."""
        if self.token is None and _hostname(headers.get("host", "")) not in self.names:
            return 421, {"detail": "This service answers only to its loopback address."}
        if scope["method"] not in SAFE_METHODS and cross_site(headers):
            return 403, {"detail": "Refused: the request came from another site."}
        if self.token is None or scope["path"] in OPEN_PATHS or self.allowed(headers):
            return None
        if scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            target = "/login?next=" + quote(scope["path"], safe="/")
            return 303, b"", "text/plain", [(b"location", target.encode())]
        return 401, {"detail": "Sign in: send Authorization: Bearer TOKEN."}, \
            "application/json", [(b"www-authenticate", b'Bearer realm="sheetsync"')]

    def allowed(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and same(given.strip(), self.token):
            return True
        cookie = _cookies(headers.get("cookie", "")).get(COOKIE, "")
        return bool(cookie) and same(cookie, session_value(self.token))


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


def _hostname(host: str) -> str:
    host = host.lower()
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


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


def login_cookie(token: str) -> str:
    return (f"{COOKIE}={session_value(token)}; HttpOnly; SameSite=Strict; Path=/; "
            "Max-Age=2592000")
