"""``sheetsync serve``: the scheduled pulls, the live dashboard and the JSON API."""

from __future__ import annotations

from pathlib import Path

import click

from sheetsync.cli.exit import Command, Failure
from sheetsync.cohort.file import load_cohort
from sheetsync.serve import Settings, parse_every, read_token
from sheetsync.serve.settings import check_host, check_publish, check_remind, new_token
from sheetsync.serve.signin import SESSION_KEY, session_key


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
@click.option("--publish", "publish_dir", type=click.Path(file_okay=False, path_type=Path),
              help="After each pull that read something, publish the month into DIR "
                   "(as `sheetsync publish -o DIR`: only what changed is written).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one JSON event per line, for a log collector.")
@click.option("--new-token", "new_token_file", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write a new random token to FILE (mode 0600) and exit.")
@click.option("--revoke-sessions", is_flag=True,
              help="Sign every browser out (a new sessions' key beside the store) and exit.")
def serve(cohort_path: Path, host: str, port: int, pull_every: str, token_file: Path | None,
          remind: bool, publish_dir: Path | None, log_format: str, new_token_file: Path | None,
          revoke_sessions: bool) -> None:
    """Pull on a schedule and serve the dashboard (/), the JSON API (/api/...) and
    metrics (/metrics).

    Listens on 127.0.0.1 unless a token is set; with one, every page and API call needs
    `Authorization: Bearer TOKEN` (browsers get a sign-in form). Stop with Ctrl+C or
    SIGTERM. Install with `pip install 'sheetsync-scorecard[serve]'`.
    """
    try:
        import prometheus_client  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise Failure("sheetsync serve needs Starlette, uvicorn and prometheus_client: "
                      "pip install 'sheetsync-scorecard[serve]'") from None
    from sheetsync.serve.app import run

    try:
        if new_token_file is not None:
            new_token(new_token_file)
            click.echo(f"Wrote a new token to {new_token_file} (mode 0600); start with "
                       f"--token-file {new_token_file}.")
            return
        if revoke_sessions:
            click.echo(_revoke(cohort_path))
            return
        token = read_token(token_file)
        check_host(host, token)
        settings = Settings(cohort_path, host, port, parse_every(pull_every), token, remind,
                            log_format, publish_dir)
        check_remind(settings)
        check_publish(settings)
        run(settings)
    except KeyboardInterrupt:  # uvicorn raises SIGINT again once it stopped cleanly
        raise SystemExit(130) from None


def _revoke(cohort_path: Path) -> str:
    path = load_cohort(cohort_path).store_path.parent / SESSION_KEY
    session_key(path, rotate=True)
    return (f"Every browser is signed out ({path} replaced); a service running on this "
            "cohort takes the new key within a second.")
