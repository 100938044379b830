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

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sheetsync.errors import CohortError, SheetsyncError
from sheetsync.files import is_lock_file, read_text, replacing, writable_folder
from sheetsync.schema.level import Level, LevelKey, level_of
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import (
    AT_RISK_BAND,
    STATUS_SETTINGS,
    UPDATE_DUE_DAY,
    Setting,
    StatusSettings,
)

FILENAME = "cohort.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CohortInfo(_Strict):
    name: str
    school_year: str
    level: LevelKey = "district"  # "school": a district's schools, under ``district``
    district: str = ""  # a school cohort's district workbook, relative to cohort.toml

    @field_validator("school_year")
    @classmethod
    def _year(cls, value: str) -> str:
        return SchoolYear.parse(value).label


def _setting(s: Setting) -> Any:
    return Field(s.default, ge=s.low, le=s.high, description=s.explain)


class StatusOverrides(_Strict):
    """``[status]``: one field per declared setting (``schema/settings.py``)."""

    at_risk_band: float = _setting(AT_RISK_BAND)
    update_due_day: int = _setting(UPDATE_DUE_DAY)


assert list(StatusOverrides.model_fields) == [s.key for s in STATUS_SETTINGS], \
    "[status] has one field per declared setting, in order"


class MasterSettings(_Strict):
    path: str = "cohort_master.xlsx"
    google_sheet: str | None = None


