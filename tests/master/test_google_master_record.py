"""The Google master records what it was built from, as the .xlsx master does, so a pull
says "up to date" only when both masters are: a Google write that failed is made again by
the next pull even when the .xlsx master is current; another sheet named, a store put back
from a copy, and a master that would shrink are each handled as for the .xlsx master."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.cli.render import render_pull
from sheetsync.cohort.copies import copies
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.restore import restore
from sheetsync.cohort.store import Store
from sheetsync.master.build import google_is_current
from sheetsync.pull.masters import google_master
from sheetsync.pull.rebuild import rebuild
from sheetsync.pull.run import pull
from sheetsync.serve.worker import Pulled
from tests import fake_google as fg
from tests.fake_google import USER_EMAIL
from tests.helpers import AS_OF

fake_google = fg.fake_google


@pytest.fixture
def cohort_dir(tmp_path: Path, fake_google: Any) -> Path:
    """Three example districts and a Google master (in the fake), not pulled yet."""
    from sheetsync.template.examples import write_examples

    write_examples(tmp_path, 3, as_of=date(2027, 1, 20))
    toml = tmp_path / "cohort.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[master]\n", f'[master]\ngoogle_sheet = "{sheet(fake_google)}"\n', 1),
        encoding="utf-8")
    return tmp_path


def sheet(service: Any) -> str:
    return str(service.fake.add_spreadsheet("Cohort master", {"Sheet1": [["mine"]]},
                                            shared_with=[USER_EMAIL]))


def summary_ids(service: Any, key: str) -> list[str]:
    return [row[0] for row in service.fake.get_values(key, "Summary")[1:] if row and row[0]]


def xlsx_ids(folder: Path) -> list[str]:
    ws = openpyxl.load_workbook(folder / "cohort_master.xlsx", read_only=True)["Summary"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def do_pull(folder: Path, service: Any, **kw: Any) -> Any:
    return pull(load_cohort(folder / "cohort.toml"), AS_OF, google=service.session(), **kw)


def test_a_google_write_that_failed_is_made_by_the_next_pull(cohort_dir, fake_google):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    key = cohort.master.google_sheet
    first = do_pull(cohort_dir, fake_google)
    assert first.master_written and first.google_written and first.master_error is None
    assert summary_ids(fake_google, key) == xlsx_ids(cohort_dir)
    again = do_pull(cohort_dir, fake_google)
    assert not (again.master_written or again.google_written or again.master_error)
    assert "Nothing changed; the master is up to date" in render_pull(again)

    fake_google.fake.inject(403, times=50, match=f"/v4/spreadsheets/{key}")
    failed = do_pull(cohort_dir, fake_google, force=True)  # read again: the store moves on
    fake_google.fake.clear_faults()
    assert failed.master_written and not failed.google_written
    assert failed.master_error and "The Google master was not written" in failed.master_error
    with Store(cohort.store_path) as store:
        assert not google_is_current(cohort, store)

    healed = do_pull(cohort_dir, fake_google)  # the .xlsx master is current; Google is not
    assert not healed.master_written and healed.google_written and not healed.master_error
    assert (healed.to_json()["master_written"], healed.to_json()["google_written"]) == \
        (False, True)  # `pull --json` says which master was written
    said = Pulled(healed.totals(), healed.master_written, healed.master_error, 0,
                  healed.google_written).masters()
    assert said == "master unchanged; Google master written"  # what `serve` logs
    said = Pulled(failed.totals(), failed.master_written, failed.master_error, 0,
                  failed.google_written).masters()
    assert said.startswith("master written; NOT written: The Google master was not written")
    assert "the Google master was written again" in render_pull(healed)
    assert "Nothing changed" not in render_pull(healed)
    with Store(cohort.store_path) as store:
        assert google_is_current(cohort, store)
    assert not do_pull(cohort_dir, fake_google).google_written  # now it is up to date


def test_another_sheet_named_is_written_at_the_next_pull(cohort_dir, fake_google):
    assert do_pull(cohort_dir, fake_google).google_written
    toml = cohort_dir / "cohort.toml"
    old = load_cohort(toml).master.google_sheet
    new = sheet(fake_google)
    toml.write_text(toml.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    report = do_pull(cohort_dir, fake_google)
    assert report.google_written and not report.master_written
    assert summary_ids(fake_google, new) == xlsx_ids(cohort_dir)


def test_a_store_put_back_from_a_copy_writes_the_google_master_again(cohort_dir,
                                                                      fake_google):
    """The copy's record is of an earlier store than the sheet shows: not trusted."""
    assert do_pull(cohort_dir, fake_google).google_written
    assert do_pull(cohort_dir, fake_google, force=True).google_written  # a copy kept first
    cohort = load_cohort(cohort_dir / "cohort.toml")
    restore(cohort.store_path, copies(cohort.store_path)[0].number)
    with Store(cohort.store_path) as store:
        assert not google_is_current(cohort, store)
    assert do_pull(cohort_dir, fake_google).google_written


def test_a_google_master_never_shrinks_unless_asked(cohort_dir, fake_google):
    """A district taken out of the cohort file and the .xlsx master rebuilt with --force
    (no Google credentials then): the next pull does not cut the Google master down."""
    toml = cohort_dir / "cohort.toml"
    key = load_cohort(toml).master.google_sheet
    assert do_pull(cohort_dir, fake_google).google_written
    shown = summary_ids(fake_google, key)
    blocks = toml.read_text(encoding="utf-8").split("\n[[district]]")
    toml.write_text("\n[[district]]".join(blocks[:-1]) + "\n", encoding="utf-8")
    made = rebuild(load_cohort(toml), credentials=cohort_dir / "none.json", force=True)
    assert made.google_problem  # the .xlsx master written; Google not asked
    report = do_pull(cohort_dir, fake_google)
    assert not report.master_written and not report.google_written
    assert report.master_error and f"The Google master {key} was not written again: it " \
        "shows 3 districts" in report.master_error
    assert "rebuild --force` with your credentials" in report.master_error
    assert summary_ids(fake_google, key) == shown
    cohort = load_cohort(toml)
    with Store(cohort.store_path) as store:
        assert google_master(cohort, store, fake_google.session(), force=True) is None
        assert google_is_current(cohort, store)
    assert summary_ids(fake_google, key) == xlsx_ids(cohort_dir) == shown[:2]
