"""A check's findings as one report, flattened to rows in one place.

``check --json`` gives its findings as ``to_dicts()``; the Excel function SHEETSYNC_CHECK
gives ``rows(("sheet", "cell", "severity", "message"), blank="")``; the master's Issues
sheet gives ``rows(("sheet", "cell", "severity", "code", "message"))`` of the findings the
store kept (``from_dicts``). Each output picks its columns; the values are the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sheetsync.schema.findings import FINDING_KEYS, Finding, Severity


@dataclass(frozen=True)
class FindingsReport:
    findings: tuple[Finding, ...] = ()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingsReport:
        return cls(tuple(findings))

    @classmethod
    def from_dicts(cls, dicts: Iterable[Mapping[str, Any]]) -> FindingsReport:
        """The report of findings as ``to_dicts`` (and the store) keeps them."""
        return cls(tuple(Finding.from_dict(d) for d in dicts))

    def to_dicts(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.findings]

    def rows(self, columns: Sequence[str], sheets: Collection[str] | None = None,
             blank: Any = None) -> list[list[Any]]:
        """One row per finding with ``columns`` (names of ``FINDING_KEYS``); with ``sheets``,
        only the findings on those sheets and those on no sheet. ``blank`` stands for a
        value the finding does not have (no sheet, no cell)."""
        unknown = set(columns) - set(FINDING_KEYS)
        if unknown:
            raise ValueError(f"findings have no {', '.join(sorted(unknown))} column")
        return [[_value(f, c, blank) for c in columns] for f in self.findings
                if sheets is None or f.sheet is None or f.sheet in sheets]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def valid(self) -> bool:
        return not any(f.severity == Severity.ERROR for f in self.findings)

    def __len__(self) -> int:
        return len(self.findings)


def _value(f: Finding, column: str, blank: Any) -> Any:
    v = getattr(f, column)
    if v is None:
        return blank
    return str(v) if column == "severity" else v


__all__ = ["FindingsReport"]
