"""The cohort master's names where they were before the master was split into ``layout``
(sheets and columns), ``summary`` (a district's numbers), ``rows`` (every row of the
master) and ``write`` (the .xlsx writer). New code imports from those modules."""

from sheetsync.master.layout import (
    COLOURS,
    ISSUE_COLUMNS,
    SHEETS,
    STATUS_COLUMNS,
    TREND,
    TREND_COLUMNS,
    ChartPlace,
    Col,
    chart_places,
    headed,
)
from sheetsync.master.rows import Link, district_rows, master_rows
from sheetsync.master.summary import district_summary, latest_month, trend_rows
from sheetsync.master.write import write_master

__all__ = ["COLOURS", "ISSUE_COLUMNS", "SHEETS", "STATUS_COLUMNS", "TREND", "TREND_COLUMNS",
           "ChartPlace", "Col", "Link", "chart_places", "district_rows", "district_summary",
           "headed", "latest_month", "master_rows", "trend_rows", "write_master"]
