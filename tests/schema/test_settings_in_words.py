"""The template states the cohort's at-risk band and update due day in the words its
formulas use: one settings object gives the Lists sheet's named values and every sentence.
Every setting declared in ``schema/settings.py`` is said, stamped, read back and computed
with through LibreOffice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from sheetsync.check.assess import check_workbook
from sheetsync.check.status import StatusSettings
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.settings import STATUS_SETTINGS
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic, setting_words
from tests.libreoffice import SOFFICE, convert

AS_OF = date(2027, 1, 20)


def sentences(wb: Workbook) -> list[str]:
    """Every text a district reads: cells, and the prompts of headers and inputs."""
    out = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
           if isinstance(c.value, str)]
    out += [dv.prompt for ws in wb.worksheets for dv in ws.data_validations.dataValidation
            if dv.prompt]
    return out


def test_a_cohort_with_band_25_and_due_day_10_is_not_told_10_percent_and_the_30th():
    text = sentences(build_template(at_risk_band=0.25, update_due_day=10))
    assert [t for t in text if "10%" in t or "30th" in t] == []
    assert any("At Risk within 25% of the gap below it" in t for t in text)  # instructions
    assert any("within 25% of the gap below the expected progress" in t for t in text)  # prompt
    assert any("Monthly Updates row by the 10th." in t for t in text)
    assert any("due by the 10th" in t for t in text)  # the Monthly Updates sheet's guidance
    assert any("On Time when submitted by the 10th" in t for t in text)  # its header prompt


def test_the_default_template_says_10_percent_and_the_30th():
    text = sentences(build_template())
    assert any("At Risk within 10% of the gap" in t for t in text)
    assert any("due by the 30th" in t for t in text)
    assert not [t for t in text if "{band}" in t or "{due_day}" in t]


def test_the_words_and_the_named_values_come_from_one_settings_object():
    wb = build_template(at_risk_band=0.25, update_due_day=10)
    lists = wb[scorecard_layout().lists_sheet]
    values = {}
    for name in ("AtRiskBand", "UpdateDueDay"):
        _sheet, cell = wb.defined_names[name].attr_text.split("!")
        values[name] = lists[cell.replace("$", "")].value
    assert values == {"AtRiskBand": 0.25, "UpdateDueDay": 10}


@pytest.mark.parametrize(("band", "day", "words"), [
    (0.10, 30, {"band": "10%", "due_day": "30th"}),
    (0.125, 1, {"band": "12.5%", "due_day": "1st"}),
    (0.05, 2, {"band": "5%", "due_day": "2nd"}),
    (0.3, 3, {"band": "30%", "due_day": "3rd"}),
    (0.07, 11, {"band": "7%", "due_day": "11th"}),
    (0.2, 12, {"band": "20%", "due_day": "12th"}),
    (0.2, 13, {"band": "20%", "due_day": "13th"}),
    (0.2, 21, {"band": "20%", "due_day": "21st"}),
    (0.2, 22, {"band": "20%", "due_day": "22nd"}),
    (0.2, 23, {"band": "20%", "due_day": "23rd"}),
    (0.2, 31, {"band": "20%", "due_day": "31st"}),
])
def test_settings_are_said_as_a_percentage_and_an_ordinal_day(band, day, words):
    assert setting_words(StatusSettings(band, day)) == words


# -- the formulas use what the words say, in LibreOffice ------------------------------------

ROWS = {
    "strategic_goals": [{"id": "SG1", "title": "x"}],
    "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "x"}],
    "goals": [{"id": "G1", "strategic_goal_id": "SG1", "cdip_goal_id": "CG1",
               "statement": "x", "owner": "x"}],
    # expected 48 (progress 0.8), actual 46 (0.6): At Risk with a band of 0.25, Off Track
    # with 0.10
    "measures": [{"id": "M1", "goal_id": "G1", "name": "x", "unit": "count", "baseline": 40,
                  "target": 50, "frequency": "monthly", "actual:2026-12": 46,
                  "interim_target:2026-12": 48}],
    # submitted on the 15th: Late when due by the 10th, On Time when due by the 30th
    "monthly_updates": [{"month": date(2026, 12, 1), "submitted_on": date(2026, 12, 15)}],
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """A cohort's workbook (band 0.25, due day 10) and a default one, as written and as
    LibreOffice recalculated them."""
    folder = tmp_path_factory.mktemp("words")
    sources = {
        "cohort": save_atomic(build_template(profile={"district_id": "KY-1", "as_of": AS_OF},
                                             rows=ROWS, at_risk_band=0.25, update_due_day=10),
                              folder / "cohort.xlsx"),
        "default": save_atomic(build_template(profile={"district_id": "KY-1", "as_of": AS_OF},
                                              rows=ROWS), folder / "default.xlsx"),
    }
    saved = convert(sources.values(), folder / "out")
    return {k: (p, s) for (k, p), s in zip(sources.items(), saved, strict=True)}


def _native(path: Path) -> tuple[object, object]:
    """The measure status and the update status the workbook's own formulas computed."""
    layout = scorecard_layout()
    wb = openpyxl.load_workbook(path, data_only=True)
    m, u = layout.sheet("measures"), layout.sheet("monthly_updates")
    return (wb[m.name][f"{m.column('status').letter}{m.first_data_row}"].value,
            wb[u.name][f"{u.column('update_status').letter}{u.first_data_row}"].value)


