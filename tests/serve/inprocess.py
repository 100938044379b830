"""The service's app in this process, for tests that need no real server: a scheduler that
pulls only when a test says so, the app built on it, and an httpx client speaking ASGI to
it (from a client address of the test's choosing)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.serve.app import Service, build_app
from sheetsync.serve.observe import Metrics
from sheetsync.serve.scheduler import Job
from sheetsync.serve.settings import Settings
from sheetsync.serve.signin import Sessions


class FakeScheduler:
    """What the app asks of a scheduler: the cohort, pulls asked for (kept queued until
    ``finish``), their status."""

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.generation = 1
        self.metrics = Metrics()
        self.jobs: dict[str, Job] = {}
        self.queued: Job | None = None
        self.version: Any = lambda: ""
        self.landed: Any = lambda: None
        self.problem: Any = None  # a StoreUnusable: the service as serve.harmed says

    def current(self) -> tuple[Cohort, int]:
        return self.cohort, self.generation

    def request(self) -> Job:
        if self.queued is None:
            self.queued = Job("api")
            self.jobs[self.queued.id] = self.queued
        return self.queued

    def job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def confirm(self) -> Any:
        return self.problem

    def unusable(self, problem: Any) -> None:
        self.problem = problem
        self.metrics.store_usable.set(0)

    def finish(self, state: str = "done") -> None:
        """The queued pull ends (from another thread, as the real one's does)."""
        job, self.queued = self.queued, None
        assert job is not None
        job.state = state

        thread = threading.Thread(target=job.finish)
        thread.start()
        thread.join()

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 30.0) -> None:
        pass


def service(cohort_toml: Path, token: str | None = None,
            sessions: Sessions | None = None) -> Service:
    settings = Settings(cohort_toml, token=token)
    cohort = load_cohort(cohort_toml)
    sessions = sessions or (Sessions(token, cohort.store_path.parent / "session.key")
                            if token else None)
    return Service(settings, FakeScheduler(cohort), sessions)  # type: ignore[arg-type]


def client(app: Any, address: str = "127.0.0.1", **kw: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000", **kw)


def app_of(s: Service) -> Any:
    return build_app(s)


class InProcess:
    """The app of a service on ``cohort_toml`` (a fake scheduler), behind a synchronous
    client, with the real-process helper's ``get``, ``post``, ``url`` and ``folder``."""

    url = "http://127.0.0.1:8000"

    def __init__(self, cohort_toml: Path, token: str | None = None) -> None:
        self.folder = cohort_toml.parent
        self.token = token
        self.service = service(cohort_toml, token)
        self.app = build_app(self.service)

    def request(self, method: str, path: str, anonymous: bool = False,
                **kw: Any) -> httpx.Response:
        """With the token, unless ``anonymous`` (as the real-process helper sends it)."""
        if self.token and not anonymous:
            kw["headers"] = {"Authorization": f"Bearer {self.token}", **kw.get("headers", {})}

        async def ask() -> httpx.Response:
            async with client(self.app) as http:
                return await http.request(method, path, **kw)

        return asyncio.run(ask())

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)


async def raw(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]],
              chunks: list[bytes], whole: bool = True) -> tuple[int, dict[bytes, bytes], int]:
    """One request straight through ASGI, its body sent in ``chunks`` only as the app asks
    for them (and, unless ``whole``, never finished): (status, headers, how many chunks
    the app read)."""
    read = 0
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1],
                    "more_body": read < len(chunks) or not whole}
        await asyncio.sleep(3600)  # the client stays; the app should not wait for it
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = dict(message.get("headers", []))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"127.0.0.1:8000"),
                                                              *headers],
             "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000)}
    await app(scope, receive, send)
    return answer["status"], answer["headers"], read
