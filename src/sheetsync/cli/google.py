"""``sheetsync auth``: sign in to Google, and check which districts' sheets can be opened.

``google_option`` and ``client_for`` are what other commands (``pull``) use to get a
Google client. Like every command, these only parse options, call the library and print.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sheetsync.cli.exit import EXIT_CANNOT_OPEN, Group, library_errors
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.google.address import needs_google


def google_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--credentials PATH``: the Google key or token file to use."""
    return click.option(
        "--credentials", "credentials", type=click.Path(dir_okay=False, path_type=Path),
        help="Google service-account key (or `sheetsync auth login` token) to use. Default: "
             "[google] credentials in cohort.toml, GOOGLE_APPLICATION_CREDENTIALS, the "
             "`auth login` token, then gspread's service_account.json.")(f)


def client_for(cohort: Cohort, credentials: Path | None, write: bool = False) -> Any:
    """``google.auth.client_for``, its errors said as a command's (see there) even when a
    caller runs it outside a command. ``None`` before anything of Google's is imported when
    the cohort has no Google source or master (the fast start of a local cohort's pull)."""
    if not needs_google(cohort, write):
        return None
    from sheetsync.google.auth import client_for as library_client_for

    with library_errors():
        return library_client_for(cohort, credentials, write=write)


@click.group(cls=Group)
def auth() -> None:
    """Google sign-in: who sheetsync reads Google Sheets as."""


@auth.command()
@click.option("--client-secrets", type=click.Path(dir_okay=False, path_type=Path),
              help="The OAuth client (Desktop app) JSON from the Google Cloud console. "
                   "Default: client_secrets.json in sheetsync's config folder, else gspread's "
                   "credentials.json.")
@click.option("--write", is_flag=True,
              help="Allow writing (masters, templates, distribution); default is read-only.")
@click.option("--no-browser", is_flag=True, help="Print the sign-in link instead of opening it.")
@click.option("--console", is_flag=True,
              help="No browser on this machine: sign in elsewhere and paste the address back.")
def login(client_secrets: Path | None, write: bool, no_browser: bool, console: bool) -> None:
    """Sign in as a Google user and save the token (~/.config/sheetsync/token.json)."""
    from sheetsync.google import auth as g

    defaults = [g.config_dir() / "client_secrets.json",
                g.config_dir("gspread") / "credentials.json"]
    secrets = client_secrets or next((p for p in defaults if p.is_file()), defaults[0])
    email, path = g.login(secrets, g.FULL_SCOPES if write else g.READONLY_SCOPES,
                          open_browser=not no_browser, console=console)
    access = "read and write" if write else "read-only"
    click.echo(f"Signed in as {email} ({access}). Token saved to {path}.")


@auth.command()
def logout() -> None:
    """Forget the token `sheetsync auth login` saved."""
    from sheetsync.google.auth import token_path

    path = token_path()
    if path.exists():
        path.unlink()
        click.echo(f"Removed {path}.")
    else:
        click.echo("Not signed in; nothing to remove.")


@auth.command()
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@google_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(cohort_path: Path | None, credentials: Path | None, as_json: bool) -> None:
    """Say which Google identity is in use and which districts it cannot open.

    Exits 0 when every Google district can be opened, 3 when some cannot, 2 when there
    are no usable credentials.
    """
    from sheetsync.google.auth import make_client
    from sheetsync.read.google import check_access

    cohort = load_cohort(cohort_path)
    result = check_access(cohort, make_client(cohort, credentials))
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(_render(result))
    raise SystemExit(EXIT_CANNOT_OPEN if any(not d["ok"] for d in result["districts"]) else 0)


def _render(result: dict[str, Any]) -> str:
    lines = [f"Google identity: {result['identity']} ({result['kind']})",
             f"Credentials: {result['credentials'] or 'given'}"]
    if result["api_url"] != "Google":
        lines.append(f"API address: {result['api_url']}")
    districts = result["districts"]
    blocked = [d for d in districts if not d["ok"]]
    lines.append(f"{len(districts)} Google districts: {len(districts) - len(blocked)} can be "
                 f"opened, {len(blocked)} cannot.")
    for d in blocked:
        lines.append(f"  {d['id']}  {d['name']}: {d['reason']}")
    if blocked:
        lines.append(f"Share each sheet with {result['identity']} (Viewer is enough).")
    return "\n".join(lines)
