"""The monthly pull: every district read, checked and consolidated into the cohort master.

A district whose file has not changed since the last pull (same size and modification
time, or else the same SHA-256) is not read again: its stored scorecard is reused, and
re-assessed only when the as-of date or the status settings changed. A district that cannot
be read is a failed row with its reason; the others go on. The store is written in one
transaction, then the master is written atomically from the store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.places import check_writable
from sheetsync.cohort.schools import district_of, keep_district, stored_district
from sheetsync.cohort.store import Outcome, Store, store_lock
from sheetsync.errors import (
    NotWritable,
    OutputLocked,
    SheetsyncError,
    SourceUnavailable,
    WorkbookUnreadable,
)
from sheetsync.google.constants import NO_CREDENTIALS
from sheetsync.master.build import build_master
from sheetsync.master.summary import district_summary, latest_month
from sheetsync.read.sources import (
    Fingerprint,
    LocalSource,
    Source,
    fingerprint_all,
    resolve_source,
)
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding, Severity
from sheetsync.schema.schoolyear import SchoolYear, period_key
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import STATUSES

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
    districts: list[dict[str, Any]] = field(default_factory=list)
    level: str = "district"  # "school": the entries are a district's schools

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [d for d in self.districts if not d["ok"]]

    def totals(self) -> dict[str, Any]:
        ok = [d for d in self.districts if d["ok"]]
        measures = {s: sum(d.get(s) or 0 for d in ok) for s in
                    STATUSES}
        return {"districts": len(self.districts), "read": sum(not d["reused"] for d in ok),
                "reused": sum(d["reused"] for d in ok), "failed": len(self.failed),
                "measures": measures,
                "late_updates": sum(d.get("late_updates") or 0 for d in ok),
                "errors": sum(d.get("errors") or 0 for d in ok),
                "warnings": sum(d.get("warnings") or 0 for d in ok)}

    def to_json(self) -> dict[str, Any]:
        return {"cohort": self.cohort, "as_of": self.as_of.isoformat(),
                "pulled_at": self.pulled_at, "master": str(self.master),
                "master_written": self.master_written, "master_error": self.master_error,
                "level": self.level, "totals": self.totals(), "districts": self.districts}


def as_of_problem(cohort: Cohort, as_of: date, today: date | None = None) -> str | None:
    """Why ``as_of`` should not be pulled for: outside the cohort's school year, or after
    today (a pull records a History month for it). ``sheetsync pull --force`` overrides."""
    year = SchoolYear.parse(cohort.cohort.school_year)
    today = today or date.today()
    if not year.start <= as_of <= year.end:
        return (f"--as-of {as_of} is outside the cohort's school year {year.label} "
                f"({year.start} to {year.end}); a pull would record a History month "
                f"{period_key(as_of)} that does not belong to it. Use a date in {year.label}, "
                "or add --force if you really mean it.")
    if as_of > today:
        return (f"--as-of {as_of} is after today ({today}); statuses for a day that has not "
                "come would be recorded in History. Use today or an earlier date, or add "
                "--force if you really mean it.")
    return None


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _settings_key(cohort: Cohort) -> str:
    key: dict[str, Any] = {**cohort.settings.to_dict(), "school_year": cohort.cohort.school_year}
    district = district_of(cohort)
    if district is not None:  # a changed district plan checks every school plan again
        key["district"] = district.fingerprint
    return json.dumps(key, sort_keys=True)


# The reader, the checks and the master writer are imported where they are used: a monthly
# re-pull with nothing changed needs none of them, and starts in a fraction of the time.


def _result_data(card: Any, read_findings: list[Finding], as_of: date,
                 cohort: Cohort) -> dict[str, Any]:
    from sheetsync.check.assess import assess

    result = assess(card, read_findings, as_of, cohort.settings, district_of(cohort))
    return {"card": card.model_dump(mode="json"),
            "read_findings": [f.to_dict() for f in read_findings],
            "result": result.to_json()}


def _reassess(data: dict[str, Any], as_of: date, cohort: Cohort) -> dict[str, Any]:
    from sheetsync.read.models import Scorecard

    card = Scorecard.model_validate(data["card"])
    found = [Finding.from_dict(f) for f in data["read_findings"]]
    return _result_data(card, found, as_of, cohort)


def pull_district(cohort: Cohort, d: District, source: Source,
                  fingerprint: Fingerprint | SourceUnavailable, as_of: date,
                  prev: dict[str, Any] | None, store: Store, pulled_at: str,
                  force: bool = False, shared_with: tuple[str, ...] = (),
                  accept_older: bool = False) -> Outcome:
    """Read (or reuse) one district. Never raises for the district's own problems.

    ``shared_with`` names the other cohort entries on the same file (``shared-source``).
    A file older than the stored read is not taken unless ``accept_older``: the outcome is
    then ``kept`` with a ``source-older`` warning, and the store keeps the newer read.
    """
    failed = Outcome(district_id=d.id, name=d.name, source=d.source, ok=False,
                     pulled_at=pulled_at, as_of=as_of.isoformat(),
                     settings=_settings_key(cohort))
    if isinstance(fingerprint, SourceUnavailable):
        return replace(failed, reason=fingerprint.reason)
    fp = fingerprint
    failed = replace(failed, token=fp.token, modified=fp.modified)
    digest = None
    try:
        if prev and prev["ok"] and prev["source"] == d.source and not force and \
                not shared_with and not prev.get("flagged"):  # identity findings: look again
            same = prev["token"] == fp.token
            if not same:
                same, digest = source.same_content(prev["sha256"])
            if same:
                data = None
                if prev["as_of"] != failed.as_of or prev["settings"] != failed.settings:
                    data = _reassess(store.data(d.id) or {}, as_of, cohort)
                    found = identity_findings(data["card"], d, cohort, shared_with)
                    if any(f.severity == Severity.ERROR for f in found):
                        return _refused(failed, found)
                return replace(failed, ok=True, sha256=digest or prev["sha256"],
                               read_at=prev["read_at"], data=data, reused=True)

        rows = source.read()
        if digest is None:
            digest = source.same_content(None)[1]
        from sheetsync.read.scorecard import read_rows

        card, found = read_rows(rows)
        data = _result_data(card, found, as_of, cohort)
    except (WorkbookUnreadable, SourceUnavailable) as exc:
        return replace(failed, reason=exc.reason)
    except SheetsyncError as exc:
        return replace(failed, reason=str(exc))
    except OSError as exc:
        return replace(failed, reason=f"cannot read the file ({exc.strerror})")
    identity = identity_findings(data["card"], d, cohort, shared_with)
    if any(f.severity == Severity.ERROR for f in identity):
        return _refused(failed, identity)
    read = replace(failed, ok=True, sha256=digest, read_at=_now(), data=data,
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


def _same_id(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def identity_findings(card: dict[str, Any], d: District, cohort: Cohort,
                      shared_with: tuple[str, ...] = ()) -> list[Finding]:
    """Is this workbook the district's (or the school's, in its district), for the
    cohort's year (and its file its own)?"""
    from sheetsync.check.schools import district_mismatch

    level = cohort.cohort.level
    profile = card.get("profile") or {}
    sheet = scorecard_layout(level=level).sheet("profile")
    name = (card.get("sheet_names") or {}).get("profile") or sheet.name
    key = f"{cohort.words.noun}_id"
    found_id = (profile.get(key) or "").strip()
    out: list[Finding] = []
    mismatch = bool(found_id) and not _same_id(found_id, d.id)
    rule = F.SCHOOL_ID_MISMATCH if level == "school" else F.DISTRICT_ID_MISMATCH
    if mismatch:
        out.append(rule(sheet=name, cell=sheet.field(key).cell, expected=d.id, found=found_id))
    district = district_of(cohort)
    wrong = district and district_mismatch(profile.get("district_id"), name, district)
    if wrong:
        out.append(wrong)
    if level == "school" and card.get("level") != "school":
        out.append(F.NOT_A_SCHOOL_PLAN(sheet=name, school=d.id))
    year = card.get("school_year")
    if year and year != cohort.cohort.school_year:
        out.append(F.WRONG_SCHOOL_YEAR(sheet=name, cell=sheet.field("school_year").cell,
                                       found=year, expected=cohort.cohort.school_year))
    if shared_with:
        mine = bool(found_id) and not mismatch
        outcome = (f"Its profile names {d.id}, so it was pulled for {d.id} only; give the "
                   "other entries their own files." if mine else
                   f"Its profile does not name {d.id}, so it was not pulled for {d.id}; give "
                   "each district its own file.")
        out.append(F.SHARED_SOURCE(severity=Severity.WARNING if mine else None, sheet=None,
                                   source=d.source, others=", ".join(shared_with),
                                   outcome=outcome))
    return out


