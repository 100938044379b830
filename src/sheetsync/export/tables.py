"""The store as tidy tables for analysts: ``sheetsync export tables``.

Eight tables, one row per thing: ``districts`` (one per district, the master's Summary),
``goals``, ``measures``, ``actions``, ``updates`` (a district's monthly updates),
``findings`` (what the check found, the master's Issues), ``measure_months`` (a measure's
status in each month, the master's History, every month the store has, past Excel's row
limit too) and ``pulls`` (every pull recorded). They are made from the same rows as the
master (``master.rows.master_rows``), so the two cannot differ; the columns of each are
declared once, in ``TABLES``, and the data dictionary (``data_dictionary.csv``, and the
README written beside the tables) is generated from that declaration.

CSV needs nothing beyond Python; Parquet needs the ``tables`` extra (DuckDB, which writes
each table's CSV as typed Parquet).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import ExportError, MissingDependency
from sheetsync.files import replacing
from sheetsync.master.layout import SHEETS, Col
from sheetsync.master.rows import Link, master_rows
from sheetsync.schema.schoolyear import SchoolYear, period_key

FORMATS = ("csv", "parquet")
DICTIONARY = "data_dictionary.csv"
README = "README.md"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, int, number, date, datetime, bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    sheet: str | None = None  # the master sheet its rows are, column for column


def _kind(col: Col) -> str:
    return {"int": "int", "number": "number", "percent": "number", "date": "date"}.get(
        col.kind, "text")


def _name(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


# What each column means, by its name; a master sheet's columns not named here are described
# by their header. One declaration: the tables' columns and the dictionary come from it.
_SAID = {
    "district_id": "The district's id in cohort.toml (a school's, in a school cohort).",
    "district": "The district's name.",
    "read_status": "Whether the last pull read the district's file: OK, Failed, or Stale "
                   "(showing the last good read).",
    "reason": "Why the file could not be read, or the identity warnings.",
    "source": "The district's file or Google Sheet as the cohort names it.",
    "last_modified": "When the district's file was last modified (ISO 8601).",
    "pulled_at": "When the pull ran (ISO 8601, UTC).",
    "template_version": "The template version the district's workbook was made from.",
    "goal_id": "The goal's id on the district's Goals sheet.",
    "measure_id": "The measure's id on the district's Measures sheet.",
    "action_id": "The action's id on the district's Actions sheet.",
    "strategy_id": "The strategy the action carries out: its id on the district's "
                   "Strategies sheet (blank when the action names none).",
    "status": "The status sheetsync computed (see docs/status.md).",
    "source_cell": "The sheet and cell the row came from in the district's file (Sheet!A1).",
    "month": "The month, YYYY-MM.",
    "latest_month": "The latest month with an actual value, YYYY-MM.",
    "latest_actual": "The latest actual value entered.",
    "expected": "Where the measure should be by now on a straight line from baseline to "
                "target.",
    "progress": "The share of the way from baseline to target reached (1.0 = 100%).",
    "alignment_coverage": "The share of the district's goals aligned to a strategic goal "
                          "(1.0 = 100%).",
    "note": "Why the month's snapshot is as it is (for example, the file was unreadable).",
    "severity": "error or warning.",
    "code": "The finding's code (docs/findings.md).",
}


_WHEN = {"pulled_at": "datetime", "last_modified": "datetime"}  # a date and a time


def _from_sheet(name: str, sheet: str, description: str,
                renames: dict[str, str] | None = None) -> Table:
    cols = []
    for col in SHEETS[sheet]:
        key = (renames or {}).get(col.header, _name(col.header))
        said = _SAID.get(key, f"{col.header} (the master's {sheet} sheet).")
        cols.append(Column(key, _WHEN.get(key, _kind(col)), said))
    return Table(name, description, tuple(cols), sheet)


TABLES: dict[str, Table] = {t.name: t for t in (
    _from_sheet("districts", "Summary", "One row per district: its last pull and the counts "
                "the master's Summary shows.", {"District": "district"}),
    _from_sheet("goals", "Goals", "One row per goal of each district's current plan."),
    _from_sheet("measures", "Measures", "One row per measure of each district's current "
                "plan, with its latest status."),
    _from_sheet("actions", "Actions", "One row per action of each district's current plan."),
    _from_sheet("updates", "Updates", "One row per district and month of the school year: "
                "its monthly update and whether it is late."),
    _from_sheet("findings", "Issues", "One row per finding of the check on each district's "
                "file (docs/findings.md)."),
    _from_sheet("measure_months", "History", "One row per district, measure and month: the "
                "measure's status as it stood in that month (every month the store has)."),
    Table("pulls", "One row per pull the store recorded.", (
        Column("pulled_at", "datetime", "When the pull ran (ISO 8601, UTC)."),
        Column("as_of", "date", "The date statuses were computed for."),
        Column("period", "text", "The month the pull counts for, YYYY-MM."),
        Column("districts", "int", "Districts in the cohort at that pull."),
        Column("read", "int", "Districts whose file was read."),
        Column("reused", "int", "Districts unchanged since the pull before (not read again)."),
        Column("failed", "int", "Districts whose file could not be read."),
        Column("master_written", "bool", "Whether the pull wrote the master."))),
)}
_BY_SHEET = {t.sheet: t.name for t in TABLES.values() if t.sheet}


@dataclass(frozen=True)
class Exported:
    folder: Path
    format: str
    year: str | None
    rows: dict[str, int]  # table: rows written
    files: list[Path]


def table_rows(cohort: Cohort, store: Store,
               year: str | None = None) -> dict[str, list[list[Any]]]:
    """Every table's rows, from the store alone: the whole store, or one school year's
    months (``year`` like "2026-27": measure_months, updates and pulls of its months)."""
    periods = SchoolYear.parse(year).periods if year else None
    ids = [d.id for d in cohort.members]
    last = store.last_pull()
    period = last["period"] if last else period_key(date.today())
    sources = {d.id: str(cohort.source_path(d)) for d in cohort.members}
    out: dict[str, list[list[Any]]] = {name: [] for name in TABLES}
    rows = master_rows(store.outcomes(ids), store.history(ids, periods), period,
                       cohort.folder, lambda o: sources.get(o.district_id, o.source))
    for sheet, values in rows:
        name = _BY_SHEET.get(sheet)
        if name is None:
            continue
        if name == "updates" and periods is not None and values[1] not in periods:
            continue
        out[name].append([_plain(v) for v in values])
    keys = [c.name for c in TABLES["pulls"].columns]
    out["pulls"] = [[p[k] for k in keys] for p in store.pulls(periods)]
    return out


def _plain(value: Any) -> Any:
    return value.label or None if isinstance(value, Link) else value


def export_tables(cohort: Cohort, folder: Path, fmt: str = "csv",
                  year: str | None = None) -> Exported:
    """Write every table (``fmt`` csv or parquet) and the data dictionary into ``folder``,
    each file replaced in one step. ``MissingDependency`` for Parquet without DuckDB."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if year:
        try:
            SchoolYear.parse(year)
        except ValueError as exc:
            raise ExportError(f"--year {year!r}: {exc}") from None
    if not cohort.store_path.exists():
        raise ExportError(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    write = _writer(fmt)
    with Store.reader(cohort.store_path) as store:
        tables = table_rows(cohort, store, year)
    files = []
    for name, rows in tables.items():
        path = folder / f"{name}.{fmt}"
        write(path, TABLES[name], rows)
        files.append(path)
    counts = {name: len(rows) for name, rows in tables.items()}
    files.append(_write_csv(folder / DICTIONARY, ("table", "column", "type", "description"),
                            dictionary_rows()))
    files.append(_write_readme(folder / README, cohort, fmt, year, counts))
    return Exported(folder, fmt, year, counts, files)


def dictionary_rows() -> Iterator[list[str]]:
    """The data dictionary: (table, column, type, description), from ``TABLES``."""
    for table in TABLES.values():
        for col in table.columns:
            yield [table.name, col.name, col.kind, col.description]


def _writer(fmt: str) -> Any:
    if fmt == "csv":
        return lambda path, table, rows: _write_csv(
            path, [c.name for c in table.columns], rows)
    try:
        import duckdb  # noqa: F401  (asked here, so the message comes before any file)
    except ImportError:
        raise MissingDependency("duckdb", "Parquet tables (the tables extra: pip install "
                                "'sheetsync-scorecard[tables]'; --format csv needs nothing)"
                                ) from None
    return _write_parquet


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[list[Any]]) -> Path:
    with replacing(path, suffix=".csv") as tmp:
        _csv(tmp, header, rows)
    return path


