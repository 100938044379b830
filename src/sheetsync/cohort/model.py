"""The cohort: which districts a consultant pulls, from where, and the settings of the pull.

A ``cohort.toml`` looks like::

    [cohort]
    name = "SPIE 2026-27"
    school_year = "2026-27"
    [status]            # optional overrides of the defaults (schema/settings.py)
    at_risk_band = 0.10
    update_due_day = 30
    [master]
    path = "cohort_master.xlsx"
    [smtp]              # optional: how `sheetsync remind --send` sends
    host = "smtp.example.org"
    from = "Consultant <consultant@example.org>"
    [[district]]
    id = "KY-001"
    name = "Adair County"
    source = "districts/adair.xlsx"   # relative to cohort.toml; blank until distributed
    contacts = ["Jane Doe <jane@adair.kyschools.us>"]

A file that cannot be used raises ``CohortError`` naming the file, the line and the field.
It is read as UTF-8 (with or without a BOM) or Windows-1252, and edited with ``tomlkit``, so
what sheetsync writes into it (a district added, a source filled in) keeps the user's
comments and order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.schema.level import Level, LevelKey, level_of
from sheetsync.schema.settings import StatusSettings

FILENAME = "cohort.toml"


@dataclass
class CohortInfo:
    name: str
    school_year: str
    level: LevelKey = "district"  # "school": a district's schools, under ``district``
    district: str = ""  # a school cohort's district workbook, relative to cohort.toml


@dataclass
class MasterSettings:
    path: str = "cohort_master.xlsx"
    google_sheet: str | None = None


@dataclass
class Member:
    """One unit of the cohort: a ``[[district]]`` of a district cohort, a ``[[school]]`` of
    a school cohort. (``District`` is its older name.)"""

    id: str  # not empty
    name: str  # not empty
    source: str = ""  # blank until `sheetsync distribute` (or add-folder) fills it in
    contacts: list[str] = field(default_factory=list)  # "Jane Doe <jane@x.org>" or bare

    @property
    def emails(self) -> list[str]:
        """The contacts' bare addresses (display names dropped)."""
        from email.utils import parseaddr  # slow to import (socket, ...); a pull needs it not

        return [parseaddr(c)[1] or c for c in self.contacts]


District = Member  # the older name, kept for callers: a member may be a school


@dataclass
class SmtpSettings:
    """``[smtp]``: the server reminders go through. The password is never in the file: it
    comes from the SHEETSYNC_SMTP_PASSWORD environment variable."""

    host: str  # not empty
    sender: str  # written ``from``: an e-mail address
    port: int = 587  # 1 to 65535
    starttls: bool = True
    username: str | None = None
    cafile: str | None = None  # a CA certificate to trust (e.g. a self-signed server's)
    timeout: float = 30  # seconds, more than 0
    digest_to: list[str] = field(default_factory=list)


@dataclass
class Cohort:
    cohort: CohortInfo
    status: StatusSettings = field(default_factory=StatusSettings)  # [status], parsed once
    master: MasterSettings = field(default_factory=MasterSettings)
    google: dict[str, str] = field(default_factory=dict)  # api_url, credentials
    smtp: SmtpSettings | None = None
    district: list[Member] = field(default_factory=list)  # [[district]]
    school: list[Member] = field(default_factory=list)  # a school cohort's [[school]]
    path: Path = Path(FILENAME)
    # the file as tomlkit read it, to edit in place; the file as read, parsed on saving
    _doc: Any = field(default=None, repr=False, compare=False)
    _text: str | None = field(default=None, repr=False, compare=False)
    # the file's data as JSON, parsed where there was no folder yet to keep it in
    # (file.keep_data): the text as parsed, before anything could change it
    _unkept: str | None = field(default=None, repr=False, compare=False)

    @property
    def words(self) -> Level:
        """How this cohort names its units: districts, or a district's schools."""
        return level_of(self.cohort.level)

    @property
    def district_path(self) -> Path | None:
        """A school cohort's district workbook."""
        return self.folder / self.cohort.district if self.cohort.district else None

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def members(self) -> list[Member]:
        """The cohort's units: its districts, or a school cohort's schools."""
        return self.school if self.cohort.level == "school" else self.district

    @property
    def districts(self) -> list[Member]:
        """``members`` by its older name (a school cohort's are schools)."""
        return self.members

    @property
    def settings(self) -> StatusSettings:
        """``[status]``: the settings of the status rule, as parsed (the same object)."""
        return self.status

    @property
    def master_path(self) -> Path:
        return self.folder / self.master.path

    @property
    def store_path(self) -> Path:
        return self.folder / ".sheetsync" / "store.sqlite"

    def source_path(self, member: Member) -> Path:
        return self.folder / member.source
