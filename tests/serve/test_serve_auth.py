"""`sheetsync serve` with a token: every page and API call needs it (a Bearer header, or the
cookie the sign-in form sets), compared in constant time, never logged; beyond loopback
only with one. Through the app in process (``app``) where a request and its answer tell
it all; on the real process (``service``) for pulls, a browser's cookie jar, the log and
the host it listens on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve.inprocess import InProcess
from tests.serve_process import Service, copy_cohort

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")

TOKEN = "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"
GUARDED = ["/", "/districts/KY-001", "/api/summary", "/api/districts/KY-001", "/events",
           "/openapi.json", "/api/pulls/x"]


@pytest.fixture(scope="module")
def service(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = copy_cohort(examples, tmp_path_factory.mktemp("serve-auth") / "cohort").parent
    token = folder.parent / "token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    with Service(folder, "--token-file", str(token), token=TOKEN) as s:
        yield s


@pytest.fixture(scope="module")
def app(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> InProcess:
    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull

    toml = copy_cohort(examples, tmp_path_factory.mktemp("serve-auth-app") / "cohort")
    pull(load_cohort(toml))
    return InProcess(toml, TOKEN)


def anonymous(service: Service | InProcess, path: str, **kw: object) -> httpx.Response:
    if isinstance(service, InProcess):
        return service.request("GET", path, anonymous=True, **kw)
    return httpx.get(service.url + path, timeout=30, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", GUARDED)
def test_every_page_and_api_call_needs_the_token(app: InProcess, path: str) -> None:
    answer = anonymous(app, path)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="sheetsync"'
    wrong = anonymous(app, path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.status_code == 401


def test_the_token_opens_them(service: Service) -> None:
    for path in ("/", "/districts/KY-001", "/api/summary", "/api/districts/KY-001",
                 "/openapi.json"):
        assert service.get(path).status_code == 200, path
    assert service.pull()["state"] == "done"


def test_a_post_without_the_token_is_refused(app: InProcess) -> None:
    answer = app.post("/api/pull", anonymous=True)
    assert answer.status_code == 401


def test_health_needs_no_token_and_says_only_ok(app: InProcess) -> None:
    answer = anonymous(app, "/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_a_browser_is_sent_to_the_sign_in_form(app: InProcess) -> None:
    answer = anonymous(app, "/districts/KY-002", headers={"Accept": "text/html"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/districts/KY-002"
    form = anonymous(app, answer.headers["location"])
    assert form.status_code == 200 and 'type="password" name="token"' in form.text


def test_sign_in_sets_an_httponly_strict_cookie_that_opens_the_pages(service: Service) -> None:
    with httpx.Client(base_url=service.url, timeout=30) as browser:
        wrong = browser.post("/login", data={"token": "nope", "next": "/"})
        assert wrong.status_code == 401 and "not right" in wrong.text
        signed = browser.post("/login", data={"token": TOKEN, "next": "/districts/KY-002"})
        assert signed.status_code == 303 and signed.headers["location"] == "/districts/KY-002"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert TOKEN not in cookie  # a keyed digest of it, not the token
        assert browser.get("/districts/KY-002").status_code == 200
        assert browser.get("/api/summary").status_code == 200


def test_sign_in_goes_back_only_to_this_site(app: InProcess) -> None:
    signed = app.post("/login", anonymous=True, data={"token": TOKEN,
                                                       "next": "//evil.example/"})
    assert signed.status_code == 303 and signed.headers["location"] == "/"


def test_a_cross_site_sign_in_is_refused(app: InProcess) -> None:
    answer = app.post("/login", anonymous=True, data={"token": TOKEN},
                      headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_with_a_token_any_host_name_is_served(app: InProcess) -> None:
    answer = app.get("/api/summary", headers={"Host": "scorecards.example.org"})
    assert answer.status_code == 200


def test_the_token_is_never_logged(service: Service) -> None:
    anonymous(service, "/api/summary", headers={"Authorization": "Bearer " + TOKEN + "x"})
    httpx.post(service.url + "/login", data={"token": TOKEN + "y"}, timeout=30)
    log = service.log()
    assert "token is required" in log
    assert TOKEN not in log


def test_beyond_loopback_with_a_token_from_the_environment(examples: Path,
                                                          tmp_path: Path) -> None:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    with Service(folder, "--host", "0.0.0.0", env={"SHEETSYNC_TOKEN": TOKEN},
                 token=TOKEN) as s:
        assert anonymous(s, "/api/summary").status_code == 401
        assert s.get("/api/summary").status_code == 200
        assert "on http://0.0.0.0:" in s.log() and TOKEN not in s.log()
