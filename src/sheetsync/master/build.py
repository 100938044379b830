"""The master written from the store alone: after a pull, by ``sheetsync master rebuild``,
and (its sheets) by the Google master and the cohort report.

The master is a function of the store and the cohort file: it records what it was built
from (``Stamp``, as document properties of the .xlsx: a hash of the cohort file's
districts, year and level, the store's state, and how many districts and district-months
it shows; the Google master's stamp is kept in the store, as the sheet it was written
into). A pull whose cohort or store differs from a master's stamp writes it again;
one that would show fewer districts or months than the master does is refused
(``MasterShrinks``) unless asked (``master rebuild --force``).
"""

from __future__ import annotations

import gc
import hashlib
import json
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.schools import stored_district
from sheetsync.cohort.store import Outcome, Store
from sheetsync.errors import MasterShrinks
from sheetsync.master.alignment import SHEETS, baseline, schools_of
from sheetsync.master.rows import link_target
from sheetsync.read.sources import is_google
from sheetsync.schema.schoolyear import SchoolYear, period_key

if TYPE_CHECKING:  # the writer's types: loaded with xlsxwriter, when a master is written
    from sheetsync.master.assemble import Encode
    from sheetsync.master.fragments import Chunk, Encoder


def cohort_periods(cohort: Cohort) -> list[str]:
    """The months of the cohort's school year: what the master's History and trend show."""
    return SchoolYear.parse(cohort.cohort.school_year).periods


@dataclass(frozen=True)
class Stamp:
    """What a master was built from, and how much it shows."""

    cohort: str  # a hash of the cohort file's districts, school year and level
    store: str  # the store's state
    districts: int  # Summary rows
    months: int  # (district, month) pairs in History

    def properties(self) -> dict[str, str]:
        return {f"sheetsync_{k}": str(v) for k, v in asdict(self).items()}


def cohort_hash(cohort: Cohort) -> str:
    """What the master takes from the cohort file, as a short hash."""
    what = {"districts": [[d.id, d.name, d.source] for d in cohort.districts],
            "school_year": cohort.cohort.school_year, "level": cohort.cohort.level}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def stamp_of(cohort: Cohort, store: Store) -> Stamp:
    """The stamp a master built now from ``store`` and ``cohort`` carries."""
    districts, months = store.held([d.id for d in cohort.districts], cohort_periods(cohort))
    return Stamp(cohort_hash(cohort), store.state or "", districts, months)


