"""School years and their monthly periods.

A school year runs July to June ("2026-27" is 1 July 2026 to 30 June 2027). Each month of
it is a *period*, keyed "YYYY-MM"; a period's date is the last day of its month.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

FIRST_MONTH = 7  # July
LAST_MONTH = (FIRST_MONTH + 10) % 12 + 1  # June

_YEAR_RE = re.compile(r"^\s*(\d{4})\s*[-/–—]\s*(\d{2}|\d{4})\s*$")


def month_end(d: date) -> date:
    """The last day of ``d``'s month (EOMONTH(d, 0))."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


@lru_cache(maxsize=4096)  # the same few dates and months, for every measure of every district
def period_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


@lru_cache(maxsize=4096)
def period_date(key: str) -> date:
    """The date of a period: the last day of its month."""
    year, month = int(key[:4]), int(key[5:7])
    return month_end(date(year, month, 1))


def period_label(key: str) -> str:
    """'2026-10' -> 'Oct 2026', the way the template's headers name months."""
    return f"{calendar.month_abbr[int(key[5:7])]} {key[:4]}"


def year_end(end_year: int) -> date:
    """The last day of the school year that ends in ``end_year`` (30 June)."""
    return month_end(date(end_year, LAST_MONTH, 1))


@dataclass(frozen=True)
class SchoolYear:
    start_year: int

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """Read '2026-27', '2026-2027' or '2026/27'; raise ValueError otherwise."""
        m = _YEAR_RE.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not a school year like 2026-27")
        start, end = int(m.group(1)), m.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year != start + 1:
            raise ValueError(f"{text!r} is not a school year like 2026-27")
        return cls(start)

    @classmethod
    def containing(cls, d: date) -> SchoolYear:
        return cls(d.year if d.month >= FIRST_MONTH else d.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        return year_end(self.start_year + 1)

    @cached_property
    def periods(self) -> list[str]:
        """The twelve months of the year, July first, as 'YYYY-MM' keys."""
        keys = []
        for i in range(12):
            month = (FIRST_MONTH - 1 + i) % 12 + 1
            year = self.start_year + (1 if month < FIRST_MONTH else 0)
            keys.append(f"{year:04d}-{month:02d}")
        return keys

    def __str__(self) -> str:
        return self.label
