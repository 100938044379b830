"""Bad input gets a clear error or a finding, never a traceback.

Every hostile file is made here, in ``tmp_path``, most from a small clean district (four
goals, one measure and one action each) that has no findings at all on ``AS_OF``: each
test's findings are exactly what its hostile edit caused. A file that cannot be read gives
``WorkbookUnreadable`` with a reason, and ``sheetsync check`` exits 2 naming the file and
the reason. Tests that read run twice: with python-calamine, and with the openpyxl fallback
that xlwings Lite (no calamine in Pyodide) uses.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from sheetsync.check.assess import check_workbook
from sheetsync.cli.commands import main
from sheetsync.errors import WorkbookUnreadable
from sheetsync.read import cells_xml, sniff, source
from sheetsync.read import scorecard as reader
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.layout import TEMPLATE_VERSION
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.examples import district_rows
from sheetsync.template.workbook import build_template, save_atomic

YEAR = SchoolYear.parse("2026-27")
AS_OF = date(2026, 11, 15)  # the clean district has no findings on this day
ROWS = district_rows(1, YEAR, AS_OF, "clean", goals=4, measures_per_goal=1, actions_per_goal=1)

Edit = Callable[[Any], None]  # changes an openpyxl Workbook before it is saved
Located = list[tuple[str | None, str | None, str]]


def located(findings: list[Any]) -> Located:
    return [(f.sheet, f.cell, f.code) for f in findings]


def checked(path: Path) -> Located:
    return located(check_workbook(str(path), AS_OF).findings)


@pytest.fixture(params=["calamine", "openpyxl"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with python-calamine, then with the openpyxl fallback."""
    if request.param == "openpyxl":
        monkeypatch.setattr(source, "CalamineWorkbook", None)
    return request.param


def write_district(path: Path, edit: Edit | None = None, epoch: Any = None) -> Path:
    """The clean district, with ``edit`` applied to the workbook before it is saved."""
    wb = build_template(scorecard_layout(YEAR.label), rows=ROWS,
                        profile={"district_id": "KY-001", "district_name": "Adair County"})
    if epoch is not None:
        wb.epoch = epoch
    if edit:
        edit(wb)
    return save_atomic(wb, path)


@pytest.fixture(scope="module")
def built() -> dict[tuple[Any, Any], bytes]:
    return {}  # (edit, epoch) -> the file, so both backends read the very same bytes


@pytest.fixture
def district(tmp_path: Path, built: dict[tuple[Any, Any], bytes]) -> Callable[..., Path]:
    """district(edit=None, epoch=None): the clean district, edited, in tmp_path."""

    def make(edit: Edit | None = None, epoch: Any = None) -> Path:
        path = tmp_path / "district.xlsx"
        if (edit, epoch) in built:
            path.write_bytes(built[edit, epoch])
        else:
            built[edit, epoch] = write_district(path, edit, epoch).read_bytes()
        return path

    return make


@pytest.fixture(scope="module")
def clean_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_district(tmp_path_factory.mktemp("clean") / "clean.xlsx").read_bytes()


# -- edits, cached so that both backends share one built file ------------------------------


@cache
def set_cells(sheet: str, **cells: Any) -> Edit:
    def edit(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value

    return edit


@cache
def as_general(sheet: str, **cells: Any) -> Edit:
    """Type ``cells`` into cells formatted General (a date typed as its serial number)."""

    def edit(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value
            wb[sheet][ref].number_format = "General"

    return edit


@cache
def remove_sheet(sheet: str) -> Edit:
    return lambda wb: wb.remove(wb[sheet])


@cache
def rename_sheet(sheet: str, title: str) -> Edit:
    return lambda wb: setattr(wb[sheet], "title", title)


@cache
def merge(sheet: str, area: str, value: Any = None) -> Edit:
    def edit(wb: Any) -> None:
        if value is not None:
            wb[sheet][area.split(":")[0]] = value
        wb[sheet].merge_cells(area)

    return edit


@cache
def swap_columns(sheet: str, a: str, b: str) -> Edit:
    def edit(wb: Any) -> None:
        ws = wb[sheet]
        for r in range(4, 9):
            ws[f"{a}{r}"].value, ws[f"{b}{r}"].value = ws[f"{b}{r}"].value, ws[f"{a}{r}"].value

    return edit


@cache
def insert_column(sheet: str, at: int, header: str) -> Edit:
    def edit(wb: Any) -> None:
        wb[sheet].insert_cols(at)
        wb[sheet].cell(4, at, header)
        wb[sheet].cell(5, at, "a note")

    return edit


@cache
def insert_rows(sheet: str, at: int, n: int) -> Edit:
    return lambda wb: wb[sheet].insert_rows(at, n)


@cache
def spread_rows(*sheets: str) -> Edit:
    def edit(wb: Any) -> None:
        for sheet in sheets:
            wb[sheet].move_range("A6:CZ8", rows=3)  # rows 6-8 down to 9-11, a gap of three

    return edit


@cache
def both(*edits: Edit) -> Edit:
    def edit(wb: Any) -> None:
        for e in edits:
            e(wb)

    return edit


def test_the_clean_district_has_no_findings(district: Callable[..., Path], backend: str) -> None:
    assert checked(district()) == []


# -- hostile files, byte by byte -----------------------------------------------------------


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip part that holds ``sheet`` (found through xl/workbook.xml and its rels)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{ns['r']}}}id") for s in book.iterfind("m:sheets/m:sheet", ns)
               if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid) or ""
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def with_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``data`` with one zip part rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in parts.items():
            zf.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype"
                        else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def patch_headers(data: bytes, part: str, local_at: int, central_at: int, value: int,
                  fmt: str = "<I") -> bytes:
    """Overwrite one field (a size, the flags) of ``part``'s local and central zip headers."""
    raw = bytearray(data)
    name = part.encode()
    for sig, at, back in ((b"PK\x03\x04", local_at, 30), (b"PK\x01\x02", central_at, 46)):
        start = 0
        while (i := raw.find(name, start)) >= 0:
            if raw[i - back:i - back + 4] == sig:
                struct.pack_into(fmt, raw, i - back + at, value)
            start = i + 1
    return bytes(raw)


