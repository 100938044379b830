"""The template's rules as Sheets requests: its dropdowns and type checks (data validation),
input prompts (notes), status colours (conditional formats) and what is protected (from the
layout), translated from the .xlsx template ``template.google`` builds on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from openpyxl.styles.colors import Color
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.errors import SheetsyncError
from sheetsync.google.constants import EPOCH
from sheetsync.schema.layout import Layout, entity_sheets

DATE_CONDITIONS = {"greaterThan": "DATE_AFTER", "lessThan": "DATE_BEFORE",
                   "between": "DATE_BETWEEN", "notBetween": "DATE_NOT_BETWEEN",
                   "equal": "DATE_EQ", "greaterThanOrEqual": "DATE_ON_OR_AFTER",
                   "lessThanOrEqual": "DATE_ON_OR_BEFORE"}
NUMBER_CONDITIONS = {"between": "NUMBER_BETWEEN", "notBetween": "NUMBER_NOT_BETWEEN",
                     "greaterThan": "NUMBER_GREATER", "lessThan": "NUMBER_LESS",
                     "equal": "NUMBER_EQ", "notEqual": "NUMBER_NOT_EQ",
                     "greaterThanOrEqual": "NUMBER_GREATER_THAN_EQ",
                     "lessThanOrEqual": "NUMBER_LESS_THAN_EQ"}


class TemplateNotTranslatable(SheetsyncError):
    """The .xlsx template uses something this module cannot say in Sheets (a new kind of
    validation or conditional format): teach ``template.google`` before shipping it."""


def grid_range(sheet_id: int, ref: str) -> dict[str, int]:
    left, top, right, bottom = range_boundaries(ref.replace("$", ""))
    return {"sheetId": sheet_id, "startRowIndex": top - 1, "endRowIndex": bottom,
            "startColumnIndex": left - 1, "endColumnIndex": right}


def rgb(color: Color | None) -> dict[str, float] | None:
    rgb = getattr(color, "rgb", None) if color is not None and color.type == "rgb" else None
    if not isinstance(rgb, str) or len(rgb) < 6:
        return None
    h = rgb[-6:]
    return {k: round(int(h[i:i + 2], 16) / 255, 4) for k, i in (("red", 0), ("green", 2),
                                                              ("blue", 4))}


def note_requests(ws: Worksheet, sid: int, prompts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for ref, text in prompts:
        grid = grid_range(sid, ref)
        rows = grid["endRowIndex"] - grid["startRowIndex"]
        cols = grid["endColumnIndex"] - grid["startColumnIndex"]
        out.append({"updateCells": {
            "range": grid, "fields": "note",
            "rows": [{"values": [{"note": text}] * cols}] * rows}})
    return out


def validation_requests(ws: Worksheet, sid: int) -> list[dict[str, Any]]:
    """Dropdowns and type checks as data validation rules; input prompts as notes."""
    out: list[dict[str, Any]] = []
    prompts = []
    for dv in ws.data_validations.dataValidation:
        refs = [str(r) for r in dv.sqref.ranges]
        if dv.type is None:
            if dv.showInputMessage and dv.prompt:
                prompts += [(ref, dv.prompt) for ref in refs]
            continue
        condition = _condition(ws, dv)
        rule: dict[str, Any] = {"condition": condition, "strict": dv.errorStyle in (None, "stop")}
        if dv.type == "list":
            rule["showCustomUi"] = True
        if dv.error:
            rule["inputMessage"] = dv.error
        out += [{"setDataValidation": {"range": grid_range(sid, ref), "rule": rule}}
                for ref in refs]
    return out + note_requests(ws, sid, prompts)


def _condition(ws: Worksheet, dv: Any) -> dict[str, Any]:
    def values(*formulas: str | None) -> list[dict[str, str]]:
        return [{"userEnteredValue": f} for f in formulas if f is not None]

    operator = dv.operator or "between"
    if dv.type == "list" and dv.formula1 and not dv.formula1.startswith('"'):
        return {"type": "ONE_OF_RANGE", "values": values("=" + dv.formula1)}
    if dv.type == "list" and dv.formula1:
        items = dv.formula1.strip('"').split(",")
        return {"type": "ONE_OF_LIST", "values": values(*items)}
    if dv.type == "date" and operator in DATE_CONDITIONS:
        dates = [(EPOCH + timedelta(days=float(f))).date().isoformat() if f else None
                 for f in (dv.formula1, dv.formula2)]
        return {"type": DATE_CONDITIONS[operator], "values": values(*dates)}
    if dv.type in ("decimal", "whole") and operator in NUMBER_CONDITIONS:
        return {"type": NUMBER_CONDITIONS[operator], "values": values(dv.formula1, dv.formula2)}
    raise TemplateNotTranslatable(
        f"{ws.title}!{dv.sqref}: a {dv.type} validation ({operator}) has no translation yet")


def conditional_format_requests(ws: Worksheet, sid: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            formula = (rule.formula or [""])[0]
            if rule.type == "expression":  # the Check column: a custom formula
                condition = {"type": "CUSTOM_FORMULA", "values": [
                    {"userEnteredValue": "=" + formula}]}
            elif rule.type == "cellIs" and rule.operator == "equal" and formula.startswith('"'):
                condition = {"type": "TEXT_EQ", "values": [
                    {"userEnteredValue": formula.strip('"')}]}
            else:
                raise TemplateNotTranslatable(
                    f"{ws.title}!{cf.sqref}: a {rule.type} conditional format has no "
                    "translation yet")
            fmt: dict[str, Any] = {}
            if rule.dxf and rule.dxf.fill is not None:
                bg = rgb(rule.dxf.fill.bgColor) or rgb(rule.dxf.fill.fgColor)
                if bg:
                    fmt["backgroundColor"] = bg
            if rule.dxf and rule.dxf.font is not None and rgb(rule.dxf.font.color):
                fmt["textFormat"] = {"foregroundColor": rgb(rule.dxf.font.color)}
            out.append({"addConditionalFormatRule": {"index": len(out), "rule": {
                "ranges": [grid_range(sid, str(r)) for r in cf.sqref.ranges],
                "booleanRule": {"condition": condition, "format": fmt}}}})
    return out


def protection_requests(layout: Layout, ids: Mapping[str, int]) -> list[dict[str, Any]]:
    """Warning-only protected ranges: what sheetsync fills in or computes."""

    def protect(grid: dict[str, int], why: str) -> dict[str, Any]:
        return {"addProtectedRange": {"protectedRange": {
            "range": grid, "description": why, "warningOnly": True}}}

    out = []
    for sheet in entity_sheets(layout):
        sid = ids[sheet.name]
        out.append(protect({"sheetId": sid, "startRowIndex": 0,
                            "endRowIndex": sheet.header_row},
                           f"{sheet.name}: the title and headers sheetsync reads by name"))
        for col in sheet.columns:
            if not col.is_input:
                out.append(protect(grid_range(sid, f"{col.letter}{sheet.first_data_row}:"
                                                f"{col.letter}{sheet.last_data_row}"),
                                   f"{sheet.name}: {col.header} is computed by a formula"))
    profile = layout.sheet("profile")
    for fld in profile.fields:
        if fld.formula or fld.key == "template_version":
            out.append(protect(grid_range(ids[profile.name], fld.cell),
                               f"{profile.name}: {fld.label} is filled in by sheetsync"))
    out.append(protect({"sheetId": ids[layout.lists_sheet]},
                       "The lists and settings the dropdowns and formulas use"))
    return out
