"""What a cohort.toml may hold, checked by hand: the sections, their keys, types and bounds.

The checks are pydantic's (lax) rules for the fields ``cohort.model`` declares, and the
messages pydantic would give ("Field required", "Extra inputs are not permitted", ...), so
reading the cohort file, the first thing every pull does, needs no pydantic: a monthly
re-pull with nothing new starts in a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Loc = tuple[str, ...]


class Invalid(Exception):
    """Every problem found: (where, as ``("district", "2", "id")``, and the message)."""

    def __init__(self, errors: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(loc)}: {msg}" for loc, msg in errors))
        self.errors = errors


class Checker:
    """Collects the problems of one document while its values are read."""

    def __init__(self) -> None:
        self.errors: list[tuple[Loc, str]] = []
        self.extra: dict[Loc, list[str]] = {}  # table -> the keys it may not hold
        self.shown: dict[Loc, Loc] = {}  # a field -> where it is, as written (an alias)

    def fail(self, loc: Loc, msg: str) -> Any:
        """Note a problem; None, the value a field with a problem reads as."""
        self.errors.append((loc, msg))
        return None

    def table(self, value: Any, loc: Loc, keys: tuple[str, ...], what: str,
              aliases: dict[str, str] | None = None) -> dict[str, Any] | None:
        """A TOML table's values by field name (``aliases``: key as written -> field);
        keys it may not hold are reported by ``done``, after its fields, as pydantic does."""
        if not isinstance(value, dict):
            return self.fail(loc, f"Input should be a valid dictionary or instance of {what}")
        names = {str(k): (aliases or {}).get(str(k), str(k)) for k in value}
        for alias, name in (aliases or {}).items():
            if alias in names and name in names:  # the alias wins; the name is one too many
                names[name] = ""
        self.extra[loc] = [k for k, name in names.items() if name not in keys]
        self.shown.update({(*loc, f): (*loc, a) for a, f in (aliases or {}).items()})
        self.shown.update({(*loc, names[k]): (*loc, k) for k in names
                           if names[k] in (aliases or {}).values()})
        return {names[k]: v for k, v in value.items() if names[k] in keys}

    def done(self, loc: Loc) -> None:
        for key in self.extra.pop(loc, []):
            self.fail((*loc, key), "Extra inputs are not permitted")

    def where(self, loc: Loc) -> Loc:
        """A field's place as the file writes it (its alias, where it has one)."""
        return self.shown.get(loc, loc)

    def need(self, table: dict[str, Any], loc: Loc) -> Any:
        """A required field's value (None, and "Field required", when it is missing)."""
        if loc[-1] in table:
            return table[loc[-1]]
        return self.fail(self.shown.get(loc, loc), "Field required")

    def text(self, value: Any, loc: Loc, min_length: int = 0) -> str | None:
        if not isinstance(value, str):
            return self.fail(loc, "Input should be a valid string")
        if len(value) < min_length:
            return self.fail(loc, f"String should have at least {min_length} character"
                                  f"{'s' if min_length != 1 else ''}")
        return value

    def texts(self, value: Any, loc: Loc) -> list[str] | None:
        if not isinstance(value, list | tuple):
            return self.fail(loc, "Input should be a valid list")
        out = [self.text(v, (*loc, str(i))) for i, v in enumerate(value)]
        return None if any(v is None for v in out) else [v for v in out if v is not None]

    def mapping(self, value: Any, loc: Loc) -> dict[str, str] | None:
        if not isinstance(value, dict):
            return self.fail(loc, "Input should be a valid dictionary")
        out = {k: self.text(v, (*loc, k)) for k, v in value.items()}
        return None if any(v is None for v in out.values()) else \
            {k: v for k, v in out.items() if v is not None}

    def number(self, value: Any, loc: Loc, ge: float | None = None, le: float | None = None,
               gt: float | None = None) -> float | None:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return self.fail(loc, "Input should be a valid number, unable to parse string "
                                      "as a number")
        if not isinstance(value, int | float):  # a bool too: True is 1.0
            return self.fail(loc, "Input should be a valid number")
        return self.bounds(float(value), loc, ge, le, gt)

    def integer(self, value: Any, loc: Loc, ge: int | None = None,
                le: int | None = None) -> int | None:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                value = None
            if value is None or not value.is_integer():
                return self.fail(loc, "Input should be a valid integer, unable to parse "
                                      "string as an integer")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, float):
            return self.fail(loc, "Input should be a valid integer, got a number with a "
                                  "fractional part")
        if not isinstance(value, int):  # a bool too: True is 1
            return self.fail(loc, "Input should be a valid integer")
        found = self.bounds(value, loc, ge, le, None)
        return None if found is None else int(found)

    def flag(self, value: Any, loc: Loc) -> bool | None:
        words = {"true": True, "false": False, "yes": True, "no": False, "on": True,
                 "off": False, "1": True, "0": False, "t": True, "f": False, "y": True,
                 "n": False}
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        if isinstance(value, str | int) or (isinstance(value, float) and value.is_integer()):
            return self.fail(loc, "Input should be a valid boolean, unable to interpret input")
        return self.fail(loc, "Input should be a valid boolean")

    def bounds(self, value: float, loc: Loc, ge: float | None, le: float | None,
               gt: float | None) -> float | None:
        if ge is not None and value < ge:
            return self.fail(loc, f"Input should be greater than or equal to {_num(ge)}")
        if le is not None and value > le:
            return self.fail(loc, f"Input should be less than or equal to {_num(le)}")
        if gt is not None and value <= gt:
            return self.fail(loc, f"Input should be greater than {_num(gt)}")
        return value

    def check(self, value: Any, loc: Loc, rule: Callable[[Any], Any]) -> Any:
        """A value through a rule of the model's (ValueError is the problem)."""
        if value is None:
            return None
        try:
            return rule(value)
        except ValueError as exc:
            return self.fail(loc, f"Value error, {exc}")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
