"""What an operator sees: errors with their cause (a traceback for the unexpected, one line
for the expected), JSON events, /metrics behind the token; the scheduler driven in process
with a pull worker of the test's own."""

from __future__ import annotations

import ast
import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")

from sheetsync.errors import PullFailed, PullRefused
from sheetsync.serve.app import Service
from sheetsync.serve.observe import JsonFormatter, Metrics
from sheetsync.serve.scheduler import Job, Scheduler
from sheetsync.serve.settings import Settings
from sheetsync.serve.worker import Child, Pulled, RemoteTraceback, WorkerCrashed
from tests.serve.inprocess import app_of, client

SERVE = Path(__file__).parents[2] / "src" / "sheetsync" / "serve"
TOKEN = "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"
TOTALS = {"districts": 6, "read": 4, "reused": 1, "failed": 1}


class Worker:
    """A pull worker that answers what the test says."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)

    def pull(self, cohort: Any) -> tuple[Pulled, float]:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer, 0.25

    def close(self, wait: bool = False) -> None:
        pass


def scheduler(toml: Path, *answers: Any) -> Scheduler:
    s = Scheduler(Settings(toml))
    s.worker = Worker(*answers)  # type: ignore[assignment]
    return s


def json_log() -> tuple[logging.Handler, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("sheetsync").addHandler(handler)
    logging.getLogger("sheetsync").setLevel(logging.INFO)
    return handler, out


def events(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def log_json() -> Any:
    handler, out = json_log()
    yield out
    logging.getLogger("sheetsync").removeHandler(handler)


# -- errors keep their cause --------------------------------------------------------------


def test_a_bug_in_the_pull_is_logged_with_its_traceback(pulled: Path, log_json: io.StringIO,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    s = scheduler(pulled, TypeError("unsupported operand type(s) for +: 'int' and 'str'"))
    job = Job("api")
    s.tick(job)
    assert job.state == "failed" and job.error.startswith("TypeError")
    [error] = [e for e in events(log_json) if e["level"] == "error"]
    assert error["event"] == "pull.error" and "TypeError" in error["traceback"]
    assert "Traceback (most recent call last)" in error["traceback"]
    assert "test_serve_observe.py" in error["traceback"]  # where it was raised


def test_an_expected_failure_is_one_line(pulled: Path, log_json: io.StringIO) -> None:
    s = scheduler(pulled, PullFailed("cohort_master.xlsx cannot be written"),
                  PullRefused("Another sheetsync process is already using the store"))
    for _ in range(2):
        s.tick(Job("api"))
    failed, skipped = [e for e in events(log_json) if e["level"] in ("error", "warning")]
    assert failed["event"] == "pull.failed" and "traceback" not in failed
    assert failed["message"] == ("pull failed: cohort_master.xlsx cannot be written; trying "
                                 "again at the next tick")
    assert skipped["event"] == "pull.skipped" and "traceback" not in skipped


def _type_error() -> None:
    return 1 + "x"  # type: ignore[operator,func-returns-value]


def _refused() -> None:
    from sheetsync.errors import NotWritable

    raise NotWritable(Path("m.xlsx"), "the master", "m.xlsx cannot be written")


def test_the_worker_sends_back_the_traceback_of_a_bug_and_the_message_of_an_error() -> None:
    child = Child()
    try:
        with pytest.raises(WorkerCrashed, match="TypeError") as crashed:
            child.call(_type_error)
        cause = crashed.value.__cause__
        assert isinstance(cause, RemoteTraceback)
        assert "_type_error" in cause.text and "return 1 + \"x\"" in cause.text
        with pytest.raises(PullFailed, match=r"m\.xlsx cannot be written") as failed:
            child.call(_refused)
        assert failed.value.__cause__ is None
        assert child.call(len, "abc") == 3  # the same worker goes on
    finally:
        child.close()


def test_serve_never_imports_the_cli() -> None:
    code = ("import sys, sheetsync.serve.app, sheetsync.serve.worker, sheetsync.serve.pages;"
            "print([m for m in sys.modules if m.startswith('sheetsync.cli')])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
    for path in SERVE.glob("*.py"):
        assert "sheetsync.cli" not in path.read_text(), path


def test_no_exception_is_swallowed() -> None:
    """No ``except Exception`` (or bare except) whose body only returns or passes."""
    for path in SERVE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and (
                    node.type is None or ast.unparse(node.type) in ("Exception",
                                                                    "BaseException")):
                assert not all(isinstance(s, ast.Return | ast.Pass) for s in node.body), \
                    f"{path.name}:{node.lineno}"


# -- events -------------------------------------------------------------------------------


def test_a_pull_is_two_json_events_with_counts_and_seconds(pulled: Path,
                                                           log_json: io.StringIO) -> None:
    s = scheduler(pulled, Pulled(TOTALS, True, None, stale=1))
    s.tick(Job("api"))
    started, finished = [e for e in events(log_json) if e["event"].startswith("pull.")]
    assert started["event"] == "pull.started" and started["trigger"] == "api"
    assert finished["event"] == "pull.finished"
    assert {k: finished[k] for k in ("read", "reused", "failed", "stale", "districts")} == \
        {"read": 4, "reused": 1, "failed": 1, "stale": 1, "districts": 6}
    assert isinstance(finished["seconds"], float) and finished["cpu_seconds"] == 0.25
    assert finished["level"] == "info" and finished["time"]


def test_a_reload_is_an_event(pulled: Path, log_json: io.StringIO, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "c"
    shutil.copytree(pulled.parent, folder)
    s = scheduler(folder / "cohort.toml")
    toml = folder / "cohort.toml"
    toml.write_text(toml.read_text().replace('"Adair County"', '"Adair Schools"'))
    s.reload()
    toml.write_text(toml.read_text().replace("update_due_day = 30", "update_due_day = 45"))
    s.reload()
    reloaded, invalid = events(log_json)
    assert reloaded["event"] == "cohort.reloaded" and reloaded["districts"] == 6
    assert invalid["event"] == "cohort.invalid" and "update_due_day" in invalid["error"]


def test_reminders_sent_and_refused_are_counted() -> None:
    metrics = Metrics()
    metrics.reminded(3, 1)
    text = metrics.text().decode()
    assert 'sheetsync_reminders_total{outcome="sent"} 3.0' in text
    assert 'sheetsync_reminders_total{outcome="refused"} 1.0' in text


# -- /metrics -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_metrics_need_the_token_and_show_the_last_pull(pulled: Path) -> None:
    s = scheduler(pulled, Pulled(TOTALS, True, None, stale=1), PullFailed("no"))
    service = Service(Settings(pulled, token=TOKEN), s)
    s.tick(Job("schedule"))
    s.tick(Job("schedule"))
    async with client(app_of(service)) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/health")).status_code == 200
        answer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        await http.get("/districts/KY-999", headers={"Authorization": f"Bearer {TOKEN}"})
        again = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    metrics = _samples(again.text)
    assert metrics['sheetsync_districts{state="read"}'] == 4
    assert metrics['sheetsync_districts{state="failed"}'] == 1
    assert metrics['sheetsync_districts{state="stale"}'] == 1
    assert metrics['sheetsync_pulls_total{outcome="done"}'] == 1
    assert metrics['sheetsync_pulls_total{outcome="failed"}'] == 1
    assert metrics["sheetsync_last_successful_pull_timestamp_seconds"] > 1.7e9
    assert metrics["sheetsync_last_pull_timestamp_seconds"] >= \
        metrics["sheetsync_last_successful_pull_timestamp_seconds"]
    assert metrics["sheetsync_last_pull_duration_seconds"] >= 0
    assert metrics['sheetsync_http_requests_total{route="/metrics",status="401"}'] == 1
    assert metrics['sheetsync_http_requests_total{route="/metrics",status="200"}'] == 1
    assert metrics['sheetsync_http_requests_total{route="/health",status="200"}'] == 1
    assert metrics['sheetsync_http_requests_total{route="/districts/{district_id}",'
                   'status="404"}'] == 1


def _samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out