def source_older(prev: dict[str, Any] | None, read: Outcome) -> Finding | None:
    """``source-older`` when the file went back since the last good read: an earlier
    modified time, or an earlier latest month with actuals."""
    if not prev or not prev.get("read_at") or prev["source"] != read.source:
        return None
    what = None
    if prev.get("modified") and read.modified and read.modified < prev["modified"]:
        what = (f"This file was last modified {read.modified}, before the copy pulled last "
                f"time (modified {prev['modified']}); it looks like an older copy.")
    else:
        before = (prev.get("summary") or {}).get("latest_month")
        now = latest_month((read.data or {}).get("card") or {})
        if before and now and now < before:
            what = (f"Its latest month with actuals is {now}, but the last pull had actuals "
                    f"up to {before}; it looks like an older copy.")
    if what is None:
        return None
    return F.SOURCE_OLDER(what=what, read_at=(prev["read_at"] or "")[:10])


def pull(cohort: Cohort, as_of: date | None = None, progress: Progress | None = None,
         force: bool = False, google: object | None = None,
         accept_older: bool = False) -> PullReport:
    """Pull every district of ``cohort`` and write the master (when anything changed).

    ``google`` is the client Google sources use (see ``sheetsync.google``); local
    workbooks need none. ``accept_older`` takes files older than the stored read.
    """
    as_of = as_of or date.today()
    period = period_key(as_of)
    pulled_at = _now()
    report = PullReport(cohort.cohort.name, as_of, pulled_at, cohort.master_path, False,
                        level=cohort.cohort.level)
    check_writable(cohort.store_path, cohort.master_path)  # before any work
    district = district_of(cohort)  # a school cohort's district: readable, or nothing is
    with store_lock(cohort.store_path, "pull"), Store(cohort.store_path) as store:
        states = store.states()
        changed = False
        sources = {d.id: _resolve(cohort, d, google) for d in cohort.districts}
        shared = shared_sources(sources)
        fingerprints = fingerprint_all(s for s in sources.values() if not
                                       isinstance(s, SourceUnavailable))
        with store.transaction() as db:
            unchanged: list[tuple[str, str]] = []  # (pulled_at, district id): one statement
            for d in cohort.districts:
                prev = states.get(d.id)
                source = sources[d.id]
                fp = source if isinstance(source, SourceUnavailable) else fingerprints[id(source)]
                o = pull_district(cohort, d, source, fp, as_of, prev, store, pulled_at, force,
                                  shared.get(d.id, ()), accept_older)
                if o.kept:
                    o.summary = prev["summary"] if prev else None
                    store.keep(db, o, period, o.stale or "")
                    changed = True
                elif not o.reused or o.data is not None:
                    o.summary = district_summary(o, period)
                    store.save(db, o, period)
                    if not o.ok and prev and prev.get("read_at"):
                        o.read_at = prev["read_at"]  # the last good read, kept in the store
                        o.data = {}
                    changed = True
                else:
                    o.summary = prev["summary"] if prev else None
                    unchanged.append((o.pulled_at, d.id))
                report.districts.append({
                    "id": o.district_id, "name": o.name, "ok": o.ok, "reused": o.reused,
                    "reason": o.reason, "stale": o.stale, "findings": o.findings,
                    **(o.summary or {})})
                o.data = None  # what is in the store need not stay in memory
                if progress:
                    progress(d, o)
            db.executemany("UPDATE outcomes SET pulled_at = ? WHERE district_id = ?", unchanged)
            if set(states) != {d.id for d in cohort.districts}:
                changed = True
            if district is not None and stored_district(store) != district:
                keep_district(store, db, district)
                changed = True
            totals = report.totals()
            stale = changed or store.meta("master_stale") != "0" or \
                not cohort.master_path.exists()
            if stale:
                store.set_meta(db, "master_stale", "1")
            store.record_pull(db, pulled_at, as_of.isoformat(), period, totals, stale)
        if stale:
            try:
                build_master(cohort, store, period)
                report.master_written = True
            except OutputLocked as exc:
                report.master_error = str(exc)
            except NotWritable as exc:
                report.master_error = f"{exc} The pull was saved: run `sheetsync master " \
                    "rebuild` once the master can be written."
            report.master_error = google_master(cohort, store, google, period) or \
                report.master_error
        with store.transaction() as db:  # what `pull --json` printed, for `serve`'s API
            store.set_meta(db, LAST_PULL, json.dumps(report.to_json(), indent=2, default=str))
    return report


