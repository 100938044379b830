"""The store's reads of many districts a batch at a time (``queries.BATCH``) give what a
query per district gives, in the order asked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sheetsync.cohort import queries
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store

ONE = ("SELECT h.district_id, h.measure_id, h.period, h.goal_id, h.latest_period, "
       "h.latest_actual, h.expected, h.progress, h.status, s.reason FROM history h "
       "LEFT JOIN snapshots s ON s.district_id = h.district_id AND s.period = h.period "
       "WHERE h.district_id = ?{} ORDER BY h.measure_id, h.period")


@pytest.mark.parametrize("batch", [1, 2, 250])
def test_history_and_outcome_rows_a_batch_at_a_time(pulled_dir: Path, batch: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "BATCH", batch)
    cohort = load_cohort(pulled_dir / "cohort.toml")
    with sqlite3.connect(cohort.store_path) as db:  # one month read failed
        db.execute("UPDATE snapshots SET reason = 'the file was locked' WHERE rowid = "
                   "(SELECT MIN(rowid) FROM snapshots)")
    with Store(cohort.store_path) as store:
        ids = [*reversed(store.district_ids()), "KY-NONE"]  # not the store's order
        months = sorted({r[2] for r in store.history(ids)})
        expected = [r for d in ids for r in store.db.execute(ONE.format(""), (d,))]
        assert list(store.history(ids)) == expected
        assert any(r[-1] == "the file was locked" for r in expected)
        some = months[:1]
        assert list(store.history(ids, some)) == [
            r for d in ids for r in store.db.execute(ONE.format(" AND h.period = ?"),
                                                      (d, *some))]
        measure = expected[0][1]
        assert list(store.history(ids, None, measure)) == [r for r in expected
                                                           if r[1] == measure]
        rows = list(store.stored_outcomes(ids))
        assert [r["district_id"] for r in rows] == ids[:-1]
        light = [store.outcome_of(r, data=False) for r in rows]
        assert light == list(store.outcomes(ids, data=False))
        assert [store.outcome_of(r) for r in rows] == list(store.outcomes(ids))
