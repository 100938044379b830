"""The site and the cohort report for many districts: charts kept between runs, pages
drawn in several processes, a progress bar for a person at a terminal."""

from __future__ import annotations

import io
import shutil
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli import report as cli
from sheetsync.cli.commands import main
from sheetsync.report import charts
from sheetsync.report.site import write_site
from sheetsync.report.write import cohort_data, site_report
from tests.helpers import copy_cohort

SERIES = {"months": ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
          "actual": [40.0, 42.5, None, 47.0, None, None],
          "expected": [40.0, 42.0, 44.0, 46.0, 48.0, 50.0], "target": 50.0, "unit": "%"}


@pytest.fixture(scope="module")
def site_cohort(pulled_example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pulled example, copied once for this module's tests (they add to its cache)."""
    return copy_cohort(pulled_example, tmp_path_factory.mktemp("site") / "cohort")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cached_chart_equals_the_freshly_drawn_one(tmp_path):
    cache = charts.ChartCache(tmp_path / "cache")
    fresh = charts.measure_chart(SERIES, "m0-0-0")
    first = charts.measure_chart(SERIES, "m0-0-0", cache)
    assert len(list((tmp_path / "cache").glob("*.svg"))) == 1
    kept = charts.measure_chart(SERIES, "m0-0-0", cache)
    assert fresh == first == kept
    assert charts.measure_chart(SERIES, "m1-0-0", cache) == charts.measure_chart(SERIES,
                                                                                 "m1-0-0")


def test_chart_cache_is_keyed_by_the_numbers_shown(tmp_path):
    cache = charts.ChartCache(tmp_path)
    charts.measure_chart(SERIES, "a", cache)
    changed = {**SERIES, "actual": [40.0, 42.5, 43.0, 47.0, None, None]}
    assert charts.measure_chart(changed, "a", cache) == charts.measure_chart(changed, "a")
    assert len(list(tmp_path.glob("*.svg"))) == 2


def test_a_damaged_cache_folder_only_costs_time(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cache = charts.ChartCache(blocked)
    assert charts.measure_chart(SERIES, "a", cache) == charts.measure_chart(SERIES, "a")


def test_parallel_site_equals_the_sequential_one_byte_for_byte(site_cohort, tmp_path):
    view = cohort_data(site_cohort / "cohort.toml")
    write_site(view, tmp_path / "one", workers=1)
    write_site(view, tmp_path / "two", workers=2, cache=tmp_path / "cache")
    write_site(view, tmp_path / "again", workers=2, cache=tmp_path / "cache")  # from cache
    one = files(tmp_path / "one")
    assert len(one) == 2 * (len(view["districts"]) + 1)
    assert files(tmp_path / "two") == one
    assert files(tmp_path / "again") == one


def test_site_command_draws_every_chart_and_keeps_none(site_cohort, tmp_path):
    shutil.rmtree(site_cohort / ".sheetsync" / "report-cache", ignore_errors=True)
    result = CliRunner().invoke(main, ["report", "site", "--cohort",
                                       str(site_cohort / "cohort.toml"), "-o",
                                       str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert not list((site_cohort / ".sheetsync" / "report-cache").glob("*.svg"))
    assert "Wrote 7 pages" in result.output and "(6 districts) in " in result.output


def test_site_report_keeps_charts_in_the_cohort_report_cache_when_asked(site_cohort, tmp_path):
    site_report(tmp_path / "site", site_cohort / "cohort.toml", keep_charts=True)
    assert list((site_cohort / ".sheetsync" / "report-cache").glob("*.svg"))


def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The report commands' stderr, as if it were a terminal."""
    stderr = io.StringIO()
    stderr.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(cli, "sys", types.SimpleNamespace(stderr=stderr))
    return stderr


@pytest.mark.parametrize(("command", "out"), [("cohort", "c.html"), ("site", "site")])
def test_progress_bar_on_a_terminal_and_a_summary_line(site_cohort, tmp_path, monkeypatch,
                                                       command, out):
    stderr = at_a_terminal(monkeypatch)
    result = CliRunner().invoke(main, ["report", command, "--cohort",
                                       str(site_cohort / "cohort.toml"), "-o",
                                       str(tmp_path / out)])
    assert result.exit_code == 0, result.output
    assert "Reading districts" in stderr.getvalue()
    assert (command == "site") == ("Writing pages" in stderr.getvalue())
    assert "6 districts" in result.output and result.output.count("\n") == 1


def test_no_progress_bar_with_json_output(site_cohort, tmp_path, monkeypatch):
    stderr = at_a_terminal(monkeypatch)
    result = CliRunner().invoke(main, ["report", "cohort", "--cohort",
                                       str(site_cohort / "cohort.toml"), "-o",
                                       str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    assert stderr.getvalue() == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(site_cohort, tmp_path):
    result = CliRunner().invoke(
        main, ["report", "site", "--cohort", str(site_cohort / "cohort.toml"), "-o",
               str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "Writing pages" not in result.stderr and "Reading districts" not in result.stderr


def test_a_cached_chart_of_an_older_drawing_is_not_served(tmp_path, monkeypatch):
    cache = charts.ChartCache(tmp_path)
    shown = {k: SERIES[k] for k in ("months", "actual", "expected", "target", "unit")}
    monkeypatch.setattr(charts, "CHART_VERSION", "an older drawing")
    cache.put(charts.chart_key("measure", shown), "<svg>drawn the old way</svg>")
    monkeypatch.undo()
    assert charts.measure_chart(SERIES, "a", cache) == charts.measure_chart(SERIES, "a")


def test_the_drawing_version_follows_the_drawing_code(tmp_path, monkeypatch):
    changed = tmp_path / "svgchart.py"
    source = Path(charts.svgchart.__file__).read_text()
    changed.write_text(source.replace('ACTUAL = "#1F4E99"', 'ACTUAL = "#000000"'))
    assert charts.drawing_version() == charts.CHART_VERSION
    monkeypatch.setattr(charts.svgchart, "__file__", str(changed))
    assert charts.drawing_version() != charts.CHART_VERSION


def test_site_build_prunes_cached_charts_it_no_longer_uses(site_cohort, tmp_path):
    view = cohort_data(site_cohort / "cohort.toml")
    cache = tmp_path / "cache"
    write_site(view, tmp_path / "site", cache=cache)
    kept = sorted(p.name for p in cache.glob("*.svg"))
    (cache / "0123456789abcdef0123456789abcdef.svg").write_text("<svg/>")  # an old chart
    write_site(view, tmp_path / "site", cache=cache, workers=2)
    assert sorted(p.name for p in cache.glob("*.svg")) == kept and kept
