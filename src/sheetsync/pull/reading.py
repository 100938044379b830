"""Reading and checking one district workbook: what a pull does for each file that changed,
in its own process or on a pool of them (``pull.pool``).

This module loads the reader and the checks when it is imported: the pull imports it only
when something is to be read or assessed again, and the pool (which loads multiprocessing)
only when there are enough files for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sheetsync.check.assess import assess
from sheetsync.cohort.model import Cohort
from sheetsync.cohort.schools import district_of
from sheetsync.errors import SheetsyncError, SourceUnavailable, WorkbookUnreadable
from sheetsync.read.models import Scorecard
from sheetsync.read.scorecard import read_rows
from sheetsync.read.sources import Source
from sheetsync.schema.findings import Finding


@dataclass(frozen=True)
class Read:
    """One district's file read and checked: its data and SHA-256, or why it failed."""

    data: dict[str, Any] | None = None
    digest: str | None = None
    reason: str | None = None


def result_data(card: Any, read_findings: list[Finding], as_of: date,
                cohort: Cohort) -> dict[str, Any]:
    """What the store keeps of a read: the scorecard, the read findings and the result."""
    result = assess(card, read_findings, as_of, cohort.settings, district_of(cohort))
    return {"card": card.model_dump(mode="json"),
            "read_findings": [f.to_dict() for f in read_findings],
            "result": result.to_json()}


def reassess(data: dict[str, Any], as_of: date, cohort: Cohort) -> dict[str, Any]:
    """A stored read assessed again (another as-of date, or other settings)."""
    card = Scorecard.model_validate(data["card"])
    found = [Finding.from_dict(f) for f in data["read_findings"]]
    return result_data(card, found, as_of, cohort)


def read_district(source: Source, digest: str | None, as_of: date, cohort: Cohort) -> Read:
    """Read, check and hash one file (``digest``: its hash, when already known). The
    district's own problems come back as the reason; a bug raises."""
    try:
        rows = source.read()
        if digest is None:
            digest = source.same_content(None)[1]
        card, found = read_rows(rows)
        return Read(result_data(card, found, as_of, cohort), digest)
    except (WorkbookUnreadable, SourceUnavailable) as exc:
        return Read(reason=exc.reason)
    except SheetsyncError as exc:
        return Read(reason=str(exc))
    except OSError as exc:
        return Read(reason=f"cannot read the file ({exc.strerror})")
