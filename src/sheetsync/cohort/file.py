"""The cohort file: find cohort.toml, read it into a ``model.Cohort`` (checked by
``fields``), and write it back keeping the consultant's comments and layout."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sheetsync.cohort.fields import Invalid, parse_cohort
from sheetsync.cohort.model import FILENAME, Cohort, District
from sheetsync.errors import CohortError, SheetsyncError
from sheetsync.files import read_text, replacing, writable_folder
from sheetsync.schema.settings import STATUS_SETTINGS


def find_cohort(path: str | Path | None) -> Path:
    """``path``, or cohort.toml in the current folder."""
    found = Path(path) if path else Path.cwd() / FILENAME
    if found.is_dir():
        found = found / FILENAME
    if not found.exists():
        raise CohortError(f"{found}: no cohort file here. Create one with `sheetsync cohort init "
                          "--roster roster.csv` or pass --cohort PATH.", path=found)
    return found


def load_cohort(path: str | Path | None = None, cached: bool = False) -> Cohort:
    """The cohort file at ``path`` (default ./cohort.toml). ``cached``: its TOML data is
    taken from (and kept in) ``.sheetsync/cohort.json`` (``CACHE``), the same as parsing
    it and faster, for a command run every month on the same file (``pull``)."""
    path = find_cohort(path)
    try:
        text = read_text(path, "cohort file")
    except SheetsyncError as exc:
        raise CohortError(str(exc), path=path) from None
    data, unkept = _toml(path, text, cached)
    try:
        cohort = parse_cohort(data)
    except Invalid as exc:
        loc = list(exc.errors[0][0])
        raise CohortError(_explain(path, text, exc), path=path, line=_line_of(text, loc),
                          field=".".join(loc) or None) from None
    cohort.path = path
    cohort._text = text  # tomlkit parses it only to save: a pull reads, it does not edit
    cohort._unkept = unkept
    return cohort


def keep_data(cohort: Cohort) -> None:
    """The cohort file's data kept in ``CACHE`` now that its folder is there, when loading
    it found none to keep it in (a first pull makes the folder after reading the file)."""
    if cohort._unkept is not None:
        _keep(cohort.path.parent / CACHE, cohort._unkept)
        cohort._unkept = None


# The cohort file's TOML data, as JSON, beside the store: found by the SHA-256 of the
# file's text and Python's version (its tomllib), it is what parsing that text gives. 500
# districts take ~20 ms to parse, ~1 ms to load so; every pull reads the file first.
CACHE = Path(".sheetsync") / "cohort.json"


def _toml(path: Path, text: str, cached: bool) -> tuple[dict[str, Any], str | None]:
    """The file's data, and what to keep once its folder is there (``cached``, none kept
    for this text, and no folder to keep it in yet; written now, before it is read)."""
    key = f"{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()} {sys.version}"
    cache = path.parent / CACHE
    if cached:
        try:
            kept = json.loads(cache.read_bytes())
        except (OSError, ValueError):
            kept = None
        if isinstance(kept, dict) and kept.get("key") == key and \
                isinstance(kept.get("data"), dict):
            return kept["data"], None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CohortError(f"{path}: {exc}", path=path) from None
    if not cached or not _plain(data):
        return data, None
    kept_text = json.dumps({"key": key, "data": data})
    if not cache.parent.is_dir():  # only where a pull writes: kept once it has (keep_data)
        return data, kept_text
    _keep(cache, kept_text)
    return data, None


def _keep(cache: Path, kept_text: str) -> None:
    try:
        with replacing(cache, suffix=".json") as tmp:
            tmp.write_text(kept_text, encoding="utf-8")
    except (OSError, SheetsyncError):
        pass  # a cache: the next pull parses the file again


def _plain(value: Any) -> bool:
    """JSON gives ``value`` back as it is (TOML's dates and times it would not)."""
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, str | int | float)  # bool is an int


def _explain(path: Path, text: str, exc: Any) -> str:
    """Every problem of an ``Invalid`` cohort file, each at its line."""
    lines = []
    for where_in, msg in exc.errors:
        loc = list(where_in)
        line = _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        name = ".".join(loc) or "(file)"
        lines.append(f"{where}: {name}: {msg}")
    return "\n".join(lines)


