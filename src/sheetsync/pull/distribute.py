"""Hand every district its own copy of the template, profile filled in, shared with its people.

``distribute`` makes one copy per district named "<District> (<id>) — District Scorecard
<year>" (the id, so two districts of one name get a copy each):
a .xlsx in a local folder, or a Google Sheet in a Drive folder, copied from a Google template
(made once in that folder by ``template.google``). Each Google copy has its profile
pre-filled in one request and is shared as editor with the district's ``contacts`` and
nobody else (no link sharing). Each new copy becomes the district's ``source`` in the cohort
file at once, so a run that stops half way loses nothing.

Running it again makes no duplicates: a district whose source already is a scorecard (a
Google Sheet, or a workbook that exists) is skipped, and a copy already in the folder under
its name is adopted rather than made twice (so is one under the name earlier versions gave,
"<District> — District Scorecard <year>", when no other district has that name).
"""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import Cohort, District
from sheetsync.errors import SheetsyncError
from sheetsync.files import writable_folder
from sheetsync.google.address import is_google, sheet_url
from sheetsync.google.client import GoogleClient
from sheetsync.google.constants import SHEET_MIME
from sheetsync.google.errors import GoogleError
from sheetsync.pull.copies import record, relative, safe_name
from sheetsync.pull.schools import distribute_schools
from sheetsync.read.models import Profile, Scorecard
from sheetsync.schema.layout import Layout
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import write_scorecard
from sheetsync.template.google import create_google_template, template_name

if TYPE_CHECKING:
    from sheetsync.google.client import GoogleClient

ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5,
             "owner": 6}


