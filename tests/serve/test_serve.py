"""`sheetsync serve`: every route, the API equal to `pull --json` and `check --json`, the
safe defaults (loopback, cross-site refusal, escaping, 404 for ids that are not the
cohort's, security headers) through the app in process (``app``); what needs the real
process on a free loopback port (``service``): paths sent exactly as written, the event
stream, pulls, the store's lock shared with the CLI, a cohort file edited while it runs,
SIGTERM."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetsync.cohort.store import store_lock
from sheetsync.errors import Busy
from tests.serve.inprocess import InProcess
from tests.serve_process import Service, copy_cohort, sheetsync

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")
pytest.importorskip("uvicorn", reason="sheetsync serve needs uvicorn")

SCRIPT_NAME = "<script>alert('x')</script> Barren & Co"
ROUTES = ["/", "/districts/KY-001", "/api/summary", "/api/districts/KY-001", "/health",
          "/openapi.json"]


@pytest.fixture(scope="module")
def served_dir(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cohort, unpulled, with a district whose name is a script: the module's
    service serves it."""
    folder = tmp_path_factory.mktemp("serve") / "cohort"
    toml = copy_cohort(examples, folder)
    toml.write_text(toml.read_text().replace('"Barren County"', json.dumps(SCRIPT_NAME)))
    return folder


@pytest.fixture(scope="module")
def app(served_dir: Path) -> InProcess:
    """The app in process on the cohort, pulled (by the real service, or here)."""
    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull

    cohort = load_cohort(served_dir / "cohort.toml")
    if not cohort.store_path.exists():
        pull(cohort)
    return InProcess(served_dir / "cohort.toml")


@pytest.fixture(scope="module")
def service(served_dir: Path) -> Iterator[Service]:
    with Service(served_dir) as s:
        yield s


@pytest.fixture
def own_service(examples: Path, tmp_path: Path) -> Iterator[Service]:
    """A service of its own, on a cohort the test may change."""
    with Service(Path(copy_cohort(examples, tmp_path / "cohort")).parent) as s:
        yield s


def names(served_dir: Path) -> list[str]:
    return re.findall(r'^name = "(.*)"$', (served_dir / "cohort.toml").read_text(), re.M)[1:]


# -- pages --------------------------------------------------------------------------------


def test_dashboard_shows_every_district_linked_to_its_page(app: InProcess,
                                                           served_dir: Path) -> None:
    page = app.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for d in range(1, 7):
        assert f'href="/districts/KY-00{d}"' in page.text
    assert "Adair County" in page.text and "Fayette County" in page.text


def test_pages_are_the_report_views_with_the_live_script(app: InProcess,
                                                         served_dir: Path) -> None:
    from sheetsync.cohort.file import load_cohort
    from sheetsync.cohort.store import Store
    from sheetsync.report.data import pick_month, snapshot_view
    from sheetsync.report.html import render_district

    cohort = load_cohort(served_dir / "cohort.toml")
    with Store.reader(cohort.store_path) as store:
        view = snapshot_view(store, "KY-003", "Boyle County", pick_month(store, None))
    served = app.get("/districts/KY-003").text
    script = re.search(r'<meta name="sheetsync-version"[^>]*>\n<script>.*?</script>\n',
                       served, re.S)
    assert script is not None
    assert served.replace(script[0], "") == render_district(view, home="/")


def test_district_text_is_escaped_everywhere(app: InProcess) -> None:
    for path in ("/", "/districts/KY-002"):
        text = app.get(path).text
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Barren &amp; Co" in text


@pytest.mark.parametrize("path", ["/districts/KY-999", "/districts/../etc/passwd",
                                  "/districts/..%2F..%2Fetc%2Fpasswd", "/districts/%2e%2e",
                                  "/districts/%3Cscript%3E", "/api/districts/..%2Fetc",
                                  "/api/districts/KY-999", "/districts/" + "K" * 5000])
