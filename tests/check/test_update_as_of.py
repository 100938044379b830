"""After ``--as-of``, updates submitted after it are not counted yet, as actuals after it are
not used (the record issue: a back-dated check marked November's update Late on October 31)."""

from __future__ import annotations

from datetime import date

from sheetsync.check.status import update_status
from sheetsync.schema.vocabulary import LATE, MISSING, NOT_DUE, ON_TIME


def test_an_update_submitted_after_the_as_of_is_not_counted_yet() -> None:
    # November's update, submitted late on December 20th
    assert update_status("2026-11", date(2026, 12, 20), date(2027, 1, 20)) == LATE
    assert update_status("2026-11", date(2026, 12, 20), date(2026, 10, 31)) == NOT_DUE
    assert update_status("2026-11", date(2026, 12, 20), date(2026, 12, 10)) == MISSING
    assert update_status("2026-11", date(2026, 11, 20), date(2026, 11, 25)) == ON_TIME
