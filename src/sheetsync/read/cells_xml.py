"""What the sniff reads of a worksheet's cells beyond their values: which number cells carry
a percent format (0.46 shown as 46%, from the styles part, which python-calamine drops) and
which cells hold a formula (an ``<f>`` element; a shared formula's followers included), each
found with a regular expression over the XML, in the pass the sniff already makes."""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF_FORMAT = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_FORMAT_ID = re.compile(rb'\bnumFmtId="(\d+)"')
_NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*>")
_FORMAT_CODE = re.compile(rb'\bformatCode="([^"]*)"')
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, \-escapes, [Red] ...
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3}\d+)"')
PERCENT_FORMATS = frozenset({9, 10})  # the built-in 0% and 0.00%


def is_percent_format(code: str) -> bool:
    """Whether a number format code shows a number x 100 with a % sign: an unquoted,
    unescaped % in any of its sections."""
    return "%" in _LITERALS.sub("", code)


@lru_cache(maxsize=64)  # a cohort's workbooks share their template's styles
def percent_styles(styles: bytes | None) -> tuple[tuple[bytes, re.Pattern[bytes]], ...]:
    """What follows a number cell's ref when its cell format (``s="N"``, N an index into
    cellXfs) has a percent number format and it holds a value (``<v>``, no ``<f>`` formula)
    of no other type than a number: a pattern for each such format, after the literal
    text it begins with (a quick test, and a literal prefix makes the search fast).
    Writers put ``s`` before ``t`` (Excel, LibreOffice, openpyxl, Google)."""
    xfs = _CELL_XFS.search(styles) if styles else None
    if not styles or not xfs:
        return ()
    custom = {int(i.group(1)) for n in _NUM_FMT.findall(styles)
              if (i := _FORMAT_ID.search(n)) and (c := _FORMAT_CODE.search(n))
              and is_percent_format(unescape(c.group(1).decode("utf-8", "replace")))}
    ids = [b"%d" % k for k, attrs in enumerate(_XF_FORMAT.findall(xfs.group(1)))
           if (i := _FORMAT_ID.search(attrs)) and int(i.group(1)) in PERCENT_FORMATS | custom]
    tail = rb'"(?:\s+(?!t="(?!n"))[\w:]+="[^"]*")*>\s*<v>'  # other attributes, but no t="s"
    return tuple((b' s="%s"' % k, re.compile(rb' s="' + k + tail)) for k in ids)


def percent_cells(xml: bytes,
                   percent: tuple[tuple[bytes, re.Pattern[bytes]], ...]) -> frozenset[str]:
    """The refs of a worksheet's number cells with a percent format."""
    refs = []
    for literal, pattern in percent:
        if literal not in xml:
            continue
        for m in pattern.finditer(xml):
            ref = _CELL_REF.match(xml, xml.rfind(b"<", 0, m.start()), m.end())
            if ref:
                refs.append(ref.group(1).decode())
    return frozenset(refs)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*><f[ >/]')


def formula_cells(xml: bytes) -> dict[str, frozenset[int]]:
    """Which cells of a worksheet hold a formula, by column: a cell whose first child is an
    ``<f>`` element (the start of a shared formula, or a follower that names only its
    index, ``<f t="shared" si="0"/>``). Writers put a cell's ref first (Excel, LibreOffice,
    Google, openpyxl, XlsxWriter): one pattern with a literal start finds them all; other
    layouts (prefixed elements, attributes in another order) are found from each ``<f``
    back to its cell's start."""
    if b'<c r="' in xml:
        found = _FORMULA_CELL.findall(xml)
    else:
        found = []
        for at in (plain_formulas(xml) if b"<c " in xml else
                   [m.start() for m in _FORMULA.finditer(xml)]):
            start = xml.rfind(b"<", 0, at)
            r = xml.find(b' r="', start, at)
            if r > 0 and (xml.startswith(b"c ", start + 1) or b":c " in xml[start:r + 1]):
                ref = _REF.fullmatch(xml, r + 4, xml.find(b'"', r + 4, at))
                if ref:
                    found.append((ref.group(1), ref.group(2)))
    rows: dict[bytes, list[bytes]] = {}
    for letters, number in found:
        rows.setdefault(letters, []).append(number)
    return {letters.decode(): frozenset(map(int, numbers)) for letters, numbers in rows.items()}


def plain_formulas(xml: bytes) -> list[int]:
    """Where each ``<f>`` element starts (not ``<formula1>`` of a validation)."""
    out, at = [], xml.find(b"<f")
    while at >= 0:
        if xml[at + 2:at + 3] in (b" ", b">", b"/"):
            out.append(at)
        at = xml.find(b"<f", at + 2)
    return out
