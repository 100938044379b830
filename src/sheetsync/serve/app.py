"""The web app (Starlette) and the process (uvicorn): routes, the OpenAPI description, and
start-up and shutdown around the scheduler.

Start-up says what is wrong before any work: the cohort file, the settings, the port (the
socket is bound before the first pull) each refused in one line (exit 2). A store that
cannot be used (``PRAGMA quick_check``, empty, foreign) is not a refusal: the service starts,
pulls nothing, serves the last master and says why on every page (``harmed``).

Requests are bounded (``limits``); a caller waiting for a pull (``?wait=true``) waits
on the event loop, not in a thread, and at most ``MAX_WAITERS`` wait at once (429 past
that); ``/health`` never needs a thread, so it answers however busy the rest is.

Starlette rather than FastAPI: the same routes answer as fast (a JSON route: median about
0.8 ms either way here), but Starlette imports in about 0.1 s against FastAPI's 0.3 s and
adds 15 MB less; the API returns JSON sheetsync already makes, so FastAPI's models would
be a second description of it. The OpenAPI document is written out below instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from sheetsync import __version__
from sheetsync.errors import NotPulled, StoreUnusable, UnknownDistrict
from sheetsync.serve import auth, harmed, signin
from sheetsync.serve.events import Broker
from sheetsync.serve.limits import KEEP_ALIVE, MAX_HEADERS, BodyLimit, Protocol, listen
from sheetsync.serve.observe import CONTENT_TYPE, Metrics, event, setup_logging
from sheetsync.serve.openapi import openapi
from sheetsync.serve.pages import Pages, live
from sheetsync.serve.scheduler import Job, Scheduler
from sheetsync.serve.settings import Settings

log = logging.getLogger("sheetsync.serve")
WAIT_LIMIT = 600.0  # seconds: POST /api/pull?wait=true answers 202 after this
MAX_WAITERS = 32  # callers waiting for a pull at once (?wait=true); 429 past this


class Service:
    """What the routes share: the scheduler, the pages, the event broker, the metrics and
    the sign-in state. ``sessions``: where their key is kept (beside the store) unless
    given."""

    def __init__(self, settings: Settings, scheduler: Scheduler | None = None,
                 sessions: signin.Sessions | None = None) -> None:
        self.settings = settings
        self.scheduler = scheduler or Scheduler(settings)
        self.metrics: Metrics = getattr(self.scheduler, "metrics", None) or Metrics()
        self.pages = Pages(self.scheduler.current)
        self.broker = Broker()
        self.scheduler.version = self.pages.refresh
        self.scheduler.landed = self.landed
        self.throttle = signin.Throttle()
        self.sessions = sessions
        if settings.token and sessions is None:
            key = self.scheduler.cohort.store_path.parent / signin.SESSION_KEY
            self.sessions = signin.Sessions(settings.token, key)
        self.waiting = 0

    @property
    def problem(self) -> StoreUnusable | None:
        """Why the store cannot be used (nothing is pulled; ``harmed``), or None."""
        return self.scheduler.problem

    def landed(self) -> None:
        """After a pull: the cohort page rendered again, then every open page told."""
        version = self.pages.refresh()
        self.pages.warm()
        self.broker.publish(version, {})


def build_app(service: Service) -> Starlette:
    pages, scheduler, settings = service.pages, service.scheduler, service.settings
    guard: auth.Guard

    def harmed_page() -> Response:
        assert service.problem is not None
        return harmed.page(service.problem, scheduler.current()[0])

    def dashboard(request: Request) -> Response:
        if service.problem is not None:
            return harmed_page()
        try:
            return HTMLResponse(pages.cohort_page())
        except NotPulled:
            return _waiting(pages.version())
        except StoreUnusable:  # emptied or damaged under the service, or being made?
            return harmed_page() if scheduler.confirm() else _waiting(pages.version())

    def district_page(request: Request) -> Response:
        if service.problem is not None:
            return harmed_page()
        try:
            return HTMLResponse(pages.district_page(request.path_params["district_id"]))
        except UnknownDistrict:
            return _not_found()
        except NotPulled:
            return _waiting(pages.version())
        except StoreUnusable:  # emptied or damaged under the service, or being made?
            return harmed_page() if scheduler.confirm() else _waiting(pages.version())

    def master(request: Request) -> Response:
        return harmed.master(scheduler.current()[0])

    async def events(request: Request) -> Response:
        seen = request.query_params.get("seen", "")[:40]
        return StreamingResponse(service.broker.stream(seen), media_type="text/event-stream",
                                 headers={"x-accel-buffering": "no"})

    def summary(request: Request) -> Response:
        if service.problem is not None:
            return harmed.api(service.problem)
        try:
            return Response(pages.summary(), media_type="application/json")
        except NotPulled:
            return _json(503, "No pull yet: the first one is running.")
        except StoreUnusable:
            problem = scheduler.confirm()
            return harmed.api(problem) if problem else \
                _json(503, "No pull yet: the first one is running.")

    def district_json(request: Request) -> Response:
        if service.problem is not None:
            return harmed.api(service.problem)
        try:
            return Response(pages.check_json(request.path_params["district_id"]),
                            media_type="application/json")
        except UnknownDistrict:
            return _json(404, "No such district in this cohort.")
        except NotPulled as exc:
            return _json(404, f"{exc}: nothing to check yet.")
        except StoreUnusable:
            problem = scheduler.confirm()
            return harmed.api(problem) if problem else \
                _json(503, "The store is being written: try again in a moment.")

    async def pull_now(request: Request) -> Response:
        if service.problem is not None:  # nothing is pulled into a store that cannot be used
            return harmed.api(service.problem)
        wait = request.query_params.get("wait", "").lower() in ("1", "true", "yes")
        if wait and service.waiting >= MAX_WAITERS:
            return JSONResponse({"detail": f"{MAX_WAITERS} callers already wait for a pull: "
                                 "ask without ?wait=true and follow status_url."},
                                status_code=429, headers={"retry-after": "5"})
        job = scheduler.request()
        url = f"/api/pulls/{job.id}"
        if wait:
            service.waiting += 1
            try:
                done = await _until_done(job, request, WAIT_LIMIT)
            finally:
                service.waiting -= 1
            if done:
                return JSONResponse({**job.to_json(), "status_url": url}, status_code=200)
        return JSONResponse({**job.to_json(), "status_url": url}, status_code=202,
                            headers={"location": url})

    async def pull_status(request: Request) -> Response:
        job = scheduler.job(request.path_params["job_id"])
        if job is None:
            return _json(404, "No such pull.")
        return JSONResponse(job.to_json())

    async def health(request: Request) -> Response:
        if service.problem is not None:
            return harmed.health(service.problem)
        return JSONResponse({"status": "ok"})

    async def metrics(request: Request) -> Response:
        return Response(service.metrics.text(), media_type=CONTENT_TYPE)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi(__version__))

    async def login_form(request: Request) -> Response:
        return HTMLResponse(auth.login_page(auth.safe_next(request.query_params.get("next"))))

    async def login(request: Request) -> Response:
        form = auth.read_form(await request.body())
        target = auth.safe_next(form.get("next"))
        if settings.token is None or service.sessions is None:
            return RedirectResponse(target, status_code=303)
        if not await guard.check_token(auth.client_address(dict(request.scope)),
                                       form.get("token", "").strip()):
            return HTMLResponse(auth.login_page(target, failed=True), status_code=401)
        return RedirectResponse(target, status_code=303,
                                headers={"set-cookie": service.sessions.cookie()})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if service.problem is None:
            service.broker.version = await anyio.to_thread.run_sync(pages.refresh)
        service.broker.start(asyncio.get_running_loop())
        scheduler.start()
        try:
            yield
        finally:
            service.broker.close()
            await anyio.to_thread.run_sync(scheduler.stop)
            event(log, "service.stopped", "stopped")

    routes = [
        Route("/", dashboard),
        Route("/districts/{district_id}", district_page),
        Route("/events", events),
        Route(harmed.MASTER_URL, master),
        Route("/api/summary", summary),
        Route("/api/districts/{district_id}", district_json),
        Route("/api/pull", pull_now, methods=["POST"]),
        Route("/api/pulls/{job_id}", pull_status),
        Route("/health", health),
        Route("/metrics", metrics),
        Route("/openapi.json", openapi_json),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    guard = auth.Guard(app, settings.token, settings.host, service.sessions, service.throttle,
                       service.metrics)

    def refused(status: int) -> None:
        service.metrics.answered("other", status)

    return BodyLimit(guard, refused=refused)  # type: ignore[return-value]


async def _until_done(job: Job, request: Request, limit: float) -> bool:
    """Wait on the event loop (no thread held) until ``job`` ends, the caller hangs up, or
    ``limit`` seconds pass; whether the job ended."""
    loop = asyncio.get_running_loop()
    ended = loop.create_future()

    def wake() -> None:  # in the scheduler's thread
        def end() -> None:
            if not ended.done():
                ended.set_result(None)
        with contextlib.suppress(RuntimeError):  # the loop closed: the service stopped
            loop.call_soon_threadsafe(end)

    job.when_done(wake)
    gone = asyncio.ensure_future(_hung_up(request))
    try:
        await asyncio.wait({ended, gone}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    return job.done.is_set()


async def _hung_up(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _json(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status)


def _not_found() -> Response:
    return HTMLResponse(_plain("Not found", "There is no such district in this cohort. "
                               '<a href="/">All districts</a>'), status_code=404)


def _waiting(version: str) -> Response:
    page = _plain("Waiting for the first pull",
                  "sheetsync is reading the districts; this page fills in when it is done.")
    return HTMLResponse(live(page, version), status_code=503, headers={"retry-after": "5"})


def _plain(title: str, body_html: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f"{escape(title)} - sheetsync</title></head><body><main><h1>{escape(title)}</h1>"
            f"<p>{body_html}</p></main></body></html>")


def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT: requests in flight are finished, open event streams
    closed, the scheduler stopped (a pull running is waited for, then its worker ended).
    ``ServeError`` before any work when the cohort file or the port cannot be used; a store
    that cannot be used is served as ``harmed`` says."""
    import uvicorn

    scheduler = Scheduler(settings)  # the cohort file read
    cohort = scheduler.cohort
    problem = harmed.store_problem(cohort.store_path)  # not a refusal: see harmed
    sock = listen(settings.host, settings.port)
    try:
        service = Service(settings, scheduler)  # the sessions' key made, if need be
    except BaseException:
        sock.close()
        raise
    setup_logging(settings.log_format)
    if problem is not None:
        scheduler.unusable(problem)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    where = f"http://{host}:{settings.port}/"
    event(log, "service.started", "serving %s (%d districts) on %s; pulling every %s; %s%s",
          cohort.cohort.name, len(cohort.districts), where, _every(settings.pull_every),
          "a token is required" if settings.token else "no token (loopback only)",
          "; reminders are sent after the due day" if settings.remind else "",
          url=where, districts=len(cohort.districts), pull_every=settings.pull_every,
          token=bool(settings.token), remind=settings.remind)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            service.broker.close()  # event streams end, so shutdown need not wait for them
            super().handle_exit(sig, frame)

    config = uvicorn.Config(build_app(service), host=settings.host, port=settings.port,
                            http=Protocol, timeout_keep_alive=KEEP_ALIVE,
                            h11_max_incomplete_event_size=MAX_HEADERS, access_log=False,
                            log_config=None, log_level="info", server_header=False,
                            timeout_graceful_shutdown=10, lifespan="on")
    try:
        Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