def read_stamp(path: Path) -> Stamp | None:
    """The stamp of the master at ``path`` (None: no master, or one without a stamp)."""
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("docProps/custom.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    found = {p.get("name"): (p[0].text or "") for p in root if len(p)}
    try:
        return Stamp(found["sheetsync_cohort"], found["sheetsync_store"],
                     int(found["sheetsync_districts"]), int(found["sheetsync_months"]))
    except (KeyError, ValueError):
        return None


MASTER_SHA256 = "master_sha256"  # store meta: the bytes of the master last written
MASTER_STAMP = "master_stamp"  # store meta: their stamp (JSON), kept with their SHA-256


def is_current(cohort: Cohort, store: Store) -> bool:
    """The master on disk was built from this store and this cohort file, and is the file
    written then, byte for byte (not damaged, not an older copy put back).

    The file being those bytes, its stamp is the one the store kept with their SHA-256,
    and that stamp is the one a master built now would carry when it names this cohort
    file and this state of the store (its counts follow from them): neither the file's
    stamp nor the store's counts need be read. A store written before it kept the stamp
    reads both."""
    kept = _kept_stamp(store)
    if kept is None:
        same = read_stamp(cohort.master_path) == stamp_of(cohort, store)
    else:
        same = kept.cohort == cohort_hash(cohort) and kept.store == (store.state or "")
    return same and _sha256(cohort.master_path) == store.meta(MASTER_SHA256)


def _kept_stamp(store: Store) -> Stamp | None:
    try:
        return Stamp(**json.loads(store.meta(MASTER_STAMP) or "null"))
    except (ValueError, TypeError):
        return None


GOOGLE_STAMP = "google_master"  # store meta: the Google master last written: sheet, stamp


def google_stamp(store: Store, sheet: str) -> Stamp | None:
    """The stamp of the Google master last written into ``sheet`` from this store (None:
    none written from it, another sheet, or the store put back from a copy since)."""
    try:
        found = json.loads(store.meta(GOOGLE_STAMP) or "{}")
        return Stamp(**found["stamp"]) if found.get("sheet") == sheet else None
    except (ValueError, TypeError, KeyError):
        return None


def google_is_current(cohort: Cohort, store: Store) -> bool:
    """The Google master (when the cohort names one) was last written from this store and
    this cohort file. A Sheet cannot be hashed as a file is, so the record is the store's:
    what was written into which sheet, kept only once Google took the whole write."""
    sheet = cohort.master.google_sheet
    return not sheet or google_stamp(store, sheet) == stamp_of(cohort, store)


def google_written(store: Store, sheet: str, stamp: Stamp) -> None:
    """Record that ``sheet`` now shows the master stamped ``stamp``."""
    if not store.readonly:
        with store.transaction():
            store.set_meta(GOOGLE_STAMP, json.dumps({"sheet": sheet, "stamp": asdict(stamp)}))


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def shrinks(cohort: Cohort, held: Stamp | None, new: Stamp,
            master: str | None = None) -> str | None:
    """Why a master showing ``held`` must not be replaced by one showing ``new``
    (``master``: what to call it; the .xlsx master's path unless given)."""
    if held is None or (new.districts >= held.districts and new.months >= held.months):
        return None
    return (f"{master or cohort.master_path} was not written again: it shows {held.districts} "
            f"{cohort.words.plural} and {held.months} months of History, and the store with "
            f"{cohort.path.name} now gives {new.districts} and {new.months}. If that is meant "
            "(a district taken out of the cohort file, a month dropped), run `sheetsync "
            "master rebuild --force`; if the cohort file or the store is not whole, put it "
            "back (`sheetsync store restore --list`). The pull was saved.")


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often (a master makes tens of thousands of
    objects, nearly all freed by reference counting; each collection walks them, and
    the whole process's, a fifth of a master's time at 500 districts otherwise)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def build_master(cohort: Cohort, store: Store, period: str | None = None,
                 pull_id: int | None = None, force: bool = False,
                 cache: bool = True, jobs: int = 1) -> Path:
    """Write the master from the store alone (what ``sheetsync master rebuild`` runs):
    ``MasterShrinks`` when it would show less than the master there unless ``force``.
    The pull's row (``pull_id``, else the last) then says the master was written.

    Districts whose rows the master's cache (``cache_path``) holds are not encoded again
    (``cache`` False: every district is, and the cache is left alone); the file is the
    same either way, dated by the last pull. The districts it does not hold are encoded
    on ``jobs`` processes when there are enough of them (``master.cores``)."""
    with _fewer_collections():
        return _build_master(cohort, store, period, pull_id, force, cache, jobs)


def _build_master(cohort: Cohort, store: Store, period: str | None, pull_id: int | None,
                  force: bool, cache: bool, jobs: int) -> Path:
    from sheetsync.master._xlsxwriter import version as xlsxwriter_version
    from sheetsync.master.assemble import Stored
    from sheetsync.master.cache import Cache, key_of
    from sheetsync.master.write import write_master

    last = store.last_pull()
    period = period or (last["period"] if last else period_key(date.today()))
    stamp = stamp_of(cohort, store)
    problem = None if force else shrinks(cohort, read_stamp(cohort.master_path), stamp)
    if problem:
        raise MasterShrinks(problem, path=cohort.master_path)
    ids = [d.id for d in cohort.members]
    written = hashlib.sha256()
    sources = {d.id: d.source if is_google(d.source) else str(cohort.source_path(d))
               for d in cohort.members}  # the links into each district's file
    year = cohort_periods(cohort)  # History shows the cohort's year; earlier ones stay stored
    folder = str(cohort.master_path.parent)
    districts = [Stored(did, key_of("district", *(k for k in sorted(row) if k not in WHEN),
                                    *(row[k] for k in sorted(row) if k not in WHEN),
                                    link_target(sources[did], folder)),
                        row["pulled_at"], partial(store.outcome_of, row, False),
                        partial(_outcome, store, did))
                 for row in store.stored_outcomes(ids) for did in [row["district_id"]]]
    path = write_master(cohort.master_path, districts, store.history(ids, year),
                        store.trend(ids, year), period,
                        lambda o: sources.get(o.district_id, o.source), cohort.cohort.level,
                        alignment_sheets(cohort, store), stamp.properties(),
                        store.history_counts(ids, year),
                        Cache(cache_path(cohort) if cache else None, str(xlsxwriter_version())),
                        _created(last), written, _on_cores(store.path, sources, jobs))
    if not store.readonly:
        with store.transaction():
            store.master_written(pull_id)
            store.set_meta(MASTER_SHA256, written.hexdigest())  # as written, not read back
            store.set_meta(MASTER_STAMP, json.dumps(asdict(stamp)))
    return path


def _on_cores(store: Path, sources: dict[str, str], jobs: int) -> Encode | None:
    """Encoding on ``jobs`` processes (``master.cores``: loaded only when a master has
    enough districts to encode for it, so a pull where one changed stays light)."""
    if jobs < 2:
        return None

    def encode(keys: Mapping[str, bytes], encoder: Encoder,
               kinds: Mapping[str, tuple[str, ...]],
               folder: Path) -> Iterator[tuple[bytes, Chunk]]:
        from sheetsync.master.cores import Cores

        return Cores(store, sources, jobs).encode(keys, encoder, kinds, folder)
    return encode


# What a district's outcome row says of the pull, not of its rows (but the Summary's,
# which are encoded every time): left out of its key in the master's cache.
WHEN = ("pulled_at", "as_of")
CACHE = "master.cache"  # beside the store: each district's encoded rows (master.cache)


def cache_path(cohort: Cohort) -> Path:
    return cohort.store_path.parent / CACHE


def _outcome(store: Store, district_id: str) -> Outcome:
    return next(store.outcomes([district_id]))


def _created(last: dict[str, Any] | None) -> datetime | None:
    """The master's creation time: its last pull's (so a rebuild gives the same bytes)."""
    try:
        when = datetime.fromisoformat(last["pulled_at"]) if last else None
    except (TypeError, ValueError):
        return None
    return when if when is None or when.tzinfo else when.replace(tzinfo=UTC)


def alignment_sheets(cohort: Cohort, store: Store) -> dict[str, Any]:
    """A school cohort's Alignment, Common Measures and District Goals sheets (name:
    columns and rows), from the store alone; none for a cohort of districts."""
    district = stored_district(store) if cohort.cohort.level == "school" else None
    if district is None:
        return {}

    found = baseline(schools_of(store.outcomes([d.id for d in cohort.members])), district)
    return {name: (SHEETS[name], rows) for name, rows in found.sheets().items()}
