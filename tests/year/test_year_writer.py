"""One writer for a scorecard: what the reader reads back is what was written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from sheetsync.read.models import Measure, Need, Profile, Scorecard
from sheetsync.read.scorecard import read_scorecard
from sheetsync.read.source import open_workbook
from sheetsync.template.fill import write_scorecard
from tests.year_cards import YEAR, scorecards, values


def _round_trip(card: Scorecard, folder: Path) -> Scorecard:
    path = write_scorecard(card, folder / "card.xlsx")
    back, _ = read_scorecard(str(path))
    return back


@settings(derandomize=True, max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(card=scorecards())
def test_read_of_write_gives_back_every_value(card: Scorecard, tmp_path: Path) -> None:
    assert values(_round_trip(card, tmp_path)) == values(card)


def test_percentages_are_points_in_plain_number_cells(tmp_path: Path) -> None:
    card = Scorecard(source="x", school_year=YEAR, profile=Profile(district_id="KY-1"),
                     measures=[Measure(id="M1", goal_id="G1", unit="%", baseline=45.0,
                                       target=52.5, actuals={"2026-10": 47.0})])
    path = write_scorecard(card, tmp_path / "card.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(path)["Measures"]
    assert (ws["F5"].value, ws["F5"].number_format) == (45.0, "General")
    assert ws["H5"].value == 52.5
    assert _round_trip(card, tmp_path).measures[0].actuals == {"2026-10": 47.0}


def test_dates_are_real_dates_and_priority_yes_no(tmp_path: Path) -> None:
    card = Scorecard(source="x", school_year=YEAR, profile=Profile(as_of=date(2027, 1, 31)),
                     needs=[Need(id="N1", priority=True), Need(id="N2")])
    path = write_scorecard(card, tmp_path / "card.xlsx")
    rows = open_workbook(str(path)).rows("Needs")
    assert [r[3] for r in rows[4:6]] == ["yes", "no"]
    back = _round_trip(card, tmp_path)
    assert back.profile.as_of == date(2027, 1, 31)
    assert [n.priority for n in back.needs] == [True, False]


def test_an_example_reads_back_as_the_card_it_was_written_from(tmp_path: Path) -> None:
    """The example workbooks are written by the one writer: a clean district reads back as
    its card; a messy one differs only where its typing mistakes were typed over."""
    from sheetsync.schema.schoolyear import SchoolYear
    from sheetsync.template.examples import PEOPLE, card_of, district_rows, write_district

    year, as_of = SchoolYear(2026), date(2027, 1, 20)
    profile = Profile(district_id="KY-001", district_name="Adair County Schools",
                      contact_name=PEOPLE[1], contact_email="planning@adair.kyschools.us")
    card = card_of(district_rows(1, year, as_of, "clean", typed=False), year, profile)
    clean = write_district(tmp_path / "clean.xlsx", "KY-001", "Adair", 1, year, as_of, "clean")
    assert values(read_scorecard(str(clean))[0]) == values(card)
    messy = write_district(tmp_path / "messy.xlsx", "KY-001", "Adair", 1, year, as_of, "messy")
    back = read_scorecard(str(messy))[0]
    assert values(back) != values(card)
    said, meant = values(back), values(card)
    assert (said["profile"], said["needs"]) == (meant["profile"], meant["needs"])
