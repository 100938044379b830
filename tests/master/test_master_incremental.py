"""The incremental master: a pull encodes only the districts that changed (the others' rows
come from the cache beside the store), and writes byte for byte what a full rebuild from
the store alone writes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.master import write
from sheetsync.master.build import build_master, cache_path
from sheetsync.master.cache import Cache
from sheetsync.pull.run import pull
from tests.helpers import AS_OF, copy_cohort, openpyxl_grids

DISTRICTS = ("adair", "barren", "boyle", "calloway", "daviess", "fayette")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


def rebuilt_without_cache(folder: Path) -> bytes:
    """What ``master rebuild`` writes with no cache: every district encoded."""
    cohort = load_cohort(folder / "cohort.toml")
    with Store(cohort.store_path) as store:
        return build_master(cohort, store, cache=False).read_bytes()


def assert_same_as_a_full_rebuild(folder: Path) -> None:
    master = folder / "cohort_master.xlsx"
    pulled, kept = master.read_bytes(), members(master)
    full = rebuilt_without_cache(folder)
    assert members(master) == kept  # zip members byte for byte (names and order too)
    assert full == pulled  # and the whole file


def edit_goal(folder: Path, district: str, text: str) -> None:
    target = folder / "districts" / f"{district}.xlsx"
    wb = openpyxl.load_workbook(target)
    wb["Goals"]["G5"] = text
    wb.save(target)


def plan_as(folder: Path, source: str, district: str) -> None:
    """``district``'s file replaced by ``source``'s plan (other rows), read as its own."""
    wb = openpyxl.load_workbook(folder / "districts" / f"{source}.xlsx")
    wb["District Profile"]["B4"] = f"KY-{DISTRICTS.index(district) + 1:03d}"
    wb.save(folder / "districts" / f"{district}.xlsx")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many districts each master written encodes (cache misses)."""
    seen = {"hits": 0, "misses": 0}
    real = Cache.save

    def save(self: Cache) -> None:
        seen["hits"], seen["misses"] = self.hits, self.misses
        real(self)

    monkeypatch.setattr(Cache, "save", save)
    return seen


def test_a_pull_after_one_change_writes_what_a_full_rebuild_writes(
        pulled_dir: Path, counted: dict[str, int]) -> None:
    cohort = load_cohort(pulled_dir / "cohort.toml")
    assert cache_path(cohort).exists()  # the first pull left its rows there
    edit_goal(pulled_dir, "barren", "All students in grades 3-5 read on grade level")
    report = pull(cohort, AS_OF)
    assert report.totals()["read"] == 1 and report.master_written
    # a chunk per district for Goals to Issues (Summary rows, which say when each
    # district was pulled, are encoded every time), and one for its History rows
    sheets = len(write.SHEETS) - 2
    assert counted["misses"] == sheets  # Barren's rows encoded, the others' from the cache
    assert counted["hits"] == 5 * sheets + 6  # and every History (Barren's did not change)
    assert_same_as_a_full_rebuild(pulled_dir)
    grids = openpyxl_grids(pulled_dir / "cohort_master.xlsx")
    assert "All students in grades 3-5 read on grade level" in {
        value for row in grids["Goals"] for value in row}


def test_a_district_whose_rows_grow_moves_the_districts_after_it(pulled_dir: Path) -> None:
    """Barren's file replaced by Fayette's plan (more rows, read as Barren's): the rows
    after Barren's move, and the links with them."""
    cohort = load_cohort(pulled_dir / "cohort.toml")
    before = openpyxl_grids(pulled_dir / "cohort_master.xlsx")
    plan_as(pulled_dir, "fayette", "barren")
    assert pull(cohort, AS_OF).totals()["read"] == 1
    assert_same_as_a_full_rebuild(pulled_dir)
    after = openpyxl.load_workbook(pulled_dir / "cohort_master.xlsx")
    assert openpyxl_grids(pulled_dir / "cohort_master.xlsx")["Goals"] != before["Goals"]
    goals = after["Goals"]
    for row in goals.iter_rows(min_row=2):  # every link is on its own row's source cell
        link = row[-1].hyperlink
        if link is not None:
            assert link.location == f"'{row[-1].value.split('!')[0]}'!" \
                f"{row[-1].value.split('!')[1]}"
            assert link.ref == row[-1].coordinate


def test_a_damaged_cache_is_not_trusted(pulled_dir: Path, counted: dict[str, int]) -> None:
    cohort = load_cohort(pulled_dir / "cohort.toml")
    path = cache_path(cohort)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte flipped in the middle
    path.write_bytes(bytes(data))
    edit_goal(pulled_dir, "boyle", "Every student graduates ready")
    pull(cohort, AS_OF)
    assert counted["hits"] == 0  # the whole cache refused: every district encoded
    assert_same_as_a_full_rebuild(pulled_dir)
    path.unlink()  # a lost cache: a rebuild writes the same master, and a cache again
    with Store(cohort.store_path) as store:
        build_master(cohort, store)
    assert path.exists()
    assert (pulled_dir / "cohort_master.xlsx").read_bytes() == rebuilt_without_cache(
        pulled_dir)


CHANGES = st.dictionaries(st.sampled_from(DISTRICTS),
                          st.sampled_from(("edit", "swap", "remove")), min_size=1, max_size=3)


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(CHANGES, min_size=1, max_size=2))
def test_any_changes_give_the_master_a_full_rebuild_writes(
        pulled_example: Path, tmp_path_factory: pytest.TempPathFactory,
        rounds: list[dict[str, str]]) -> None:
    """Pulls after random changes (a goal edited, a file replaced by another district's,
    a file gone): after each that writes the master, it is what a full rebuild writes. (A
    pull that changed nothing leaves the master as it was, though it records the pull.)"""
    folder = copy_cohort(pulled_example, tmp_path_factory.mktemp("incr") / "cohort")
    cohort = load_cohort(folder / "cohort.toml")
    for n, changes in enumerate(rounds):
        for district, change in changes.items():
            path = folder / "districts" / f"{district}.xlsx"
            if change == "edit" and path.exists():
                edit_goal(folder, district, f"Goal edited in round {n}")
            elif change == "swap":  # the next district's plan, read as this one's
                other = DISTRICTS[(DISTRICTS.index(district) + 1) % len(DISTRICTS)]
                if (folder / "districts" / f"{other}.xlsx").exists():
                    plan_as(folder, other, district)
            else:
                path.unlink(missing_ok=True)
        if pull(cohort, AS_OF).master_written:
            assert_same_as_a_full_rebuild(folder)
