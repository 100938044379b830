"""sheetsync's exceptions. Each carries the thing that failed and says how to fix it."""

from __future__ import annotations


class SheetsyncError(Exception):
    """Base of every error sheetsync raises on purpose."""

    transient = False  # True when trying again later may succeed


class WorkbookUnreadable(SheetsyncError):
    """A file that cannot be read as a District Scorecard workbook."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class OutputLocked(SheetsyncError):
    """An output file that another program holds open, or a folder that cannot be written."""

    def __init__(self, path: str, lock: str | None = None, reason: str | None = None) -> None:
        if reason:
            why = f"{path} cannot be written: {reason}"
        elif lock:
            why = (f"{path} is open in another program: its lock file {lock} is there (if no "
                   "program has it open, the lock was left behind: delete it)")
        else:
            why = f"{path} is open in another program, which keeps it locked"
        super().__init__(f"{why}. The pull was saved; fix that and run `sheetsync master "
                         "rebuild` to write the master. Nothing was lost.")
        self.path = path
        self.lock = lock


class CohortError(SheetsyncError):
    """A cohort file that cannot be used; names the file, line and field."""


class MissingDependency(SheetsyncError):
    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs {package}: pip install {package}")
