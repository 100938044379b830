"""The status settings, declared once.

Each setting is one ``Setting``: its name in the workbook (the defined name the template's
formulas read), its key in ``cohort.toml``'s ``[status]`` table (and in ``StatusSettings``),
the label of its row in the workbook's settings block, its default and bounds, the sentence
that explains it, the ``{word}`` the template's sentences write where they state it, and how
they say a value. The cohort model, the workbook's settings block, the reader, the formulas'
names, pull's settings key and every sentence shown to a district come from here; add a
setting here (and a field of ``StatusSettings``) and they all follow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any


def ordinal(n: int) -> str:
    """1 -> '1st', 22 -> '22nd', 30 -> '30th': how a sentence says a day of the month."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percent_of(share: float) -> str:
    """0.1 -> '10%', 0.125 -> '12.5%': how a sentence says a share."""
    return f"{round(share * 100, 6):g}%"


@dataclass(frozen=True)
class Setting:
    name: str  # the workbook's defined name, read by the formulas
    key: str  # the cohort file's key under [status], and StatusSettings' field
    label: str  # the label of its row in the workbook's settings block
    type: type[int] | type[float]
    default: Any  # of ``type``
    low: float
    high: float
    explain: str  # the sentence that explains it
    word: str  # a template sentence writes "{word}" where it states the setting
    say: Callable[[Any], str]  # how a sentence says a value
    example: Any  # a value other than the default, for the docs and the tests

    def read(self, value: Any) -> Any:
        """A value as this setting holds it (an int day, a float share)."""
        return self.type(value)


AT_RISK_BAND = Setting(
    name="AtRiskBand", key="at_risk_band", label="At-risk band (share of the gap)",
    type=float, default=0.10, low=0, high=1,
    explain="A measure is At Risk, not Off Track, while its progress is within this share "
            "of the baseline-to-target gap below the expected progress (0.10 is 10%).",
    word="band", say=percent_of, example=0.25)
UPDATE_DUE_DAY = Setting(
    name="UpdateDueDay", key="update_due_day", label="Monthly update due day",
    type=int, default=30, low=1, high=31,
    explain="The monthly update is due on this day of the month (or on the month's last "
            "day, if sooner); submitted later it is Late.",
    word="due_day", say=ordinal, example=10)

STATUS_SETTINGS: tuple[Setting, ...] = (AT_RISK_BAND, UPDATE_DUE_DAY)
BY_KEY = {s.key: s for s in STATUS_SETTINGS}
BY_NAME = {s.name: s for s in STATUS_SETTINGS}

# The school year's dates stand in the same settings block, from the profile's year.
YEAR_SETTINGS = (("SchoolStart", "School year starts"), ("SchoolEnd", "School year ends"))
# The workbook's settings block, one (defined name, label) a row, from its first row.
WORKBOOK_SETTINGS: tuple[tuple[str, str], ...] = (
    *YEAR_SETTINGS, *((s.name, s.label) for s in STATUS_SETTINGS))


@dataclass(frozen=True)
class StatusSettings:
    """The values of the status settings: one field per ``Setting``, named by its key."""

    at_risk_band: float = AT_RISK_BAND.default  # a share of the gap
    update_due_day: int = UPDATE_DUE_DAY.default  # a day of the month

    def value(self, setting: Setting) -> Any:
        return getattr(self, setting.key)

    def to_dict(self) -> dict[str, Any]:
        """``{key: value}`` in declaration order (pull's settings key, the cohort file)."""
        return {s.key: self.value(s) for s in STATUS_SETTINGS}

    def words(self) -> dict[str, str]:
        """``{word: how a sentence says it}``: '{band}' is '10%', '{due_day}' the '30th'."""
        return {s.word: s.say(self.value(s)) for s in STATUS_SETTINGS}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> StatusSettings:
        """The settings in ``values`` (by key; a workbook's or a cohort's), the rest default."""
        return cls(**{s.key: s.read(values[s.key]) for s in STATUS_SETTINGS if s.key in values})


DEFAULT_SETTINGS = StatusSettings()

assert [f.name for f in fields(StatusSettings)] == [s.key for s in STATUS_SETTINGS], \
    "StatusSettings has one field per declared setting, in order"

__all__ = [
    "AT_RISK_BAND", "BY_KEY", "BY_NAME", "DEFAULT_SETTINGS", "STATUS_SETTINGS",
    "UPDATE_DUE_DAY", "WORKBOOK_SETTINGS", "YEAR_SETTINGS", "Setting", "StatusSettings",
    "ordinal", "percent_of",
]
