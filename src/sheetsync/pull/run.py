"""The monthly pull: every district read, checked and consolidated into the cohort master.

A district whose file has not changed since the last pull (same size and modification
time, or else the same SHA-256) is not read again: its stored scorecard is reused, and
re-assessed only when the as-of date or the status settings changed. A file found the
same by its SHA-256 keeps its new size and time in the store, so it is hashed only once.
A district that cannot be read is a failed row with its reason; the others go on. The
store is written in one transaction, then the master is written atomically from the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync.cohort.file import keep_data
from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.places import check_writable
from sheetsync.cohort.schools import district_of, keep_district, stored_district
from sheetsync.cohort.store import Outcome, Store, store_lock
from sheetsync.errors import (
    OutsideSchoolYear,
    SheetsyncError,
    SourceUnavailable,
    StoreNotWritten,
)
from sheetsync.master.summary import district_summary
from sheetsync.pull.identity import identity_findings, shared_sources, source_older
from sheetsync.pull.jobs import POOL_MIN
from sheetsync.pull.masters import write_masters
from sheetsync.read.sources import (
    Fingerprint,
    Source,
    fingerprint_all,
    resolve_source,
)
from sheetsync.schema.findings import Finding, Severity
from sheetsync.schema.schoolyear import SchoolYear, period_key
from sheetsync.schema.vocabulary import STATUSES

if TYPE_CHECKING:
    from sheetsync.pull.pool import Reads

Progress = Callable[[District, Outcome], None]
LAST_PULL = "last_pull_json"  # store meta: the latest pull's summary, as `pull --json` prints it


@dataclass
class PullReport:
    cohort: str
    as_of: date
    pulled_at: str
    master: Path
    master_written: bool
    master_error: str | None = None
    google_written: bool = False  # the Google master (the cohort names one) written
    districts: list[dict[str, Any]] = field(default_factory=list)
    level: str = "district"  # "school": the entries are a district's schools
    notes: list[str] = field(default_factory=list)  # e.g. a district no longer in the file

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [d for d in self.districts if not d["ok"]]

    def totals(self) -> dict[str, Any]:
        """The counts; the measures, updates and findings of every district the master
        shows numbers for (read, or stale: its last good read), as the master counts them."""
        ok = [d for d in self.districts if d["ok"]]
        shown = [d for d in self.districts if d["ok"] or d.get("stale")]
        measures = {s: sum(d.get(s) or 0 for d in shown) for s in STATUSES}
        return {"districts": len(self.districts), "read": sum(not d["reused"] for d in ok),
                "reused": sum(d["reused"] for d in ok), "failed": len(self.failed),
                "measures": measures,
                "late_updates": sum(d.get("late_updates") or 0 for d in shown),
                "errors": sum(d.get("errors") or 0 for d in shown),
                "warnings": sum(d.get("warnings") or 0 for d in shown)}

    def to_json(self) -> dict[str, Any]:
        return {"cohort": self.cohort, "as_of": self.as_of.isoformat(),
                "pulled_at": self.pulled_at, "master": str(self.master),
                "master_written": self.master_written, "master_error": self.master_error,
                "google_written": self.google_written, "level": self.level,
                "totals": self.totals(), "notes": self.notes,
                "districts": self.districts}


def as_of_problem(cohort: Cohort, as_of: date | None, today: date | None = None) -> str | None:
    """Why ``as_of`` (None: today) should not be pulled for: outside the cohort's school
    year, or after today (a pull records a History month for it). ``sheetsync pull
    --any-date`` (or ``--force``) overrides."""
    year = SchoolYear.parse(cohort.cohort.school_year)
    today = today or date.today()
    if as_of is None and not year.start <= today <= year.end:
        return (f"Today ({today}) is outside the cohort's school year {year.label} "
                f"({year.start} to {year.end}); a pull would record a History month "
                f"{period_key(today)} that does not belong to it. Give an --as-of in "
                f"{year.label}, or add --any-date if you really mean it.")
    if as_of is None:
        return None
    if not year.start <= as_of <= year.end:
        return (f"--as-of {as_of} is outside the cohort's school year {year.label} "
                f"({year.start} to {year.end}); a pull would record a History month "
                f"{period_key(as_of)} that does not belong to it. Use a date in {year.label}, "
                "or add --any-date (or --force) if you really mean it.")
    if as_of > today:
        return (f"--as-of {as_of} is after today ({today}); statuses for a day that has not "
                "come would be recorded in History. Use today or an earlier date, or add "
                "--any-date (or --force) if you really mean it.")
    return None


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _settings_key(cohort: Cohort) -> str:
    key: dict[str, Any] = {**cohort.settings.to_dict(), "school_year": cohort.cohort.school_year}
    district = district_of(cohort)
    if district is not None:  # a changed district plan checks every school plan again
        key["district"] = district.fingerprint
    return json.dumps(key, sort_keys=True)


# The reader, the checks and the master writer (pull.reading, master.build) are imported
# where they are used: a monthly re-pull with nothing changed needs none of them, and starts
# in a fraction of the time.


def unchanged(d: District, source: Source, fingerprint: Fingerprint | SourceUnavailable,
              prev: dict[str, Any] | None, force: bool = False,
              shared_with: tuple[str, ...] = ()) -> tuple[bool, str | None]:
    """Is the file what the stored read was of (so it need not be read)? And its SHA-256,
    when hashing it was how that was found out (None: not hashed)."""
    if isinstance(fingerprint, SourceUnavailable) or not prev or not prev["ok"] or \
            prev["source"] != d.source or force or shared_with or prev.get("flagged"):
        return False, None  # flagged: identity findings, look again
    if prev["token"] == fingerprint.token:
        return True, None
    try:
        return source.same_content(prev["sha256"])
    except (SourceUnavailable, OSError):
        return False, None  # the read says why


def pull_district(cohort: Cohort, d: District, source: Source,
                  fingerprint: Fingerprint | SourceUnavailable, as_of: date,
                  prev: dict[str, Any] | None, store: Store, pulled_at: str,
                  force: bool = False, shared_with: tuple[str, ...] = (),
                  accept_older: bool = False, known: tuple[bool, str | None] | None = None,
                  reads: Reads | None = None, settings: str | None = None,
                  held: bool | None = None) -> Outcome:
    """Read (or reuse) one district. Never raises for the district's own problems.

    ``shared_with`` names the other cohort entries on the same file (``shared-source``).
    A file older than the stored read is not taken unless ``accept_older``: the outcome is
    then ``kept`` with a ``source-older`` warning, and the store keeps the newer read.
    ``known`` is what ``unchanged`` said, when asked already; ``reads`` the pull's reads
    (on a pool), when it has them. ``settings`` (``_settings_key``) and ``held`` (the
    store has the district's month of ``as_of``) are asked once for every district by
    ``pull``; None: asked here.
    """
    day, settings = as_of.isoformat(), settings or _settings_key(cohort)
    if isinstance(fingerprint, SourceUnavailable):
        return Outcome(district_id=d.id, name=d.name, source=d.source, ok=False,
                       pulled_at=pulled_at, as_of=day, settings=settings,
                       reason=fingerprint.reason)
    fp = fingerprint
    same, digest = known or unchanged(d, source, fp, prev, force, shared_with)
    if same and prev and prev["as_of"] == day and prev["settings"] == settings and \
            (store.has_month(d.id, period_key(as_of)) if held is None else held):
        # unchanged, nothing to assess again (the most frequent outcome: made at once)
        return Outcome(district_id=d.id, name=d.name, source=d.source, ok=True,
                       pulled_at=pulled_at, as_of=day, settings=settings, token=fp.token,
                       modified=fp.modified, sha256=digest or prev["sha256"],
                       read_at=prev["read_at"], reused=True, summary=prev["summary"])
    failed = Outcome(district_id=d.id, name=d.name, source=d.source, ok=False,
                     pulled_at=pulled_at, as_of=day, settings=settings, token=fp.token,
                     modified=fp.modified)
    if same and prev:  # another as-of or other settings, or its month dropped: assessed again
        from sheetsync.pull.reading import reassess

        try:
            data = reassess(store.data(d.id) or {}, as_of, cohort)
        except SheetsyncError as exc:
            return replace(failed, reason=str(exc))
        found = identity_findings(data["card"], d, cohort, shared_with)
        if any(f.severity == Severity.ERROR for f in found):
            return _refused(failed, found)
        return replace(failed, ok=True, sha256=digest or prev["sha256"],
                       read_at=prev["read_at"], data=data, reused=True)
    if reads is None:
        from sheetsync.pull.reading import read_district

        got = read_district(source, digest, as_of, cohort)
    else:
        got = reads.result(d.id, source, digest)
    if got.data is None:
        return replace(failed, reason=got.reason)
    identity = identity_findings(got.data["card"], d, cohort, shared_with)
    if any(f.severity == Severity.ERROR for f in identity):
        return _refused(failed, identity)
    read = replace(failed, ok=True, sha256=got.digest, read_at=_now(), data=got.data,
                   findings=[f.to_dict() for f in identity])
    older = None if accept_older else source_older(prev, read)
    if older is not None:
        return replace(read, data=None, read_at=prev["read_at"] if prev else None, kept=True,
                       findings=[*read.findings, older.to_dict()])
    return read


def _refused(failed: Outcome, found: list[Finding]) -> Outcome:
    """Not pulled under this entry's id: a failed row whose reason is the first error."""
    error = next(f for f in found if f.severity == Severity.ERROR)
    return replace(failed, reason=error.message, findings=[f.to_dict() for f in found])


def pull(cohort: Cohort, as_of: date | None = None, progress: Progress | None = None,
         force: bool = False, google: object | None = None,
         accept_older: bool = False, any_date: bool = False, jobs: int = 1) -> PullReport:
    """Pull every district of ``cohort`` and write the master (when anything changed).

    ``google`` is the client Google sources use (see ``sheetsync.google``); local
    workbooks need none. ``accept_older`` takes files older than the stored read.
    ``jobs``: processes reading and checking the files (see ``sheetsync.pull.pool``;
    the results are the same for any number).
    ``OutsideSchoolYear`` when no ``as_of`` is given and today is outside the cohort's
    school year (unless ``any_date``), and for a month carried from an earlier year's
    store by rollover (always: a pull never replaces one).
    """
    problem = None if any_date or as_of is not None else as_of_problem(cohort, None)
    if problem:
        raise OutsideSchoolYear(problem, path=cohort.path)
    as_of = as_of or date.today()
    period = period_key(as_of)
    pulled_at = _now()
    report = PullReport(cohort.cohort.name, as_of, pulled_at, cohort.master_path, False,
                        level=cohort.cohort.level)
    check_writable(cohort.store_path, cohort.master_path)  # before any work
    district = district_of(cohort)  # a school cohort's district: readable, or nothing is
    with store_lock(cohort.store_path, "pull"), Store(cohort.store_path) as store:
        keep_data(cohort)  # the cohort file's data, beside the store now that it is there
        if period in store.carried():
            raise OutsideSchoolYear(
                f"{period} in {cohort.store_path} is a month of the earlier school year, "
                "carried by `cohort rollover`; a pull for it would replace it. Pull this "
                f"cohort ({cohort.cohort.school_year}) with an --as-of in its year. Nothing "
                "was pulled.", path=cohort.store_path)
        states = store.states()
        sources = {d.id: _resolve(cohort, d, google) for d in cohort.districts}
        shared = shared_sources(sources)
        fingerprints = fingerprint_all(s for s in sources.values() if not
                                       isinstance(s, SourceUnavailable))
        prints = {d.id: sources[d.id] if isinstance(sources[d.id], SourceUnavailable)
                  else fingerprints[id(sources[d.id])] for d in cohort.districts}
        known = {d.id: unchanged(d, sources[d.id], prints[d.id], states.get(d.id), force,
                                 shared.get(d.id, ())) for d in cohort.districts}
        to_read = [d.id for d in cohort.districts if not known[d.id][0] and
                   not isinstance(prints[d.id], SourceUnavailable)]
        store.keep_copy()  # before anything is written; NotWritable when it cannot be made
        settings, held = _settings_key(cohort), store.with_month(period)
        with store.transaction(), _reads(cohort, as_of, jobs, to_read, sources,
                                         known) as reads:
            kept: dict[str, str | None] = {}  # unchanged, nothing to assess again
            for d in cohort.districts:
                prev = states.get(d.id)
                o = pull_district(cohort, d, sources[d.id], prints[d.id], as_of, prev, store,
                                  pulled_at, force, shared.get(d.id, ()), accept_older,
                                  known[d.id], reads, settings, d.id in held)
                o = _store_outcome(store, o, prev, period)
                if o.reused and o.data is None:  # its new fingerprint, when hashed to know
                    kept[d.id] = o.token if known[d.id][1] is not None else None
                report.districts.append({
                    "id": o.district_id, "name": o.name, "ok": o.ok, "reused": o.reused,
                    "reason": o.reason, "stale": o.stale, "findings": o.findings,
                    **(o.summary or {})})
                if progress:
                    progress(d, replace(o, data=None))  # what is stored need not stay in memory
            store.touch(list(kept), pulled_at,
                        {did: token for did, token in kept.items() if token is not None})
            if district is not None and stored_district(store) != district:
                keep_district(store, district)
            pull_id = store.record_pull(pulled_at, as_of.isoformat(), period, report.totals())
        report.notes.extend(removed_districts(cohort, states))
        masters = write_masters(cohort, store, google, period, pull_id, jobs)
        report.master_written, report.google_written = masters.written, masters.google_written
        report.master_error = masters.error
        # what `pull --json` printed (its JSON, compact: the indented text takes json's
        # slower encoder), for `serve`'s API
        try:
            with store.transaction():
                store.set_meta(LAST_PULL, json.dumps(report.to_json(), default=str))
        except StoreNotWritten:  # the pull is saved: only the summary `serve` shows is not
            report.notes.append(f"The pull was saved, but {cohort.store_path} could not "
                                "take its summary for `sheetsync serve` (the disk may be "
                                "full); the next pull saves it.")
    return report


@contextmanager
def _reads(cohort: Cohort, as_of: date, jobs: int, to_read: list[str],
           sources: dict[str, Any], known: dict[str, tuple[bool, str | None]],
           ) -> Iterator[Reads | None]:
    """The pull's reads started on a pool, when there are enough files for one; None (each
    read where it is needed, without loading the pool's modules) otherwise."""
    if jobs < 2 or len(to_read) < POOL_MIN:
        yield None
        return
    from sheetsync.pull.pool import reads

    with reads(cohort, as_of, jobs, len(to_read)) as started:
        for did in to_read:
            started.start(did, sources[did], known[did][1])
        yield started


def _store_outcome(store: Store, o: Outcome, prev: dict[str, Any] | None,
                   period: str) -> Outcome:
    """Keep one district's outcome in the store (inside the pull's transaction): the
    outcome with its Summary numbers, as the pull reports it."""
    if o.kept:
        o = replace(o, summary=prev["summary"] if prev else None)
        store.keep(o, period, o.stale or "")
        return o
    if o.reused and o.data is None:  # unchanged, and nothing to assess again
        summary = prev["summary"] if prev else None
        return o if o.summary is summary else replace(o, summary=summary)
    o = replace(o, summary=district_summary(o, period))
    if o.ok or not (prev and prev.get("read_at")):
        store.save(o, period)
        return o
    # A failed read keeps the last good one: this month's, when the store has it (so the
    # Summary row and History's month agree), else the latest, saying its as-of date.
    month = store.snapshot(o.district_id, period)
    if month is not None and month.ok and month.data:
        shown = replace(o, ok=True, data=month.data, as_of=month.as_of)
        summary = district_summary(shown, period)
        store.save(o, period, shown=(month.data, month.as_of, summary))
        return replace(o, read_at=prev["read_at"], data={}, as_of=month.as_of, summary=summary)
    store.save(o, period)
    return replace(o, read_at=prev["read_at"], data={}, as_of=prev["as_of"],
                   summary=prev["summary"])


def removed_districts(cohort: Cohort, states: dict[str, Any]) -> list[str]:
    """A sentence for each district the store holds and the cohort file no longer names."""
    named = {d.id for d in cohort.districts}
    file = cohort.path.name
    return [f"{did} is no longer in {file}: its months stay in the store; `sheetsync history "
            f"drop --district {did}` removes them." for did in sorted(set(states) - named)]


def _resolve(cohort: Cohort, d: District, google: object | None) -> Any:
    try:
        return resolve_source(cohort.folder, d.source, google)
    except SourceUnavailable as exc:
        exc.district = d.id
        return exc
