"""The service's settings, from options and the environment, checked before it starts:
an interval people write (``30s``, ``15m``, ``1h``, ``1d``), the token (a file only its
owner can read, or ``SHEETSYNC_TOKEN``, judged by how hard it is to guess, not by its
length), and a host beyond loopback only with a token."""

from __future__ import annotations

import importlib.util
import ipaddress
import math
import os
import re
import secrets
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import ServeError, StoreUnusable

TOKEN_VARIABLE = "SHEETSYNC_TOKEN"
MIN_TOKEN = 16  # characters: `sheetsync serve --new-token FILE` writes 43
MIN_BITS = 64.0  # the strength a token needs, as token_bits estimates it
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    cohort_path: Path
    host: str = "127.0.0.1"
    port: int = 8000
    pull_every: float = 3600.0  # seconds
    token: str | None = None
    remind: bool = False
    log_format: str = "text"  # or "json": one event per line
    publish: Path | None = None  # after each pull that changed something, the month here

    def __repr__(self) -> str:  # the token never reaches a log or a traceback
        token = "set" if self.token else "none"
        return (f"Settings(cohort_path={self.cohort_path!r}, host={self.host!r}, "
                f"port={self.port}, pull_every={self.pull_every}, token={token}, "
                f"remind={self.remind}, log_format={self.log_format!r}, "
                f"publish={self.publish!r})")

    __str__ = __repr__


def parse_every(text: str) -> float:
    """``30s``, ``15m``, ``1h`` or ``1d`` in seconds; at least 10 seconds."""
    match = _EVERY.match(text)
    if not match:
        raise ServeError(f"--pull-every {text!r} is not an interval like 30s, 15m, 1h or 1d")
    seconds = int(match[1]) * _UNITS[match[2].lower()]
    if seconds < 10:
        raise ServeError(f"--pull-every {text}: pull at most every 10 seconds")
    return float(seconds)


def read_token(token_file: Path | None, environ: dict[str, str] | None = None) -> str | None:
    """The token from ``token_file`` (which only its owner may read: mode 0600) or else
    from ``SHEETSYNC_TOKEN``; None when neither is set."""
    environ = dict(os.environ) if environ is None else environ
    token: str | None = _from_file(token_file) if token_file is not None else \
        environ.get(TOKEN_VARIABLE, "").strip() or None
    if token is not None:
        check_token(token, str(token_file or TOKEN_VARIABLE))
    return token


def check_token(token: str, where: str) -> None:
    """Refuse a token that is short or easy to guess (``token_bits`` below ``MIN_BITS``)."""
    make = "make a random one with `sheetsync serve --new-token FILE`"
    if len(token) < MIN_TOKEN:
        raise ServeError(f"{where}: the token is shorter than {MIN_TOKEN} characters; {make}")
    bits = token_bits(token)
    if bits < MIN_BITS:
        raise ServeError(f"{where}: the token is too easy to guess (about {bits:.0f} bits; "
                         f"at least {MIN_BITS:.0f} needed: repeated or sequential characters "
                         f"count little); {make}")


def token_bits(token: str) -> float:
    """About how many bits of guessing ``token`` takes: each character worth the alphabet
    of the kinds of character it uses (digits, lower and upper case, others), except that a
    character repeating or continuing the one before (``aaaa``, ``1234``, ``cba``) is worth
    one bit, and a stretch already seen (``abcXabcX``) is worth a reference back to it."""
    alphabet = (10 * any(c.isdigit() for c in token) + 26 * any(c.islower() for c in token) +
                26 * any(c.isupper() for c in token) +
                33 * any(not c.isalnum() for c in token))
    per_char = math.log2(max(alphabet, 2))
    bits, i = 0.0, 0
    while i < len(token):
        length = _seen_before(token, i)
        if length >= 3:
            bits += math.log2(i) + math.log2(length) + 1  # where and how long
            i += length
            continue
        step = ord(token[i]) - ord(token[i - 1]) if i else 99
        bits += 1.0 if abs(step) <= 1 else per_char
        i += 1
    return bits


def _seen_before(text: str, i: int) -> int:
    """The length of the longest stretch starting at ``i`` that also starts earlier (it
    may run on into ``i``, as in ``abababab``)."""
    best = 0
    for j in range(i):
        k = 0
        while i + k < len(text) and text[j + k] == text[i + k]:
            k += 1
        best = max(best, k)
    return best


def new_token(path: Path) -> str:
    """A random token (256 bits) written to ``path`` (made, never overwritten) with mode
    0600; the token."""
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ServeError(f"--new-token {path}: the file exists; remove it first, or name "
                         "another") from None
    except OSError as exc:
        raise ServeError(f"--new-token {path}: cannot be written ({exc.strerror})") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    return token


def _from_file(path: Path) -> str:
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ServeError(f"--token-file {path}: cannot be read ({exc.strerror})") from None
    if sys.platform != "win32" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ServeError(f"--token-file {path}: others can read it (mode "
                         f"{stat.S_IMODE(info.st_mode):04o}); run `chmod 600 {path}` first")
    if not text:
        raise ServeError(f"--token-file {path} is empty")
    return text


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token: str | None) -> None:
    """Listening beyond this machine needs a token; refuse otherwise."""
    if token is None and not is_loopback(host):
        raise ServeError(
            f"--host {host} would let other machines read the dashboard with no password. "
            f"Set a token first (--token-file PATH, mode 0600, or {TOKEN_VARIABLE}), or "
            "leave --host at 127.0.0.1.")


def check_publish(settings: Settings) -> None:
    """``--publish DIR`` prints PDFs (WeasyPrint) into DIR: refuse to start without either."""
    out = settings.publish
    if out is None:
        return
    if importlib.util.find_spec("weasyprint") is None:
        raise ServeError("--publish prints the board reports as PDFs, which needs WeasyPrint: "
                         "pip install 'sheetsync-scorecard[report]'")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise ServeError(f"--publish {out}: cannot write there ({exc.strerror or exc})") \
            from None


def check_remind(settings: Settings) -> None:
    """``--remind`` sends through the cohort's ``[smtp]``: refuse to start without it."""
    cohort = load_cohort(settings.cohort_path)
    if settings.remind and cohort.smtp is None:
        raise ServeError(f"--remind sends through [smtp] in {cohort.path}, and it has none; "
                         "add host and from (see `sheetsync remind --help`)")


def store_problem(path: Path) -> StoreUnusable | None:
    """Why the store at ``path`` cannot be used (SQLite's quick check included), or None.
    A store not made yet is fine: the first pull makes it."""
    if not path.exists():
        return None
    try:
        Store.reader(path, check=True).close()
    except StoreUnusable as exc:
        return exc
    return None
