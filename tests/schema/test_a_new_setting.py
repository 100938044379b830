"""Adding a status setting is declaring it in ``schema/settings.py`` and nothing else.

The test declares one more setting (only in ``schema.settings.DECLARED``, for the test's
length) and follows it from ``cohort.toml`` to the workbook's defined names, the reader, the
pull's decision to check a district again and the Google template.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.pull.run import pull
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema import settings as declared
from sheetsync.schema.settings import Setting, StatusSettings
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.google import create_google_template
from sheetsync.template.workbook import build_template, save_atomic
from tests import fake_google as fg
from tests.helpers import AS_OF

fake_google = fg.fake_google

REVIEW_WEEKS = Setting(
    name="ReviewWeeks", key="review_weeks", label="Weeks between reviews",
    type=int, default=4, low=1, high=52,
    explain="The team reviews its measures every this many weeks.",
    word="review_weeks", say=str, example=6)


@pytest.fixture
def extra(monkeypatch: pytest.MonkeyPatch) -> Setting:
    monkeypatch.setitem(declared.DECLARED, REVIEW_WEEKS.key, REVIEW_WEEKS)
    return REVIEW_WEEKS


def test_the_settings_carry_a_declared_setting(extra):
    chosen = StatusSettings(review_weeks=extra.example)
    assert chosen.value(extra) == extra.example
    assert chosen.to_dict()["review_weeks"] == extra.example
    assert StatusSettings().value(extra) == extra.default
    assert declared.DEFAULT_SETTINGS.value(extra) == extra.default
    assert chosen.words()["review_weeks"] == str(extra.example)
    assert declared.BY_NAME["ReviewWeeks"] is extra
    assert ("ReviewWeeks", extra.label) in declared.WORKBOOK_SETTINGS


def test_without_it_declared_it_is_no_setting():
    with pytest.raises(TypeError, match="review_weeks"):
        StatusSettings(review_weeks=6)


def test_it_reaches_the_template_and_the_reader(extra, tmp_path: Path):
    wb = build_template(settings=StatusSettings(review_weeks=extra.example))
    assert "ReviewWeeks" in wb.defined_names
    sheet, cell = next(iter(wb.defined_names["ReviewWeeks"].destinations))
    assert wb[sheet][cell.replace("$", "")].value == extra.example
    path = save_atomic(wb, tmp_path / "t.xlsx")
    settings = read_scorecard(str(path))[0].settings
    assert settings["review_weeks"] == extra.example
    assert StatusSettings.from_mapping(settings).value(extra) == extra.example


def test_the_cohort_file_reads_it_and_the_pull_keys_on_it(extra, cohort_dir: Path):
    toml = cohort_dir / "cohort.toml"
    text = toml.read_text()
    toml.write_text(text.replace("[master]", "[status]\nreview_weeks = 6\n\n[master]", 1)
                    if "[status]" not in text else
                    text.replace("[status]", "[status]\nreview_weeks = 6", 1))
    cohort = load_cohort(toml)
    assert cohort.settings.value(extra) == 6
    first = pull(cohort, AS_OF)
    assert first.totals()["read"] == len(cohort.members) and not first.failed
    assert stored_settings(cohort) == [6] * len(cohort.members)
    toml.write_text(toml.read_text().replace("review_weeks = 6", "review_weeks = 8"))
    pull(load_cohort(toml), AS_OF)  # a changed setting assesses every district again
    assert stored_settings(cohort) == [8] * len(cohort.members)
    toml.write_text(toml.read_text().replace("review_weeks = 8", "review_weeks = 99"))
    with pytest.raises(Exception, match="review_weeks"):
        load_cohort(toml)


def stored_settings(cohort: Cohort) -> list[int]:
    """Each district's review_weeks as the store says it was assessed with."""
    with Store.reader(cohort.store_path) as store:
        return [json.loads(o.settings)["review_weeks"] for o in store.outcomes()]


def test_it_reaches_the_google_template(extra, fake_google):
    layout = scorecard_layout()
    key, _ = create_google_template(fake_google.session(), layout, "District Scorecard",
                                    settings=StatusSettings(review_weeks=extra.example))
    resource = fake_google.fake.spreadsheet_resource(key)
    assert "ReviewWeeks" in {n["name"] for n in resource["namedRanges"]}
    lists = fake_google.fake.get_values(key, layout.lists_sheet)
    assert [extra.label, extra.example] in [row[i:i + 2] for row in lists
                                            for i in range(len(row) - 1)]
