"""The dashboard's pages and the API's data, read from the store as the last pull left it.

The pages are the report's own (``report.html``: the cohort view and the district view of
``report site``), with a small vendored script (``live.js``) added to the head that fetches
the page again when a pull lands. Rendered pages are kept: the cohort page until the store
or the cohort file changes, a district page while its data stays the same.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import quote

from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.store import Store
from sheetsync.errors import NotPulled, UnknownDistrict
from sheetsync.pull.run import LAST_PULL
from sheetsync.report.charts import ChartCache
from sheetsync.report.cohort import cohort_view
from sheetsync.report.data import NoSnapshot, pick_month, snapshot_view
from sheetsync.report.html import render_cohort, render_district
from sheetsync.serve.worker import Child

LIVE_JS = resources.files(__package__).joinpath("live.js").read_text(encoding="utf-8")
LIVE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(LIVE_JS.encode()).digest()).decode()
KEPT_PAGES = 200  # district pages (and check results) kept, the latest asked for
IN_PROCESS_UP_TO = 100  # districts: a larger cohort page is drawn in a process of its own
MAX_ID = 200  # characters: a longer district id is not looked up


Current = Callable[[], tuple[Cohort, int]]  # the cohort in force, and its generation


class Pages:
    def __init__(self, current: Current) -> None:
        self.current = current
        self._cohort_lock = threading.Lock()  # one thread makes the cohort page
        self._seen: str | None = None
        self._cohort: tuple[str, str] | None = None  # (version, page)
        # per district: (version, digest of its view, page); its check --json (version, body)
        self._districts: OrderedDict[str, tuple[str, str, str]] = OrderedDict()
        self._checks: OrderedDict[str, tuple[str, bytes]] = OrderedDict()

    # -- the store ---------------------------------------------------------------------

    def _store(self) -> Store:
        cohort, _ = self.current()
        if not cohort.store_path.exists():
            raise NotPulled("no pull yet")
        return Store.reader(cohort.store_path)

    def refresh(self) -> str:
        """Look at the store again: what the pages show, as a version (the last pull that
        changed the store, and the cohort file's generation). A pull that found nothing
        changed leaves it as it was. The scheduler calls this after every pull, and every
        few seconds for pulls the CLI made."""
        _, generation = self.current()
        try:
            with self._store() as store:
                row = store.db.execute("SELECT COALESCE(MAX(id), 0) FROM pulls "
                                       "WHERE master_written = 1").fetchone()
        except NotPulled:
            row = (0,)
        self._seen = f"{row[0]}.{generation}"
        return self._seen

    def version(self) -> str:
        return self._seen or self.refresh()

    def district(self, district_id: str) -> District:
        """The cohort's district of that id; ``UnknownDistrict`` for any other text."""
        cohort, _ = self.current()
        if len(district_id) <= MAX_ID:
            for d in cohort.districts:
                if d.id == district_id:
                    return d
        raise UnknownDistrict(district_id)

    def summary(self) -> str:
        """The latest pull's summary, as `sheetsync pull --json` printed it."""
        with self._store() as store:
            text = store.meta(LAST_PULL)
        if text is None:
            raise NotPulled("no pull yet")
        return text

    def check_json(self, district_id: str) -> bytes:
        """The district's `sheetsync check --json`, from its latest good read."""
        d = self.district(district_id)
        version = self.version()
        kept = self._checks.get(d.id)
        if kept and kept[0] == version:
            return kept[1]
        with self._store() as store:
            data = store.data(d.id)
        if not data or not data.get("result"):
            raise NotPulled(f"{d.id} has no good read yet")
        body = json.dumps(data["result"], indent=2, default=str).encode()
        _keep(self._checks, d.id, (version, body))
        return body

    # -- pages -------------------------------------------------------------------------

    def cohort_page(self) -> str:
        """The cohort view. While another thread renders a newer one (after a pull, before
        the open pages are told), the one before is answered rather than waited for."""
        cohort, _ = self.current()
        version = self.version()
        kept = self._cohort
        if kept and kept[0] == version:
            return kept[1]
        if not self._cohort_lock.acquire(blocking=kept is None):
            assert kept is not None
            return kept[1]
        try:
            if self._cohort and self._cohort[0] == version:
                return self._cohort[1]
            links = {d.id: district_url(d.id) for d in cohort.districts}
            if len(cohort.districts) > IN_PROCESS_UP_TO:
                html = _in_a_process(cohort, links)
            else:
                html = render_cohort_page(cohort, links)
            self._cohort = (version, live(html, version))
            return self._cohort[1]
        finally:
            self._cohort_lock.release()

    def district_page(self, district_id: str) -> str:
        """The district view; rendered again only when its data changed."""
        d = self.district(district_id)
        cohort, _ = self.current()
        version = self.version()
        kept = self._districts.get(d.id)
        if kept and kept[0] == version:
            return live(kept[2], version)
        with self._store() as store:
            view = snapshot_view(store, d.id, d.name, _month(pick_month, store))
        digest = hashlib.sha256(json.dumps(view, sort_keys=True, default=str)
                                .encode()).hexdigest()
        if kept and kept[1] == digest:
            html = kept[2]
        else:
            html = render_district(view, home="/", cache=ChartCache(
                cohort.store_path.parent / "report-cache"))  # renders run side by side
        _keep(self._districts, d.id, (version, digest, html))
        return live(html, version)

    def warm(self) -> None:
        """Render the cohort page now (after a pull), so the pages asking for it next do not
        wait."""
        with contextlib.suppress(NotPulled):
            self.cohort_page()


def render_cohort_page(cohort: Cohort, links: dict[str, str]) -> str:
    """The cohort view of the store's latest month, as ``report site`` draws its index."""
    with Store.reader(cohort.store_path) as store:
        view = _cohort_view(cohort_view, cohort, store)
    return render_cohort(view, links=links, compact=False)


def _in_a_process(cohort: Cohort, links: dict[str, str]) -> str:
    """``render_cohort_page`` in a process of its own: the views of hundreds of districts
    take 100 MB and more while the page is drawn, and a process gives it all back. The
    process ends with the service (``worker.Child``)."""
    if not cohort.store_path.exists():
        raise NotPulled("no pull yet")
    child = Child("sheetsync-render")
    try:
        html: str = child.call(render_cohort_page, cohort, links)
    finally:
        child.close(wait=True)
    return html


def _keep(kept: OrderedDict[str, Any], key: str, value: Any) -> None:
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > KEPT_PAGES:
        kept.popitem(last=False)


def _cohort_view(cohort_view: Any, cohort: Cohort, store: Store) -> dict[str, Any]:
    try:
        view: dict[str, Any] = cohort_view(cohort, store)
    except NoSnapshot as exc:
        raise NotPulled(str(exc)) from None
    return view


def _month(pick_month: Any, store: Store) -> str:
    try:
        month: str = pick_month(store, None)
    except NoSnapshot as exc:
        raise NotPulled(str(exc)) from None
    return month


def district_url(district_id: str) -> str:
    return "/districts/" + quote(district_id, safe="")


def live(html: str, version: str) -> str:
    """The page with the store's version and the script that refreshes it in its head."""
    head = (f'<meta name="sheetsync-version" content="{version}">\n'
            f"<script>{LIVE_JS}</script>\n</head>")
    return html.replace("</head>", head, 1)
