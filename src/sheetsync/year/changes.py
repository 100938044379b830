"""What a rollover or an upgrade did, as plain data: one line per thing carried, rebased,
flagged, moved or left behind, in words a district understands.

The same list is printed, serialised for ``--json`` and written to a notes sheet of the new
workbook (which the district may delete: the reader never reads it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

KINDS = ("carried", "rebased", "flagged", "moved", "kept", "left behind")


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    sheet: str
    id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Changes:
    """A command's result: where from, where to, and every change."""

    command: str
    source: str
    output: str
    details: dict[str, Any] = field(default_factory=dict)
    items: list[Change] = field(default_factory=list)

    def add(self, kind: str, sheet: str, id: str | None, message: str) -> None:
        self.items.append(Change(kind, sheet, id, message))

    def count(self, kind: str) -> int:
        return sum(1 for c in self.items if c.kind == kind)

    def to_json(self) -> dict[str, Any]:
        return {"command": self.command, "source": self.source, "output": self.output,
                **self.details, "counts": {k: self.count(k) for k in KINDS if self.count(k)},
                "changes": [c.to_dict() for c in self.items]}

    def lines(self) -> list[str]:
        counts = ", ".join(f"{self.count(k)} {k}" for k in KINDS if self.count(k))
        out = [f"{self.summary()} ({counts or 'nothing to do'})."]
        out += [f"  {c.kind:<11} {c.sheet:<16} {c.id or '':<6} {c.message}" for c in self.items]
        return out

    def summary(self) -> str:
        return f"{self.command}: {self.source} -> {self.output}"

    def to_sheet(self, wb: Workbook, title: str, intro: str) -> None:
        """Write the list as a sheet at the front of ``wb``, after the instructions."""
        ws = wb.create_sheet(title, 1)
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"] = intro
        ws["A2"].font = Font(italic=True)
        for i, header in enumerate(("What", "Sheet", "ID", "What happened"), 1):
            ws.cell(4, i, header).font = Font(bold=True)
        for r, c in enumerate(self.items, 5):
            for i, value in enumerate((c.kind, c.sheet, c.id, c.message), 1):
                ws.cell(r, i, value)
            ws.cell(r, 4).alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCD", (12, 18, 8, 90), strict=True):
            ws.column_dimensions[letter].width = width
