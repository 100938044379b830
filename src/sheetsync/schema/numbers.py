"""How sheetsync shows a number: by its significant digits, as a spreadsheet's General
format does, so that the digits that decide a status are never rounded away (an actual of
0.42 against an expected 0.4165 reads "0.42 vs 0.4165", not "0.4 vs 0.4")."""

from __future__ import annotations

import math

DIGITS = 6  # the significant digits shown: General shows as many as a cell's width allows


def significant(value: float, digits: int = DIGITS, grouped: bool = False) -> str:
    """``value`` to ``digits`` significant digits, without an exponent or trailing zeros:
    0.4165, 46.6667, 12500 (``grouped``: 12,500), 0.0000012."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    rounded = float(f"{value:.{digits}g}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:{',' if grouped else ''}.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


__all__ = ["DIGITS", "significant"]
