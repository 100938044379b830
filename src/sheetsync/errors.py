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
    """An output file that another program holds open (naming its lock file when one is
    there). A folder that cannot be written is ``places.NotWritable``, never this."""

    def __init__(self, path: str, lock: str | None = None) -> None:
        held = f" (its lock file {lock} is there)" if lock else ""
        left = f" If no program has it open, the lock file is left over: delete {lock}." \
            if lock else ""
        super().__init__(
            f"{path} is open in another program{held}, which keeps it locked. The pull was "
            "saved; close the file and run `sheetsync master rebuild` to write it. Nothing was "
            f"lost.{left}")
        self.path = path
        self.lock = lock


class CohortError(SheetsyncError):
    """A cohort file that cannot be used; names the file, line and field."""


class MissingDependency(SheetsyncError):
    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs {package}: pip install {package}")
