"""Declare once: the status words, the colours, the settings, the school year's end and A1
arithmetic live in ``schema/``; everything else imports them. "Declare once" slips one
typed word at a time, so a guard reads the source for the literals."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import date
from pathlib import Path

import pytest

import sheetsync
from sheetsync.cohort.file import dump_cohort, load_cohort
from sheetsync.cohort.model import Cohort, CohortInfo
from sheetsync.pull.run import _settings_key
from sheetsync.schema import vocabulary as V
from sheetsync.schema.cells import column_index, column_letter, split_cell, value_at
from sheetsync.schema.schoolyear import SchoolYear, year_end
from sheetsync.schema.settings import STATUS_SETTINGS, StatusSettings
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.formulas import NAMES

PACKAGE = Path(sheetsync.__file__).parent
WORDS = sorted({*V.STATUSES, *V.SCHEDULES, *V.ACTION_STATUSES, *V.UPDATE_STATUSES,
                V.READ_OK, V.READ_FAILED, V.READ_STALE})
# (file under src/sheetsync, why it may hold colour literals)
COLOUR_ALLOWED = {
    "report/svgchart.py": "the charts' inks (lines, axes), not the status palette",
    "report/templates/report.css": "the page's inks (text, rules, borders)",
    "report/templates/cohort.html": "the status bar's outline",
}
_HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|([\"'])[0-9A-F]{6}\1")


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".html", ".css")
                  and "schema" not in p.relative_to(PACKAGE).parts)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string in ``path`` a program uses: Python's string tokens
    but docstrings; a template's whole text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return list(enumerate(text.splitlines(), 1))
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    out = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        before = tokens[i - 1].type if i else tokenize.NEWLINE
        after = tokens[i + 1].type if i + 1 < len(tokens) else tokenize.NEWLINE
        docstring = before in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT,
                               tokenize.DEDENT, tokenize.ENCODING) and \
            after in (tokenize.NEWLINE, tokenize.NL)
        if not docstring:
            out.append((tok.start[0], tok.string))
    return out


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE)}:{line}"


def test_no_status_word_is_typed_outside_schema():
    typed = []
    for path in _sources():
        for line, text in _code_strings(path):
            for word in WORDS:
                if re.search(rf"([\"']){re.escape(word)}\1", text):
                    typed.append(f"{_where(path, line)} {word!r}")
    assert typed == [], \
        "use sheetsync.schema.vocabulary (or the report templates' `words`) instead"


def test_no_colour_is_typed_outside_schema():
    typed = [f"{_where(path, line)} {m.group(0)}" for path in _sources()
             if str(path.relative_to(PACKAGE)) not in COLOUR_ALLOWED
             for line, text in _code_strings(path) for m in _HEX.finditer(text)]
    assert typed == [], "use the palette and inks of sheetsync.schema.vocabulary instead"


def test_the_guard_sees_a_typed_status_word_and_colour(tmp_path: Path):
    """The guards' reading finds what they look for, and skips docstrings."""
    path = tmp_path / "x.py"
    path.write_text('"""Docstring: \'Met\'."""\nA = "Met"\nB = f\'IF(x,"Late",{y})\'\n'
                    'C = ("1E7B34", "#9C0006")\n')
    strings = [t for _, t in _code_strings(path)]
    assert [w for w in WORDS for t in strings if re.search(rf"([\"']){re.escape(w)}\1", t)] \
        == ["Late", "Met"]
    assert [m.group(0) for t in strings for m in _HEX.finditer(t)] == ['"1E7B34"', "#9C0006"]


def test_the_palette_colours_every_word_the_sheets_compute():
    assert set(V.PALETTE) >= {*V.STATUSES, *V.UPDATE_STATUSES, V.OVERDUE, V.LATE_START}
    assert V.WORST_FIRST[-1] == V.NO_DATA and set(V.WORST_FIRST) == set(V.STATUSES)


# -- settings --------------------------------------------------------------------------------


def test_each_declared_setting_is_a_cohort_key_a_workbook_name_and_a_field():
    keys = [s.key for s in STATUS_SETTINGS]
    assert list(Cohort(CohortInfo("x", "2026-27")).settings.to_dict()) == keys
    assert list(StatusSettings().to_dict()) == keys
    assert {s.name for s in STATUS_SETTINGS} <= set(NAMES)
    assert {s.word for s in STATUS_SETTINGS} == set(StatusSettings().words())


def test_a_cohort_with_every_example_setting_carries_it_to_the_pull_key(tmp_path: Path):
    status = "\n".join(f"{s.key} = {s.example}" for s in STATUS_SETTINGS)
    path = tmp_path / "cohort.toml"
    path.write_text(f'[cohort]\nname = "x"\nschool_year = "2026-27"\n\n[status]\n{status}\n')
    cohort = load_cohort(path)
    assert cohort.settings == StatusSettings(**{s.key: s.example for s in STATUS_SETTINGS})
    assert status in dump_cohort(cohort)
    key = _settings_key(cohort)
    assert all(f'"{s.key}": {s.example}' in key for s in STATUS_SETTINGS)


@pytest.mark.parametrize("setting", STATUS_SETTINGS, ids=lambda s: s.key)
def test_a_setting_outside_its_bounds_is_refused(setting, tmp_path: Path):
    path = tmp_path / "cohort.toml"
    path.write_text('[cohort]\nname = "x"\nschool_year = "2026-27"\n\n'
                    f"[status]\n{setting.key} = {setting.high + 1}\n")
    with pytest.raises(Exception, match=setting.key):
        load_cohort(path)


# -- cells and the school year ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "letters"), [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"),
                                            (52, "AZ"), (53, "BA"), (702, "ZZ"),
                                            (703, "AAA"), (16_384, "XFD")])
def test_column_letters_and_numbers_are_inverse(n, letters):
    assert column_letter(n) == letters and column_index(letters) == n


def test_a_cell_is_split_and_found_in_a_grid():
    assert split_cell("$B$7") == ("B", 7) and split_cell("ab12") == ("AB", 12)
    assert value_at([["a", "b"], ["c", "d"]], "B2") == "d"
    assert value_at([["a"]], "C9") is None
    with pytest.raises(ValueError, match="not a cell"):
        split_cell("B")


def test_the_profile_form_is_read_where_the_layout_puts_it():
    profile = scorecard_layout().sheet("profile")
    assert profile.value_column == "B" and profile.form_range == "A1:B40"
    assert profile.field("as_of").label_cell == "A7"


def test_a_school_year_ends_on_june_30():
    assert year_end(2027) == date(2027, 6, 30) == SchoolYear(2026).end


def test_every_word_the_reader_accepts_for_a_choice_is_a_declared_choice():
    from sheetsync.read.coerce import _SYNONYMS
    from sheetsync.schema.layout import CHOICES

    assert {k: set(v.values()) - set(CHOICES[k]) for k, v in _SYNONYMS.items()} == \
        {k: set() for k in _SYNONYMS}
