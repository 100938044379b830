"""The District Scorecard template, declared once.

Everything that knows where a value lives in a district's workbook reads it from here: the
workbook builder (``template``), the reader, the cell references in findings, the Google
Sheets version and ``sheetsync schema``. Change the layout here (the sheets and their columns
are declared in ``sheets``) and all of them follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Literal

from sheetsync.schema.cells import cell_range, column_letter, split_cell
from sheetsync.schema.level import Level, LevelKey, level_of
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import WORKBOOK_SETTINGS
from sheetsync.schema.vocabulary import (
    ACTION_STATUSES,
    DIRECTIONS,
    FREQUENCIES,
    FREQUENCY_MONTHS,
    KCWPS,
    SCHEDULES,
    STATUSES,
    UNITS,
    UPDATE_STATUSES,
)

TEMPLATE_VERSION = "2.1"

ColumnType = Literal[
    "id", "text", "number", "integer", "date", "year", "choice", "reference", "formula"
]
Entity = Literal[
    "profile", "strategic_goals", "cdip_goals", "needs", "goals", "strategies", "measures",
    "actions", "monthly_updates",
]

# Choices: the template's Lists sheet holds one column per list, in this order.
CHOICES: dict[str, tuple[str, ...]] = {
    "units": UNITS,
    "directions": DIRECTIONS,
    "frequencies": FREQUENCIES,
    "action_statuses": ACTION_STATUSES,
    "funding_sources": (
        "Title I", "Title II", "Title III", "Title IV", "IDEA", "General Fund", "Section 7",
        "ESSER", "State Grant", "Local Grant", "Other", "None",
    ),
    "cdip_areas": (
        "Proficiency", "Separate Academic Indicator", "Achievement Gap", "Graduation Rate",
        "Growth", "Transition Readiness", "Other",
    ),
    "yes_no": ("yes", "no"),
    "kcwps": KCWPS,
}

# How ids are written on each sheet: the prefix, and words people use instead of it.
ID_PREFIXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "strategic_goals": ("SG", ("STRATEGICGOAL", "STRATEGIC")),
    "cdip_goals": ("CG", ("CDIPGOAL", "CDIP")),
    "needs": ("N", ("NEED",)),
    "goals": ("G", ("GOAL", "ANNUALGOAL", "SMARTGOAL")),
    "strategies": ("S", ("STRATEGY", "STRAT")),
    "measures": ("M", ("MEASURE",)),
    "actions": ("A", ("ACTION", "ACT")),
}
# A form (the district profile): labels in column A, values beside them; a reader looks for
# the labels in the first FORM_SCAN_ROWS rows.
FORM_LABEL_COLUMN = "A"
FORM_SCAN_ROWS = 40
# Months the monthly status report is due (the SPIE cycle runs October to June).
UPDATE_MONTHS = ("10", "11", "12", "01", "02", "03", "04", "05", "06")


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm(text: Any) -> str:
    """A header or sheet name as compared: lower case, letters and digits only."""
    return _norm(text) if isinstance(text, str) else _norm(str(text)) if text is not None \
        else ""


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:  # the same headers come back in every workbook
    return _NON_ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: ColumnType = "text"
    required: bool = False
    choices: str | None = None  # a key of CHOICES
    ref: str | None = None  # the entity whose ids this column names
    help: str = ""
    width: int = 14
    aliases: tuple[str, ...] = ()
    period: str | None = None  # "YYYY-MM" for the monthly columns of the measures sheet
    formula: str | None = None  # the name of a builder in ``formulas``
    number_format: str | None = None
    # The template's own formulas read this column's value (not only whether it is blank):
    # a value they cannot read as the reader does (text in a number or date cell, an id
    # typed loosely, a choice not on the list) flags the row's Check column.
    feeds_formulas: bool = False
    letter: str = ""

    @property
    def is_input(self) -> bool:
        return self.type != "formula"

    @property
    def slot(self) -> str:
        """How rows name this column's value: its key, or "actual:2026-10" for a month's."""
        return f"{self.key}:{self.period}" if self.period else self.key

    def to_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key, "header": self.header, "letter": self.letter,
            "type": self.type, "required": self.required,
        }
        if self.choices:
            out["choices"] = list(CHOICES[self.choices])
        if self.ref:
            out["ref"] = self.ref
        if self.period:
            out["period"] = self.period
        return out


@dataclass(frozen=True)
class Field:
    """One labelled cell of a form-style sheet (the district profile)."""

    key: str
    label: str
    cell: str
    type: ColumnType = "text"
    required: bool = False
    help: str = ""
    formula: str | None = None
    locked: bool = False  # filled in by sheetsync (a school plan's district) and locked

    @property
    def column(self) -> str:
        """The value's column letter ('B')."""
        return split_cell(self.cell)[0]

    @property
    def row(self) -> int:
        return split_cell(self.cell)[1]

    @property
    def label_cell(self) -> str:
        """Where its label stands: left of the value, in the form's label column."""
        return f"{FORM_LABEL_COLUMN}{self.row}"

    def to_schema(self) -> dict[str, Any]:
        out = {"key": self.key, "label": self.label, "cell": self.cell, "type": self.type,
               "required": self.required}
        return out | ({"locked": True} if self.locked else {})


