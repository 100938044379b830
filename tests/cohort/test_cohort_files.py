"""The cohort's files as people keep them: rosters, cohort.toml, folders of workbooks, and
never overwriting or failing with a traceback where a person's files are."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cli.distribute import distribute as distribute_command
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.roster import read_roster
from sheetsync.errors import CohortError, NotWritable, OutputLocked
from sheetsync.master.write import write_master
from sheetsync.pull.distribute import copy_name, distribute
from sheetsync.pull.run import pull
from tests import fake_google as fg
from tests.fake_google import USER_EMAIL, USER_TOKEN
from tests.helpers import AS_OF

fake_google = fg.fake_google

COHORT = '[cohort]\nname = "Fall"\nschool_year = "2026-27"\n'


def cohort_file(folder: Path, districts: str = "", head: str = COHORT) -> Path:
    path = folder / "cohort.toml"
    path.write_text(head + districts, encoding="utf-8")
    return path


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch):
    """Make a folder read-only, for root too (who may write anywhere): files created in it
    fail as they would for a user without write permission."""
    made: list[Path] = []
    real = tempfile.mkstemp

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any) -> Any:
        if dir is not None and any(Path(dir).resolve() == p for p in made):
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o555)
        made.append(folder.resolve())
        return folder

    yield make
    for folder in made:
        folder.chmod(0o755)


# -- never overwrite silently ----------------------------------------------------------------


def test_example_refuses_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "cohort.toml").write_text("# mine\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["example", str(folder), "--districts", "1"])
    assert result.exit_code == 2
    assert "already holds cohort.toml" in result.output and "--force" in result.output
    assert (folder / "cohort.toml").read_text(encoding="utf-8") == "# mine\n"
    assert not (folder / "districts").exists()
    forced = runner.invoke(main, ["example", str(folder), "--districts", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    assert len(load_cohort(folder).districts) == 1


def test_example_refuses_a_folder_of_district_workbooks(tmp_path: Path) -> None:
    (tmp_path / "districts").mkdir()
    (tmp_path / "districts" / "adair.XLSX").write_bytes(b"filled in by Adair")
    result = CliRunner().invoke(main, ["example", str(tmp_path), "--districts", "1"])
    assert result.exit_code == 2
    assert "already holds 1 workbook" in result.output
    assert (tmp_path / "districts" / "adair.XLSX").read_bytes() == b"filled in by Adair"


def test_template_o_refuses_an_existing_file(tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(b"a filled scorecard")
    runner = CliRunner()
    result = runner.invoke(main, ["template", "-o", str(filled)])
    assert result.exit_code == 2
    assert f"{filled} exists" in result.output and "--force" in result.output
    assert filled.read_bytes() == b"a filled scorecard"
    forced = runner.invoke(main, ["template", "-o", str(filled), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "District Profile" in openpyxl.load_workbook(filled).sheetnames


def test_distribute_gives_two_districts_of_one_name_a_copy_each(tmp_path: Path) -> None:
    path = cohort_file(tmp_path, '[[district]]\nid = "WA-1"\nname = "Union"\n\n'
                                 '[[district]]\nid = "KY-7"\nname = "Union"\n')
    out = tmp_path / "copies"
    made = distribute(load_cohort(path), folder=out)
    assert [d["status"] for d in made] == ["created", "created"]
    assert sorted(p.name for p in out.iterdir()) == [
        "Union (KY-7) — District Scorecard 2026-27.xlsx",
        "Union (WA-1) — District Scorecard 2026-27.xlsx"]
    cohort = load_cohort(path)
    assert len({d.source for d in cohort.districts}) == 2
    again = distribute(cohort, folder=out)
    assert [d["status"] for d in again] == ["skipped", "skipped"]
    assert len(list(out.iterdir())) == 2


def test_distribute_to_drive_gives_two_districts_of_one_name_a_sheet_each(
        fake_google: Any, tmp_path: Path) -> None:
    path = cohort_file(tmp_path, '[[district]]\nid = "WA-1"\nname = "Union"\n\n'
                                 '[[district]]\nid = "KY-7"\nname = "Union"\n')
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    http = fake_google.session(USER_TOKEN)
    made = distribute(load_cohort(path), http, drive_folder=folder, notify=False)
    assert [d["status"] for d in made] == ["created", "created"]
    names = sorted(f.name for f in fake.files.values()
                   if folder in f.parents and f.mime_type == fg.SPREADSHEET_MIME)
    assert names == ["District Scorecard 2026-27 — template",
                     "Union (KY-7) — District Scorecard 2026-27",
                     "Union (WA-1) — District Scorecard 2026-27"]
    assert len({d.source for d in load_cohort(path).districts}) == 2
    again = distribute(load_cohort(path), http, drive_folder=folder, notify=False)
    assert [d["status"] for d in again] == ["skipped", "skipped"]


def test_distribute_adopts_a_copy_made_under_the_old_name(tmp_path: Path) -> None:
    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n')
    out = tmp_path / "copies"
    out.mkdir()
    old = out / "Adair — District Scorecard 2026-27.xlsx"
    old.write_bytes(b"Adair's filled copy")
    [made] = distribute(load_cohort(path), folder=out)
    assert made["status"] == "exists"
    assert load_cohort(path).districts[0].source == "copies/" + old.name
    assert list(out.iterdir()) == [old]


# -- rosters as facilitators keep them ------------------------------------------------------


def test_roster_semicolon_csv_with_title_row(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("SPIE cohort 2026-27;;;\n;;;\nDistrict ID;District Name;Source;Contacts\n"
                      "KY-001;Adair County;districts/adair.xlsx;a@adair.kyschools.us\n"
                      ";;;\nKY-002;Barren County;;\n", encoding="utf-8")
    assert [(d.id, d.name, d.source, d.contacts) for d in read_roster(roster)] == [
        ("KY-001", "Adair County", "districts/adair.xlsx", ["a@adair.kyschools.us"]),
        ("KY-002", "Barren County", "", [])]


@pytest.mark.parametrize("header", ["District ID,Name", "district_id,district_name",
                                    "ID,District", "  id ,NAME"])
def test_roster_headers_are_matched_tolerantly(header: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{header}\n101,Adair County\n", encoding="utf-8")
    assert [(d.id, d.name) for d in read_roster(roster)] == [("101", "Adair County")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_roster_encodings_excel_saves(encoding: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("id\tname\nKY-9\tCañón County – East\n".encode(encoding))
    assert [d.name for d in read_roster(roster)] == ["Cañón County – East"]


def test_roster_in_another_encoding_names_it(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"id,name\nKY-9,Ca\x81on\n")
    with pytest.raises(CohortError, match=r"roster.csv: the roster is neither UTF-8 nor "
                                          r"Windows-1252 text \(byte 0x81"):
        read_roster(roster)


def test_roster_xlsx_numeric_ids_are_integers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Cohort roster, fall 2026"])
    ws.append(["District ID", "District", "Contacts"])
    ws.append([101, "Adair County", "Jane Doe <jane@adair.org>"])
    ws.append([102.0, "Barren County", None])
    wb.save(tmp_path / "roster.xlsx")
    assert [(d.id, d.contacts) for d in read_roster(tmp_path / "roster.xlsx")] == [
        ("101", ["Jane Doe <jane@adair.org>"]), ("102", [])]


@pytest.mark.parametrize("contacts, expected", [
    ("Jane Doe <jane@x.org>, Bob Roe <bob@x.org>", ["Jane Doe <jane@x.org>",
                                                    "Bob Roe <bob@x.org>"]),
    ('"Doe, Jane" <jane@x.org>; bob@x.org', ['"Doe, Jane" <jane@x.org>', "bob@x.org"]),
    ("jane@x.org bob@x.org", ["jane@x.org", "bob@x.org"]),
    ("jane@x.org\nbob@x.org", ["jane@x.org", "bob@x.org"]),
])
def test_roster_contacts_with_display_names(contacts: str, expected: list[str],
                                            tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    body = contacts.replace('"', '""')
    roster.write_text(f'id,name,contacts\nKY-1,Adair,"{body}"\n', encoding="utf-8")
    assert read_roster(roster)[0].contacts == expected


def test_roster_invalid_contact_names_the_row(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,contacts\nKY-1,Adair,jane@x.org\nKY-2,Barren,bob at barren\n",
                      encoding="utf-8")
    with pytest.raises(CohortError, match=r"roster.csv: row 3: the contacts 'bob at barren' "
                                          r"are not e-mail addresses"):
        read_roster(roster)


def test_roster_duplicate_id_names_the_roster_row(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Fall cohort\nid,name\nKY-1,Adair\nKY-2,Barren\nKY-1,Boyle\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["cohort", "init", "--roster", str(roster),
                                       "-o", str(tmp_path / "cohort.toml")])
    assert result.exit_code == 2
    assert f"{roster}: row 5: district id 'KY-1' is listed twice (first at row 3)" \
        in result.output
    assert not (tmp_path / "cohort.toml").exists()


def test_roster_without_a_header_says_what_it_needs(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Adair,KY-1\nBarren,KY-2\n", encoding="utf-8")
    with pytest.raises(CohortError, match=r"no header row with a district id and a name "
                                          r"column .* has 'Adair', 'KY-1'"):
        read_roster(roster)


def test_roster_without_sources_until_distribute_fills_them(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("District ID,District Name,Contacts\nKY-1,Adair,jane@adair.org\n",
                      encoding="utf-8")
    out = tmp_path / "cohort.toml"
    runner = CliRunner()
    made = runner.invoke(main, ["cohort", "init", "--roster", str(roster), "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert "1 have no source yet" in made.output
    assert "source" not in out.read_text(encoding="utf-8")
    given = runner.invoke(distribute_command, ["--cohort", str(out), "--folder",
                                               str(tmp_path / "copies")])
    assert given.exit_code == 0, given.output
    [d] = load_cohort(out).districts
    assert d.source == f"copies/{copy_name(d, '2026-27')}.xlsx"


# -- cohort.toml as people save it ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_cohort_toml_with_bom_or_windows_1252(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "cohort.toml"
    path.write_bytes((COHORT + '[[district]]\nid = "1"\nname = "Cañón"\n').encode(encoding))
    assert load_cohort(path).districts[0].name == "Cañón"


def test_cohort_toml_in_another_encoding_names_it(tmp_path: Path) -> None:
    path = tmp_path / "cohort.toml"
    path.write_bytes(COHORT.encode() + b'[[district]]\nid = "1"\nname = "Ca\x8fon"\n')
    result = CliRunner().invoke(main, ["pull", "--cohort", str(path)])
    assert result.exit_code == 2
    assert "cohort file is neither UTF-8 nor Windows-1252" in result.output


def test_distribute_and_add_folder_keep_the_comments(tmp_path: Path, make_workbook) -> None:
    path = cohort_file(tmp_path, head="# Fall cohort: ask Ann before editing\n" + COHORT +
                       "\n[status]\nupdate_due_day = 25  # the board meets on the 28th\n\n"
                       '[[district]]\nid = "KY-1"  # Adair\nname = "Adair"\n')
    distribute(load_cohort(path), folder=tmp_path / "copies")
    make_workbook("new.xlsx", profile={"district_id": "KY-2", "district_name": "Barren"})
    load_cohort(path)  # still valid
    from sheetsync.pull.add_folder import add_folder

    scan = add_folder(load_cohort(path), tmp_path)
    assert [d.id for d in scan.added] == ["KY-2"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Fall cohort: ask Ann before editing\n[cohort]")
    assert "update_due_day = 25  # the board meets on the 28th" in text
    assert 'id = "KY-1"  # Adair' in text
    assert [d.id for d in load_cohort(path).districts] == ["KY-1", "KY-2"]


# -- add-folder ---------------------------------------------------------------------------------


@pytest.fixture
def pulled(pulled_dir: Path) -> Path:
    """An example cohort pulled once: its folder holds the master and the store."""
    return pulled_dir


def test_add_folder_skips_the_master(pulled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(pulled / "cohort_master.xlsx", pulled / "Master January (copy).xlsx")
    (pulled / "~$hort_master.xlsx").write_bytes(b"")
    (pulled / ".~lock.cohort_master.xlsx#").write_bytes(b"")
    (pulled / ".cohort_master.x1y2.xlsx").write_bytes(b"")
    before = (pulled / "cohort.toml").read_text(encoding="utf-8")
    monkeypatch.chdir(pulled)
    result = CliRunner().invoke(main, ["cohort", "add-folder", "."])
    assert result.exit_code == 0, result.output
    assert "Added 0 districts" in result.output
    assert "cohort_master.xlsx: left out, the cohort master" in result.output
    assert "Master January (copy).xlsx: left out, a cohort master" in result.output
    assert "~$hort_master.xlsx: left out, a lock file" in result.output
    assert (pulled / "cohort.toml").read_text(encoding="utf-8") == before


def test_add_folder_accepts_any_case_of_xlsx(tmp_path: Path, make_workbook) -> None:
    from sheetsync.pull.add_folder import add_folder

    path = cohort_file(tmp_path)
    make_workbook("a.xlsx", profile={"district_id": "KY-1"}).rename(tmp_path / "ADAIR.XLSX")
    make_workbook("b.xlsx", profile={"district_id": "KY-2"}).rename(tmp_path / "Barren.Xlsm")
    scan = add_folder(load_cohort(path), tmp_path)
    assert [(d.id, d.source) for d in scan.added] == [("KY-1", "ADAIR.XLSX"),
                                                      ("KY-2", "Barren.Xlsm")]


def test_add_folder_repoints_a_renamed_file(tmp_path: Path, make_workbook) -> None:
    from sheetsync.pull.add_folder import add_folder

    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n'
                                 'source = "adair.xlsx"\n')
    make_workbook("adair.xlsx", profile={"district_id": "KY-1"})
    (tmp_path / "adair.xlsx").rename(tmp_path / "Adair 2026-27 final.xlsx")
    scan = add_folder(load_cohort(path), tmp_path)
    assert scan.added == [] and [d.id for d in scan.moved] == ["KY-1"]
    [d] = load_cohort(path).districts
    assert (d.id, d.source) == ("KY-1", "Adair 2026-27 final.xlsx")


def test_add_folder_leaves_a_second_file_of_a_listed_district(tmp_path: Path,
                                                              make_workbook) -> None:
    from sheetsync.pull.add_folder import add_folder

    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n'
                                 'source = "adair.xlsx"\n')
    make_workbook("adair.xlsx", profile={"district_id": "KY-1"})
    make_workbook("adair copy.xlsx", profile={"district_id": "KY-1"})
    scan = add_folder(load_cohort(path), tmp_path)
    assert scan.added == [] and scan.moved == []
    assert scan.skipped == [(tmp_path / "adair copy.xlsx", "its profile names KY-1, which "
                             "the cohort reads from adair.xlsx")]


def test_add_folder_fills_the_source_a_roster_left_blank(tmp_path: Path, make_workbook) -> None:
    from sheetsync.pull.add_folder import add_folder

    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n')
    make_workbook("scorecard.xlsx", profile={"district_id": "KY-1"})
    scan = add_folder(load_cohort(path), tmp_path)
    assert [(d.id, d.source) for d in scan.moved] == [("KY-1", "scorecard.xlsx")]


# -- read-only places and lock files -----------------------------------------------------------


def test_distribute_onto_a_read_only_folder_says_so(tmp_path: Path, read_only) -> None:
    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n')
    out = read_only(tmp_path / "copies")
    result = CliRunner().invoke(distribute_command, ["--cohort", str(path), "--folder",
                                                     str(out)])
    assert result.exit_code == 2
    assert f"{out}: cannot write the copies into this folder (Permission denied)" \
        in result.output
    assert "Traceback" not in result.output and "open in another program" not in result.output


def test_cohort_init_into_a_read_only_folder_says_so(tmp_path: Path, read_only) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nKY-1,Adair\n", encoding="utf-8")
    out = read_only(tmp_path / "cohort") / "cohort.toml"
    result = CliRunner().invoke(main, ["cohort", "init", "--roster", str(roster), "-o",
                                       str(out)])
    assert result.exit_code == 2
    assert "cannot write cohort.toml into this folder (Permission denied)" in result.output


def test_add_folder_with_a_read_only_cohort_folder_says_so(tmp_path: Path, read_only,
                                                            make_workbook) -> None:
    make_workbook("adair.xlsx", profile={"district_id": "KY-1"})
    path = cohort_file(tmp_path)
    read_only(tmp_path)
    result = CliRunner().invoke(main, ["cohort", "add-folder", str(tmp_path), "--cohort",
                                       str(path)])
    assert result.exit_code == 2
    assert "cannot write cohort.toml into this folder (Permission denied)" in result.output


def test_a_master_folder_that_cannot_be_written_is_not_open_elsewhere(tmp_path: Path,
                                                                       read_only) -> None:
    folder = read_only(tmp_path / "out")
    with pytest.raises(NotWritable) as caught:
        write_master(folder / "cohort_master.xlsx", [], [], [], "2027-01", str)
    assert "you cannot write in the folder" in str(caught.value)
    assert "(Permission denied)" in str(caught.value)
    assert "open in another program" not in str(caught.value)


def test_a_leftover_lock_file_is_named(tmp_path: Path) -> None:
    lock = tmp_path / ".~lock.cohort_master.xlsx#"
    lock.write_text("someone,host,2027-01-02", encoding="utf-8")
    with pytest.raises(OutputLocked) as caught:
        write_master(tmp_path / "cohort_master.xlsx", [], [], [], "2027-01", str)
    assert f"its lock file {lock.name} is there" in str(caught.value)
    assert f"delete {lock.name}" in str(caught.value)


def test_example_into_a_read_only_folder_says_so(tmp_path: Path, read_only) -> None:
    folder = read_only(tmp_path / "example")
    result = CliRunner().invoke(main, ["example", str(folder), "--districts", "1"])
    assert result.exit_code == 2
    assert f"{folder}: cannot write the example into this folder (Permission denied)" \
        in result.output
    assert not (folder / "districts").exists()


def test_template_o_into_a_read_only_folder_says_so(tmp_path: Path, read_only) -> None:
    folder = read_only(tmp_path / "out")
    result = CliRunner().invoke(main, ["template", "-o", str(folder / "t.xlsx")])
    assert result.exit_code == 2
    assert f"{folder}: cannot write t.xlsx into this folder (Permission denied)" \
        in result.output


def test_a_district_without_a_source_is_reported_not_read(tmp_path: Path) -> None:
    path = cohort_file(tmp_path, '[[district]]\nid = "KY-1"\nname = "Adair"\n')
    report = pull(load_cohort(path), AS_OF)
    [d] = report.districts
    assert not d["ok"]
    assert "no scorecard yet" in d["reason"] and "sheetsync distribute" in d["reason"]


def test_a_distributed_copy_reads_back_as_its_profile_was_written(tmp_path: Path) -> None:
    """distribute's local copies are written by the one scorecard writer: the reader gives
    back the district card it wrote, and the cohort's status settings."""
    from sheetsync.pull.distribute import district_card
    from sheetsync.read.scorecard import read_scorecard
    from sheetsync.schema.sheets import scorecard_layout

    path = cohort_file(tmp_path, '[status]\nat_risk_band = 0.2\nupdate_due_day = 15\n\n'
                                 '[[district]]\nid = "KY-7"\nname = "Union"\n'
                                 'contacts = ["Jane Doe <jane@union.org>"]\n')
    cohort = load_cohort(path)
    distribute(cohort, folder=tmp_path / "copies")
    d = load_cohort(path).districts[0]
    card, _ = read_scorecard(str(cohort.folder / d.source))
    written = district_card(scorecard_layout("2026-27"), d)
    assert card.profile == written.profile
    assert (card.profile.district_id, card.profile.contact_email) == ("KY-7", "jane@union.org")
    assert card.settings == {"at_risk_band": 0.2, "update_due_day": 15}
    assert (card.goals, card.measures, card.actions) == ([], [], [])
