"""Is a workbook the district's own? Its profile's id and school year, a school plan's
district, two cohort entries on one file (``shared-source``), a file older than the one
pulled before (``source-older``): the identity findings a pull raises."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sheetsync.check.schools import district_mismatch
from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.schools import district_of
from sheetsync.cohort.store import Outcome
from sheetsync.master.summary import latest_month
from sheetsync.read.sources import LocalSource
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding, Severity
from sheetsync.schema.sheets import scorecard_layout


def _same_id(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def identity_findings(card: dict[str, Any], d: District, cohort: Cohort,
                      shared_with: tuple[str, ...] = ()) -> list[Finding]:
    """Is this workbook the district's (or the school's, in its district), for the
    cohort's year (and its file its own)?"""
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


def shared_sources(sources: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Per district id, the other districts whose entry names the same file or sheet."""
    groups: dict[tuple[str, str], list[str]] = {}
    folders: dict[str, str] = {}  # each folder resolved once, not once for each file in it
    for did, source in sources.items():
        key = source_identity(source, folders)
        if key is not None:
            groups.setdefault(key, []).append(did)
    return {did: tuple(o for o in ids if o != did)
            for ids in groups.values() if len(ids) > 1 for did in ids}


def source_identity(source: Any, folders: dict[str, str] | None = None,
                    ) -> tuple[str, str] | None:
    """What makes two sources one: a local file's resolved path, a Google file's key.
    ``folders`` keeps the folders resolved so far: a file that is not a link resolves to
    its folder's resolved path and its name, so only its folder need be resolved."""
    if isinstance(source, LocalSource):
        return "file", os.path.normcase(_resolved(source.path, folders))
    key = getattr(source, "key", None)
    return ("google", key) if isinstance(key, str) else None


def _resolved(path: Path, folders: dict[str, str] | None) -> str:
    parent, name = os.path.split(path)
    if folders is None or name in ("", ".", "..") or os.path.islink(path):
        return str(path.resolve())
    folder = folders.get(parent)
    if folder is None:
        folder = folders[parent] = str(Path(parent or ".").resolve())
    return os.path.join(folder, name)
