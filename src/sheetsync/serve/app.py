"""The web app (Starlette) and the process (uvicorn): routes, the OpenAPI description, and
start-up and shutdown around the scheduler.

Starlette rather than FastAPI: the same routes answer as fast (a JSON route: median about
0.8 ms either way here), but Starlette imports in about 0.1 s against FastAPI's 0.3 s and
adds 15 MB less; the API returns JSON sheetsync already makes, so FastAPI's models would
be a second description of it. The OpenAPI document is written out below instead.
"""

from __future__ import annotations

import asyncio
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
from sheetsync.errors import NotPulled, UnknownDistrict
from sheetsync.serve import auth
from sheetsync.serve.events import Broker
from sheetsync.serve.openapi import openapi
from sheetsync.serve.pages import Pages, live
from sheetsync.serve.scheduler import Scheduler
from sheetsync.serve.settings import Settings

log = logging.getLogger("sheetsync.serve")
WAIT_LIMIT = 600.0  # seconds: POST /api/pull?wait=true answers 202 after this


class Service:
    """What the routes share: the scheduler, the pages and the event broker."""

    def __init__(self, settings: Settings, scheduler: Scheduler | None = None) -> None:
        self.settings = settings
        self.scheduler = scheduler or Scheduler(settings)
        self.pages = Pages(self.scheduler.current)
        self.broker = Broker()
        self.scheduler.version = self.pages.refresh
        self.scheduler.landed = self.landed

    def landed(self) -> None:
        """After a pull: the cohort page rendered again, then every open page told."""
        version = self.pages.refresh()
        self.pages.warm()
        self.broker.publish(version, {})


def build_app(service: Service) -> Starlette:
    pages, scheduler, settings = service.pages, service.scheduler, service.settings

    def dashboard(request: Request) -> Response:
        try:
            return HTMLResponse(pages.cohort_page())
        except NotPulled:
            return _waiting(pages.version())

    def district_page(request: Request) -> Response:
        try:
            return HTMLResponse(pages.district_page(request.path_params["district_id"]))
        except UnknownDistrict:
            return _not_found()
        except NotPulled:
            return _waiting(pages.version())

    async def events(request: Request) -> Response:
        seen = request.query_params.get("seen", "")[:40]
        return StreamingResponse(service.broker.stream(seen), media_type="text/event-stream",
                                 headers={"x-accel-buffering": "no"})

    def summary(request: Request) -> Response:
        try:
            return Response(pages.summary(), media_type="application/json")
        except NotPulled:
            return _json(503, "No pull yet: the first one is running.")

    def district_json(request: Request) -> Response:
        try:
            return Response(pages.check_json(request.path_params["district_id"]),
                            media_type="application/json")
        except UnknownDistrict:
            return _json(404, "No such district in this cohort.")
        except NotPulled as exc:
            return _json(404, f"{exc}: nothing to check yet.")

    async def pull_now(request: Request) -> Response:
        job = scheduler.request()
        url = f"/api/pulls/{job.id}"
        if request.query_params.get("wait", "").lower() in ("1", "true", "yes"):
            await anyio.to_thread.run_sync(job.done.wait, WAIT_LIMIT)
            if job.done.is_set():
                return JSONResponse({**job.to_json(), "status_url": url}, status_code=200)
        return JSONResponse({**job.to_json(), "status_url": url}, status_code=202,
                            headers={"location": url})

    def pull_status(request: Request) -> Response:
        job = scheduler.job(request.path_params["job_id"])
        if job is None:
            return _json(404, "No such pull.")
        return JSONResponse(job.to_json())

    def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi(__version__))

    def login_form(request: Request) -> Response:
        return HTMLResponse(auth.login_page(auth.safe_next(request.query_params.get("next"))))

    async def login(request: Request) -> Response:
        form = auth.read_form(await request.body())
        target = auth.safe_next(form.get("next"))
        if settings.token is None:
            return RedirectResponse(target, status_code=303)
        if not auth.same(form.get("token", "").strip(), settings.token):
            log.warning("a sign-in with a wrong token from %s",
                        request.client.host if request.client else "?")
            return HTMLResponse(auth.login_page(target, failed=True), status_code=401)
        return RedirectResponse(target, status_code=303,
                                headers={"set-cookie": auth.login_cookie(settings.token)})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.broker.version = await anyio.to_thread.run_sync(pages.refresh)
        service.broker.start(asyncio.get_running_loop())
        scheduler.start()
        try:
            yield
        finally:
            service.broker.close()
            await anyio.to_thread.run_sync(scheduler.stop)
            log.info("stopped")

    routes = [
        Route("/", dashboard),
        Route("/districts/{district_id}", district_page),
        Route("/events", events),
        Route("/api/summary", summary),
        Route("/api/districts/{district_id}", district_json),
        Route("/api/pull", pull_now, methods=["POST"]),
        Route("/api/pulls/{job_id}", pull_status),
        Route("/health", health),
        Route("/openapi.json", openapi_json),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return auth.Guard(app, settings.token, settings.host)  # type: ignore[return-value]


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
    closed, the scheduler stopped (a pull running is waited for)."""
    import uvicorn

    _logging()
    service = Service(settings)
    cohort = service.scheduler.cohort
    where = f"http://{settings.host}:{settings.port}/"
    log.info("serving %s (%d districts) on %s; pulling every %s; %s%s", cohort.cohort.name,
             len(cohort.districts), where, _every(settings.pull_every),
             "a token is required" if settings.token else "no token (loopback only)",
             "; reminders are sent after the due day" if settings.remind else "")

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            service.broker.close()  # event streams end, so shutdown need not wait for them
            super().handle_exit(sig, frame)

    config = uvicorn.Config(build_app(service), host=settings.host, port=settings.port,
                            access_log=False, log_level="info", server_header=False,
                            timeout_graceful_shutdown=10, lifespan="on")
    Server(config).run()


def _logging() -> None:
    """One line per event on stderr, beside uvicorn's own."""
    logger = logging.getLogger("sheetsync")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                               "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