def corrupt_part(data: bytes, part: str, at_end: bool = True) -> bytes:
    """Scramble 200 compressed bytes of ``part``, near its end (so its start still inflates)
    or at its start."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    extra = struct.unpack_from("<H", raw, info.header_offset + 28)[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + extra
    if at_end:
        start += info.compress_size - 400
    for i in range(start, start + 200):
        raw[i] ^= 0x5A
    return bytes(raw)


def padded_sheet_data(body: bytes) -> bytes:
    """3 MB of whitespace inside <sheetData>: legal XML that compresses to almost nothing."""
    return body.replace(b"<sheetData>", b"<sheetData>" + b" " * 3_000_000)


NOSTREAM, ENDOFCHAIN, FREESECT, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def cfb(streams: dict[str, bytes], directory_last: bool = False) -> bytes:
    """An OLE2 compound file (MS-CFB version 3, 512-byte sectors) holding ``streams``: the
    container of .xls workbooks and of password-protected .xlsx files. Streams are padded to
    4 KiB so they live in regular sectors; ``directory_last`` puts the directory after them,
    where large files often have it."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    bodies = [streams[n].ljust(4096, b"\0") for n in names]
    n_dir = -(-(len(names) + 1) // 4)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + sum(-(-len(b) // 512) for b in bodies):
        n_fat += 1
    fat: list[int] = [FATSECT] * n_fat
    sectors: list[bytes] = []

    def chain(body: bytes) -> int:
        start, n = len(fat), -(-len(body) // 512)
        fat.extend([*range(start + 1, start + n), ENDOFCHAIN])
        sectors.extend(body[k * 512:(k + 1) * 512].ljust(512, b"\0") for k in range(n))
        return start

    def entry(name: str, kind: int, start: int, size: int, right: int = NOSTREAM,
              child: int = NOSTREAM) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, NOSTREAM, right,
                           child, b"", 0, 0, 0, start, size)

    dir_start = -1 if directory_last else chain(bytes(n_dir * 512))
    starts = [chain(b) for b in bodies]
    if directory_last:
        dir_start = chain(bytes(n_dir * 512))
    entries = [entry("Root Entry", 5, ENDOFCHAIN, 0, child=1 if names else NOSTREAM)]
    entries += [entry(n, 2, s, len(b), right=i + 2 if i + 1 < len(names) else NOSTREAM)
                for i, (n, s, b) in enumerate(zip(names, starts, bodies, strict=True))]
    entries += [entry("", 0, 0, 0)] * (n_dir * 4 - len(entries))
    directory = b"".join(entries)
    for k in range(n_dir):
        sectors[dir_start - n_fat + k] = directory[k * 512:(k + 1) * 512]
    fat += [FREESECT] * (n_fat * 128 - len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"",
                         0x3E, 3, 0xFFFE, 9, 6, b"", 0, n_fat, dir_start, 0, 4096, ENDOFCHAIN,
                         0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", *range(n_fat), *[FREESECT] * (109 - n_fat))
    return header + struct.pack(f"<{len(fat)}I", *fat) + b"".join(sectors)


OLD_XLS = {"Workbook": bytes.fromhex("0908100000060500bb0dcc07c1000000060300000a000000")}
ENCRYPTED = {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>",
             "EncryptedPackage": struct.pack("<Q", 100_000) + bytes(range(256)) * 400}

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (k, (b"&lol%d;" % (k - 1) if k > 1 else b"&lol;")
                                                   * 10) for k in range(1, 10))
          + b"]>")


def with_entities(prolog: bytes = b"", encoding: str = "utf-8") -> Callable[[bytes], bytes]:
    """A part rewritten to declare the billion laughs (after ``prolog``) and to use them."""

    def change(body: bytes) -> bytes:
        body = body.replace(b"<t>", b"<t>&lol9;", 1)
        xml = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + prolog + LAUGHS + body
        return xml.decode("utf-8").encode(encoding)

    return change


def ods() -> bytes:
    return zip_of({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                                 b'opendocument:xmlns:manifest:1.0"/>',
        "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:'
                       b'opendocument:xmlns:office:1.0"/>'})


def docx() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                   "word/document.xml": b"<w:document xmlns:w='urn:w'/>"})