def shared_sources(sources: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Per district id, the other districts whose entry names the same file or sheet."""
    groups: dict[tuple[str, str], list[str]] = {}
    for did, source in sources.items():
        key = source_identity(source)
        if key is not None:
            groups.setdefault(key, []).append(did)
    return {did: tuple(o for o in ids if o != did)
            for ids in groups.values() if len(ids) > 1 for did in ids}


def source_identity(source: Any) -> tuple[str, str] | None:
    """What makes two sources one: a local file's resolved path, a Google file's key."""
    if isinstance(source, LocalSource):
        return "file", os.path.normcase(str(source.path.resolve()))
    key = getattr(source, "key", None)
    return ("google", key) if isinstance(key, str) else None


def google_master(cohort: Cohort, store: Store, google: object | None,
                  period: str | None = None) -> str | None:
    """Also write the Google master when the cohort names one; the reason if it failed."""
    if not cohort.master.google_sheet:
        return None
    if google is None:
        return f"[master] google_sheet is set, but there are {NO_CREDENTIALS}"
    from sheetsync.master.google import build_google_master

    try:
        build_google_master(cohort, store, google, period)
    except SheetsyncError as exc:
        return f"The Google master was not written: {exc}"
    return None


def _resolve(cohort: Cohort, d: District, google: object | None) -> Any:
    try:
        return resolve_source(cohort.folder, d.source, google)
    except SourceUnavailable as exc:
        exc.district = d.id
        return exc
