"""The cohort: which districts a consultant pulls, from where, and the settings of the pull.

A ``cohort.toml`` looks like::

    [cohort]
    name = "SPIE 2026-27"
    school_year = "2026-27"
    [status]            # optional overrides of domain.md's defaults
    at_risk_band = 0.10
    update_due_day = 30
    [master]
    path = "cohort_master.xlsx"
    [[district]]
    id = "KY-001"
    name = "Adair County"
    source = "districts/adair.xlsx"   # relative to cohort.toml
    contacts = ["someone@adair.kyschools.us"]

A file that cannot be used raises ``CohortError`` naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import CohortError
from .schoolyear import SchoolYear
from .status import StatusSettings

FILENAME = "cohort.toml"
ROSTER_COLUMNS = ("id", "name", "source", "contacts")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CohortInfo(_Strict):
    name: str
    school_year: str

    @field_validator("school_year")
    @classmethod
    def _year(cls, value: str) -> str:
        return SchoolYear.parse(value).label


class StatusOverrides(_Strict):
    at_risk_band: float = Field(0.10, ge=0, le=1)
    update_due_day: int = Field(30, ge=1, le=31)


class MasterSettings(_Strict):
    path: str = "cohort_master.xlsx"
    google_sheet: str | None = None


class District(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    contacts: list[str] = Field(default_factory=list)


class Cohort(_Strict):
    cohort: CohortInfo
    status: StatusOverrides = Field(default_factory=StatusOverrides)
    master: MasterSettings = Field(default_factory=MasterSettings)
    google: dict[str, str] = Field(default_factory=dict)  # api_url, credentials
    district: list[District] = Field(default_factory=list)
    path: Path = Field(default=Path(FILENAME), exclude=True)

    @field_validator("district")
    @classmethod
    def _unique(cls, districts: list[District]) -> list[District]:
        seen: set[str] = set()
        for d in districts:
            if d.id in seen:
                raise ValueError(f"district id {d.id!r} is listed twice")
            seen.add(d.id)
        return districts

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def districts(self) -> list[District]:
        return self.district

    @property
    def settings(self) -> StatusSettings:
        return StatusSettings(self.status.at_risk_band, self.status.update_due_day)

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
                          "--roster roster.csv` or pass --cohort PATH.")
    return found


def load_cohort(path: str | Path | None = None) -> Cohort:
    path = find_cohort(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CohortError(f"{path}: {exc}") from None
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        raise CohortError(_explain(path, text, exc)) from None
    cohort.path = path
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
    if loc and loc[0] == "district" and len(loc) > 1 and loc[1].isdigit():
        headers = [i for i, r in enumerate(rows) if r.strip() == "[[district]]"]
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
             f"school_year = {_toml_value(cohort.cohort.school_year)}", "", "[status]",
             f"at_risk_band = {cohort.status.at_risk_band}",
             f"update_due_day = {cohort.status.update_due_day}", "", "[master]",
             f"path = {_toml_value(cohort.master.path)}"]
    if cohort.master.google_sheet:
        lines.append(f"google_sheet = {_toml_value(cohort.master.google_sheet)}")
    if cohort.google:
        lines += ["", "[google]"] + [f"{k} = {_toml_value(v)}" for k, v in cohort.google.items()]
    for d in cohort.district:
        lines += ["", "[[district]]", f"id = {_toml_value(d.id)}",
                  f"name = {_toml_value(d.name)}", f"source = {_toml_value(d.source)}",
                  f"contacts = {_toml_value(d.contacts)}"]
    return "\n".join(lines) + "\n"


def save_cohort(cohort: Cohort) -> Path:
    from .files import replacing

    with replacing(cohort.path, suffix=".toml") as tmp:
        tmp.write_text(dump_cohort(cohort), encoding="utf-8")
    return cohort.path


def read_roster(path: str | Path) -> list[District]:
    """Districts from a roster spreadsheet (.csv or .xlsx) with id, name, source, contacts."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .source import open_workbook

        wb = open_workbook(path)
        rows = [[("" if v is None else str(v)) for v in r] for r in wb.rows(wb.sheet_names[0])]
    else:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    if not rows:
        raise CohortError(f"{path}: the roster is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ROSTER_COLUMNS[:3] if c not in header]
    if missing:
        raise CohortError(f"{path}: row 1 needs the columns {', '.join(ROSTER_COLUMNS)}; "
                          f"missing {', '.join(missing)}")
    at = {c: header.index(c) for c in ROSTER_COLUMNS if c in header}
    out = []
    for n, row in enumerate(rows[1:], 2):
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        if not any(cells.values()):
            continue
        for c in ROSTER_COLUMNS[:3]:
            if not cells[c]:
                raise CohortError(f"{path}: row {n}: the {c} is empty")
        contacts = [x.strip() for x in re.split(r"[;,\s]+", cells.get("contacts", "")) if x]
        out.append(District(id=cells["id"], name=cells["name"], source=cells["source"],
                            contacts=contacts))
    return out


def init_cohort(path: Path, name: str, school_year: str, districts: list[District]) -> Cohort:
    if path.exists():
        raise CohortError(f"{path} already exists; edit it or use `sheetsync cohort add-folder`")
    try:
        cohort = Cohort(cohort=CohortInfo(name=name, school_year=school_year),
                        district=districts, path=path)
    except ValidationError as exc:
        raise CohortError(f"{path}: {exc.errors()[0]['msg']}") from None
    save_cohort(cohort)
    return cohort


def add_folder(cohort: Cohort, folder: Path) -> list[District]:
    """Add every workbook in ``folder`` not already in the cohort; return those added."""
    from .errors import WorkbookUnreadable
    from .reader import read_scorecard

    known = {(cohort.folder / d.source).resolve() for d in cohort.district}
    ids = {d.id for d in cohort.district}
    added = []
    for path in sorted(folder.glob("*.xls[xm]")):
        if path.name.startswith(("~$", ".~lock")) or path.resolve() in known:
            continue
        district_id, name = path.stem, path.stem.replace("-", " ").replace("_", " ").title()
        try:
            card, _ = read_scorecard(str(path))
            district_id = card.profile.district_id or district_id
            name = card.profile.district_name or name
        except WorkbookUnreadable:
            pass  # added by file name; the pull will report why it cannot be read
        if district_id in ids:
            district_id = f"{district_id}-{path.stem}"
        try:
            source = str(path.resolve().relative_to(cohort.folder.resolve()))
        except ValueError:
            source = str(path.resolve())
        d = District(id=district_id, name=name, source=source)
        cohort.district.append(d)
        ids.add(district_id)
        added.append(d)
    save_cohort(cohort)
    return added
