"""The master's districts encoded on every core (``master.cores``): the file is the one a
single process writes, byte for byte, whether the cache holds none of the districts, some,
or all; and the workers, not this process, encoded them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.master import assemble, cores
from sheetsync.master.build import build_master, cache_path
from sheetsync.master.layout import HISTORY
from sheetsync.master.layout import SHEETS as ALL_SHEETS

SHEETS = len([n for n in ALL_SHEETS if n not in ("Summary", HISTORY)])  # a district's chunks


@pytest.fixture
def spread(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers for the example's six districts, one district a batch; the chunks they
    sent back are counted (one count per build)."""
    monkeypatch.setattr(assemble, "ELSEWHERE_MIN", 2)
    monkeypatch.setattr(cores, "BATCH", 1)
    counts: list[int] = []
    real = cores.Cores.encode

    def counted(self: cores.Cores, *args: Any) -> Iterator[Any]:
        counts.append(0)
        for item in real(self, *args):
            counts[-1] += 1
            yield item

    monkeypatch.setattr(cores.Cores, "encode", counted)
    return counts


def build(folder: Path, jobs: int, cache: bool = True) -> bytes:
    cohort = load_cohort(folder / "cohort.toml")
    with Store(cohort.store_path) as store:
        return build_master(cohort, store, force=True, cache=cache, jobs=jobs).read_bytes()


def test_on_two_cores_the_master_is_the_one_process_master(pulled_dir: Path,
                                                            spread: list[int]) -> None:
    one = build(pulled_dir, 1, cache=False)
    assert spread == []  # one process: nothing sent elsewhere
    cache_path(load_cohort(pulled_dir / "cohort.toml")).unlink(missing_ok=True)
    assert build(pulled_dir, 2) == one
    assert spread[-1] == 6 * SHEETS  # every district's, from the workers
    calls = len(spread)
    assert build(pulled_dir, 2) == one  # then all from the cache the workers filled
    assert len(spread) == calls  # nothing to send


def test_some_districts_from_the_cache_and_the_rest_from_the_workers(
        pulled_dir: Path, spread: list[int], tmp_path: Path) -> None:
    one = build(pulled_dir, 1, cache=False)
    cohort = load_cohort(pulled_dir / "cohort.toml")
    build(pulled_dir, 1)  # the cache holds every district
    whole = tmp_path / "whole.cache"
    shutil.copy(cache_path(cohort), whole)
    with Store(cohort.store_path) as store:  # two districts read again: new keys
        for did in [d.id for d in cohort.districts][1:3]:
            store.db.execute("UPDATE outcomes SET source = source || ' ' WHERE "
                             "district_id = ?", (did,))
    changed = build(pulled_dir, 1, cache=False)
    assert changed != one
    shutil.copy(whole, cache_path(cohort))
    assert build(pulled_dir, 2) == changed
    assert spread[-1] == 2 * SHEETS


def test_a_daemonic_process_or_too_few_districts_encode_here(
        pulled_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = build(pulled_dir, 1, cache=False)
    cache_path(load_cohort(pulled_dir / "cohort.toml")).unlink(missing_ok=True)
    assert build(pulled_dir, 2) == one  # six districts: fewer than ELSEWHERE_MIN
    monkeypatch.setattr(assemble, "ELSEWHERE_MIN", 2)
    monkeypatch.setattr(cores, "may_have_children", lambda: False)
    cache_path(load_cohort(pulled_dir / "cohort.toml")).unlink(missing_ok=True)
    assert build(pulled_dir, 2) == one