def xlsb() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                   "xl/workbook.bin": b"\x83\x01\x00", "xl/worksheets/sheet1.bin": b""})


def unrelated_workbook() -> bytes:
    wb = Workbook()
    wb.active.title = "Budget"
    wb.active.append(["Line", "Amount"])
    wb.active.append(["Substitutes", 12500])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def too_many_parts() -> bytes:
    return zip_of({"xl/workbook.xml": b"<workbook/>",
                   **{f"xl/media/image{i}.png": b"" for i in range(60)}})


PROFILE = "xl/worksheets/sheet2.xml"  # sheet1 is the Instructions
MEASURES = "xl/worksheets/sheet7.xml"
NOT_A_WORKBOOK = "this is not an Excel workbook; save it as an Excel workbook (.xlsx)"
ENCRYPTED_REASON = ("the workbook is password-protected (encrypted); save a copy without a "
                    "password")
DAMAGED = "the file is damaged or incomplete (it may still be copying); save it again from Excel"
SHEET_DAMAGED = "the sheet 'Measures' is damaged ("
ENTITIES = "declares XML entities, which Excel never writes; the file was not opened"

UNREADABLE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "an empty file": (lambda clean: b"", "the file is empty (it may still be copying)"),
    "a CSV renamed .xlsx": (lambda clean: b"District ID,Goal ID,Statement\nKY-001,G1,Read\n",
                            "this is a CSV or text file; save it as an Excel workbook (.xlsx)"),
    "a UTF-16 text export": (lambda clean: "\ufeffGoal ID\tStatement\r\n".encode("utf-16-le"),
                             NOT_A_WORKBOOK),
    "a PNG renamed .xlsx": (lambda clean: b"\x89PNG\r\n\x1a\n" + bytes(100), NOT_A_WORKBOOK),
    "an old .xls": (lambda clean: cfb(OLD_XLS), "this is an old-style .xls workbook; open it "
                    "in Excel and save it as .xlsx"),
    "an encrypted workbook": (lambda clean: cfb(ENCRYPTED), ENCRYPTED_REASON),
    "an encrypted workbook, directory after 100 KB": (
        lambda clean: cfb(ENCRYPTED, directory_last=True), ENCRYPTED_REASON),
    "half a workbook (still copying)": (lambda clean: clean[:len(clean) // 2], DAMAGED),
    "a workbook cut 10 bytes short": (lambda clean: clean[:-10], DAMAGED),
    "a zip that is a Word document": (lambda clean: docx(),
                                      "this is a zip file but not an Excel workbook"),
    "an OpenDocument spreadsheet": (lambda clean: ods(), "this is an OpenDocument "
                                    "spreadsheet (.ods); save it as .xlsx"),
    "an Excel binary workbook": (lambda clean: xlsb(),
                                 "this is an Excel binary workbook (.xlsb); save it as .xlsx"),
    "a workbook that is not a scorecard": (lambda clean: unrelated_workbook(),
                                           "this is not a District Scorecard workbook: it has "
                                           "none of the template's sheets"),
    "a zip of too many parts": (lambda clean: too_many_parts(),
                                "the file has 61 parts; a workbook has dozens"),
    "a password-protected zip": (lambda clean: patch_headers(clean, MEASURES, 6, 8, 1, "<H"),
                                 "the zip is password-protected; save the workbook again from "
                                 "Excel without a password"),
    "billion laughs in a sheet": (lambda clean: with_part(clean, MEASURES, with_entities()),
                                  f"part {MEASURES} {ENTITIES}"),
    "billion laughs after a 4 KB comment": (
        lambda clean: with_part(clean, MEASURES, with_entities(b"<!--" + b"x" * 4096 + b"-->")),
        f"part {MEASURES} {ENTITIES}"),
    "billion laughs in UTF-16": (
        lambda clean: with_part(clean, PROFILE, with_entities(encoding="utf-16")),
        f"part {PROFILE} {ENTITIES}"),
    "billion laughs in the relationships": (
        lambda clean: with_part(clean, "_rels/.rels", with_entities()),
        f"part _rels/.rels {ENTITIES}"),
    "a zip bomb": (lambda clean: with_part(clean, MEASURES, padded_sheet_data),
                   "the file would unpack to 3 MB, more than a scorecard can hold; it was "
                   "not opened"),
    "a zip bomb that lies about its size": (
        lambda clean: patch_headers(with_part(clean, MEASURES, padded_sheet_data), MEASURES,
                                    22, 24, 200_000),
        SHEET_DAMAGED),
    "a damaged sheet": (lambda clean: corrupt_part(clean, MEASURES), SHEET_DAMAGED),
    "a sheet damaged at its start": (lambda clean: corrupt_part(clean, MEASURES, at_end=False),
                                     DAMAGED),
    "a zip compressed with Deflate64": (
        lambda clean: patch_headers(clean, MEASURES, 8, 10, 9, "<H"),
        "the file cannot be unpacked (That compression method is not supported); save it "
        "again from Excel"),
}


@pytest.fixture
def small_zip_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounds small enough that the zip-bomb cases stay small and fast."""
    monkeypatch.setattr(sniff, "MAX_INFLATED", 2 * 2**20)
    monkeypatch.setattr(sniff, "MAX_PARTS", 60)


def test_the_cases_name_the_parts_they_change(clean_bytes: bytes) -> None:
    assert sheet_part(clean_bytes, "District Profile") == PROFILE
    assert sheet_part(clean_bytes, "Measures") == MEASURES


@pytest.mark.parametrize("case", UNREADABLE)
def test_a_file_that_is_not_a_workbook_says_why(case: str, clean_bytes: bytes, tmp_path: Path,
                                                backend: str, small_zip_bounds: None) -> None:
    make, reason = UNREADABLE[case]
    path = tmp_path / "district.xlsx"
    path.write_bytes(make(clean_bytes))
    before = path.read_bytes()
    with pytest.raises(WorkbookUnreadable) as caught:
        check_workbook(str(path), AS_OF)
    assert caught.value.path == str(path)
    assert caught.value.reason.startswith(reason), caught.value.reason
    assert path.read_bytes() == before


@pytest.mark.parametrize("case", ["billion laughs in a sheet",
                                  "billion laughs after a 4 KB comment"])
def test_the_parsers_refuse_entities_even_past_the_sniff(
        case: str, clean_bytes: bytes, tmp_path: Path, backend: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # defence in depth: calamine expands no custom entity, openpyxl parses with defusedxml
    monkeypatch.setattr(sniff, "_declares_dtd", lambda *args: False)
    path = tmp_path / "district.xlsx"
    path.write_bytes(UNREADABLE[case][0](clean_bytes))
    with pytest.raises(WorkbookUnreadable) as caught:
        read_scorecard(str(path))
    assert caught.value.reason.startswith({
        "calamine": "the sheet 'Measures' is damaged (at 0..0: unrecognized entity `&lol9;`)",
        "openpyxl": "the workbook is damaged (Unable to read workbook: could not read "
                    "worksheets"}[backend]), caught.value.reason
    assert "invalid XML" in caught.value.reason or backend == "calamine"


@pytest.mark.parametrize("case", ["an empty file", "an encrypted workbook", "a damaged sheet",
                                  "billion laughs after a 4 KB comment",
                                  "a zip bomb that lies about its size"])
@pytest.mark.parametrize("args", [[], ["--json"]])
def test_check_exits_2_naming_the_file_and_why(case: str, args: list[str], clean_bytes: bytes,
                                               tmp_path: Path, backend: str,
                                               small_zip_bounds: None) -> None:
    make, reason = UNREADABLE[case]
    path = tmp_path / "Adair County.xlsx"
    path.write_bytes(make(clean_bytes))
    result = CliRunner().invoke(main, ["check", str(path), *args])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an exception escaping the command
    assert f"Error: {path}: {reason}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "reason"), [
    ("nowhere.xlsx", "the file does not exist"),
    ("", "this is a folder, not a workbook"),
])
def test_a_path_that_is_not_a_file_says_why(name: str, reason: str, tmp_path: Path) -> None:
    path = tmp_path / name
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert f"Error: {path}: {reason}" in result.output


def test_a_file_that_cannot_be_opened_says_why(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_district(tmp_path / "locked.xlsx")
    real_open = Path.open

    def locked(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    with pytest.raises(WorkbookUnreadable, match=r"cannot be opened \(Permission denied\)"):
        check_workbook(str(path), AS_OF)


def test_the_hand_made_ole_files_are_real_compound_files() -> None:
    olefile = pytest.importorskip("olefile")
    for streams in (OLD_XLS, ENCRYPTED):
        for last in (False, True):
            ole = olefile.OleFileIO(cfb(streams, directory_last=last))
            assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
            for name, body in streams.items():
                assert ole.openstream(name).read().startswith(body)


def test_a_workbook_encrypted_by_office_says_it_is_encrypted(clean_bytes: bytes,
                                                             tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    path = tmp_path / "district.xlsx"
    with path.open("wb") as out:
        ooxml.OOXMLFile(io.BytesIO(clean_bytes)).encrypt("s3cret", out)
    with pytest.raises(WorkbookUnreadable) as caught:
        check_workbook(str(path), AS_OF)
    assert caught.value.reason == ENCRYPTED_REASON


# -- reading stays bounded -----------------------------------------------------------------


def action_rows(n: int, date_style: str) -> bytes:
    """``n`` filled rows of the Actions sheet from row 5, as sheet XML."""

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    return "".join(
        f'<row r="{r}">{text(f"A{r}", f"A{r - 4}")}{text(f"B{r}", "G1")}'
        f'{text(f"C{r}", "Weekly PLC data meetings")}{text(f"D{r}", "Tom Baker")}'
        f'<c r="F{r}" s="{date_style}"><v>46476</v></c>{text(f"J{r}", "In Progress")}'
        f'{text(f"L{r}", "Sign-in sheets")}</row>'
        for r in range(5, n + 5)).encode()


@pytest.fixture(scope="module")
def hundred_thousand_actions(clean_bytes: bytes,
                             tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean district with 100,000 filled action rows (written as Excel would: with the
    sheet's <dimension>)."""

    def fill(body: bytes) -> bytes:
        style = re.search(rb'<c r="F5" s="(\d+)"', body)
        assert style, "the Actions sheet's F5 has a date style"
        head = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:M100004"', body)
        head = head[:head.index(b'<row r="5"')]
        return head + action_rows(100_000, style.group(1).decode()) + \
            b"</sheetData></worksheet>"

    path = tmp_path_factory.mktemp("big") / "district.xlsx"
    path.write_bytes(with_part(clean_bytes, sheet_part(clean_bytes, "Actions"), fill))
    return path


def test_100000_filled_rows_are_a_finding_and_reading_stays_bounded(
        hundred_thousand_actions: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, int] = {}
    rows = source.WorkbookRows.rows

    def spy(self: source.WorkbookRows, sheet: str) -> list[list[Any]]:
        served[sheet] = len(got := rows(self, sheet))
        return got

    monkeypatch.setattr(source.WorkbookRows, "rows", spy)
    card, found = read_scorecard(str(hundred_thousand_actions))
    assert located(found) == [("Actions", None, "too-many-rows")]
    assert found[0].message.startswith(
        "'Actions' has 100,000 filled rows; sheetsync reads at most 10,000. Rows after row "
        "10004 were not read.")
    assert len(card.actions) == source.MAX_ROWS
    assert card.actions[-1].id == "A10000" and card.actions[-1].due_date == date(2027, 3, 30)
    assert served["Actions"] == source.MAX_ROWS + 50  # the rest never reached the reader


@pytest.mark.parametrize(("sheet", "stray", "expected"), [
    ("Measures", "XFD1048576", [("Measures", None, "too-many-rows")]),
    ("Measures", "AO1048576", [("Measures", None, "too-many-rows")]),
    ("Goals", "XFD5", []),
])
def test_one_stray_value_far_away_does_not_blow_up_memory(
        sheet: str, stray: str, expected: Located, district: Callable[..., Path],
        backend: str) -> None:
    # calamine builds a sheet's used range as one dense rectangle: for XFD1048576 alone it
    # would ask for half a terabyte and abort the process; AO1048576 cost 1.4 GB.
    path = district(set_cells(sheet, **{stray: "oops"}))
    card, found = read_scorecard(str(path))
    assert located(found) == expected
    assert (len(card.goals), len(card.measures)) == (4, 4)
    rows = source.open_workbook(path).rows(sheet)
    assert len(rows) <= source.MAX_ROWS + 50
    assert max(len(r) for r in rows) <= source.MAX_COLUMNS


# -- structure: sheets, template versions, headers -----------------------------------------

NOT_SMART = [("Goals", f"E{r}", "not-smart") for r in range(5, 9)]  # a goal per row


class _Today(date):
    @classmethod
    def today(cls) -> _Today:
        return cls(AS_OF.year, AS_OF.month, AS_OF.day)


@pytest.mark.parametrize(("sheet", "expected"), [
    ("District Profile", [("District Profile", None, "missing-sheet")]),
    ("Strategic Goals", [("Strategic Goals", None, "missing-sheet")]),
    ("Measures", [("Measures", None, "missing-sheet")]),
    ("Actions", [("Actions", None, "missing-sheet")]),
    ("Monthly Updates", [("Monthly Updates", None, "missing-sheet")]),
    ("Lists", []),
    ("Instructions", []),
])
def test_a_missing_sheet_is_a_finding(sheet: str, expected: Located,
                                      district: Callable[..., Path], backend: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "date", _Today)  # without a profile the year is today's
    assert checked(district(remove_sheet(sheet))) == expected


def test_a_sheet_renamed_in_case_and_spacing_is_still_found(district: Callable[..., Path],
                                                            backend: str) -> None:
    assert checked(district(rename_sheet("Measures", " measures "))) == []


@pytest.mark.parametrize("version", ["0.9", "1.0", "2.0-beta", None])
def test_another_template_version_is_a_warning(version: str | None,
                                               district: Callable[..., Path],
                                               backend: str) -> None:
    result = check_workbook(str(district(set_cells("District Profile", B10=version))), AS_OF)
    assert located(result.findings) == [("District Profile", "B10", "template-version")]
    assert result.findings[0].message.startswith(
        f"This workbook says template version {version or '(none)'}; sheetsync expects "
        f"{TEMPLATE_VERSION}.")
    assert len(result.card.measures) == 4  # read all the same, by matching headers


def test_the_template_version_typed_as_a_number_is_the_same_version(
        district: Callable[..., Path]) -> None:
    assert checked(district(set_cells("District Profile", B10=float(TEMPLATE_VERSION)))) == []


@pytest.mark.parametrize(("edit", "expected"), [
    # a header widened over its neighbour hides the neighbour's header
    (merge("Goals", "E4:F4"), [("Goals", None, "missing-optional-column"), *NOT_SMART]),
    # a two-row header: Excel keeps the upper cell's value, so the header row loses it
    (merge("Actions", "A3:A4", "Action ID"),
     [("Actions", None, "missing-column"),
      *[("Goals", f"A{r}", "goal-without-action") for r in range(5, 9)],
      *[("Strategies", f"A{r}", "strategy-without-action") for r in range(5, 9)]]),
    # a band above the headers is harmless
    (merge("Measures", "R3:AC3", "Actuals"), []),
    # a merged data cell: only its first row holds the value (G2's SG3 left uncovered)
    (merge("Goals", "B5:B6"), [("Goals", "B6", "required-missing"),
                               ("Strategic Goals", "A7", "strategic-goal-uncovered")]),
])
def test_merged_cells_give_findings(edit: Edit, expected: Located,
                                    district: Callable[..., Path], backend: str) -> None:
    assert checked(district(edit)) == expected


@pytest.mark.parametrize(("edit", "expected"), [
    (both(set_cells("Goals", E4="Goal Statement"),
          set_cells("Actions", C4="Acton", L4="Evidence")),
     [("Goals", "E4", "renamed-header"), ("Actions", "C4", "renamed-header"),
      ("Actions", "L4", "renamed-header")]),
    (swap_columns("Goals", "F", "G"),
     [("Goals", "F4", "moved-column"), ("Goals", "G4", "moved-column")]),
    (set_cells("Goals", J4="Notes", J5="ask Tom"), [("Goals", "J4", "extra-column")]),
    (insert_column("Goals", 2, "Notes"),
     [("Goals", "B4", "extra-column"), *[("Goals", f"{c}4", "moved-column") for c in "CDEFGHI"]]),
    (insert_rows("Goals", 1, 3), []),  # the header row is now row 7
])
def test_renamed_moved_and_extra_columns_are_read_and_reported(
        edit: Edit, expected: Located, district: Callable[..., Path], backend: str) -> None:
    result = check_workbook(str(district(edit)), AS_OF)
    assert located(result.findings) == expected
    assert [(g.statement, g.student_group, g.owner) for g in result.card.goals] == \
        [(g["statement"], g["student_group"], g["owner"]) for g in ROWS["goals"]]
    assert [(a.description, a.evidence) for a in result.card.actions] == \
        [(a["description"], a["evidence"]) for a in ROWS["actions"]]


@pytest.mark.parametrize(("cell", "header"), [("D4", "Lead"), ("L4", "Proof"),
                                              ("H4", "Money from")])
def test_a_missing_optional_column_is_reported_once_not_at_cell_none(
        cell: str, header: str, district: Callable[..., Path]) -> None:
    result = check_workbook(str(district(set_cells("Actions", **{cell: header}))), AS_OF)
    assert located(result.findings) == [("Actions", None, "missing-optional-column"),
                                        ("Actions", cell, "extra-column")]
    assert not any("None" in f.message for f in result.findings)


def test_blank_rows_between_data_are_skipped(district: Callable[..., Path],
                                            backend: str) -> None:
    result = check_workbook(str(district(spread_rows("Goals", "Measures", "Actions"))), AS_OF)
    assert located(result.findings) == []
    assert [g.row for g in result.card.goals] == [5, 9, 10, 11]
    assert [(m.id, m.goal_id, m.row) for m in result.card.measures] == \
        [("M1", "G1", 5), ("M2", "G2", 9), ("M3", "G3", 10), ("M4", "G4", 11)]


# -- values as people type them ------------------------------------------------------------


def test_ids_with_spaces_case_and_words_are_normalised(district: Callable[..., Path],
                                                       backend: str) -> None:
    path = district(both(set_cells("Goals", A5="g1 ", A6="Goal 2", A7="goal #3", A8=4),
                         set_cells("Measures", B5="goal 1")))
    result = check_workbook(str(path), AS_OF)
    assert located(result.findings) == [  # the workbook's formulas match ids as typed
        *[("Goals", f"A{r}", "formula-cannot-read") for r in range(5, 9)],
        ("Measures", "B5", "formula-cannot-read")]
    assert [g.id for g in result.card.goals] == ["G1", "G2", "G3", "G4"]
    assert [m.goal_id for m in result.card.measures] == ["G1", "G2", "G3", "G4"]
    assert result.findings[0].message.startswith(
        "Goal ID in A5 is 'g1 '. sheetsync read it as 'G1', but the workbook's own formulas "
        "cannot read it")


@pytest.mark.parametrize(("edit", "cell", "code"), [
    (set_cells("Goals", A5="g1"), "A5", "value-normalised"),  # "=" ignores case
    (set_cells("Goals", A5="G1 "), "A5", "formula-cannot-read"),  # a space: no match
    (set_cells("Goals", A5="Goal 1"), "A5", "formula-cannot-read"),
    (set_cells("Goals", A5=1), "A5", "formula-cannot-read"),  # a number, not G1
    (set_cells("Actions", J5="in progress"), "J5", "value-normalised"),
    (set_cells("Actions", J5=" In  Progress "), "J5", "value-normalised"),  # TRIM reads it
    (set_cells("Actions", J5="Done"), "J5", "formula-cannot-read"),  # a synonym
    (set_cells("Actions", F5="2027-03-31"), "F5", "formula-cannot-read"),  # a text date
    (set_cells("Measures", F5="45"), "F5", "formula-cannot-read"),  # a text number
    (set_cells("Monthly Updates", A5="Oct 2026"), "A5", "formula-cannot-read"),  # text month
    (set_cells("Measures", F5="N/A"), "F5", "required-missing"),  # blank to both
    (set_cells("Actions", K5="75"), "K5", "value-normalised"),  # no formula reads % Complete
], ids=["id-case", "id-space", "id-words", "id-number", "choice-case", "choice-spacing",
        "choice-synonym", "text-date", "text-number", "text-month", "blank-word",
        "not-read-by-formulas"])
def test_the_district_workbook_disagrees_with_check_only_where_both_say_so(
        edit: Edit, cell: str, code: str, district: Callable[..., Path]) -> None:
    """A value the template's formulas read as sheetsync does is at most an info note; one
    they cannot read (the row's Check column says so) is a formula-cannot-read warning."""
    result = check_workbook(str(district(edit)), AS_OF)
    at_cell = [f.code for f in result.findings if f.cell == cell and f.code != "not-smart"]
    assert at_cell == [code]
    if code == "formula-cannot-read":
        message = next(f.message for f in result.findings if f.cell == cell)
        assert "the workbook's own formulas cannot read it" in message
        assert "Check column" in message


@pytest.mark.parametrize(("epoch", "edit", "due", "expected"), [
    (None, set_cells("Actions", F5=date(2027, 3, 31)), date(2027, 3, 31), []),
    # a serial number in a General cell: read as the date, but it shows as a number
    (None, as_general("Actions", F5=46477), date(2027, 3, 31),
     [("Actions", "F5", "number-in-date-cell")]),
    (None, set_cells("Actions", F5="03/31/2027"), date(2027, 3, 31),
     [("Actions", "F5", "formula-cannot-read")]),  # text: the Schedule formula can't see it
    (None, set_cells("Actions", F5="31 March 2027"), date(2027, 3, 31),
     [("Actions", "F5", "formula-cannot-read")]),
    (CALENDAR_MAC_1904, set_cells("Actions", F5=date(2027, 3, 31)), date(2027, 3, 31), []),
    (CALENDAR_MAC_1904, as_general("Actions", F5=45015), date(2027, 3, 31),
     [("Actions", "F5", "number-in-date-cell")]),
    (None, set_cells("Actions", F5="next month"), None,
     [("Actions", "F5", "not-a-date")]),
], ids=["date", "serial", "us-text", "long-text", "1904-date", "1904-serial", "not-a-date"])
def test_dates_as_dates_serials_text_and_1904_are_read(
        epoch: Any, edit: Edit, due: date | None, expected: Located,
        district: Callable[..., Path], backend: str) -> None:
    result = check_workbook(str(district(edit, epoch=epoch)), AS_OF)
    assert located(result.findings) == expected
    assert result.card.actions[0].due_date == due
    assert [a.start_date for a in result.card.actions] == [a["start_date"] for a in
                                                           ROWS["actions"]]


@cache
def as_percent(sheet: str, number_format: str = "0%", **cells: Any) -> Edit:
    """Type ``cells`` as Excel stores a typed 45%: 0.45 in a cell with a percent format."""

    def edit(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value
            wb[sheet][ref].number_format = number_format

    return edit


@pytest.mark.parametrize(("edit", "expected"), [
    (set_cells("Measures", F5=45), []),
    # 0.45 shown as 45% beside a target of 49 typed as a number: read as 45, and the row
    # mixes scales (the sheet's formulas read 0.45)
    (as_percent("Measures", F5=0.45), [("Measures", "F5", "mixed-percent-scale"),
                                       ("Measures", "F5", "value-normalised")]),
    (as_percent("Measures", "0.0%", F5=0.45), [("Measures", "F5", "mixed-percent-scale"),
                                               ("Measures", "F5", "value-normalised")]),
    (as_percent("Measures", '0.00%;[Red]-0.00%', F5=0.45),
     [("Measures", "F5", "mixed-percent-scale"), ("Measures", "F5", "value-normalised")]),
    # text: read as 45, but the workbook's formulas see text, so its row is flagged
    (set_cells("Measures", F5="45%"), [("Measures", "F5", "formula-cannot-read")]),
    (set_cells("Measures", F5="45 %"), [("Measures", "F5", "formula-cannot-read")]),
], ids=["points", "percent-format", "percent-decimal", "percent-custom", "text", "text-space"])
def test_percentages_as_points_fractions_and_text_are_points(
        edit: Edit, expected: Located, district: Callable[..., Path], backend: str) -> None:
    result = check_workbook(str(district(edit)), AS_OF)
    assert located(result.findings) == expected
    assert result.card.measures[0].baseline == 45
    assert result.card.measures[0].target == ROWS["measures"][0]["target"]


@pytest.mark.parametrize("number_format", ["General", "0.0", '0.0"%"', "0.0\\%"])
def test_rate_below_one_is_not_a_fraction(number_format: str, district: Callable[..., Path],
                                          backend: str) -> None:
    """A suspension rate (%, decrease) with baseline 2, target 0.5 and an actual of 0.8 in
    cells without a percent format (a quoted or escaped % is text, not a percent format):
    read as typed, not as 50% and 80% (no false target-wrong-direction, no Met at 162%)."""
    cells = {"E5": "decrease", "F5": 2, "H5": 0.5, "T5": None, "U5": 0.8}  # no 41.9 in Sep
    path = district(as_percent("Measures", number_format, **cells))
    result = check_workbook(str(path), AS_OF)
    m = result.card.measures[0]
    assert (m.baseline, m.target, m.actuals.get("2026-10")) == (2, 0.5, 0.8)
    assert located(result.findings) == []
    assert result.measures[m.id].status in ("On Track", "At Risk", "Off Track")
    assert result.measures[m.id].progress == pytest.approx(0.8)


def test_percent_formats_are_recognised_in_the_styles() -> None:
    assert [cells_xml.is_percent_format(c) for c in (
        "0%", "0.0%", "#,##0.00%;[Red]-#,##0.00%", '0.0"%"', "0.0\\%", "[$%-409]0", "General",
        '"%"0%')] == [True, True, True, False, False, False, False, True]


@pytest.mark.parametrize(("edit", "cell", "code", "value"), [
    (set_cells("Measures", F5="226,5"), "F5", "ambiguous-number", None),  # not 2265
    (set_cells("Actions", I5="1.200,00"), "I5", "ambiguous-number", None),  # not 1.2
    (set_cells("Actions", I5="1,200"), "I5", "ambiguous-number", None),  # 1200 or 1.2?
    (set_cells("Actions", I5="$12,500"), "I5", "value-normalised", 12500),  # US forms
    (set_cells("Actions", I5="12,500.50"), "I5", "value-normalised", 12500.5),
    (set_cells("Actions", I5="1,200,000"), "I5", "value-normalised", 1200000),
], ids=["comma-decimal", "european-thousands", "ambiguous-thousands", "dollars",
        "us-decimal", "us-millions"])
def test_comma_decimals_are_never_guessed_silently(
        edit: Edit, cell: str, code: str, value: float | None,
        district: Callable[..., Path], backend: str) -> None:
    result = check_workbook(str(district(edit)), AS_OF)
    at_cell = [f for f in result.findings if f.cell == cell and f.code != "not-smart"]
    assert [(f.code, str(f.severity)) for f in at_cell] == \
        [(code, "warning" if code == "ambiguous-number" else "info")]
    read = result.card.measures[0].baseline if cell == "F5" else result.card.actions[0].cost
    assert read == value
    assert not [f for f in result.findings if f.code == "required-missing"]  # said once


def test_an_ambiguous_number_names_both_readings(district: Callable[..., Path]) -> None:
    result = check_workbook(str(district(set_cells("Actions", I5="1,200"))), AS_OF)
    assert result.findings[0].message == (
        "Cost in I5 is '1,200', which could be 1200 or 1.2 (a comma separates thousands in "
        "the US and is the decimal point in much of Europe). It was not read; type the "
        "number without separators, e.g. 1200.")


def with_cached_formula(data: bytes, part: str, ref: str, formula: str) -> bytes:
    """An error cell as Excel saves a failed formula: the formula and its cached error."""
    cell = re.compile(rb'(<c r="' + ref.encode() + rb'"[^>]*t="e"[^>]*>)')
    return with_part(data, part,
                     lambda body: cell.sub(rb"\1<f>" + formula.encode() + b"</f>", body))


ERRORS = both(set_cells("Measures", F5="#DIV/0!"),  # Baseline: required
              set_cells("Actions", K5="#REF!", I6="#VALUE!"))  # % Complete, Cost: optional
# Both readers report each error where it is (python-calamine reads error cells as '';
# source.py puts the error values back from the sheet's XML), and only as an error.
ERROR_FINDINGS = [("Measures", "F5", "formula-error"), ("Actions", "K5", "formula-error"),
                  ("Actions", "I6", "formula-error"),
                  ("Measures", "F5", "not-smart")]  # at the goal's measure's missing baseline


@pytest.mark.parametrize("formula", [False, True], ids=["typed", "formula"])
def test_formula_errors_in_input_cells(formula: bool, district: Callable[..., Path],
                                       backend: str) -> None:
    path = district(ERRORS)
    if formula:
        data = with_cached_formula(path.read_bytes(), MEASURES, "F5", "E5/0")
        data = with_cached_formula(data, sheet_part(data, "Actions"), "K5", "#REF!*2")
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert b"<f>E5/0</f><v>#DIV/0!</v>" in zf.read(MEASURES)
        path.write_bytes(data)
    result = check_workbook(str(path), AS_OF)
    assert located(result.findings) == ERROR_FINDINGS
    assert result.card.measures[0].baseline is None
    assert result.card.actions[0].percent_complete is None
    assert result.card.actions[1].cost is None
    assert result.findings[0].message == \
        "Baseline in F5 shows #DIV/0!. Fix the formula or type the value."


# -- reading never writes ------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_check_never_modifies_the_district_file(args: list[str], district: Callable[..., Path],
                                               backend: str) -> None:
    path = district(set_cells("Actions", D5=None))  # an action without owner: exit 1
    folder = sorted(path.parent.iterdir())
    before, stat = path.read_bytes(), path.stat()
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat(), *args])
    assert result.exit_code == 1, result.output
    after = path.stat()
    assert path.read_bytes() == before
    assert (after.st_mtime_ns, after.st_size, after.st_mode) == \
        (stat.st_mtime_ns, stat.st_size, stat.st_mode)
    assert sorted(path.parent.iterdir()) == folder  # no lock or temporary file left behind