def test_unknown_or_malformed_district_id_is_404(service: Service, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    conn.request("GET", path)  # sent as written: no client tidies the dots away
    answer = conn.getresponse()
    body = answer.read().decode()
    assert answer.status == 404, body
    assert "<script>" not in body and "root:" not in body


def test_every_answer_carries_the_security_headers(app: InProcess) -> None:
    for path in [*ROUTES, "/districts/KY-999", "/login"]:
        h = app.get(path).headers
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp), path
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer"


def test_the_inline_script_is_the_one_the_policy_allows(app: InProcess) -> None:
    import base64
    import hashlib

    page = app.get("/")
    script = re.search(r"<script>(.*?)</script>", page.text, re.S)
    assert script is not None and "http" not in script[1]  # fetches nothing from outside
    digest = base64.b64encode(hashlib.sha256(script[1].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]


# -- the API ------------------------------------------------------------------------------


def test_api_summary_is_exactly_pull_json(app: InProcess, served_dir: Path,
                                          service: Service) -> None:
    # the module's service pulls this cohort too (at once when it starts): its pulls over
    # first, so that the summary stored is the pull printed here, not a later one of its own
    service.pull()
    printed = sheetsync("pull", "--json", cwd=served_dir)
    assert printed.returncode == 0, printed.stderr
    answer = app.get("/api/summary")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == json.loads(printed.stdout)


def test_api_district_is_exactly_check_json(app: InProcess, served_dir: Path) -> None:
    served = app.get("/api/districts/KY-003").json()
    printed = sheetsync("check", "--json", "--as-of", served["as_of"], served["file"],
                        cwd=served_dir)
    assert json.loads(printed.stdout) == served


def test_post_pull_answers_202_with_a_status_url(service: Service) -> None:
    answer = service.post("/api/pull")
    assert answer.status_code == 202
    url = answer.json()["status_url"]
    assert answer.headers["location"] == url
    for _ in range(300):
        status = service.get(url).json()
        if status["state"] not in ("queued", "running"):
            break
    assert status["state"] == "done" and status["totals"]["districts"] == 6


def test_post_pull_with_wait_answers_when_done(service: Service) -> None:
    status = service.pull()
    assert status["state"] == "done" and status["finished_at"]
    assert status["totals"]["reused"] == 6  # nothing changed: nothing read again
    assert service.get("/api/pulls/no-such-pull").status_code == 404


def test_health_and_openapi(app: InProcess) -> None:
    assert app.get("/health").json() == {"status": "ok"}
    spec = app.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/summary", "/api/districts/{district_id}", "/api/pull",
            "/api/pulls/{job_id}", "/health"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/pull"]


def test_events_stream_says_hello_with_the_version(service: Service) -> None:
    import httpx

    with httpx.stream("GET", service.url + "/events", timeout=10) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        lines = answer.iter_lines()
        assert next(lines) == "retry: 5000"
        assert next(lines) == "event: hello"
        assert re.fullmatch(r'data: \{"version": "\d+\.\d+"\}', next(lines))


# -- safe by default ----------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null"}])
def test_cross_site_post_is_refused(app: InProcess, headers: dict[str, str]) -> None:
    answer = app.post("/api/pull", headers=headers)
    assert answer.status_code == 403
    assert "another site" in answer.json()["detail"]


def test_same_origin_post_is_taken(app: InProcess) -> None:
    answer = app.post("/api/pull", headers={"Origin": app.url,
                                                "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 202


def test_other_host_names_are_refused_without_a_token(app: InProcess) -> None:
    """A page whose name was rebound to 127.0.0.1 cannot read the dashboard."""
    answer = app.get("/", headers={"Host": "evil.example"})
    assert answer.status_code == 421
    assert app.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_non_loopback_host_is_refused_without_a_token(served_dir: Path) -> None:
    done = sheetsync("serve", "--host", "0.0.0.0", "--port", "9", cwd=served_dir,
                     env=_env_without_token(), timeout=60)
    assert done.returncode == 2
    assert "--host 0.0.0.0 would let other machines read the dashboard" in done.stderr
    assert "--token-file" in done.stderr


def test_token_file_others_can_read_is_refused(served_dir: Path, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token-0123456789abcdef\n")
    token.chmod(0o644)
    done = sheetsync("serve", "--token-file", str(token), "--port", "9", cwd=served_dir,
                     timeout=60)
    assert done.returncode == 2
    assert "chmod 600" in done.stderr and "0644" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout


def test_short_token_is_refused(served_dir: Path) -> None:
    done = sheetsync("serve", "--port", "9", cwd=served_dir,
                     env={**_env_without_token(), "SHEETSYNC_TOKEN": "short"}, timeout=60)
    assert done.returncode == 2 and "shorter than 16 characters" in done.stderr


def test_bad_pull_every_is_refused(served_dir: Path) -> None:
    done = sheetsync("serve", "--pull-every", "soon", "--port", "9", cwd=served_dir,
                     timeout=60)
    assert done.returncode == 2 and "like 30s, 15m, 1h or 1d" in done.stderr


def _env_without_token() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "SHEETSYNC_TOKEN"}


# -- the store's lock, the cohort file, failures, SIGTERM ---------------------------------


def test_a_second_pull_is_refused_while_one_holds_the_store(own_service: Service) -> None:
    folder = own_service.folder
    with store_lock(folder / ".sheetsync" / "store.sqlite", "pull"):
        printed = sheetsync("pull", cwd=folder)
        status = own_service.pull()
        with pytest.raises(Busy, match="already using"), \
                store_lock(folder / ".sheetsync" / "store.sqlite", "pull"):
            pass
    assert printed.returncode == 2
    assert "Another sheetsync process is already using" in printed.stderr
    assert "wait for it to finish" in printed.stderr
    assert status["state"] == "skipped" and "already using" in status["error"]
    assert "pull skipped" in own_service.log()
    assert own_service.pull()["state"] == "done"  # the next one goes ahead
    assert sheetsync("pull", cwd=folder).returncode == 0


def test_cohort_file_edited_is_used_at_the_next_pull(own_service: Service) -> None:
    toml = own_service.folder / "cohort.toml"
    good = toml.read_text()
    toml.write_text(good.replace('"Adair County"', '"Adair County Schools"'))
    assert own_service.pull()["state"] == "done"
    assert "Adair County Schools" in own_service.get("/").text
    assert "was changed: reloaded (6 districts)" in own_service.log()


def test_cohort_file_made_invalid_keeps_the_last_good_one(own_service: Service) -> None:
    toml = own_service.folder / "cohort.toml"
    good = toml.read_text()
    toml.write_text(good.replace("update_due_day = 30", "update_due_day = 45"))
    assert own_service.pull()["state"] == "done"
    log = own_service.log()
    assert "was changed and cannot be used" in log and "still using it as loaded at" in log
    assert "update_due_day" in log
    assert own_service.get("/").status_code == 200
    assert "Adair County" in own_service.get("/").text
    toml.write_text(good.replace('"Adair County"', '"Adair Fixed"'))
    assert own_service.pull()["state"] == "done"
    assert "Adair Fixed" in own_service.get("/").text


def test_a_failing_pull_is_logged_and_the_service_goes_on(own_service: Service) -> None:
    folder = own_service.folder
    toml = folder / "cohort.toml"
    good = toml.read_text()
    (folder / "blocked").write_text("a file where the master's folder should be")
    toml.write_text(good.replace('path = "cohort_master.xlsx"',
                                 'path = "blocked/cohort_master.xlsx"'))
    status = own_service.pull()
    assert status["state"] == "failed" and status["error"]
    assert "pull failed:" in own_service.log()
    assert own_service.get("/health").status_code == 200
    assert own_service.get("/").status_code == 200  # the last pull still shown
    toml.write_text(good)
    assert own_service.pull()["state"] == "done"


def test_sigterm_stops_it_cleanly(examples: Path, tmp_path: Path) -> None:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    s = Service(folder).wait_ready()
    code = s.stop(timeout=30)
    assert code in (0, -15), s.log()  # uvicorn raises SIGTERM again once it is done
    log = s.log()
    assert "Application shutdown complete" in log and " INFO stopped" in log
    with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "Traceback" not in log