@pytest.mark.libreoffice
@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed")
def test_the_formulas_use_the_band_and_due_day_the_words_state(recalculated):
    assert _native(recalculated["cohort"][1]) == ("At Risk", "Late")
    assert _native(recalculated["default"][1]) == ("Off Track", "On Time")
    for kind, expected in (("cohort", ("At Risk", "Late")),
                           ("default", ("Off Track", "On Time"))):
        result = check_workbook(str(recalculated[kind][0]))  # sheetsync reads the Lists sheet
        assert (result.measures["M1"].status, result.updates["2026-12"]) == expected, kind


# -- every declared setting, through LibreOffice ---------------------------------------------
# Parametrized over the declaration (schema/settings.py): a new setting is tested here as
# soon as it is declared, and ROWS must hold a case its example value changes.

def _built(**settings: object) -> Workbook:
    """The test's workbook with ``settings``, and a Probe sheet whose formulas read each
    declared setting's defined name, as the template's formulas do."""
    wb = build_template(profile={"district_id": "KY-1", "as_of": AS_OF}, rows=ROWS,
                        **settings)  # type: ignore[arg-type]
    probe = wb.create_sheet("Probe")
    for r, s in enumerate(STATUS_SETTINGS, 1):
        probe.cell(r, 1, f"={s.name}")
    return wb


@pytest.fixture(scope="module")
def each_setting(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """One workbook per declared setting at its example value (the others at their
    defaults), and the default workbook: as written and as LibreOffice recalculated them."""
    folder = tmp_path_factory.mktemp("each")
    sources = {"default": save_atomic(_built(), folder / "default.xlsx")}
    for s in STATUS_SETTINGS:
        sources[s.key] = save_atomic(_built(**{s.key: s.example}), folder / f"{s.key}.xlsx")
    saved = convert(sources.values(), folder / "out")
    return {k: (p, out) for (k, p), out in zip(sources.items(), saved, strict=True)}


def _computed(path: Path) -> dict[str, object]:
    """Everything the workbook's own formulas computed that a setting can change: the
    statuses of its measure, goal and strategic goal, and every month's update status."""
    layout = scorecard_layout()
    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, object] = {}
    for entity, key in (("measures", "status"), ("goals", "status"),
                        ("strategic_goals", "status")):
        sheet = layout.sheet(entity)
        out[entity] = wb[sheet.name][f"{sheet.column(key).letter}{sheet.first_data_row}"].value
    u = layout.sheet("monthly_updates")
    out["updates"] = wb[u.name][f"{u.column('update_status').letter}{u.first_data_row}"].value
    return out


def _sheetsync(path: Path) -> dict[str, object]:
    result = check_workbook(str(path))
    return {"measures": result.measures["M1"].status, "goals": result.goals["G1"],
            "strategic_goals": result.strategic_goals["SG1"],
            "updates": result.updates["2026-12"]}


def test_every_declared_setting_has_an_example_within_its_bounds_and_unlike_its_default():
    for s in STATUS_SETTINGS:
        assert s.low <= s.example <= s.high and s.low <= s.default <= s.high, s.key
        assert s.say(s.example) != s.say(s.default), s.key


@pytest.mark.parametrize("setting", STATUS_SETTINGS, ids=lambda s: s.key)
def test_the_template_states_each_setting_where_it_is_used(setting):
    text = sentences(build_template(**{setting.key: setting.example}))  # type: ignore[arg-type]
    assert any(setting.say(setting.example) in t for t in text), setting.key
    assert not [t for t in text if setting.say(setting.default) in t], setting.key
    assert not [t for t in text if "{" + setting.word + "}" in t], setting.key
    wb = build_template(**{setting.key: setting.example})  # type: ignore[arg-type]
    _sheet, cell = wb.defined_names[setting.name].attr_text.split("!")
    lists = wb[scorecard_layout().lists_sheet]
    named = lists[cell.replace("$", "")]  # the settings block: its label, then its value
    assert (lists.cell(named.row, named.column - 1).value, named.value) == (
        setting.label, setting.example)


@pytest.mark.libreoffice
@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed")
@pytest.mark.parametrize("setting", STATUS_SETTINGS, ids=lambda s: s.key)
def test_libreoffice_computes_with_each_declared_setting(setting, each_setting):
    source, saved = each_setting[setting.key]
    probe = openpyxl.load_workbook(saved, data_only=True)["Probe"]
    assert probe.cell(STATUS_SETTINGS.index(setting) + 1, 1).value == setting.example
    native = _computed(saved)
    assert native == _sheetsync(source)  # the formulas and sheetsync agree
    assert native != _computed(each_setting["default"][1]), (
        f"ROWS has no case the {setting.key} example changes: add one")
    stamped = read_scorecard(str(source))[0].settings  # the reader finds it in the block
    assert StatusSettings.from_mapping(stamped) == StatusSettings(**{setting.key: setting.example})
    assert _computed(each_setting["default"][1]) == _sheetsync(each_setting["default"][0])
