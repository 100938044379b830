"""The master keeps the district's own words: every field of the monthly update."""

from __future__ import annotations

import openpyxl

from sheetsync.read.scorecard import read_scorecard

FIELDS = {"Milestones": "milestones", "Successes": "successes", "Roadblocks": "roadblocks",
          "Changes": "changes", "Support Needed": "support_needed",
          "Submitted By": "submitted_by"}


def test_the_updates_sheet_carries_every_field_of_the_monthly_update(pulled_example):
    ws = openpyxl.load_workbook(pulled_example / "cohort_master.xlsx")["Updates"]
    header = [c.value for c in ws[1]]
    assert set(FIELDS) <= set(header)
    rows = [dict(zip(header, (c.value for c in r), strict=True))
            for r in ws.iter_rows(min_row=2)]
    card, _ = read_scorecard(str(pulled_example / "districts" / "boyle.xlsx"))
    written = [u for u in card.monthly_updates if u.successes or u.roadblocks or u.changes]
    assert written, "the example should have updates in the district's words"
    for u in written:
        (row,) = [r for r in rows if r["District ID"] == "KY-003" and r["Month"] == u.month]
        for column, key in FIELDS.items():
            assert row[column] == getattr(u, key), (u.month, column)
