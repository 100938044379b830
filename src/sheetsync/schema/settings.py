"""The status settings, declared once.

Each setting is one ``Setting``: its name in the workbook (the defined name the template's
formulas read), its key in ``cohort.toml``'s ``[status]`` table (and in ``StatusSettings``),
the label of its row in the workbook's settings block, its default and bounds, the sentence
that explains it, the ``{word}`` the template's sentences write where they state it, and how
they say a value. The cohort model, the workbook's settings block, the reader, the formulas'
names, pull's settings key and every sentence shown to a district come from here; add a
setting to ``DECLARED`` and they all follow (``tests/schema/test_a_new_setting.py`` adds one
and follows it to the template, the reader, the pull and the Google template).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload


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

DECLARED: dict[str, Setting] = {s.key: s for s in (AT_RISK_BAND, UPDATE_DUE_DAY)}
"""The status settings by key, in order: the one declaration every other part reads (when it
runs, not when it is imported, so a setting added here reaches them all)."""

_T = TypeVar("_T")


class _Declared(Sequence[_T]):
    """A tuple made from ``DECLARED`` each time it is read: what the declaration says now."""

    def __init__(self, make: Callable[[], tuple[_T, ...]]) -> None:
        self._make = make

    @overload
    def __getitem__(self, i: int) -> _T: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[_T, ...]: ...
    def __getitem__(self, i: int | slice) -> _T | tuple[_T, ...]:
        return self._make()[i]

    def __len__(self) -> int:
        return len(self._make())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._make())


class _ByName(Mapping[str, Setting]):
    """The declared settings by their workbook name."""

    def __getitem__(self, name: str) -> Setting:
        for s in DECLARED.values():
            if s.name == name:
                return s
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter([s.name for s in DECLARED.values()])

    def __len__(self) -> int:
        return len(DECLARED)


STATUS_SETTINGS: Sequence[Setting] = _Declared(lambda: tuple(DECLARED.values()))
BY_KEY: Mapping[str, Setting] = DECLARED
BY_NAME: Mapping[str, Setting] = _ByName()

# The school year's dates stand in the same settings block, from the profile's year.
YEAR_SETTINGS = (("SchoolStart", "School year starts"), ("SchoolEnd", "School year ends"))
# The workbook's settings block, one (defined name, label) a row, from its first row.
WORKBOOK_SETTINGS: Sequence[tuple[str, str]] = _Declared(
    lambda: (*YEAR_SETTINGS, *((s.name, s.label) for s in DECLARED.values())))


class StatusSettings:
    """The values of the status settings, one per declared ``Setting``, parsed once (from
    ``cohort.toml``'s ``[status]``, a workbook's settings block or an Excel argument) and
    passed whole to the status rule, the template and the pull. Built by key
    (``StatusSettings(at_risk_band=0.2)``) or in declaration order; a setting not given has
    its default. Read a value with ``value(setting)``, or by its key as an attribute where
    one is declared below."""

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self, *positional: Any, **values: Any) -> None:
        if len(positional) > len(DECLARED):
            raise TypeError(f"StatusSettings takes at most {len(DECLARED)} values in order")
        values = {**dict(zip(DECLARED, positional, strict=False)), **values}
        unknown = [k for k in values if k not in DECLARED]
        if unknown:
            raise TypeError(f"no status setting is called {', '.join(map(repr, unknown))} "
                            f"(the settings: {', '.join(DECLARED)})")
        object.__setattr__(self, "_values", {k: DECLARED[k].read(v) for k, v in values.items()})

    def value(self, setting: Setting) -> Any:
        return self._values.get(setting.key, setting.default)

    @property
    def at_risk_band(self) -> float:
        """A share of the baseline-to-target gap."""
        return float(self.value(AT_RISK_BAND))

    @property
    def update_due_day(self) -> int:
        """A day of the month."""
        return int(self.value(UPDATE_DUE_DAY))

    def to_dict(self) -> dict[str, Any]:
        """``{key: value}`` in declaration order (pull's settings key, the cohort file)."""
        return {s.key: self.value(s) for s in DECLARED.values()}

    def words(self) -> dict[str, str]:
        """``{word: how a sentence says it}``: '{band}' is '10%', '{due_day}' the '30th'."""
        return {s.word: s.say(self.value(s)) for s in DECLARED.values()}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> StatusSettings:
        """The settings in ``values`` (by key; a workbook's or a cohort's), the rest default."""
        return cls(**{k: values[k] for k in DECLARED if k in values})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("StatusSettings are read-only")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusSettings) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().items()))

    def __repr__(self) -> str:
        return "StatusSettings(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items()) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        return _settings_from, (self._values,)


def _settings_from(values: dict[str, Any]) -> StatusSettings:
    return StatusSettings(**values)


DEFAULT_SETTINGS = StatusSettings()

__all__ = [
    "AT_RISK_BAND", "BY_KEY", "BY_NAME", "DECLARED", "DEFAULT_SETTINGS", "STATUS_SETTINGS",
    "UPDATE_DUE_DAY", "WORKBOOK_SETTINGS", "YEAR_SETTINGS", "Setting", "StatusSettings",
    "ordinal", "percent_of",
]
