"""When the store cannot be used (empty, damaged, not sheetsync's, a newer sheetsync's),
``sheetsync serve`` does not refuse to start (a service manager would start it again and
again, or leave people with no page at all): it starts, pulls nothing, and says why.

- every page (``/``, ``/districts/ID``) is a 503 saying what is wrong with the store and
  what to do (``sheetsync store restore``, then restart the service), with a link to the
  last master written (``/master.xlsx``, which is served as in normal running);
- the API (``/api/summary``, ``/api/districts/ID``, ``POST /api/pull``) answers 503 with
  the same reason in ``detail``; no pull is scheduled or accepted;
- ``/health`` answers 503 ``{"status": "store-unusable", "detail": ...}`` (what is wrong,
  without the store's path: it needs no token);
- ``/metrics`` has ``sheetsync_store_usable 0``; the log has the event ``store.unusable``.

A store found unusable while the service runs (emptied by a sync client, say) is treated
the same from then on. Nothing here writes to the store: put it right, then restart.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from sheetsync.cohort.model import Cohort
from sheetsync.errors import StoreUnusable
from sheetsync.serve.settings import store_problem

MASTER_URL = "/master.xlsx"
__all__ = ["MASTER_URL", "api", "detail", "health", "master", "page", "store_problem"]

RESTART = ("Once it is put right, restart the service (`systemctl restart sheetsync`, or "
           "stop it and run `sheetsync serve` again): until then nothing is pulled.")


def detail(problem: StoreUnusable) -> str:
    """What the API and the log say: the store's problem, what to do, and restart."""
    return f"The store cannot be used: {problem} {RESTART}"


def health(problem: StoreUnusable) -> Response:
    """``/health`` needs no token, so it names no path: only what is wrong."""
    return JSONResponse({"status": "store-unusable",
                         "detail": f"The store {problem.problem}. Nothing is pulled; the "
                                   "last master is served. Sign in to the dashboard for "
                                   "what to do."}, status_code=503)


def api(problem: StoreUnusable) -> Response:
    return JSONResponse({"detail": detail(problem)}, status_code=503)


def page(problem: StoreUnusable, cohort: Cohort) -> Response:
    """The page every dashboard route shows: what is wrong, what to do, the last master."""
    store = problem.path if isinstance(problem.path, Path) else Path(str(problem.path))
    if cohort.master_path.exists():
        master = (f'<p>The last master written is still here: <a href="{MASTER_URL}" '
                  f'download="{escape(cohort.master_path.name)}">'
                  f"{escape(cohort.master_path.name)}</a> (as the last pull left it).</p>")
    else:
        master = "<p>There is no master yet.</p>"
    if cohort.master.google_sheet:
        master += ("<p>The Google master is as the last pull left it.</p>")
    body = (f"<h1>The store cannot be used: nothing is pulled</h1>"
            f"<p>The store (<code>{escape(str(store))}</code>) {escape(problem.problem)}.</p>"
            f"<p><strong>What to do:</strong> {escape(problem.todo)}</p>"
            f"<p>{escape(RESTART)}</p>{master}")
    return HTMLResponse(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The store '
        f"cannot be used - {escape(cohort.cohort.name)} - sheetsync</title></head><body>"
        f"<main>{body}</main></body></html>", status_code=503, headers={"retry-after": "3600"})


def master(cohort: Cohort) -> Response:
    """The master file as the last pull left it; 404 before the first."""
    path = cohort.master_path
    if not path.is_file():
        return JSONResponse({"detail": "There is no master yet: the first pull writes it."},
                            status_code=404)
    return FileResponse(path, filename=path.name, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
