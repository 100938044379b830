"""sheetsync's exceptions live in one module and carry where they happened."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sheetsync import errors
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.roster import read_roster_rows
from sheetsync.errors import CohortError, SheetsyncError

SRC = Path(__file__).resolve().parents[1] / "src" / "sheetsync"
# Classes that are not errors for a person: a value the reader cannot read (a finding
# follows), the sniffer's early exit, the cohort file checker's list of problems (which
# load_cohort raises as a CohortError), the planning model's refusal of a value (a
# ValueError, as pydantic's was: a bug or a damaged store, so never a SheetsyncError, which
# a pull reports as the district's problem), the CLI's one exit, and the Google errors (the
# client's own, in sheetsync.google, and those of the Google features beside them).
ELSEWHERE = {"read/coerce.py": {"Unreadable"}, "read/sniff.py": {"_Decided"},
             "cohort/fields.py": {"Invalid"}, "read/record.py": {"Invalid", "Bad"},
             "cli/exit.py": {"Failure"},
             "pull/distribute.py": {"DriveStorageUnavailable"},  # a Drive error, too
             "template/google_rules.py": {"TemplateNotTranslatable"},  # a Sheets error
             # a bug in the service's worker, carried back with the worker's traceback
             "serve/worker.py": {"RemoteTraceback", "WorkerCrashed"}}
EXCEPTION_CLASS = re.compile(r"^class (\w+)\((?:[\w.]*(?:Error|Exception|Unavailable|"
                             r"NotWritable|Locked|NotFound|NotInHistory|Snapshot|Sent)\w*"
                             r"(?:, )?)+\):", re.M)


def test_every_exception_is_declared_in_the_errors_module():
    strays = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel == "errors.py" or rel.startswith("google/"):
            continue
        found = set(EXCEPTION_CLASS.findall(path.read_text())) - ELSEWHERE.get(rel, set())
        if found:
            strays[rel] = found
    assert strays == {}


def test_every_error_is_a_sheetsync_error_with_its_context():
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, Exception)]
    assert all(issubclass(c, SheetsyncError) for c in classes)
    err = SheetsyncError("x", path="a.xlsx", line=3, district="KY-001")
    assert (err.path, err.line, err.district, str(err)) == ("a.xlsx", 3, "KY-001", "x")


def test_a_cohort_file_error_names_its_path_line_and_field(tmp_path: Path):
    path = tmp_path / "cohort.toml"
    path.write_text('[cohort]\nname = "Test"\nschool_year = "2026-27"\n\n[[district]]\n'
                    'id = "KY-001"\nname = "Adair"\n\n[[district]]\nid = ""\nname = "Boyle"\n')
    with pytest.raises(CohortError) as caught:
        load_cohort(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, 10,
                                                                           "district.1.id")
    assert f"{path}:10: district.1.id" in str(caught.value)


def test_a_roster_error_names_its_path_and_row(tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text("id,name\nKY-001,Adair\nKY-001,Boyle\n")
    with pytest.raises(CohortError, match="row 3") as caught:
        read_roster_rows(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, 3, "id")


def test_an_export_refusal_and_a_district_file_error_name_their_path(tmp_path: Path):
    from sheetsync.errors import DistrictFileError, ExportError
    from sheetsync.export.kde_cdip import export_file
    from sheetsync.read.district import read_district

    output = tmp_path / "cdip.csv"
    with pytest.raises(ExportError, match=r"\.xlsx") as refused:
        export_file(tmp_path / "plan.xlsx", output)
    assert refused.value.path == output
    missing = tmp_path / "district.xlsx"
    with pytest.raises(DistrictFileError, match="no such file") as unread:
        read_district(missing)
    assert unread.value.path == str(missing)
    assert unread.value.reason.startswith("there is no such file")
