"""sheetsync's exceptions, in one place. Each carries the thing that failed and says how to
fix it.

Every error is a ``SheetsyncError``: its message is for a person; ``path``, ``line`` and
``district`` say where it happened, when that is known, for code that handles it (``None``
otherwise); ``transient`` is True when trying again later may succeed. The Google client's
errors live with it in ``sheetsync.google``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SheetsyncError(Exception):
    """Base of every error sheetsync raises on purpose."""

    transient = False  # True when trying again later may succeed

    def __init__(self, message: str = "", *, path: Any = None, line: int | None = None,
                 district: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.district = district


# -- reading a district's workbook ----------------------------------------------------------


class WorkbookUnreadable(SheetsyncError):
    """A file that cannot be read as a District Scorecard workbook."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=path)
        self.reason = reason


class SourceUnavailable(SheetsyncError):
    """A district's source that cannot be reached or read; ``reason`` is for the master."""

    def __init__(self, source: str, reason: str, transient: bool = False) -> None:
        super().__init__(f"{source}: {reason}", path=source)
        self.source = source
        self.reason = reason
        self.transient = transient


class MissingDependency(SheetsyncError):
    """An optional part that needs a package not installed; says the pip install line."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs {package}: pip install {package}")
        self.package = package


class DistrictFileError(SheetsyncError):
    """The district's workbook cannot give a school plan its strategic goals; ``reason``
    says which and how to fix it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=path)
        self.reason = reason


# -- the cohort, its store and its history ---------------------------------------------------


class CohortError(SheetsyncError):
    """A cohort file or roster that cannot be used; names the file, line and field."""

    def __init__(self, message: str, *, path: Any = None, line: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message, path=path, line=line)
        self.field = field


class StoreUnusable(SheetsyncError):
    """The store (the pull history) is empty, damaged or not sheetsync's: refused on open,
    never written to; the message says what is wrong and what to do (restore a copy)."""

    def __init__(self, path: Path, problem: str, todo: str) -> None:
        super().__init__(f"{path}: {problem}. {todo}", path=path)
        self.problem = problem
        self.todo = todo


class StoreNotWritten(SheetsyncError):
    """A write to the store that failed (a full disk, say): rolled back, so the store is as
    it was before; the message says why."""


class OutsideSchoolYear(SheetsyncError):
    """A pull for a day outside the cohort's school year, or for a month another year's
    store was carried into (by rollover); nothing was pulled."""


class HistoryNotFound(SheetsyncError):
    """No pulls yet, or the district or measure has no History."""


class MonthNotInHistory(SheetsyncError):
    """``history drop`` of a month the store does not hold; names the months it holds."""


# -- writing: files, folders, the master ---------------------------------------------------


class FolderNotWritable(SheetsyncError):
    """A folder sheetsync needs to write into, and may not."""

    def __init__(self, folder: Path, reason: str, what: str = "") -> None:
        super().__init__(
            f"{folder}: cannot write {what or 'files'} into this folder ({reason}). Make the "
            "folder writable for you, or choose another one; nothing was changed.", path=folder)
        self.folder = folder
        self.reason = reason


class FileLocked(SheetsyncError):
    """A file another program holds, or that may not be replaced."""

    def __init__(self, path: Path, lock: Path | None, reason: str = "") -> None:
        why = (f"its lock file {lock.name} is there: close the file in Excel or LibreOffice, "
               "or delete the lock file if no program has it open"
               if lock else f"it is open in another program or read-only ({reason})")
        super().__init__(f"{path} cannot be replaced: {why}.", path=path)
        self.lock = lock


class Busy(SheetsyncError):
    """A lock another sheetsync process holds (a pull writing the store, reminders being
    sent); names the holder, and says to wait."""

    def __init__(self, path: Path, holder: str, what: str) -> None:
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"Another sheetsync process is already using {path.parent}{who}: wait for it to "
            f"finish, then run this {what} again. Nothing was changed.", path=path)
        self.holder = holder


class NotWritable(SheetsyncError):
    """A place sheetsync must write to and cannot; says which, and why."""

    def __init__(self, path: Path, what: str, reason: str) -> None:
        super().__init__(
            f"Cannot write {what}: {reason}. Make it writable (or point the cohort's [master] "
            "path somewhere you can write) and run again.", path=path)
        self.what = what
        self.reason = reason


class MasterShrinks(SheetsyncError):
    """The master would be written with fewer districts or months than it shows: not
    written unless asked (``master rebuild --force``); says why and what to run."""


class OutputLocked(SheetsyncError):
    """An output file that another program holds open (naming its lock file when one is
    there). A folder that cannot be written is ``NotWritable``, never this."""

    def __init__(self, path: str, lock: str | None = None) -> None:
        held = f" (its lock file {lock} is there)" if lock else ""
        left = f" If no program has it open, the lock file is left over: delete {lock}." \
            if lock else ""
        super().__init__(
            f"{path} is open in another program{held}, which keeps it locked. The pull was "
            "saved; close the file and run `sheetsync master rebuild` to write it. Nothing was "
            f"lost.{left}", path=path)
        self.lock = lock


# -- reports, reminders, the school year -----------------------------------------------------


class NoSnapshot(SheetsyncError):
    """A month (or district) the store has nothing for; names what it has."""


class ReportError(SheetsyncError):
    """A report that cannot be made as asked; says what to do instead."""


class RemindError(SheetsyncError):
    """Reminders cannot be made or sent as configured (``[smtp]``, the store, the outbox)."""


class NotSent(SheetsyncError):
    """One message the server did not take; ``connection_lost`` when the batch must stop."""

    transient = True

    def __init__(self, reason: str, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.connection_lost = connection_lost


class YearError(SheetsyncError):
    """A rollover or upgrade that cannot be done as asked; nothing was written."""


class MissingColumns(YearError):
    """Required columns not found on sheets that hold columns the reader did not read: the
    upgrade would drop their values. ``problems``: one sentence per column, with the fix."""

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(
            f"{path}: not upgraded, or these required values would be lost: "
            + "; ".join(problems) + ". Nothing was written.", path=path)
        self.problems = problems


class ExportError(SheetsyncError):
    """An export that cannot be done as asked (``path`` is the output); nothing was
    written."""


# -- the Excel functions -------------------------------------------------------------------


class BadArgument(SheetsyncError, ValueError):
    """An argument Excel passed that a function cannot use; the cell shows the message."""


# -- the service ----------------------------------------------------------------------------


class PullRefused(SheetsyncError):
    """Another process holds the store's lock; this pull waits for the next tick."""


class PullFailed(SheetsyncError):
    """The pull could not be made; the message says why."""


class ServeError(SheetsyncError):
    """The service cannot start as asked; says what to change."""


class UnknownDistrict(SheetsyncError, LookupError):
    """A district id that is not the cohort's (or not a district id at all)."""


class NotPulled(SheetsyncError, LookupError):
    """Nothing to show yet: the store has no pull (or not for this district)."""
