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

    def __reduce__(self) -> tuple[Any, ...]:  # whole across processes (a reading pool's)
        return type(self), (self.model, self.errors)


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


def _mapping(check: Any, as_is: frozenset[type] = frozenset()) -> Any:
    def read(v: Any) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise Bad("Input should be a valid dictionary")
        out: dict[str, Any] = {}
        for k, x in v.items():  # most hold text keys and values of their type: a copy
            if k.__class__ is not str or x.__class__ not in as_is:
                break
            out[k] = x
        else:
            return out
        out = {}
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
    "dict[str, float]": _mapping(_number, frozenset({float})),
    "dict[str, str]": _mapping(_text, frozenset({str})),
    "dict[str, dict[str, str]]": _mapping(_mapping(_text)),
}
# the classes of value a field takes as they are (a container is always read, and copied)
_AS_IS = {note: frozenset({kind, type(None)} if "None" in note else {kind}) for note, kind in (
    ("str", str), ("str | None", str), ("int", int), ("int | None", int), ("float", float),
    ("float | None", float), ("bool", bool), ("date | None", date))}
_REQUIRED: Any = object()  # a field without a default, not given yet
_FACTORY: Any = object()  # a field whose default a factory makes, not given yet
Spec = tuple[str, frozenset[type], Any, Any, Any]  # name, taken as is, check, default, factory


# -- the base class ----------------------------------------------------------------------

@dataclass_transform(kw_only_default=True, field_specifiers=(field, Field))
class Record:
    """Plain typed data made with keywords; see the module's docstring."""

    forbid: ClassVar[bool] = False  # a keyword the class does not have is an error
    model_fields: ClassVar[dict[str, Any]] = {}  # field name -> its default (or factory)
    _spec: ClassVar[tuple[Spec, ...]] = ()
    # what making and dumping one needs, worked out from _spec once
    _start: ClassVar[dict[str, Any]] = {}  # every field in order: its default, or a marker
    _ok: ClassVar[dict[str, frozenset[type]]] = {}  # name -> the classes taken as they are
    _reads: ClassVar[dict[str, Any]] = {}  # name -> how any other value is read
    _factories: ClassVar[tuple[tuple[str, Any], ...]] = ()
    _required: ClassVar[tuple[str, ...]] = ()
    _dates: ClassVar[tuple[str, ...]] = ()  # the date fields, written as ISO text in JSON
    _nested: ClassVar[tuple[tuple[str, bool], ...]] = ()  # (a model field, a list of them)
    _maps: ClassVar[tuple[tuple[str, bool], ...]] = ()  # (a dict field, of dicts)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The fields from the annotations (as text: ``from __future__ import annotations``),
        after the parent's."""
        super().__init_subclass__(**kwargs)
        spec = {s[0]: s for s in cls._spec}
        for name, note in cls.__annotations__.items():  # its own (Python 3.10+), as text
            if note.startswith("ClassVar"):
                continue
            default, factory = cls.__dict__.get(name, _REQUIRED), None
            if isinstance(default, Field):
                factory = None if default.default_factory is MISSING else \
                    default.default_factory
                default = _REQUIRED if default.default is MISSING else default.default
            if note.startswith("list["):
                check, as_is = partial(_models, _MODELS[note[5:-1]]), frozenset[type]()
            elif note in _MODELS:
                check, as_is = partial(_instance, _MODELS[note]), frozenset({_MODELS[note]})
            elif note in _READERS:
                check, as_is = _READERS[note], _AS_IS.get(note, frozenset())
            else:
                raise TypeError(f"{cls.__name__}.{name}: a Record has no reader for {note!r} "
                                "(add one to read/record.py's _READERS)")
            spec[name] = (name, as_is, check, default, factory)
            if name in cls.__dict__:  # the class holds no defaults: each instance its values
                delattr(cls, name)
        cls._spec = tuple(spec.values())
        notes = {name: note for c in reversed(cls.__mro__) if issubclass(c, Record)
                 for name, note in c.__annotations__.items()}
        cls._start = {n: _FACTORY if f else d for n, _, _, d, f in cls._spec}
        cls._ok = {n: as_is for n, as_is, _, _, _ in cls._spec}
        cls._reads = {n: check for n, _, check, _, _ in cls._spec}
        cls._factories = tuple((n, f) for n, _, _, _, f in cls._spec if f)
        cls._required = tuple(n for n, v in cls._start.items() if v is _REQUIRED)
        cls._dates = tuple(n for n in spec if notes[n] == "date | None")
        cls._nested = tuple((n, notes[n].startswith("list[")) for n in spec
                            if notes[n].startswith("list[") or notes[n] in _MODELS)
        cls._maps = tuple((n, notes[n].count("dict[") > 1) for n in spec
                          if notes[n].startswith("dict["))
        cls.model_fields = {n: f or d for n, _, _, d, f in cls._spec}
        _MODELS[cls.__name__] = cls

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(self._checked(values))

    @classmethod
    def _checked(cls, values: dict[Any, Any]) -> dict[str, Any]:
        """The fields' values read, in field order. The values of a field's own class (most)
        go in as they are; the others are read, and keywords of no field dropped."""
        ok, reads = cls._ok, cls._reads
        out = cls._start.copy()
        out.update(values)
        errors: list[tuple[Loc, str]] | None = None
        for name in [k for k, v in values.items() if v.__class__ not in ok.get(k, ())]:
            if name not in reads:
                del out[name]
                if cls.forbid:
                    errors = (errors or []) + [((name,), "Extra inputs are not permitted")]
                continue
            try:
                out[name] = reads[name](out[name])
            except Bad as exc:
                errors = (errors or []) + [((name, *loc), msg) for loc, msg in exc.errors]
        for name, factory in cls._factories:
            if out[name] is _FACTORY:
                out[name] = factory()
        for name in cls._required:
            if out[name] is _REQUIRED:
                errors = (errors or []) + [((name,), "Field required")]
        if errors:  # in field order, then the keywords the class does not have
            order = {name: i for i, name in enumerate(cls._start)}
            errors.sort(key=lambda e: order.get(e[0][0], len(order)))  # type: ignore[arg-type]
            raise Invalid(cls.__name__, errors)
        return out

    def __delattr__(self, name: str) -> None:
        raise ValueError(f"{type(self).__name__!r} object's fields cannot be deleted")

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
        out = dict(self.__dict__)  # the fields, in order: set only by __setattr__ and _checked
        for name in exclude or ():
            out.pop(name, None)
        for name, many in self._nested:
            if name in out:
                v = out[name]
                out[name] = [m.model_dump(mode=mode) for m in v] if many else \
                    v.model_dump(mode=mode)
        for name, of_dicts in self._maps:
            v = out.get(name)
            if v.__class__ is dict:
                out[name] = {k: dict(x) if x.__class__ is dict else x for k, x in v.items()} \
                    if of_dicts else dict(v)
        if mode == "json":
            for name in self._dates:
                v = out.get(name)
                if v is not None:
                    out[name] = v.isoformat()
        return out

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        """A shallow copy (its lists and dicts are the original's), ``update`` set as it is."""
        made = self.__class__.__new__(self.__class__)
        made.__dict__.update(self.__dict__)
        for name, value in (update or {}).items():
            setattr(made, name, value)
        return made


_MODELS: dict[str, type[Record]] = {}  # the models made so far, by name: for nested fields