class DriveStorageUnavailable(SheetsyncError):
    """Drive refused to store a new file for this identity (403 storageQuotaExceeded)."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"Google Drive would not store the copies in folder {folder}: a service account "
            "has no Drive storage of its own, so it can no longer own files in My Drive "
            "(Drive answered 403 storageQuotaExceeded). Either use a folder in a shared drive "
            "that the service account is a member of (as Content manager) and pass its id to "
            "--drive-folder, or sign in as yourself with `sheetsync auth login` and "
            "distribute with those credentials.")
        self.folder = folder


def copy_name(district: District, school_year: str) -> str:
    return f"{district.name} ({district.id}) — District Scorecard {school_year}"


def _names(cohort: Cohort, d: District, year: str) -> list[str]:
    """The names a copy of ``d`` may already have: this version's, then the name without the
    id that earlier versions gave, while no other district has the same name."""
    same = sum(o.name == d.name for o in cohort.members)
    return [copy_name(d, year)] + ([f"{d.name} — District Scorecard {year}"] if same == 1
                                   else [])


def profile_values(layout: Layout, district: District) -> dict[str, Any]:
    """What a copy's District Profile starts with: the first contact's address, and their
    name when the roster gives one ("Jane Doe <jane@x.org>")."""
    name = parseaddr(district.contacts[0])[0].strip() if district.contacts else ""
    return {"district_id": district.id, "district_name": district.name,
            "school_year": layout.school_year.label, "template_version": layout.template_version,
            "contact_name": name or None,
            "contact_email": district.emails[0] if district.emails else None}


def district_card(layout: Layout, district: District) -> Scorecard:
    """The scorecard a new copy starts as: the district's profile, nothing else yet. Local
    copies are written from it by ``year.write_scorecard`` (the reader's inverse), so a
    copy reads back as exactly this."""
    values = profile_values(layout, district)
    return Scorecard(source="", school_year=layout.school_year.label,
                     template_version=layout.template_version,
                     profile=Profile(**{k: values.get(k) for k in Profile.model_fields
                                        if k in values}))


def distribute(cohort: Cohort, http: Any = None, drive_folder: str | None = None,
               folder: str | Path | None = None, template_id: str | None = None,
               notify: bool = True) -> list[dict[str, Any]]:
    """One copy per district; returns one record per district: ``status`` is ``created``,
    ``exists`` (found under its name and adopted) or ``skipped`` (its source is already a
    scorecard), with the ``source`` the cohort now records for it."""
    if (drive_folder is None) == (folder is None):
        raise SheetsyncError("distribute needs a Drive folder id or a local folder, not both")
    layout = scorecard_layout(cohort.cohort.school_year)
    writable_folder(cohort.folder, cohort.path.name)
    if cohort.cohort.level == "school":  # each school's plan, from the district's plan

        if folder is None:
            raise SheetsyncError("school plans are made as .xlsx in a local folder: pass "
                                 "--folder DIR (Google Drive copies are for districts, for now)")
        return distribute_schools(cohort, writable_folder(Path(folder), "the plans"))
    if folder is not None:
        return _local(cohort, layout, writable_folder(Path(folder), "the copies"))
    return _drive(cohort, layout, http, str(drive_folder), template_id, notify)


def _already(cohort: Cohort, d: District) -> str | None:
    """Why a district needs no copy: its source is a scorecard already."""
    if not d.source:
        return None
    if is_google(d.source):
        return "its source is a Google Sheet already"
    if cohort.source_path(d).exists():
        return f"its workbook {d.source} exists"
    return None


# -- a local folder ----------------------------------------------------------------------


def _local(cohort: Cohort, layout: Layout, folder: Path) -> list[dict[str, Any]]:
    out = []
    for d in cohort.members:
        reason = _already(cohort, d)
        if reason:
            out.append(record(d, "skipped", reason))
            continue
        names = [folder / f"{safe_name(n)}.xlsx"
                 for n in _names(cohort, d, layout.school_year.label)]
        path = next((p for p in names if p.exists()), names[0])
        status = "exists" if path.exists() else "created"
        if status == "created":
            write_scorecard(district_card(layout, d), path, settings=cohort.settings)
        d.source = relative(cohort, path)
        save_cohort(cohort)
        out.append(record(d, status))
    return out


# -- a Drive folder ------------------------------------------------------------------------


def _drive(cohort: Cohort, layout: Layout, http: Any, folder: str, template_id: str | None,
           notify: bool) -> list[dict[str, Any]]:
    year = layout.school_year.label
    if all(_already(cohort, d) for d in cohort.members):  # nothing to do: ask nothing
        return [record(d, "skipped", _already(cohort, d)) for d in cohort.members]
    client = GoogleClient.of(http)
    try:
        existing = _listing(client, folder)
        if template_id is None:
            template_id = existing.get(template_name(year)) or create_google_template(
                client, layout, template_name(year), folder_id=folder,
                settings=cohort.settings)[0]
        out = []
        for d in cohort.members:
            reason = _already(cohort, d)
            out.append(record(d, "skipped", reason) if reason else _drive_copy(
                client, cohort, layout, d, folder, template_id, existing, notify))
        return out
    except GoogleError as exc:
        if exc.reason == "storageQuotaExceeded":
            raise DriveStorageUnavailable(folder) from None
        raise


def _drive_copy(client: GoogleClient, cohort: Cohort, layout: Layout, d: District, folder: str,
                template_id: str, existing: dict[str, str], notify: bool) -> dict[str, Any]:
    """One district's copy: made (or found under its name), filled in, shared, recorded."""
    year = layout.school_year.label
    key = next((existing[n] for n in _names(cohort, d, year) if n in existing), None)
    status = "exists" if key else "created"
    if key is None:
        key = client.copy_file(template_id, copy_name(d, year), [folder],
                               f"copying the template for {d.name}")
        _prefill(client, key, layout, d)
    shared = _share(client, key, d, fresh=status == "created", notify=notify,
                    message=f"Your District Scorecard for {year}: {sheet_url(key)}")
    d.source = sheet_url(key)
    save_cohort(cohort)
    return record(d, status, shared_with=shared)


def _listing(client: GoogleClient, folder: str) -> dict[str, str]:
    """Name -> id of the spreadsheets in ``folder`` (one request per 1,000)."""
    found: dict[str, str] = {}
    query = f"'{folder}' in parents and trashed = false and mimeType = '{SHEET_MIME}'"
    for f in client.list_files(query, "id,name", corpora="allDrives",
                               what="listing the Drive folder"):
        found.setdefault(f["name"], f["id"])
    return found


def _prefill(client: GoogleClient, key: str, layout: Layout, d: District) -> None:
    """The copy's profile cells, written as text in one request."""
    profile = layout.sheet("profile")
    tab = "'" + profile.name.replace("'", "''") + "'"
    values = profile_values(layout, d)
    data = [{"range": f"{tab}!{fld.cell}", "values": [[str(values[fld.key])]]}
            for fld in profile.fields if values.get(fld.key) is not None and not fld.formula]
    client.write_values(key, data, f"filling in {d.name}'s profile")


def _share(client: GoogleClient, key: str, d: District, fresh: bool, notify: bool,
           message: str) -> list[str]:
    """Editor access for the district's contacts (and nobody else); returns who was added."""
    have: set[str] = set()
    if not fresh:
        have = {p.get("emailAddress", "").lower()
                for p in client.permissions(key, f"listing {d.name}'s sharing")
                if ROLE_RANK.get(p.get("role", ""), 0) >= ROLE_RANK["writer"]}
    added = []
    for email in d.emails:
        if email.lower() in have:
            continue
        client.share(key, email, "writer", f"sharing {d.name}'s copy", notify=notify,
                     message=message)
        added.append(email)
    return added


__all__ = ["DriveStorageUnavailable", "copy_name", "distribute", "profile_values",
           "template_name"]
