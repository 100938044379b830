"""The status rule of docs/status.md, case by case, straight on the engine."""

from __future__ import annotations

from datetime import date

import pytest

from sheetsync.check.status import (
    StatusSettings,
    action_schedule,
    measure_status,
    stale_since,
    update_status,
    worst,
)
from sheetsync.read.models import Action, Measure
from sheetsync.schema.schoolyear import SchoolYear

YEAR = SchoolYear(2026)
JAN = date(2027, 1, 20)


def m(b=40.0, t=50.0, actuals=None, **kw) -> Measure:
    return Measure(id="M1", baseline=b, target=t, actuals=actuals or {}, **kw)


@pytest.mark.parametrize("measure,status", [
    (m(actuals={"2026-12": 46}), "On Track"),
    (m(actuals={"2026-12": 44.5}), "At Risk"),
    (m(actuals={"2026-12": 41}), "Off Track"),
    (m(actuals={"2026-12": 50}), "Met"),
    (m(actuals={"2026-12": 60}), "Met"),
    (m(actuals={}), "No Data"),
    (m(actuals={"2027-02": 50}), "No Data"),  # entered for a month after the as-of month
    (m(b=None, actuals={"2026-12": 46}), "No Data"),
    (m(actuals={"2026-12": 45}, target_date=date(2026, 12, 31)), "Not Met"),
    (m(actuals={"2026-12": 50}, target_date=date(2026, 12, 31)), "Met"),
    (m(b=18, t=14, actuals={"2026-12": 15.5}), "On Track"),  # decrease, read from T < B
    (m(b=18, t=14, actuals={"2026-12": 19}), "Off Track"),
    (m(b=95, t=95, actuals={"2026-12": 96}, direction="increase"), "Met"),
    (m(b=95, t=95, actuals={"2026-12": 94}, direction="increase"), "Off Track"),
    (m(b=5, t=5, actuals={"2026-12": 4}, direction="decrease"), "Met"),
    (m(b=5, t=5, actuals={"2026-12": 5}), "Met"),
    (m(actuals={"2026-12": 46}, interim_targets={"2026-12": 48}), "Off Track"),
    (m(actuals={"2026-12": 48}, interim_targets={"2026-12": 48}), "On Track"),
])
def test_measure_status(measure, status):
    assert measure_status(measure, JAN, YEAR).status == status


def test_latest_actual_is_the_last_month_not_after_the_as_of_month():
    s = measure_status(m(actuals={"2026-10": 42, "2027-01": 47, "2027-03": 49}), JAN, YEAR)
    assert (s.latest_period, s.latest_actual, s.future_periods) == ("2027-01", 47, ("2027-03",))


def test_expected_is_the_straight_line_clamped_to_the_target():
    # December's date is 183 of the year's 364 days in; after the target date, all of the gap.
    s = measure_status(m(actuals={"2026-12": 46}), JAN, YEAR)
    assert s.expected == pytest.approx(40 + 10 * 183 / 364)
    late = measure_status(m(actuals={"2026-12": 46}, target_date=date(2026, 11, 30)), JAN, YEAR)
    assert late.expected == 50


def test_band_is_a_setting():
    case = m(actuals={"2026-12": 44.5})
    assert measure_status(case, JAN, YEAR, StatusSettings(at_risk_band=0.02)).status == \
        "Off Track"


def test_float_drift_at_the_band_edge_is_compared_as_a_spreadsheet_does():
    # p = 0.7 and e - band = 0.8 - 0.1 = 0.7000000000000001: a spreadsheet, at 15
    # significant digits, finds them equal (At Risk); plain floats said Off Track.
    case = m(b=10, t=20, actuals={"2026-12": 17}, interim_targets={"2026-12": 18})
    s = measure_status(case, JAN, YEAR)
    assert (s.progress, s.expected_progress - 0.1) == (0.7, 0.7000000000000001)
    assert s.status == "At Risk"
    assert measure_status(m(b=10, t=20, actuals={"2026-12": 16.99},
                            interim_targets={"2026-12": 18}), JAN, YEAR).status == "Off Track"


@pytest.mark.parametrize("statuses,rolled", [
    (["Met", "On Track"], "On Track"), (["Met", "No Data"], "Met"),
    (["No Data", "No Data"], "No Data"), ([], "No Data"),
    (["On Track", "At Risk", "Met"], "At Risk"), (["Not Met", "Off Track"], "Not Met"),
])
def test_a_goal_takes_the_worst_status_of_its_measures(statuses, rolled):
    assert worst(statuses) == rolled


@pytest.mark.parametrize("action,schedule", [
    (Action(id="A1", status="Complete", due_date=date(2026, 12, 1)), "Complete"),
    (Action(id="A1", status="In Progress", due_date=date(2026, 12, 1)), "Overdue"),
    (Action(id="A1", due_date=date(2026, 12, 1)), "Overdue"),
    (Action(id="A1", status="Not Started", start_date=date(2027, 1, 2)), "Late Start"),
    (Action(id="A1", status="On Hold", due_date=date(2027, 5, 1)), "On Hold"),
    (Action(id="A1", status="Cancelled", due_date=date(2026, 8, 1)), "Cancelled"),
    (Action(id="A1", status="In Progress", due_date=date(2027, 5, 1)), "On Schedule"),
])
def test_action_schedule(action, schedule):
    assert action_schedule(action, JAN) == schedule


@pytest.mark.parametrize("period,submitted,status", [
    ("2026-12", date(2026, 12, 30), "On Time"), ("2026-12", date(2026, 12, 31), "Late"),
    ("2026-12", None, "Missing"), ("2027-01", None, "Not Due"),
    ("2027-02", date(2027, 2, 28), "On Time"),  # due on the last day of February
])
def test_update_status(period, submitted, status):
    assert update_status(period, submitted, JAN if period != "2027-02" else date(2027, 3, 5)) \
        == status


@pytest.mark.parametrize("frequency,actuals,stale", [
    ("monthly", {"2026-12": 1}, None), ("monthly", {"2026-11": 1}, "2026-12"),
    ("quarterly", {"2026-10": 1}, None), ("quarterly", {"2026-09": 1}, "2026-12"),
    ("annual", {}, None), ("monthly", {}, "2026-12"),
])
def test_a_measure_is_stale_when_its_frequency_allows_no_more_waiting(frequency, actuals, stale):
    assert stale_since(m(actuals=actuals, frequency=frequency), JAN, YEAR) == stale