def _csv(path: Path, header: Iterable[str], rows: Iterable[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


# Parquet: DuckDB reads the table's CSV with the declared types and writes it as Parquet
# (DuckDB: a 25 MB wheel, 69 MB installed; pyarrow 55 MB and 170 MB, no faster here).
_DUCK = {"text": "VARCHAR", "int": "BIGINT", "number": "DOUBLE", "date": "DATE",
         "datetime": "TIMESTAMP", "bool": "BOOLEAN"}


def _write_parquet(path: Path, table: Table, rows: list[list[Any]]) -> Path:
    import duckdb

    columns = ", ".join(f"'{c.name}': '{_DUCK[c.kind]}'" for c in table.columns)
    with replacing(path, suffix=".parquet") as tmp, duckdb.connect() as db:
        text = tmp.with_suffix(".csv")
        try:
            _csv(text, [c.name for c in table.columns],
                 ([_typed(c.kind, v) for c, v in zip(table.columns, row, strict=True)]
                  for row in rows))
            db.execute(f"COPY (SELECT * FROM read_csv(?, header = true, quote = '\"', "
                       f"escape = '\"', columns = {{{columns}}})) TO '{_quoted(tmp)}' "
                       "(FORMAT parquet)", [str(text)])
        finally:
            text.unlink(missing_ok=True)  # only the Parquet stays
    return path


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _typed(kind: str, value: Any) -> Any:
    """A value as DuckDB reads its declared type from CSV (dates without their time)."""
    if value is None or value == "":
        return None
    if kind == "date" and isinstance(value, str):
        return value[:10]
    if kind == "datetime" and isinstance(value, str):  # as UTC, without its offset
        when = datetime.fromisoformat(value)
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        return when.isoformat(sep=" ")
    if kind == "bool":
        return "true" if value else "false"
    return value


def _write_readme(path: Path, cohort: Cohort, fmt: str, year: str | None,
                  counts: dict[str, int]) -> Path:
    lines = [f"# {cohort.cohort.name}: the store as tables", "",
             f"Written by `sheetsync export tables --format {fmt}` "
             f"({'school year ' + year if year else 'every month the store has'}). "
             f"The columns of every table, their types and meanings are in {DICTIONARY}.", "",
             "| table | rows | what a row is |", "|---|---|---|"]
    lines += [f"| {name}.{fmt} | {counts[name]} | {t.description} |"
              for name, t in TABLES.items()]
    with replacing(path, suffix=".md") as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
