"""``sheetsync cohort add-folder``: every District Scorecard workbook in a folder that the
cohort does not list yet becomes a district (or the new file of one it lists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import Cohort, District
from sheetsync.errors import WorkbookUnreadable
from sheetsync.files import is_lock_file, writable_folder
from sheetsync.master.layout import SHEETS
from sheetsync.read.scorecard import read_scorecard
from sheetsync.read.source import open_workbook
from sheetsync.read.sources import is_google
from sheetsync.schema.layout import norm
from sheetsync.schema.sheets import scorecard_layout


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
    known = {cohort.source_path(d).resolve() for d in cohort.members if d.source}
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
    listed = next((d for d in cohort.members if d.id == district_id), None)
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
    cohort.members.append(d)
    scan.added.append(d)
    return None


def _identify(path: Path) -> tuple[str, str, bool] | str:
    """The district id and name a workbook's profile gives, and whether it gave the id (else
    from its file name, when it cannot be read: the pull will say why), or why it is no
    district's scorecard."""
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
    return is_google(source)


def _relative(cohort: Cohort, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(cohort.folder.resolve()))
    except ValueError:
        return str(path.resolve())