def _line_of(text: str, loc: list[str]) -> int | None:
    """The line of a field: ``['district', '2', 'id']`` is the third [[district]]'s id."""
    rows = text.splitlines()
    start, end = 0, len(rows)
    if loc and loc[0] in ("district", "school") and len(loc) > 1 and loc[1].isdigit():
        headers = [i for i, r in enumerate(rows) if r.strip() == f"[[{loc[0]}]]"]
        n = int(loc[1])
        if n >= len(headers):
            return None
        start = headers[n]
        end = headers[n + 1] if n + 1 < len(headers) else len(rows)
        key = loc[2] if len(loc) > 2 else None
    elif loc:
        header = [i for i, r in enumerate(rows) if r.strip() == f"[{loc[0]}]"]
        if not header:
            return None
        start = header[0]
        key = loc[1] if len(loc) > 1 else None
    else:
        return None
    if key:
        for i in range(start, end):
            if re.match(rf"\s*{re.escape(key)}\s*=", rows[i]):
                return i + 1
    return start + 1


# -- writing --------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings and lists are valid TOML


def dump_cohort(cohort: Cohort) -> str:
    lines = ["[cohort]", f"name = {_toml_value(cohort.cohort.name)}",
             f"school_year = {_toml_value(cohort.cohort.school_year)}"]
    if cohort.cohort.level != "district":
        lines += [f"level = {_toml_value(cohort.cohort.level)}",
                  f"district = {_toml_value(cohort.cohort.district)}"]
    lines += ["", "[status]",
              *(f"{s.key} = {cohort.status.value(s)}" for s in STATUS_SETTINGS),
              "", "[master]",
              f"path = {_toml_value(cohort.master.path)}"]
    if cohort.master.google_sheet:
        lines.append(f"google_sheet = {_toml_value(cohort.master.google_sheet)}")
    if cohort.google:
        lines += ["", "[google]"] + [f"{k} = {_toml_value(v)}" for k, v in cohort.google.items()]
    for d in cohort.members:
        lines += ["", f"[[{cohort.words.noun}]]", f"id = {_toml_value(d.id)}",
                  f"name = {_toml_value(d.name)}"]
        if d.source:
            lines.append(f"source = {_toml_value(d.source)}")
        lines.append(f"contacts = {_toml_value(d.contacts)}")
    return "\n".join(lines) + "\n"


def save_cohort(cohort: Cohort) -> Path:
    """Write the cohort file. One read from disk is edited in place (its comments, order
    and layout kept): districts added, and their name, source and contacts brought up to
    date; a cohort made in memory is written whole."""
    import tomlkit

    doc = cohort._doc
    if doc is None:
        doc = tomlkit.parse(cohort._text if cohort._text is not None else dump_cohort(cohort))
    _sync_districts(doc, cohort.members, cohort.words.noun)
    with replacing(cohort.path, suffix=".toml") as tmp:
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    cohort._doc = doc
    return cohort.path


def _sync_districts(doc: Any, districts: list[District], key: str = "district") -> None:
    import tomlkit

    if key not in doc:
        doc.append(key, tomlkit.aot())
    tables = doc[key]
    by_id = {str(t.get("id")): t for t in tables}
    for d in districts:
        table = by_id.get(d.id)
        if table is None:
            table = tomlkit.table()
            table.trivia.indent = "\n"  # a blank line before its [[district]]
            table["id"] = d.id
            tables.append(table)
        for key, value in (("name", d.name), ("source", d.source), ("contacts", d.contacts)):
            if table.get(key) != value and (value or key in table):
                table[key] = value


def init_cohort(path: Path, name: str, school_year: str, districts: list[District],
                district_file: str | None = None) -> Cohort:
    """A new cohort file; with ``district_file`` (relative to ``path``'s folder), a cohort
    of that district's schools."""
    if path.exists():
        raise CohortError(f"{path} already exists; edit it or use `sheetsync cohort add-folder`")
    info = {"name": name, "school_year": school_year}
    if district_file:
        info.update(level="school", district=district_file)
    try:
        cohort = parse_cohort({"cohort": info,
                               "school" if district_file else "district":
                                   [asdict(d) for d in districts]})
    except Invalid as exc:
        raise CohortError(f"{path}: {exc.errors[0][1]}") from None
    cohort.path = path
    writable_folder(path.parent, path.name)
    save_cohort(cohort)
    return cohort


__all__ = ["dump_cohort", "find_cohort", "init_cohort", "load_cohort", "save_cohort"]
