"""What a cohort.toml may hold, checked by hand: the sections, their keys, types and bounds.

``parse_cohort`` turns a cohort file's data into ``cohort.model``'s dataclasses. The checks
are pydantic's (lax) rules for those fields, with the messages pydantic would give ("Field
required", "Extra inputs are not permitted", ...), so reading the cohort file, the first
thing every pull does, needs no pydantic: a monthly re-pull with nothing new starts in a
fraction of the time. tests/cohort/test_cohort_fields.py holds the pydantic model it replaced and
proves the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheetsync.cohort.model import (
    Cohort,
    CohortInfo,
    District,
    MasterSettings,
    SmtpSettings,
)
from sheetsync.cohort.roster import contact
from sheetsync.schema.level import LEVELS, level_of
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import STATUS_SETTINGS, StatusSettings

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

    def integer(self, value: Any, loc: Loc, ge: float | None = None,
                le: float | None = None) -> int | None:
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


# -- the cohort file's sections ------------------------------------------------------------

_SECTIONS = ("cohort", "status", "master", "google", "smtp", "district", "school", "path")


def parse_cohort(data: dict[str, Any]) -> Cohort:
    """A cohort from a cohort.toml's data; ``Invalid`` lists every problem."""
    c = Checker()
    top = c.table(data, (), _SECTIONS, "Cohort") or {}
    given = c.need(top, ("cohort",))
    info = _info(c, given) if given is not None else None
    status = _status(c, top.get("status", {}))
    master = _master(c, top.get("master", {}))
    google = c.mapping(top.get("google", {}), ("google",))
    smtp = _smtp(c, top["smtp"]) if "smtp" in top else None
    districts = _districts(c, top.get("district", []))
    schools = _districts(c, top.get("school", []), "school")
    c.done(())
    if c.errors:
        raise Invalid(c.errors)
    assert info and status and master and google is not None
    assert districts is not None and schools is not None
    cohort = Cohort(info, status, master, google, smtp, districts, schools)
    c.check(cohort, (), _level)
    if c.errors:
        raise Invalid(c.errors)
    return cohort


def _info(c: Checker, value: Any) -> CohortInfo | None:
    at = ("cohort",)
    t = c.table(value, at, ("name", "school_year", "level", "district"), "CohortInfo")
    if t is None:
        return None
    name = c.need(t, (*at, "name"))
    name = c.text(name, (*at, "name")) if name is not None else None
    year = c.need(t, (*at, "school_year"))
    year = c.text(year, (*at, "school_year")) if year is not None else None
    year = c.check(year, (*at, "school_year"), lambda v: SchoolYear.parse(v).label)
    level = t.get("level", "district")
    if not isinstance(level, str) or level not in LEVELS:  # a Literal: exactly its words
        level = c.fail((*at, "level"), "Input should be " + " or ".join(
            repr(k) for k in LEVELS))
    district = c.text(t.get("district", ""), (*at, "district"))
    c.done(at)
    if None in (name, year, level, district):
        return None
    return CohortInfo(name, year, level, district)  # type: ignore[arg-type]


def _status(c: Checker, value: Any) -> StatusSettings | None:
    """``[status]``: each declared setting (``schema/settings.py``) read as its type, within
    its bounds."""
    t = c.table(value, ("status",), tuple(s.key for s in STATUS_SETTINGS), "StatusOverrides")
    if t is None:
        return None
    out: dict[str, Any] = {}
    for s in STATUS_SETTINGS:
        if s.key in t:
            read = c.integer if s.type is int else c.number
            found = read(t[s.key], ("status", s.key), ge=s.low, le=s.high)
            if found is not None:
                out[s.key] = found
    c.done(("status",))
    return StatusSettings(**out)


def _master(c: Checker, value: Any) -> MasterSettings | None:
    t = c.table(value, ("master",), ("path", "google_sheet"), "MasterSettings")
    if t is None:
        return None
    out = MasterSettings()
    if "path" in t:
        path = c.text(t["path"], ("master", "path"))
        out.path = out.path if path is None else path
    if "google_sheet" in t:
        out.google_sheet = c.text(t["google_sheet"], ("master", "google_sheet"))
    c.done(("master",))
    return out