@dataclass(frozen=True)
class SheetLayout:
    name: str
    entity: Entity
    title: str
    guidance: str
    header_row: int = 0
    first_data_row: int = 0
    capacity: int = 0  # rows prepared with dropdowns and formulas
    columns: tuple[Column, ...] = ()
    fields: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()
    # Rows filled in by sheetsync and locked (a school plan's district strategic goals).
    locked: bool = False
    # The template version that added the sheet: a workbook of an older version that lacks
    # it is warned, not failed (``sheetsync upgrade`` adds it).
    since: str | None = None

    @property
    def last_data_row(self) -> int:
        return self.first_data_row + self.capacity - 1

    def column(self, key: str, period: str | None = None) -> Column:
        for col in self.columns:
            if col.key == key and col.period == period:
                return col
        raise KeyError(f"{self.name} has no column {key!r}{' for ' + period if period else ''}")

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def value_column(self) -> str:
        """A form's value column ('B'): where its fields' values stand."""
        columns = {f.column for f in self.fields}
        assert len(columns) == 1, f"{self.name}: a form's values stand in one column"
        return columns.pop()

    @property
    def form_range(self) -> str:
        """The block a reader of a form reads: its labels and values ('A1:B40')."""
        return cell_range(f"{FORM_LABEL_COLUMN}1", f"{self.value_column}{FORM_SCAN_ROWS}")

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_input)

    @cached_property
    def by_header(self) -> dict[str, Column]:
        """Each column by its header and by its aliases, as compared (``norm``); a header
        wins over another column's alias."""
        aliases = {norm(a): c for c in self.columns for a in c.aliases}
        return aliases | {norm(c.header): c for c in self.columns}

    @cached_property
    def input_headers(self) -> frozenset[str]:
        """The headers and aliases of the input columns, as compared (``norm``)."""
        return frozenset(norm(n) for c in self.input_columns for n in (c.header, *c.aliases))

    def to_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "entity": self.entity}
        if self.locked:
            out["locked"] = True
        if self.fields:
            out["fields"] = [f.to_schema() for f in self.fields]
        else:
            out |= {"header_row": self.header_row, "first_data_row": self.first_data_row,
                    "columns": [c.to_schema() for c in self.columns]}
        return out


@dataclass(frozen=True)
class Layout:
    school_year: SchoolYear
    sheets: tuple[SheetLayout, ...]
    template_version: str = TEMPLATE_VERSION
    instructions_sheet: str = "Instructions"
    lists_sheet: str = "Lists"
    level: LevelKey = "district"

    @property
    def words(self) -> Level:
        return level_of(self.level)

    def sheet(self, entity: str) -> SheetLayout:
        for s in self.sheets:
            if s.entity == entity:
                return s
        raise KeyError(entity)

    @property
    def periods(self) -> list[str]:
        return self.school_year.periods

    @property
    def update_periods(self) -> list[str]:
        return [p for p in self.periods if p[5:7] in UPDATE_MONTHS]

    def to_schema(self) -> dict[str, Any]:
        return {
            "template_version": self.template_version,
            "level": self.level,
            "school_year": self.school_year.label,
            "sheets": [s.to_schema() for s in self.sheets],
        }


def entity_sheets(layout: Layout) -> list[SheetLayout]:
    """The table sheets (every entity but the profile form)."""
    return [s for s in layout.sheets if not s.fields]


__all__ = [
    "CHOICES", "FORM_LABEL_COLUMN", "FORM_SCAN_ROWS", "FREQUENCY_MONTHS", "ID_PREFIXES",
    "SCHEDULES", "STATUSES", "TEMPLATE_VERSION", "UPDATE_STATUSES", "WORKBOOK_SETTINGS",
    "Column", "Field", "Layout", "SheetLayout", "column_letter", "entity_sheets",
]
