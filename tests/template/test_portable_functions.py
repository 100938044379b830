"""Every formula the templates carry calls only functions that Excel (Windows, Mac, the web,
mobile), Google Sheets and LibreOffice 7.4 all have, in any language version.

The formulas are collected from everything that holds one: cells, conditional formats, data
validations and defined names of the Excel template (``build_template``), and every formula
the Google template sends (``google.template.template_requests``, built offline), each at the
district and the school level. A function outside ``PORTABLE`` fails the test with the first
place it stands. Run with ``-s`` to see the longest formula and the deepest nesting; both are
asserted under Excel's limits (8,192 characters, 64 nested levels).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from openpyxl.formula import Tokenizer
from openpyxl.formula.tokenizer import Token

from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.google import template_requests
from sheetsync.template.workbook import build_template

# In Excel for Windows, Mac, the web and mobile, Google Sheets and LibreOffice 7.4 alike, under
# the same English name in the file in every language version, and with no argument whose
# meaning depends on the language or the locale. Left out on purpose:
# CELL and INFO (not in Excel for the web or mobile; their info_type is language-specific),
# TEXT, VALUE, DATEVALUE, TIMEVALUE (format codes and parsing follow the locale), every
# function Excel stores with an "_xlfn." prefix (IFNA, IFS, SWITCH, XLOOKUP, FILTER, UNIQUE,
# SORT, SEQUENCE, LET, LAMBDA, TEXTJOIN, CONCAT, MAXIFS, MINIFS...: Excel 2010 and later,
# which older Excel and LibreOffice 7.4 read partly or not at all), INDIRECT and OFFSET
# (volatile; the Google template's references would not follow a moved sheet).
PORTABLE = frozenset({
    # logic
    "IF", "IFERROR", "AND", "OR", "NOT",
    # lookup and reference
    "INDEX", "MATCH", "CHOOSE", "ROW", "ROWS", "COLUMN", "COLUMNS",
    # counting and sums
    "SUMPRODUCT", "SUM", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "COUNTIFS", "SUMIF",
    "SUMIFS",
    # numbers
    "MAX", "MIN", "ABS", "INT", "ROUND", "ROUNDDOWN", "ROUNDUP", "MOD", "N",
    # dates
    "DATE", "YEAR", "MONTH", "DAY", "EOMONTH", "EDATE", "TODAY",
    # text
    "TRIM", "LEFT", "RIGHT", "MID", "LEN", "FIND", "SEARCH", "UPPER", "LOWER", "SUBSTITUTE",
    "EXACT", "REPT", "CONCATENATE",
    # information
    "ISNUMBER", "ISTEXT", "ISBLANK", "ISERROR", "ISERR", "ISNA", "ISLOGICAL", "NA",
})
EXCEL_MAX_LENGTH = 8192  # characters in a formula
EXCEL_MAX_NESTING = 64  # levels of nested functions


@dataclass(frozen=True)
class Formula:
    kind: str  # cell, conditional format, validation, name
    where: str  # e.g. "excel district: Measures!Q5"
    text: str  # with its leading "="


def _excel_formulas(level: str) -> Iterator[Formula]:
    wb = build_template(scorecard_layout("2026-27", level), xlwings=True)  # type: ignore[arg-type]
    at = f"excel {level}"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str)
                                             and cell.value.startswith("=")):
                    yield Formula("cell", f"{at}: {ws.title}!{cell.coordinate}",
                                  str(cell.value))
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                for text in rule.formula or ():
                    yield Formula("conditional format", f"{at}: {ws.title} {cf.sqref}",
                                  "=" + text)
        for dv in ws.data_validations.dataValidation:
            for text in (dv.formula1, dv.formula2):
                if text:
                    yield Formula("validation", f"{at}: {ws.title} {dv.sqref}", "=" + text)
    for name, defined in wb.defined_names.items():
        yield Formula("name", f"{at}: {name}", "=" + str(defined.attr_text))


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{path}/{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner, path)
    elif isinstance(value, str):
        yield path, value


GOOGLE_KINDS = {"/data/values": "cell", "/requests/setDataValidation": "validation",
                "/requests/addConditionalFormatRule": "conditional format"}


def _google_formulas(level: str) -> Iterator[Formula]:
    """What the Google template sends that Sheets reads as a formula: a string beginning
    with "=" (text is sent with a leading apostrophe), in a cell, a conditional format or a
    validation (its named ranges are ranges, not formulas)."""
    requests, data = template_requests(scorecard_layout("2026-27", level))  # type: ignore[arg-type]
    for path, text in _strings({"requests": requests, "data": data}):
        if text.startswith("="):
            kind = next((k for p, k in GOOGLE_KINDS.items() if path.startswith(p)), path)
            yield Formula(kind, f"google {level}: {path}", text)


@cache
def template_formulas(template: str) -> tuple[Formula, ...]:
    kind, level = template.split()
    found = tuple((_excel_formulas if kind == "excel" else _google_formulas)(level))
    assert found, f"no formula found in the {template} template"
    return found


TEMPLATES = ["excel district", "excel school", "google district", "google school"]


@cache
def _read(text: str) -> tuple[tuple[str, ...], int]:
    """(the functions ``text`` calls, the deepest nesting of its calls): one tokenizing."""
    names: list[str] = []
    deepest = depth = 0
    for t in Tokenizer(text).items:
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            names.append(t.value[:-1].upper())
            depth += 1
            deepest = max(deepest, depth)
        elif t.type == Token.FUNC:
            depth -= 1
    return tuple(names), deepest


def functions(text: str) -> list[str]:
    """The names of the functions ``text`` calls, as written (upper case), prefixes kept."""
    return list(_read(text)[0])


def nesting(text: str) -> int:
    """The deepest nesting of function calls in ``text`` (=IF(A1,MAX(B1)) is 2)."""
    return _read(text)[1]


def _parentheses(text: str) -> int:
    """The deepest nesting of parentheses, calls and groups alike, outside strings."""
    deepest = depth = 0
    for i, part in enumerate(text.split('"')):
        if i % 2:
            continue
        for ch in part:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            deepest = max(deepest, depth)
    return deepest


def test_functions_and_nesting_are_read_from_a_formula():
    text = '=IF(_xlfn.XLOOKUP(A1,B:B,C:C)>0,LEFT(CELL("format",A1),1),"IF(X(")'
    assert functions(text) == ["IF", "_XLFN.XLOOKUP", "LEFT", "CELL"]
    assert nesting(text) == 3
    assert _parentheses(text) == 3
    assert not set(functions(text)) <= PORTABLE


@pytest.mark.parametrize("template", TEMPLATES)
def test_formulas_are_found_in_every_kind_of_place_the_template_holds_them(template):
    kinds = {f.kind for f in template_formulas(template)}
    want = {"cell", "conditional format", "validation"}
    assert kinds == (want | {"name"} if template.startswith("excel") else want)
    assert any("SUMPRODUCT" in f.text for f in template_formulas(template) if f.kind == "cell")


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_function_the_template_calls_is_portable(template):
    first: dict[str, Formula] = {}
    for formula in template_formulas(template):
        for name in functions(formula.text):
            first.setdefault(name, formula)
    outside = sorted(set(first) - PORTABLE)
    assert not outside, "\n".join(
        [f"The {template} template calls functions outside PORTABLE:"]
        + [f"{name}: first in {first[name].where}: {first[name].text[:160]}"
           for name in outside])


def test_the_longest_formula_and_the_deepest_nesting_are_within_excels_limits():
    every = [f for t in TEMPLATES for f in template_formulas(t)]
    longest = max(every, key=lambda f: len(f.text))
    deepest = max(every, key=lambda f: nesting(f.text))
    parens = max(_parentheses(f.text) for f in every)
    print(f"\nlongest formula: {len(longest.text):,} characters with its '=' "
          f"({longest.where})"
          f"\ndeepest nesting: {nesting(deepest.text)} nested function calls, "
          f"{parens} levels of parentheses ({deepest.where})"
          f"\nfunctions called: {', '.join(sorted({n for f in every for n in functions(f.text)}))}")
    assert len(longest.text) < EXCEL_MAX_LENGTH, longest.where
    assert nesting(deepest.text) < EXCEL_MAX_NESTING, deepest.where
