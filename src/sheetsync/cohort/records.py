"""What the store hands out: a district's latest outcome and a month's snapshot (their
blobs: ``cohort.compact``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """One district in one pull: read (or reused), or failed with a reason."""

    district_id: str
    name: str
    source: str
    ok: bool
    pulled_at: str
    as_of: str
    settings: str
    reason: str | None = None
    token: str | None = None
    sha256: str | None = None
    modified: str | None = None
    read_at: str | None = None  # when the file was last actually read
    data: dict[str, Any] | None = None  # {"card", "read_findings", "result"}
    reused: bool = False
    summary: dict[str, Any] | None = None  # the master's Summary numbers
    findings: list[dict[str, Any]] = field(default_factory=list)  # identity findings
    kept: bool = False  # ok, but the file was older: the newer stored read was kept

    @property
    def stale(self) -> str | None:
        """Why the district shows its last good read instead of this pull's, if it does."""
        if self.kept:
            older = [f for f in self.findings if f["code"] == "source-older"]
            return f"stale: kept the read of {_day(self.read_at)}; " + \
                (older[0]["message"] if older else "this file is older")
        if not self.ok and self.read_at and self.data is not None:
            return stale_note(self.read_at, self.reason, self.as_of)
        return None


@dataclass(frozen=True)
class Snapshot:
    """A district's month as the store kept it: its data when the read was good (``reason``
    then notes a later failed read of that month, if any), else the failure's reason."""

    as_of: str
    ok: bool
    reason: str | None
    data: dict[str, Any] | None

    @property
    def failed(self) -> str | None:
        return None if self.ok else self.reason

    @property
    def stale(self) -> str | None:
        return self.reason if self.ok else None


def stale_note(read_at: str | None, reason: str | None, as_of: str | None = None) -> str:
    """Why a district shows its last good read; the date its numbers are for, when that is
    not the day it was read (a read assessed again for an earlier --as-of)."""
    numbers = f" (its numbers as of {as_of[:10]})" if as_of and as_of[:10] != _day(read_at) \
        else ""
    return f"stale: last good read {_day(read_at)}{numbers}; this pull failed: {reason}"


def _day(when: str | None) -> str:
    return (when or "")[:10] or "(unknown)"
