"""Google credentials: which ones to use, loading them, and signing in.

sheetsync looks, in this order, for
1. ``--credentials PATH`` (a service-account key, or an authorized-user token file);
2. the cohort's ``[google] credentials = "PATH"`` (relative to cohort.toml);
3. ``GOOGLE_APPLICATION_CREDENTIALS``;
4. the token ``sheetsync auth login`` saved (``~/.config/sheetsync/token.json``);
5. gspread's default service-account key (``~/.config/gspread/service_account.json``).

A pull asks for read-only scopes; only commands that write ask for full ones. The token
file is written atomically with mode 0600. Nothing here prints or logs a key or a token.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click

from sheetsync.files import replacing
from sheetsync.google.address import needs_google
from sheetsync.google.client import GoogleClient, identity
from sheetsync.google.constants import FULL_SCOPES, NO_CREDENTIALS, READONLY_SCOPES
from sheetsync.google.errors import GoogleSetupError
from sheetsync.google.session import api_base_url

__all__ = ["FULL_SCOPES", "NO_CREDENTIALS", "READONLY_SCOPES", "Found", "GoogleSetupError",
           "NoCredentials", "client_for", "client_from_credentials", "config_dir",
           "find_credentials", "identity", "load_credentials", "login", "make_client",
           "save_token", "token_path"]


class CohortLike(Protocol):
    """What the adapter reads of a cohort (a ``cohort.model.Cohort``): its folder, its
    ``[google]`` table, its school year, its master and its members' sources. A protocol, so
    this package imports nothing above it."""

    @property
    def folder(self) -> Path: ...

    @property
    def google(self) -> Mapping[str, str]: ...

    @property
    def cohort(self) -> Any: ...

    @property
    def master(self) -> Any: ...

    @property
    def members(self) -> Sequence[Any]: ...


ENV_KEY = "GOOGLE_APPLICATION_CREDENTIALS"
ENV_CONFIG = "SHEETSYNC_CONFIG_DIR"


class NoCredentials(GoogleSetupError):
    """No credentials anywhere sheetsync looks."""

    def __init__(self) -> None:
        super().__init__(NO_CREDENTIALS)


def config_dir(app: str = "sheetsync") -> Path:
    """``~/.config/<app>`` (``%APPDATA%\\<app>`` on Windows); ``SHEETSYNC_CONFIG_DIR`` wins
    for sheetsync's own folder."""
    if app == "sheetsync" and os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"], app)
    return Path.home() / ".config" / app


def token_path() -> Path:
    return config_dir() / "token.json"


@dataclass(frozen=True)
class Found:
    """Where credentials were found: a file, and what pointed to it."""

    path: Path
    origin: str

    def describe(self) -> str:
        return f"{self.path} ({self.origin})"


def find_credentials(credentials_path: str | Path | None = None,
                     cohort: CohortLike | None = None) -> Found | None:
    """The first credentials file in sheetsync's order (see the module docstring)."""
    if credentials_path:
        return Found(Path(credentials_path).expanduser(), "--credentials")
    if cohort is not None and cohort.google.get("credentials"):
        path = cohort.folder / Path(cohort.google["credentials"]).expanduser()
        return Found(path, "[google] credentials")
    if os.environ.get(ENV_KEY):
        return Found(Path(os.environ[ENV_KEY]).expanduser(), ENV_KEY)
    for path, origin in ((token_path(), "sheetsync auth login"),
                         (config_dir("gspread") / "service_account.json",
                          "gspread's default key")):
        if path.is_file():
            return Found(path, origin)
    return None


