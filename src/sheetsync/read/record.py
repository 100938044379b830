"""``Record``: the base of the planning model's classes (``read.models``), plain typed data
checked as it is made.

A class lists its fields as annotations (with ``= default`` or
``= field(default_factory=...)``), as a dataclass does. Made with keywords
(``Measure(**values)``) or from stored JSON (``Measure.model_validate(data)``), each value is
read by its field's type with the rules of pydantic's lax mode, which this base replaced: the
store's JSON, and what the reader and the examples hand over, read exactly as before
(tests/read/test_models_plain.py proves it against the pydantic models):

- ``str``: text; a number is refused. Bytes are read as the text they hold, for any type.
- ``int``: an int, a bool, a float without a fractional part (within 64 bits), or text
  holding an integer ('12', ' 12 ', '12.0', '1_000').
- ``float``: a float, an int or a bool (3 is 3.0), or text holding a number ('1.5', ' 2 ',
  'inf').
- ``bool``: a bool, 0 or 1, or one of pydantic's words ('yes', 'off', 't', ...).
- ``date``: a date, a datetime at midnight, or ISO text 'YYYY-MM-DD' (what a dump writes).
  Narrower than pydantic, which also read Unix timestamps and datetimes written as text:
  nothing gives those (the store holds dumps, the reader dates), and they are refused.
- ``list[Model]``: a list (or tuple) of instances, kept, or of dicts, made into instances;
  ``dict[str, X]``: a dict, its values read as X. The containers are new ones.

A value that cannot be read raises ``Invalid``, a ``ValueError`` as pydantic's error was (a
bug, or a damaged store: never a district's problem), naming every value that failed. A
keyword a class does not have is an error where the class sets ``forbid`` and is ignored
elsewhere, as before. ``model_dump``, ``model_copy`` (shallow; the update is not checked)
and ``model_fields`` keep pydantic's names for their callers.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, Field, field
from datetime import date, datetime
from functools import partial
from typing import Any, ClassVar, Self, cast, dataclass_transform

Loc = tuple[str | int, ...]


class Invalid(ValueError):
    """The values a model could not read: (where, as ``("measures", 0, "baseline")``, why)."""

    def __init__(self, model: str, errors: list[tuple[Loc, str]]) -> None:
        told = "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in errors)
        super().__init__(f"{len(errors)} invalid value{'s' if len(errors) > 1 else ''} for "
                         f"{model}: {told}")
        self.model = model
        self.errors = errors


class Bad(Exception):
    """A value refused inside a check; ``errors``: each problem, where it is below it."""

    def __init__(self, msg: str, errors: list[tuple[Loc, str]] | None = None) -> None:
        super().__init__(msg)
        self.errors = errors or [((), msg)]


# -- reading one value as its type ---------------------------------------------------------

def _text(v: Any) -> str:
    if isinstance(v, str):
        return str.__str__(v)  # a str subclass (an enum's member) as its plain text
    if isinstance(v, bytes | bytearray):
        return _decoded(v, "Input should be a valid string, unable to parse raw data as a "
                           "unicode string")
    raise Bad("Input should be a valid string")


def _decoded(v: bytes | bytearray, refused: str) -> str:
    """Bytes read as the text they hold (UTF-8), as pydantic read them for every type."""
    try:
        return bytes(v).decode()
    except UnicodeDecodeError:
        raise Bad(refused) from None


_INTEGER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")
_I64 = 2.0 ** 63


def _integer(v: Any) -> int:
    if isinstance(v, bytes | bytearray):
        v = _decoded(v, "Input should be a valid integer")
    if isinstance(v, int):  # a bool too: True is 1
        return int(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise Bad("Input should be a finite number")
        if not -_I64 < v < _I64:
            raise Bad("Unable to parse input string as an integer, exceeded maximum size")
        if not v.is_integer():
            raise Bad("Input should be a valid integer, got a number with a fractional part")
        return int(v)
    if isinstance(v, str):
        text = v.strip()
        if _INTEGER.fullmatch(text):
            return int(text.split(".")[0])
        raise Bad("Input should be a valid integer, unable to parse string as an integer")
    raise Bad("Input should be a valid integer")


def _number(v: Any) -> float:
    if isinstance(v, bytes | bytearray):
        v = _decoded(v, "Input should be a valid number")
    if isinstance(v, int | float):  # an int or a bool as a float: 3 is 3.0
        try:
            return float(v)
        except OverflowError:
            raise Bad("Input should be a valid number") from None
    if isinstance(v, str):
        text = v.strip()
        # Python's float() reads more than pydantic did: other digits ('١٢'), and
        # underscores in text with spaces around it (' 1_0')
        if text.isascii() and ("_" not in text or text == v):
            try:
                return float(text)
            except ValueError:
                pass
        raise Bad("Input should be a valid number, unable to parse string as a number")
    raise Bad("Input should be a valid number")


_WORDS = {"0": False, "off": False, "f": False, "false": False, "n": False, "no": False,
          "1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}


def _flag(v: Any) -> bool:
    if isinstance(v, bytes | bytearray):
        v = _decoded(v, "Input should be a valid boolean")
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.lower() in _WORDS:
        return _WORDS[v.lower()]
    if isinstance(v, str | int) or (isinstance(v, float) and v.is_integer()):
        raise Bad("Input should be a valid boolean, unable to interpret input")
    raise Bad("Input should be a valid boolean")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(v: Any) -> date:
    if isinstance(v, bytes | bytearray):
        v = _decoded(v, "Input should be a valid date")
    if isinstance(v, datetime):
        if v.time() != datetime.min.time():
            raise Bad("Datetimes provided to dates should have zero time - e.g. be exact "
                      "dates")
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and _ISO_DATE.fullmatch(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise Bad("Input should be a valid date in the format YYYY-MM-DD")


def _optional(check: Any) -> Any:
    return lambda v: None if v is None else check(v)


def _mapping(check: Any) -> Any:
    def read(v: Any) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise Bad("Input should be a valid dictionary")
        out: dict[str, Any] = {}
        errors: list[tuple[Loc, str]] = []
        for k, x in v.items():
            try:
                key = _text(k)
            except Bad as exc:
                errors += [((str(k), "[key]"), msg) for _, msg in exc.errors]
                continue
            try:
                out[key] = check(x)
            except Bad as exc:
                errors += [((key, *loc), msg) for loc, msg in exc.errors]
        if errors:
            raise Bad(errors[0][1], errors)
        return out
    return read


def _models(model: type[Record], v: Any) -> list[Any]:
    if not isinstance(v, list | tuple):
        raise Bad("Input should be a valid list")
    out: list[Any] = []
    errors: list[tuple[Loc, str]] = []
    for i, x in enumerate(v):
        try:
            out.append(_instance(model, x))
        except Bad as exc:
            errors += [((i, *loc), msg) for loc, msg in exc.errors]
    if errors:
        raise Bad(errors[0][1], errors)
    return out


def _instance(model: type[Record], v: Any) -> Any:
    if isinstance(v, model):
        return v  # an instance is kept as it is, not read again
    if not isinstance(v, dict):
        raise Bad(f"Input should be a valid dictionary or instance of {model.__name__}")
    made = model.__new__(model)
    try:
        made.__dict__.update(model._checked(dict(v)))
    except Invalid as exc:
        raise Bad(exc.errors[0][1], exc.errors) from None
    return made


_READERS: dict[str, Any] = {
    "str": _text, "str | None": _optional(_text),
    "int": _integer, "int | None": _optional(_integer),
    "float": _number, "float | None": _optional(_number),
    "bool": _flag, "date | None": _optional(_date),
    "dict[str, float]": _mapping(_number), "dict[str, str]": _mapping(_text),
    "dict[str, dict[str, str]]": _mapping(_mapping(_text)),
}
# the classes of value a field takes as they are (a container is always read, and copied)
_AS_IS: dict[str, frozenset[type]] = {
    "str": frozenset({str}), "str | None": frozenset({str, type(None)}),
    "int": frozenset({int}), "int | None": frozenset({int, type(None)}),
    "float": frozenset({float}), "float | None": frozenset({float, type(None)}),
    "bool": frozenset({bool}), "date | None": frozenset({date, type(None)}),
}
_REQUIRED: Any = object()
Spec = tuple[str, frozenset[type], Any, Any, Any]  # name, taken as is, check, default, factory


# -- the base class ----------------------------------------------------------------------

@dataclass_transform(kw_only_default=True, field_specifiers=(field, Field))
class Record:
    """Plain typed data made with keywords; see the module's docstring."""

    forbid: ClassVar[bool] = False  # a keyword the class does not have is an error
    model_fields: ClassVar[dict[str, Any]] = {}  # field name -> its default (or factory)
    _spec: ClassVar[tuple[Spec, ...]] = ()
    _dates: ClassVar[tuple[str, ...]] = ()  # the date fields, written as ISO text in JSON
    _nested: ClassVar[tuple[tuple[str, bool], ...]] = ()  # (a model field, a list of them)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The fields from the annotations (as text: ``from __future__ import annotations``),
        after the parent's."""
        super().__init_subclass__(**kwargs)
        spec = {s[0]: s for s in cls._spec}
        dates, nested = list(cls._dates), list(cls._nested)
        own = cls.__annotations__  # the class's own (Python 3.10+), as text
        for name, note in own.items():
            if note.startswith("ClassVar"):
                continue
            default, factory = cls.__dict__.get(name, _REQUIRED), None
            if isinstance(default, Field):
                factory = None if default.default_factory is MISSING else \
                    default.default_factory
                default = _REQUIRED if default.default is MISSING else default.default
            if note.startswith("list["):
                check, as_is = partial(_models, _MODELS[note[5:-1]]), frozenset[type]()
                nested.append((name, True))
            elif note in _MODELS:
                check, as_is = partial(_instance, _MODELS[note]), frozenset({_MODELS[note]})
                nested.append((name, False))
            elif note in _READERS:
                check, as_is = _READERS[note], _AS_IS.get(note, frozenset())
            else:
                raise TypeError(f"{cls.__name__}.{name}: a Record has no reader for {note!r} "
                                "(add one to read/record.py's _READERS)")
            if note == "date | None":
                dates.append(name)
            spec[name] = (name, as_is, check, default, factory)
            if name in cls.__dict__:  # the class holds no defaults: each instance its values
                delattr(cls, name)
        cls._spec, cls._dates, cls._nested = tuple(spec.values()), tuple(dates), tuple(nested)
        cls.model_fields = {s[0]: s[4] or s[3] for s in cls._spec}
        _MODELS[cls.__name__] = cls

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(self._checked(values))

    @classmethod
    def _checked(cls, values: dict[Any, Any]) -> dict[str, Any]:
        """The fields' values read, in field order (taken out of ``values``)."""
        out: dict[str, Any] = {}
        errors: list[tuple[Loc, str]] = []
        for name, as_is, check, default, factory in cls._spec:
            v = values.pop(name, _REQUIRED)
            if v is _REQUIRED:
                if factory is not None:
                    v = factory()
                elif default is _REQUIRED:
                    errors.append(((name,), "Field required"))
                    continue
                else:
                    v = default
            elif v.__class__ not in as_is:
                try:
                    v = check(v)
                except Bad as exc:
                    errors += [((name, *loc), msg) for loc, msg in exc.errors]
                    continue
            out[name] = v
        if values and cls.forbid:
            errors += [((k,), "Extra inputs are not permitted") for k in values]
        if errors:
            raise Invalid(cls.__name__, errors)
        return out

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.model_fields:  # as before: only a field can be set
            raise ValueError(f"{type(self).__name__!r} object has no field {name!r}")
        self.__dict__[name] = value

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, so never a key: as before

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """An instance from stored data (a dict, as ``model_dump(mode="json")`` gives); an
        instance is returned as it is."""
        try:
            return cast(Self, _instance(cls, data))
        except Bad as exc:
            raise Invalid(cls.__name__, exc.errors) from None

    def model_dump(self, *, mode: str = "python",
                   exclude: set[str] | None = None) -> dict[str, Any]:
        """The fields as a new dict, in field order (nested models as dicts, each dict a
        copy); ``mode="json"``: dates as ISO text."""
        d = self.__dict__
        out = {name: d[name] for name in self.model_fields if not exclude or name not in exclude}
        for name, many in self._nested:
            if name in out:
                v = out[name]
                out[name] = [m.model_dump(mode=mode) for m in v] if many else \
                    v.model_dump(mode=mode)
        for name, v in out.items():
            if v.__class__ is dict:
                out[name] = {k: dict(x) if x.__class__ is dict else x for k, x in v.items()}
        if mode == "json":
            for name in self._dates:
                if out.get(name) is not None:
                    out[name] = out[name].isoformat()
        return out

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        """A shallow copy (its lists and dicts are the original's), ``update`` set as it is."""
        made = self.__class__.__new__(self.__class__)
        made.__dict__.update(self.__dict__)
        for name, value in (update or {}).items():
            setattr(made, name, value)
        return made


_MODELS: dict[str, type[Record]] = {}  # the models made so far, by name: for nested fields
