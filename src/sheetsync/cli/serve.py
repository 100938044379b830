"""``sheetsync serve``: the scheduled pulls, the live dashboard and the JSON API."""

from __future__ import annotations

from pathlib import Path

import click

from sheetsync.cli.exit import Command, Failure
from sheetsync.serve import Settings, parse_every, read_token
from sheetsync.serve.settings import check_host, check_remind


@click.command(cls=Command)
@click.option("--cohort", "cohort_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("cohort.toml"), help="The cohort file (default: ./cohort.toml).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Where to listen; beyond loopback only with a token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--pull-every", default="1h", show_default=True, metavar="INTERVAL",
              help="How often to pull: 30s, 15m, 1h, 1d.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file holding the access token (mode 0600); else SHEETSYNC_TOKEN.")
@click.option("--remind", is_flag=True,
              help="After each pull past the due day, send the reminders due ([smtp]).")
def serve(cohort_path: Path, host: str, port: int, pull_every: str, token_file: Path | None,
          remind: bool) -> None:
    """Pull on a schedule and serve the dashboard (/) and the JSON API (/api/...).

    Listens on 127.0.0.1 unless a token is set; with one, every page and API call needs
    `Authorization: Bearer TOKEN` (browsers get a sign-in form). Stop with Ctrl+C or
    SIGTERM. Install with `pip install 'sheetsync-scorecard[serve]'`.
    """
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise Failure("sheetsync serve needs Starlette and uvicorn: "
                      "pip install 'sheetsync-scorecard[serve]'") from None
    from sheetsync.serve.app import run

    token = read_token(token_file)
    check_host(host, token)
    settings = Settings(cohort_path, host, port, parse_every(pull_every), token, remind)
    check_remind(settings)
    run(settings)