def load_credentials(found: Found, scopes: Sequence[str] = READONLY_SCOPES) -> Any:
    """google-auth credentials from a service-account key or an authorized-user token."""
    try:
        info = json.loads(found.path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoogleSetupError(f"{found.describe()}: no such file") from None
    except (OSError, ValueError) as exc:
        raise GoogleSetupError(f"{found.describe()}: not a Google credentials file "
                               f"({type(exc).__name__})") from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind is None and isinstance(info, dict) and "refresh_token" in info:
        kind = "authorized_user"  # google-auth's to_json() writes no type
    try:
        if kind == "service_account":
            from google.oauth2 import service_account

            return service_account.Credentials.from_service_account_info(
                info, scopes=list(scopes))
        if kind == "authorized_user":
            from google.oauth2.credentials import Credentials

            creds = Credentials.from_authorized_user_info(info)
            _check_scopes(found, creds.scopes, scopes)
            return creds
    except ValueError as exc:  # google-auth names the missing fields, never their values
        raise GoogleSetupError(f"{found.describe()}: {exc}") from None
    raise GoogleSetupError(
        f"{found.describe()}: expected a service-account key (\"type\": \"service_account\") "
        "or a token from `sheetsync auth login`; an OAuth client file goes to "
        "`sheetsync auth login --client-secrets`")


def _check_scopes(found: Found, granted: Sequence[str] | None, needed: Sequence[str]) -> None:
    """A token's scopes cover a need when they are the same or the read-write form."""
    if granted is None:
        return
    have = set(granted)
    missing = [s for s in needed if s not in have and s.removesuffix(".readonly") not in have]
    if missing:
        raise GoogleSetupError(
            f"{found.describe()}: this sign-in allows only reading; run "
            "`sheetsync auth login --write` to allow sheetsync to write")


def make_client(cohort: CohortLike | None, credentials_path: str | Path | None = None,
                scopes: Sequence[str] = READONLY_SCOPES, **session_options: Any) -> GoogleClient:
    """The Google client for ``cohort``'s pull (raises ``NoCredentials`` when none are
    configured, ``GoogleSetupError`` when they cannot be used)."""
    found = find_credentials(credentials_path, cohort)
    if found is None:
        raise NoCredentials()
    credentials = load_credentials(found, scopes)
    base = api_base_url(cohort.google.get("api_url") if cohort is not None else None)
    year = cohort.cohort.school_year if cohort is not None else None
    return GoogleClient.from_credentials(credentials, base, school_year=year,
                                         description=found.describe(), **session_options)


def client_for(cohort: CohortLike, credentials_path: str | Path | None = None,
               write: bool = False) -> GoogleClient | None:
    """The Google client for ``cohort``'s Google districts and Google master; ``None`` when
    it needs none, or when no credentials are configured (each Google district then fails
    saying how to add them, and the local ones are pulled). Read-only scopes unless the
    cohort writes a Google master (or ``write``). ``GoogleSetupError`` when the configured
    credentials cannot be used."""
    if not needs_google(cohort, write):
        return None
    write = write or bool(cohort.master.google_sheet)
    try:
        return make_client(cohort, credentials_path, FULL_SCOPES if write else READONLY_SCOPES)
    except NoCredentials:
        return None


def client_from_credentials(credentials: Any, base_url: str | None = None,
                            **options: Any) -> GoogleClient:
    """A client for credentials in hand (tests: a bearer token for the local fake)."""
    return GoogleClient.from_credentials(credentials, base_url, **options)


# -- signing in --------------------------------------------------------------------------


def save_token(credentials: Any, path: Path | None = None) -> Path:
    """Write an OAuth token file readable by its owner only (0600), atomically."""
    path = path or token_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with replacing(path, mode=0o600) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"type": "authorized_user", **json.loads(credentials.to_json())},
                            indent=2))
        fh.flush()
        os.fsync(fh.fileno())
    return path


def login(client_secrets: Path, scopes: Sequence[str] = READONLY_SCOPES,
          open_browser: bool = True, console: bool = False, path: Path | None = None,
          api_url: str | None = None) -> tuple[str, Path]:
    """Sign in as a Google user (OAuth) and save the token; returns (e-mail, token path).

    ``console``: for a machine without a browser, print the sign-in link and read back the
    address the browser ends on (the page itself will not load; its address holds the code).
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    if not Path(client_secrets).is_file():
        raise GoogleSetupError(
            f"{client_secrets}: no OAuth client file. Create a Desktop OAuth client in the "
            "Google Cloud console (APIs & Services → Credentials) and download its JSON.")
    flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scopes))
    if console:
        credentials = _console_flow(flow)
    else:
        credentials = flow.run_local_server(port=0, open_browser=open_browser)
    client = GoogleClient.from_credentials(credentials, api_base_url(api_url))
    email = client.identity
    credentials = credentials.with_account(email) if hasattr(credentials, "with_account") \
        else credentials
    return email, save_token(credentials, path)


def _console_flow(flow: Any) -> Any:
    flow.redirect_uri = "http://localhost:1"
    url, _ = flow.authorization_url(prompt="consent")
    click.echo(f"Open this link in a browser and sign in:\n\n    {url}\n")
    answer = click.prompt("Then paste the address the browser ended on (http://localhost:1/…)")
    flow.fetch_token(authorization_response=answer.strip().replace("http://", "https://", 1))
    return flow.credentials
