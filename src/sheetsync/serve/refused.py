"""When the store cannot be used (empty, damaged, not sheetsync's), ``sheetsync serve``
does not crash at start-up (a service manager would start it again and again): it pulls
nothing, says why on every page and in its log, and serves the last master it has.
Restore the store (`sheetsync store restore`) and restart the service."""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sheetsync.cohort.store import Store
from sheetsync.errors import StoreUnusable
from sheetsync.serve import auth
from sheetsync.serve.settings import Settings

MASTER = "/master.xlsx"


def store_problem(path: Path) -> str | None:
    """Why the store at ``path`` cannot be used (SQLite's quick check included), or None
    (a store not made yet is fine: the first pull makes it)."""
    if not path.exists():
        return None
    try:
        Store.reader(path, check=True).close()
    except StoreUnusable as exc:
        return str(exc)
    return None


def refused_app(settings: Settings, master: Path, problem: str) -> auth.Guard:
    """Every page says ``problem`` (503); ``/master.xlsx`` is the last master written."""

    def page(request: Request) -> Response:
        link = (f'<p>The last master written: <a href="{MASTER}">{escape(master.name)}</a>.</p>'
                if master.exists() else "<p>There is no master yet.</p>")
        return HTMLResponse(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The store '
            "cannot be used - sheetsync</title></head><body><main><h1>The store cannot be "
            f"used</h1><p>{escape(problem)}</p><p>Nothing is pulled until it is put right "
            f"and the service restarted.</p>{link}</main></body></html>", status_code=503)

    def api(request: Request) -> Response:
        return JSONResponse({"detail": f"The store cannot be used: {problem}"},
                            status_code=503)

    def last_master(request: Request) -> Response:
        if not master.exists():
            return JSONResponse({"detail": "There is no master yet."}, status_code=404)
        return FileResponse(master, filename=master.name)

    def login_form(request: Request) -> Response:
        return HTMLResponse(auth.login_page(auth.safe_next(request.query_params.get("next"))))

    async def login(request: Request) -> Response:
        form = auth.read_form(await request.body())
        target = auth.safe_next(form.get("next"))
        if settings.token is None or not auth.same(form.get("token", "").strip(),
                                                   settings.token):
            return HTMLResponse(auth.login_page(target, failed=True), status_code=401)
        return Response(status_code=303, headers={
            "location": target, "set-cookie": auth.login_cookie(settings.token)})

    routes = [Route(MASTER, last_master), Route("/health", api),
              Route("/login", login_form, methods=["GET"]),
              Route("/login", login, methods=["POST"]),
              Route("/api/{rest:path}", api, methods=["GET", "POST"]),
              Route("/{rest:path}", page)]
    return auth.Guard(Starlette(routes=routes), settings.token, settings.host)