class District(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    source: str = ""  # blank until `sheetsync distribute` (or add-folder) fills it in
    contacts: list[str] = Field(default_factory=list)  # "Jane Doe <jane@x.org>" or bare

    @property
    def emails(self) -> list[str]:
        """The contacts' bare addresses (display names dropped)."""
        from email.utils import parseaddr

        return [parseaddr(c)[1] or c for c in self.contacts]


class SmtpSettings(_Strict):
    """``[smtp]``: the server reminders go through. The password is never in the file: it
    comes from the SHEETSYNC_SMTP_PASSWORD environment variable."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    sender: str = Field(alias="from")
    starttls: bool = True
    username: str | None = None
    cafile: str | None = None  # a CA certificate to trust (e.g. a self-signed server's)
    timeout: float = Field(30, gt=0)  # seconds
    digest_to: list[str] = Field(default_factory=list)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _one_address(value)

    @field_validator("digest_to", mode="before")
    @classmethod
    def _digest(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        return [_one_address(v) for v in value] if isinstance(value, list) else value


def _one_address(value: str) -> str:
    from sheetsync.cohort.roster import contact

    if contact(value) is None:
        raise ValueError(f"{value!r} is not an e-mail address (write it like "
                         "Jane Doe <jane@x.org>)")
    return value


class Cohort(_Strict):
    cohort: CohortInfo
    status: StatusOverrides = Field(default_factory=StatusOverrides)
    master: MasterSettings = Field(default_factory=MasterSettings)
    google: dict[str, str] = Field(default_factory=dict)  # api_url, credentials
    smtp: SmtpSettings | None = None
    district: list[District] = Field(default_factory=list)
    school: list[District] = Field(default_factory=list)  # a school cohort's [[school]]
    path: Path = Field(default=Path(FILENAME), exclude=True)
    _doc: Any = PrivateAttr(default=None)  # the file as tomlkit read it, to edit in place

    @field_validator("district", "school")
    @classmethod
    def _unique(cls, districts: list[District], info: ValidationInfo) -> list[District]:
        seen: set[str] = set()
        for d in districts:
            if d.id in seen:
                raise ValueError(f"{info.field_name} id {d.id!r} is listed twice")
            seen.add(d.id)
        return districts

    @model_validator(mode="after")
    def _level(self) -> Cohort:
        info = self.cohort
        if info.level == "school" and not info.district:
            raise ValueError('a school cohort (level = "school") names its district\'s '
                             'workbook: add district = "district.xlsx" under [cohort]')
        other = "district" if info.level == "school" else "school"
        if getattr(self, other):
            raise ValueError(f"a cohort of {self.words.plural} lists [[{self.words.noun}]] "
                             f"entries, not [[{other}]] (or set level = \"{other}\")")
        return self

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
    def districts(self) -> list[District]:
        """The cohort's units: its districts, or a school cohort's schools."""
        return self.school if self.cohort.level == "school" else self.district

    @property
    def settings(self) -> StatusSettings:
        return StatusSettings.from_mapping(self.status.model_dump())

    @property
    def master_path(self) -> Path:
        return self.folder / self.master.path

    @property
    def store_path(self) -> Path:
        return self.folder / ".sheetsync" / "store.sqlite"

    def source_path(self, district: District) -> Path:
        return self.folder / district.source


def find_cohort(path: str | Path | None) -> Path:
    """``path``, or cohort.toml in the current folder."""
    found = Path(path) if path else Path.cwd() / FILENAME
    if found.is_dir():
        found = found / FILENAME
    if not found.exists():
        raise CohortError(f"{found}: no cohort file here. Create one with `sheetsync cohort init "
                          "--roster roster.csv` or pass --cohort PATH.", path=found)
    return found


def load_cohort(path: str | Path | None = None) -> Cohort:
    path = find_cohort(path)
    try:
        text = read_text(path, "cohort file")
    except SheetsyncError as exc:
        raise CohortError(str(exc), path=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CohortError(f"{path}: {exc}", path=path) from None
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        loc = [str(p) for p in exc.errors()[0]["loc"]]
        raise CohortError(_explain(path, text, exc), path=path, line=_line_of(text, loc),
                          field=".".join(loc) or None) from None
    cohort.path = path
    cohort._doc = tomlkit.parse(text)
    return cohort


def _explain(path: Path, text: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        line = _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        field = ".".join(loc) or "(file)"
        lines.append(f"{where}: {field}: {err['msg']}")
    return "\n".join(lines)


def _line_of(text: str, loc: list[str]) -> int | None:
    """The line of a field: ``['district', '2', 'id']`` is the third [[district]]'s id."""
    rows = text.splitlines()
    start, end = 0, len(rows)
    if loc and loc[0] in ("district", "school") and len(loc) > 1 and loc[1].isdigit():
        headers = [i for i, r in enumerate(rows) if r.strip() == f"[[{loc[0]}]]"]
        n = int(loc[1])
        if n >= len(headers):
            return None
        start = headers[n]
        end = headers[n + 1] if n + 1 < len(headers) else len(rows)
        key = loc[2] if len(loc) > 2 else None
    elif loc:
        header = [i for i, r in enumerate(rows) if r.strip() == f"[{loc[0]}]"]
        if not header:
            return None
        start = header[0]
        key = loc[1] if len(loc) > 1 else None
    else:
        return None
    if key:
        for i in range(start, end):
            if re.match(rf"\s*{re.escape(key)}\s*=", rows[i]):
                return i + 1
    return start + 1


# -- writing --------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings and lists are valid TOML


def dump_cohort(cohort: Cohort) -> str:
    lines = ["[cohort]", f"name = {_toml_value(cohort.cohort.name)}",
             f"school_year = {_toml_value(cohort.cohort.school_year)}"]
    if cohort.cohort.level != "district":
        lines += [f"level = {_toml_value(cohort.cohort.level)}",
                  f"district = {_toml_value(cohort.cohort.district)}"]
    lines += ["", "[status]",
              *(f"{s.key} = {getattr(cohort.status, s.key)}" for s in STATUS_SETTINGS),
              "", "[master]",
             f"path = {_toml_value(cohort.master.path)}"]
    if cohort.master.google_sheet:
        lines.append(f"google_sheet = {_toml_value(cohort.master.google_sheet)}")
    if cohort.google:
        lines += ["", "[google]"] + [f"{k} = {_toml_value(v)}" for k, v in cohort.google.items()]
    for d in cohort.districts:
        lines += ["", f"[[{cohort.words.noun}]]", f"id = {_toml_value(d.id)}",
                  f"name = {_toml_value(d.name)}"]
        if d.source:
            lines.append(f"source = {_toml_value(d.source)}")
        lines.append(f"contacts = {_toml_value(d.contacts)}")
    return "\n".join(lines) + "\n"


def save_cohort(cohort: Cohort) -> Path:
    """Write the cohort file. One read from disk is edited in place (its comments, order
    and layout kept): districts added, and their name, source and contacts brought up to
    date; a cohort made in memory is written whole."""
    doc = cohort._doc if cohort._doc is not None else tomlkit.parse(dump_cohort(cohort))
    _sync_districts(doc, cohort.districts, cohort.words.noun)
    with replacing(cohort.path, suffix=".toml") as tmp:
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    cohort._doc = doc
    return cohort.path


def _sync_districts(doc: Any, districts: list[District], key: str = "district") -> None:
    if key not in doc:
        doc.append(key, tomlkit.aot())
    tables = doc[key]
    by_id = {str(t.get("id")): t for t in tables}
    for d in districts:
        table = by_id.get(d.id)
        if table is None:
            table = tomlkit.table()
            table.trivia.indent = "\n"  # a blank line before its [[district]]
            table["id"] = d.id
            tables.append(table)
        for key, value in (("name", d.name), ("source", d.source), ("contacts", d.contacts)):
            if table.get(key) != value and (value or key in table):
                table[key] = value


def read_roster(path: str | Path) -> list[District]:
    """Districts from the roster a facilitator keeps (see ``roster.py``)."""
    from sheetsync.cohort.roster import read_roster_rows

    return [District(id=r.id, name=r.name, source=r.source, contacts=r.contacts)
            for r in read_roster_rows(path)]


def init_cohort(path: Path, name: str, school_year: str, districts: list[District],
                district_file: str | None = None) -> Cohort:
    """A new cohort file; with ``district_file`` (relative to ``path``'s folder), a cohort
    of that district's schools."""
    if path.exists():
        raise CohortError(f"{path} already exists; edit it or use `sheetsync cohort add-folder`")
    try:
        info = CohortInfo(name=name, school_year=school_year,
                          level="school" if district_file else "district",
                          district=district_file or "")
        cohort = Cohort(cohort=info, path=path,
                        **{info.level: districts})  # type: ignore[arg-type]
    except ValidationError as exc:
        raise CohortError(f"{path}: {exc.errors()[0]['msg']}") from None
    writable_folder(path.parent, path.name)
    save_cohort(cohort)
    return cohort


# -- adding a folder of workbooks --------------------------------------------------------


@dataclass
class FolderScan:
    """What ``add_folder`` did: districts added, districts whose source it moved to a
    renamed file (found by the id in the file's profile), and files it left out, why."""

    added: list[District] = field(default_factory=list)
    moved: list[District] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def add_folder(cohort: Cohort, folder: Path) -> FolderScan:
    """Add every District Scorecard workbook in ``folder`` that the cohort does not list yet.

    Leaves out what sheetsync wrote (the cohort master, whatever its name; the store; the
    files it writes atomically), lock files, and workbooks the cohort already reads. A file
    whose profile names a district the cohort lists, whose own file is gone (renamed) or not
    yet given, becomes that district's source instead of a new district."""
    writable_folder(cohort.folder, cohort.path.name)
    scan = FolderScan()
    known = {cohort.source_path(d).resolve() for d in cohort.districts if d.source}
    for path in _workbooks(folder):
        if path.resolve() in known:
            continue
        why = _left_out(cohort, path)
        if why is None:
            why = _take(cohort, path, scan)
        if why:
            scan.skipped.append((path, why))
    if scan.added or scan.moved:
        save_cohort(cohort)
    return scan


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in (".xlsx", ".xlsm") and p.is_file())


