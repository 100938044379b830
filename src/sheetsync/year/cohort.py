"""A whole cohort rolled over: ``sheetsync cohort rollover``.

Every district's workbook is drafted for the new year into a new folder, and the new year's
cohort.toml lists the same districts and contacts with the new workbooks as sources. The
old cohort file and workbooks are only read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import FILENAME, Cohort, CohortInfo, District
from sheetsync.cohort.store import Store
from sheetsync.errors import SheetsyncError, YearError
from sheetsync.files import writable_folder
from sheetsync.read.sources import is_google
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.year.changes import Changes
from sheetsync.year.rollover import rollover_file


@dataclass
class DistrictRolled:
    id: str
    source: str
    output: str = ""
    changes: Changes | None = None
    problem: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "source": self.source, "output": self.output}
        if self.changes is not None:
            out["counts"] = self.changes.to_json()["counts"]
        if self.problem:
            out["problem"] = self.problem
        return out


@dataclass
class CohortRolled:
    from_year: str
    to_year: str
    cohort_file: str
    districts: list[DistrictRolled] = field(default_factory=list)
    earlier_months: list[str] = field(default_factory=list)  # copied into the new store
    store: str = ""

    @property
    def failed(self) -> list[DistrictRolled]:
        return [d for d in self.districts if d.problem]

    def to_json(self) -> dict[str, Any]:
        return {"from_year": self.from_year, "to_year": self.to_year,
                "cohort_file": self.cohort_file,
                "districts": [d.to_json() for d in self.districts],
                "store": self.store, "earlier_months": self.earlier_months}


def rollover_cohort(cohort: Cohort, to: str, folder: str | Path,
                    force: bool = False) -> CohortRolled:
    """Draft every district of ``cohort`` for ``to`` into ``folder`` and write the new
    cohort.toml there. A district that cannot be rolled over is listed with its problem and
    kept in the new cohort file without a source."""
    new, old = SchoolYear.parse(to), SchoolYear.parse(cohort.cohort.school_year)
    if new.start_year <= old.start_year:
        raise YearError(f"--to {new.label} is not after the cohort's year {old.label}: give "
                        f"--to {SchoolYear(old.start_year + 1).label} or later.")
    folder = Path(folder)
    target = folder / FILENAME
    if target.resolve() == cohort.path.resolve():
        raise YearError(f"{folder} holds this year's cohort file: choose a new folder for "
                        f"{new.label} (the old files are never changed).")
    if target.exists() and not force:
        raise YearError(f"{target} exists; choose another folder, or pass --force.")
    writable_folder(folder / "districts", "next year's workbooks")
    result = CohortRolled(old.label, new.label, str(target))
    districts = [_district(cohort, d, new, folder, force, result) for d in cohort.members]
    info = CohortInfo(name=cohort.cohort.name.replace(old.label, new.label),
                      school_year=new.label, level=cohort.cohort.level)
    if cohort.district_path is not None:  # a school cohort keeps its district's workbook
        info.district = os.path.relpath(cohort.district_path.resolve(), folder.resolve())
    rolled = Cohort(cohort=info, status=cohort.status, master=cohort.master,
                    google=cohort.google, path=target,
                    **{info.level: districts})  # type: ignore[arg-type]
    save_cohort(rolled)
    _carry_store(cohort, rolled, result)
    return result


def _carry_store(cohort: Cohort, rolled: Cohort, result: CohortRolled) -> None:
    """The new folder's store starts with every month of the old one (every earlier year's
    snapshots and History), copied: the old store is only read, and each year's folder
    keeps a store of its own. Months are keys like 2026-10, so years never collide."""
    if not cohort.store_path.exists():
        return  # never pulled: nothing to keep
    with Store(rolled.store_path) as store:
        result.earlier_months = store.take_earlier(cohort.store_path)
    result.store = str(rolled.store_path)


def _district(cohort: Cohort, d: District, new: SchoolYear, folder: Path, force: bool,
              result: CohortRolled) -> District:
    done = DistrictRolled(d.id, d.source)
    result.districts.append(done)
    kept = District(id=d.id, name=d.name, contacts=list(d.contacts))
    if not d.source:
        done.problem = "no source in the cohort file: nothing to roll over"
        return kept
    if is_google(d.source):
        done.problem = "a Google Sheet: roll it over from a downloaded .xlsx"
        return kept
    source = cohort.source_path(d)
    name = source.name.replace(cohort.cohort.school_year, new.label)
    output = folder / "districts" / name
    try:
        done.changes = rollover_file(source, new.label, output, force)
    except SheetsyncError as exc:
        done.problem = str(exc)
        return kept
    done.output = str(output)
    kept.source = f"districts/{name}"
    return kept