def _smtp(c: Checker, value: Any) -> SmtpSettings | None:
    at = ("smtp",)
    keys = ("host", "port", "sender", "starttls", "username", "cafile", "timeout", "digest_to")
    t = c.table(value, at, keys, "SmtpSettings", {"from": "sender"})
    if t is None:
        return None
    host = c.need(t, (*at, "host"))
    host = c.text(host, (*at, "host"), 1) if host is not None else None
    port = c.integer(t["port"], (*at, "port"), ge=1, le=65535) if "port" in t else 587
    sender = c.need(t, (*at, "sender"))
    where = c.where((*at, "sender"))
    sender = c.check(c.text(sender, where) if sender is not None else None, where,
                     one_address)
    out = SmtpSettings(host or "", sender or "", port or 587)
    if "starttls" in t:
        starttls = c.flag(t["starttls"], (*at, "starttls"))
        out.starttls = out.starttls if starttls is None else starttls
    for key in ("username", "cafile"):
        if key in t:
            setattr(out, key, c.text(t[key], (*at, key)))
    if "timeout" in t:
        timeout = c.number(t["timeout"], (*at, "timeout"), gt=0)
        out.timeout = out.timeout if timeout is None else timeout
    if "digest_to" in t:
        out.digest_to = _digest(c, t["digest_to"], (*at, "digest_to")) or []
    c.done(at)
    return out if host is not None and sender is not None else None


def _digest(c: Checker, value: Any, at: tuple[str, ...]) -> list[str] | None:
    value = [value] if isinstance(value, str) else value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return c.check(value, at, lambda v: [one_address(a) for a in v])
    return c.texts(value, at)


def _districts(c: Checker, value: Any, key: str = "district") -> list[District] | None:
    """``[[district]]`` (or a school cohort's ``[[school]]``) entries."""
    if not isinstance(value, list):
        return c.fail((key,), "Input should be a valid list")
    out: list[District | None] = []
    for i, item in enumerate(value):
        at = (key, str(i))
        t = c.table(item, at, ("id", "name", "source", "contacts"), "District")
        if t is None:
            out.append(None)
            continue
        did = c.need(t, (*at, "id"))
        did = c.text(did, (*at, "id"), 1) if did is not None else None
        name = c.need(t, (*at, "name"))
        name = c.text(name, (*at, "name"), 1) if name is not None else None
        source = c.text(t.get("source", ""), (*at, "source"))
        contacts = c.texts(t.get("contacts", []), (*at, "contacts"))
        c.done(at)
        ok = None not in (did, name, source, contacts)
        out.append(District(did or "", name or "", source or "", contacts or []) if ok else None)
    if any(d is None for d in out):
        return None
    return c.check([d for d in out if d is not None], (key,),
                   lambda found: _unique(found, key))


def _unique(districts: list[District], key: str = "district") -> list[District]:
    seen: set[str] = set()
    for d in districts:
        if d.id in seen:
            raise ValueError(f"{key} id {d.id!r} is listed twice")
        seen.add(d.id)
    return districts


def _level(cohort: Cohort) -> Cohort:
    """A school cohort names its district's workbook, and each cohort lists its own units."""
    info = cohort.cohort
    if info.level == "school" and not info.district:
        raise ValueError('a school cohort (level = "school") names its district\'s '
                         'workbook: add district = "district.xlsx" under [cohort]')
    other = "district" if info.level == "school" else "school"
    if getattr(cohort, other):
        words = level_of(info.level)
        raise ValueError(f"a cohort of {words.plural} lists [[{words.noun}]] "
                         f"entries, not [[{other}]] (or set level = \"{other}\")")
    return cohort


def one_address(value: str) -> str:
    if contact(value) is None:
        raise ValueError(f"{value!r} is not an e-mail address (write it like "
                         "Jane Doe <jane@x.org>)")
    return value