def _left_out(cohort: Cohort, path: Path) -> str | None:
    """Why ``path`` is not a district's workbook, judged by its name and place."""
    resolved = path.resolve()
    if is_lock_file(path):
        return "a lock file"
    if path.name.startswith("."):
        return "a hidden file (sheetsync's files being written start with a dot)"
    if resolved == cohort.master_path.resolve():
        return "the cohort master"
    if cohort.store_path.parent.resolve() in resolved.parents:
        return "sheetsync's store"
    return None


def _take(cohort: Cohort, path: Path, scan: FolderScan) -> str | None:
    """Add ``path`` or re-point a district to it; the reason when it is left out."""
    found = _identify(path)
    if isinstance(found, str):
        return found
    district_id, name, from_profile = found
    source = _relative(cohort, path)
    listed = next((d for d in cohort.districts if d.id == district_id), None)
    if listed is not None and from_profile:
        if listed.source and (_is_google(listed.source) or cohort.source_path(listed).exists()):
            return (f"its profile names {district_id}, which the cohort reads from "
                    f"{listed.source}")
        listed.source = source
        scan.moved.append(listed)
        return None
    if listed is not None:
        district_id = f"{district_id}-{path.stem}"
    d = District(id=district_id, name=name, source=source)
    cohort.districts.append(d)
    scan.added.append(d)
    return None


def _identify(path: Path) -> tuple[str, str, bool] | str:
    """The district id and name a workbook's profile gives, and whether it gave the id (else
    from its file name, when it cannot be read: the pull will say why), or why it is no
    district's scorecard."""
    from sheetsync.errors import WorkbookUnreadable
    from sheetsync.master.workbook import SHEETS
    from sheetsync.read.scorecard import read_scorecard
    from sheetsync.read.source import open_workbook
    from sheetsync.schema.layout import norm, scorecard_layout

    district_id, name = path.stem, path.stem.replace("-", " ").replace("_", " ").title()
    try:
        sheets = {norm(s) for s in open_workbook(path).sheet_names}
    except WorkbookUnreadable:
        return district_id, name, False
    if {norm(s) for s in SHEETS} <= sheets:
        return "a cohort master (it has the master's sheets)"
    if not sheets & {norm(s.name) for s in scorecard_layout().sheets}:
        return "not a District Scorecard (none of the template's sheets)"
    try:
        card, _ = read_scorecard(str(path))
    except WorkbookUnreadable:
        return district_id, name, False
    p = card.profile
    own_id, own_name = (p.school_id, p.school_name) if card.level == "school" else \
        (p.district_id, p.district_name)
    given = str(own_id or "").strip()
    return given or district_id, own_name or name, bool(given)


def _is_google(source: str) -> bool:
    from sheetsync.cohort.sources import is_google

    return is_google(source)


def _relative(cohort: Cohort, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(cohort.folder.resolve()))
    except ValueError:
        return str(path.resolve())
