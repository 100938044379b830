"""The service's settings, from options and the environment, checked before it starts:
an interval people write (``30s``, ``15m``, ``1h``, ``1d``), the token (a file only its
owner can read, or ``SHEETSYNC_TOKEN``), and a host beyond loopback only with a token."""

from __future__ import annotations

import ipaddress
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from sheetsync.cohort.file import load_cohort
from sheetsync.errors import ServeError

TOKEN_VARIABLE = "SHEETSYNC_TOKEN"
MIN_TOKEN = 16  # characters: `python -c "import secrets; print(secrets.token_urlsafe())"`
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

    def __repr__(self) -> str:  # the token never reaches a log or a traceback
        token = "set" if self.token else "none"
        return (f"Settings(cohort_path={self.cohort_path!r}, host={self.host!r}, "
                f"port={self.port}, pull_every={self.pull_every}, token={token}, "
                f"remind={self.remind})")

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
    if token is not None and len(token) < MIN_TOKEN:
        where = token_file or TOKEN_VARIABLE
        raise ServeError(f"{where}: the token is shorter than {MIN_TOKEN} characters; make a "
                         "long random one, e.g. python3 -c \"import secrets; "
                         "print(secrets.token_urlsafe())\"")
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


def check_remind(settings: Settings) -> None:
    """``--remind`` sends through the cohort's ``[smtp]``: refuse to start without it."""
    cohort = load_cohort(settings.cohort_path)
    if settings.remind and cohort.smtp is None:
        raise ServeError(f"--remind sends through [smtp] in {cohort.path}, and it has none; "
                         "add host and from (see `sheetsync remind --help`)")
