"""Reading cell values the way people type them.

Each reader returns ``(value, note)``: the clean value, and a short note when it had to be
lenient (the reader turns a note into an info finding). A value that cannot be read raises
``Unreadable`` with the rule that names the problem. Blank-like text ("N/A", "TBD", "—")
reads as blank. docs/values.md says the same for people, with the rest of the reading.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sheetsync.schema.layout import CHOICES
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.vocabulary import (
    CANCELLED,
    COMPLETE,
    IN_PROGRESS,
    KCWP_OTHER,
    KCWPS,
    NOT_STARTED,
    ON_HOLD,
)

EXCEL_ERRORS = frozenset({
    "#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#ERROR!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!",
})
BLANK_WORDS = frozenset({"n/a", "na", "tbd", "tba", "—", "–", "-", "--", "none", "null", "?",
                         "pending", "not available"})

_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
_MAX_SERIAL = 2958465  # 9999-12-31


class Unreadable(ValueError):
    """A value that cannot be read as its column's type. ``code`` names the rule."""

    def __init__(self, code: str, value: Any, **extra: Any) -> None:
        super().__init__(f"{code}: {value!r}")
        self.code = code
        self.value = value
        self.extra = extra


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text.lower() in BLANK_WORDS
    return False


def _check_error(value: Any) -> None:
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise Unreadable("formula-error", value.strip())


def read_words(value: Any) -> tuple[str | None, str | None]:
    """Text a row is named or described by: every word is a word ("NA" is a name); only an
    empty cell is blank."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] == "#" and text.upper() in EXCEL_ERRORS:
            raise Unreadable("formula-error", text)
        return text or None, None
    return read_text(value)


def read_text(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        text = value.strip()
        if not text or text.lower() in BLANK_WORDS:
            return None, None
        if text[0] == "#" and text.upper() in EXCEL_ERRORS:
            raise Unreadable("formula-error", text)
        return text, None
    if value is None:
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip(), None


_ID_RE = re.compile(r"^([A-Z][A-Z ]*?)\s*(?:#|NO\.?|NUMBER)?\s*(\d+(?:\.\d+)*)$")


def read_id(value: Any, prefix: str,
            long_names: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    """'g1 ' -> 'G1'; 'Goal 1', 'goal #1' and a bare 1 -> 'G1'; other text is kept, upper-cased."""
    text, _ = read_text(value)
    if text is None:
        return None, None
    upper = " ".join(text.upper().split())
    if upper.replace(".", "").isdigit():
        clean = prefix + upper
    else:
        m = _ID_RE.match(upper)
        word = m.group(1).replace(" ", "") if m else ""
        named = m is not None and (word == prefix or word in long_names)
        clean = prefix + m.group(2) if m and named else upper.replace(" ", "")
    return clean, None if clean == text else f"'{clean}'"


_NUMBER_JUNK = str.maketrans("", "", "$ \u00a0")
_US_GROUPS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,200 / 12,500.50 / 1,200,000


def read_number(value: Any) -> tuple[float | None, str | None]:
    """Numbers, numbers as text ('12,500.50', '$500', '45%' -> 45). Text whose comma could
    be a decimal point ('226,5', '1.200,00', a bare '1,200') is never guessed: it raises
    ``ambiguous-number`` and the value is not used."""
    if value.__class__ is float:  # what a number cell holds, nearly always
        return value, None
    if isinstance(value, bool):
        raise Unreadable("not-a-number", value)
    if isinstance(value, int | float):
        return float(value), None
    _check_error(value)
    if is_blank(value):
        return None, None
    if not isinstance(value, str):
        raise Unreadable("not-a-number", value)
    stripped = value.strip()
    text = stripped.translate(_NUMBER_JUNK).replace("\u2212", "-")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if "," in text:
        text = _without_us_commas(value, text, money=stripped.startswith(("$", "-$")))
    try:
        number = float(text)
    except ValueError:
        raise Unreadable("not-a-number", value) from None
    return number, ("the percentage " if percent else "the number ") + _fmt(number)


def _without_us_commas(value: str, text: str, money: bool) -> str:
    """'12,500.50', '1,200,000' and '$12,500' have US thousands separators; a comma that
    could be (or must be) a decimal point raises ``ambiguous-number``."""
    if _US_GROUPS.fullmatch(text) and (money or "." in text or text.count(",") > 1):
        return text.replace(",", "")
    if _US_GROUPS.fullmatch(text):  # '1,200': 1200 in the US, 1.2 in much of Europe
        whole = text.replace(",", "")
        raise Unreadable("ambiguous-number", value, meaning=(
            f"could be {_fmt(float(whole))} or {_fmt(float(text.replace(',', '.')))} (a comma "
            "separates thousands in the US and is the decimal point in much of Europe)"),
            example=_fmt(float(whole)))
    european = text.replace(".", "").replace(",", ".", 1)
    try:
        guess = float(european)
    except ValueError:
        raise Unreadable("not-a-number", value) from None
    raise Unreadable("ambiguous-number", value, meaning=(
        f"uses a comma as the decimal point ({_fmt(guess)} written the European way?)"),
        example=_fmt(guess))


def _fmt(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y",
                 "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%m-%d-%Y", "%d.%m.%Y",
                 "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def date_to_serial(value: date | datetime | timedelta, date1904: bool = False) -> float:
    """The serial number a spreadsheet stores for a date (or a duration), as its formulas
    read it: 45 for 1900-02-14 (before 1900-03-01 the 1900 system counts from 1899-12-31,
    around the 29 February 1900 it believes in), 46341 for 2026-11-15."""
    if isinstance(value, timedelta):
        return float(f"{value.total_seconds() / 86400:.15g}")
    when = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                               value.day)
    if date1904:
        epoch = datetime(1904, 1, 1)
    else:
        epoch = datetime(1899, 12, 31 if when < datetime(1900, 3, 1) else 30)
    return float(f"{(when - epoch).total_seconds() / 86400:.15g}")


def serial_to_date(serial: float, date1904: bool = False) -> date:
    if not 0 < serial <= _MAX_SERIAL:
        raise Unreadable("not-a-date", serial)
    if not date1904 and serial < 60:  # before the 29 February 1900 Excel counts
        return _EPOCH_1900 + timedelta(days=int(serial) + 1)
    return (_EPOCH_1904 if date1904 else _EPOCH_1900) + timedelta(days=int(serial))


def read_date(value: Any, date1904: bool = False) -> tuple[date | None, str | None]:
    """Real dates, Excel serial numbers (1900 or 1904 system) and dates as text."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        d = serial_to_date(float(value), date1904)
        return d, d.isoformat()
    _check_error(value)
    if is_blank(value):
        return None, None
    if not isinstance(value, str):
        raise Unreadable("not-a-date", value)
    text = " ".join(value.strip().split())
    for fmt in _DATE_FORMATS:
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return d, d.isoformat()
    raise Unreadable("not-a-date", value)


_MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y", "%b-%y", "%b %y", "%B, %Y", "%m-%Y")


def read_month(value: Any, date1904: bool = False) -> tuple[str | None, str | None]:
    """A month as a period key 'YYYY-MM': a date, 'Oct 2026', '2026-10', '10/2026'. A month
    typed as text is noted (a spreadsheet's formulas do not read it as a date)."""
    if isinstance(value, str):
        text = " ".join(value.strip().split())
        for fmt in _MONTH_FORMATS:
            try:
                when = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return f"{when.year:04d}-{when.month:02d}", when.strftime("%b %Y")
    day, _ = read_date(value, date1904)
    if day is None:
        return None, None
    return f"{day.year:04d}-{day.month:02d}", \
        day.strftime("%b %Y") if isinstance(value, str) else None


def read_year(value: Any, end: bool = False) -> tuple[int | None, str | None]:
    """2029, '2029', or a school year '2028-29' (its end year when ``end``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 < value < 2200:
            return int(value), None
        raise Unreadable("not-a-year", value)
    text, _ = read_text(value)
    if text is None:
        return None, None
    if text.isdigit() and len(text) == 4:
        return int(text), None
    try:
        year = SchoolYear.parse(text)
    except ValueError:
        raise Unreadable("not-a-year", value) from None
    return (year.start_year + 1 if end else year.start_year), None


_SYNONYMS: dict[str, dict[str, str]] = {
    "units": {"percent": "%", "percentage": "%", "pct": "%", "number": "count", "#": "count",
              "points": "score", "day": "days", "$": "dollars"},
    "directions": {"up": "increase", "increasing": "increase", "higher": "increase",
                   "raise": "increase", "down": "decrease", "decreasing": "decrease",
                   "lower": "decrease", "reduce": "decrease"},
    "frequencies": {"month": "monthly", "quarter": "quarterly", "semi-annual": "semester",
                    "semiannual": "semester", "biannual": "semester", "yearly": "annual",
                    "annually": "annual", "year": "annual"},
    "action_statuses": {"completed": COMPLETE, "done": COMPLETE, "finished": COMPLETE,
                        "ongoing": IN_PROGRESS, "in process": IN_PROGRESS,
                        "started": IN_PROGRESS, "underway": IN_PROGRESS,
                        "not yet started": NOT_STARTED, "paused": ON_HOLD,
                        "canceled": CANCELLED},
    "funding_sources": {"title 1": "Title I", "title 2": "Title II", "title 3": "Title III",
                        "title 4": "Title IV", "general": "General Fund",
                        "general funds": "General Fund", "sped": "IDEA", "grant": "Other"},
    "yes_no": {"y": "yes", "true": "yes", "x": "yes", "1": "yes", "priority": "yes",
               "n": "no", "false": "no", "0": "no"},
    # "KCWP 2", "kcwp2" or the process's name alone
    "kcwps": {k: c for c in KCWPS if c != KCWP_OTHER
              for k in (c.split(":")[0].lower(), c.split(":")[0].lower().replace(" ", ""),
                        c.split(": ", 1)[1].lower())},
}
_CHOICE_INDEX: dict[str, dict[str, str]] = {
    name: {c.lower(): c for c in choices} | _SYNONYMS.get(name, {})
    for name, choices in CHOICES.items()
}


def read_choice(value: Any, choices: str) -> tuple[str | None, str | None]:
    """One of the template's list values, matched ignoring case, spacing and synonyms."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text, _ = read_text(value)
    if text is None:
        return None, None
    found = _CHOICE_INDEX[choices].get(" ".join(text.lower().split()))
    if found is None:
        raise Unreadable("invalid-choice", text, choices=", ".join(CHOICES[choices]))
    return found, None if found == text else f"'{found}'"
