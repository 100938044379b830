"""The service's settings, checked before it starts: intervals as people write them, the
token's file and length, loopback unless a token is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.errors import ServeError
from sheetsync.serve import Settings, parse_every, read_token
from sheetsync.serve.settings import check_host, is_loopback


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600),
                                               ("1d", 86400), (" 2H ", 7200)])
def test_pull_every_reads_as_people_write_it(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "1w", "h", "-5m", "1.5h", "5s"])
def test_pull_every_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ServeError):
        parse_every(text)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("example.org", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    if loopback:
        check_host(host, None)
    else:
        with pytest.raises(ServeError, match="--token-file"):
            check_host(host, None)
        check_host(host, "x" * 20)


ENV_TOKEN = "Jq7wV2mX9pLk4RtZ0sYb"  # strong enough (a repeated letter is not: see signin)
FILE_TOKEN = "hT3nQ8vW1cXe6KdM5gUa2fRy"


def test_token_from_the_environment_or_none() -> None:
    assert read_token(None, {}) is None
    assert read_token(None, {"SHEETSYNC_TOKEN": "  " + ENV_TOKEN + "\n"}) == ENV_TOKEN


def test_token_file_wins_and_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(FILE_TOKEN + "\n")
    path.chmod(0o600)
    assert read_token(path, {"SHEETSYNC_TOKEN": ENV_TOKEN}) == FILE_TOKEN
    path.chmod(0o640)
    with pytest.raises(ServeError, match="chmod 600"):
        read_token(path, {})
    with pytest.raises(ServeError, match="cannot be read"):
        read_token(tmp_path / "missing", {})


def test_the_token_never_shows_in_the_settings() -> None:
    settings = Settings(Path("cohort.toml"), token="secret-" + "c" * 20)
    assert "secret" not in repr(settings) and "secret" not in str(settings)
    assert "token=set" in repr(settings)
