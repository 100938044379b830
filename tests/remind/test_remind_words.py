"""A reminder's words: the district's file named as the district knows it, one missing
month said as one, and "1 district due" in the run's summary."""

from __future__ import annotations

from datetime import date

import pytest

from sheetsync.cohort.model import District
from sheetsync.remind.message import reminder
from sheetsync.remind.plan import Due
from sheetsync.remind.render import _summary
from sheetsync.remind.run import ALREADY, DRAFTED, NOT_SENT, SENT, RemindReport

UNION = District(id="KY-7", name="Union", source="districts/union.xlsx",
                 contacts=["Jane Doe <jane@union.org>"])


def body(workbook: str, also: list[str]) -> str:
    due = Due(UNION, "2026-12", date(2026, 12, 30), workbook, also_missing=also)
    return reminder(due, [("Jane Doe", "jane@union.org")], None, "Fall").get_content()


def test_the_reminder_names_the_file_as_the_district_knows_it():
    text = body("districts/union.xlsx", [])
    lines = [line.strip() for line in text.splitlines()]
    assert "union.xlsx" in lines  # the file's own name, on its line
    assert "(listed by your consultant as districts/union.xlsx)" in lines
    link = "https://docs.google.com/spreadsheets/d/abc/edit"
    assert link in body(link, []) and "listed by your consultant" not in body(link, [])


@pytest.mark.parametrize(("also", "said"), [
    (["2026-10"], "The update for October 2026 is missing too."),
    (["2026-10", "2026-11"], "The updates for October 2026 and November 2026 are missing too."),
])
def test_earlier_missing_months_are_said_in_number(also, said):
    assert said in " ".join(body("districts/union.xlsx", also).split())


@pytest.mark.parametrize(("due", "said"), [(1, "1 district due:"), (2, "2 districts due:")])
def test_the_summary_counts_districts_in_number(due, said):
    report = RemindReport(date(2027, 1, 5), "2026-12", date(2026, 12, 30), False,
                          no_contact=[{"id": f"K{i}", "name": "x", "why": "none"}
                                      for i in range(due)])
    count = dict.fromkeys((DRAFTED, SENT, ALREADY, NOT_SENT), 0)
    assert _summary(report, count).startswith(said)
