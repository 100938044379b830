"""The master's cache file (``master.cache``): segments appended by each master, read back
whole, and any damage making it an empty cache."""

from __future__ import annotations

import hashlib
import io
import os
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Outcome, Store
from sheetsync.master import cache as cache_module
from sheetsync.master import package
from sheetsync.master._xlsxwriter import new_workbook, plain_formulas, version
from sheetsync.master.assemble import _PULLED, Stored, _summary, kinds_of
from sheetsync.master.build import MASTER_SHA256, cache_path
from sheetsync.master.cache import Cache, key_of
from sheetsync.master.fragments import ROW, Chunk, Encoder, deflate
from sheetsync.master.layout import SHEETS
from sheetsync.master.rows import summary_row
from sheetsync.pull.run import pull
from tests.helpers import AS_OF
from tests.master.test_master_incremental import assert_same_as_a_full_rebuild, edit_goal

WRITER = "test"


def chunk(text: str, start: int = 2) -> Chunk:
    """A chunk of two rows (the second with a link), placed at ``start``."""
    c = Chunk.of([f'<row r="{ROW}"><c r="A{ROW}"><v>{text}</v></c></row>',
                  f'<row r="{ROW}"><c r="B{ROW}"><v>1</v></c></row>'],
                 [(1, f'<hyperlink ref="B{ROW}"/>', f'<Relationship Id="rIdB{ROW}"/>')])
    c.place(start)
    return c


def same(a: Chunk, b: Chunk) -> bool:
    return (a.rows, a.links, a.kept, bytes(a.pack()), a.start) == \
        (b.rows, b.links, b.kept, bytes(b.pack()), b.start) and \
        [(p.crc, p.size, bytes(p.data), p.zeros) for p in a.placed or ()] == \
        [(p.crc, p.size, bytes(p.data), p.zeros) for p in b.placed or ()] and \
        a.render(a.start) == b.render(b.start)


def saved(path: Path, chunks: dict[bytes, Chunk]) -> Cache:
    cache = Cache(path, WRITER)
    for key, c in chunks.items():
        cache.put(key, c)
    cache.save()
    return Cache(path, WRITER)


def test_a_cache_is_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    written = {key_of("a"): chunk("a"), key_of("b"): chunk("b", 4)}
    read = saved(path, written)
    assert read.segments == 1 and read.size == path.stat().st_size
    assert read.chunks.keys() == written.keys()
    assert all(same(read.chunks[k], c) for k, c in written.items())
    assert all(c.saved and not c.used for c in read.chunks.values())


def test_a_master_appends_only_the_chunks_it_made_or_moved(tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    a, b = key_of("a"), key_of("b")
    cache = saved(path, {a: chunk("a"), b: chunk("b", 4)})
    before = path.read_bytes()
    cache.chunks[a].place(2)  # where it was: its pieces are the ones in the file
    cache.chunks[b].place(9)  # moved: placed again
    cache.put(key_of("c"), chunk("c", 11))  # new
    cache.save()
    after = path.read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # appended, not rewritten
    read = Cache(path, WRITER)
    assert read.segments == 2
    assert read.chunks[b].start == 9  # the later segment's chunk replaces the earlier
    assert same(read.chunks[b], chunk("b", 9)) and same(read.chunks[key_of("c")], chunk("c", 11))
    assert same(read.chunks[a], chunk("a"))


def test_a_master_that_made_nothing_new_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    cache = saved(path, {key_of("a"): chunk("a")})
    os.utime(path, ns=(1, 1))
    before = path.read_bytes()
    cache.chunks[key_of("a")].place(2)
    cache.save()
    assert path.read_bytes() == before and path.stat().st_mtime_ns == 1


def test_a_file_mostly_unused_is_written_whole_with_only_what_was_used(
        tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    big = {key_of(i): chunk(os.urandom(8_000).hex(), 2) for i in range(200)}  # 6 MB
    cache = saved(path, big)
    kept = key_of(0)
    cache.chunks[kept].place(2)  # the only chunk this master used
    cache.save()
    read = Cache(path, WRITER)
    assert read.segments == 1 and list(read.chunks) == [kept]  # unused chunks gone
    assert same(read.chunks[kept], big[kept])


def test_many_segments_are_written_whole_again(tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    cache = saved(path, {key_of("a"): chunk("a")})
    for n in range(cache_module.MAX_SEGMENTS + 1):
        cache.chunks[key_of("a")].place(3 + n % 2)  # moved each time: appended
        cache.save()
        cache = Cache(path, WRITER)
        assert 1 <= cache.segments <= cache_module.MAX_SEGMENTS
    assert same(cache.chunks[key_of("a")], chunk("a", 3 + cache_module.MAX_SEGMENTS % 2))


@pytest.mark.parametrize("damage", ["cut", "cut-segment", "flip-last", "flip-first",
                                    "magic", "garbage-after", "empty"])
def test_a_damaged_or_cut_file_is_an_empty_cache(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "master.cache"
    cache = saved(path, {key_of("a"): chunk("a")})
    first = path.stat().st_size
    cache.put(key_of("b"), chunk("b", 4))
    cache.chunks[key_of("a")].place(2)
    cache.save()  # a second segment
    data = bytearray(path.read_bytes())
    assert len(data) > first
    if damage == "cut":  # a crash while a segment was appended
        data = data[:-3]
    elif damage == "cut-segment":  # the second segment's header alone
        data = data[:first + 20]
    elif damage == "flip-last":
        data[-1] ^= 0x01
    elif damage == "flip-first":
        data[first - 1] ^= 0x01
    elif damage == "magic":
        data[0] ^= 0x01
    elif damage == "garbage-after":
        data += b"\x00" * 50
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    read = Cache(path, WRITER)
    assert read.chunks == {} and read.size == 0
    read.put(key_of("c"), chunk("c"))
    read.save()  # written whole again, never appended to what did not match
    again = Cache(path, WRITER)
    assert again.segments == 1 and list(again.chunks) == [key_of("c")]


def test_another_writers_cache_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "master.cache"
    saved(path, {key_of("a"): chunk("a")})
    assert Cache(path, "xlsxwriter 9").chunks == {}


def test_a_changed_district_never_gets_its_old_chunk(tmp_path: Path) -> None:
    """A key hashes what the rows come from: rows changed, the key did, and the old
    chunk, still in the file, is never found for it."""
    path = tmp_path / "master.cache"
    old = key_of("district", "name", "Barren", b"\x01")
    cache = saved(path, {old: chunk("old")})
    new = key_of("district", "name", "Barren", b"\x02")
    assert new != old and cache.get(new) is None
    cache.put(new, chunk("new"))
    cache.save()
    read = Cache(path, WRITER)
    assert same(read.chunks[new], chunk("new"))
    assert key_of("history", "History", [["KY-1", 1.5, None]]) != \
        key_of("history", "History", [["KY-1", 1.5, ""]])


def test_a_pull_after_one_change_appends_to_the_cache(pulled_dir: Path) -> None:
    cohort = load_cohort(pulled_dir / "cohort.toml")
    path = cache_path(cohort)
    before = path.read_bytes()
    edit_goal(pulled_dir, "barren", "Every reader reads")
    assert pull(cohort, AS_OF).master_written
    assert path.read_bytes().startswith(before) and path.stat().st_size > len(before)
    assert Cache(path, str(version())).segments == 2
    master = (pulled_dir / "cohort_master.xlsx").read_bytes()
    with Store(cohort.store_path) as store:  # the master's hash, taken as it was written
        assert store.meta(MASTER_SHA256) == hashlib.sha256(master).hexdigest()
    assert_same_as_a_full_rebuild(pulled_dir)


def stored(o: Outcome, loads: list[str]) -> Stored:
    """``o`` as the store gives it to the master (``loads``: what was read, in order)."""
    def light() -> Outcome:
        loads.append("light")
        return o

    def load() -> Outcome:
        loads.append("load")
        return o

    return Stored(o.district_id, key_of("district", o.district_id, o.sha256), o.pulled_at,
                  light, load)


def test_a_summary_row_from_the_cache_is_the_row_encoded_whole(pulled_dir: Path) -> None:
    """The Summary's cells but Pulled At are kept (keyed by the district's row and the
    month): put back around this pull's Pulled At, the row is the one encoded whole (its
    outcome not even read), and a later month's row is encoded again."""
    cohort = load_cohort(pulled_dir / "cohort.toml")
    encoder = Encoder({"text": 1, "date": 2, "int": 3, "percent": 4, "number": 5,
                       "link": 6, "status": 0, "header": 7, "header_n": 8})
    kinds = kinds_of(SHEETS["Summary"])
    cache = Cache(None)
    with Store(cohort.store_path) as store:
        outcomes = list(store.outcomes(data=False))
    assert all(summary_row(o, "2026-12")[_PULLED] == o.pulled_at for o in outcomes)
    for o in outcomes:
        loads: list[str] = []
        first = _summary(stored(o, loads), None, cache, encoder, kinds, "2026-12")
        assert loads == ["light"]
        later = replace(o, pulled_at="2027-01-05T09:30:00")
        again = _summary(stored(later, loads), None, cache, encoder, kinds, "2026-12")
        assert loads == ["light"]  # from the cache: only Pulled At encoded
        assert first.render(2) == encoder.chunk(kinds, [summary_row(o, "2026-12")]).render(2)
        assert again.render(7) == encoder.chunk(kinds, [summary_row(later, "2026-12")]) \
            .render(7)
        assert first.render(2) != again.render(2)  # Pulled At is this pull's
        assert _summary(o, None, cache, encoder, kinds, "2026-12").render(3) == \
            first.render(3)  # an outcome given as it is: encoded whole
    assert len(cache.chunks) == len(outcomes) and cache.hits == cache.misses == 0
    loads = []
    january = _summary(stored(outcomes[0], loads), None, cache, encoder, kinds, "2027-01")
    assert len(cache.chunks) == len(outcomes) + 1 and january.rows == 1 and loads == ["light"]
    without = replace(outcomes[0], summary=None)  # an older row: its summary worked out
    _summary(stored(without, loads), None, Cache(None), encoder, kinds, "2026-12")
    assert loads == ["light", "light", "load"]


@pytest.mark.parametrize("formula", ['"On Track"', '="Met"', '{=A1*2}', "=$C2", "12.5",
                                     "=SORT(A1:A3)", '="SORT("', "=_xlfn.UNIQUE(A1:A2)",
                                     "{=FILTER(A1:A9,B1:B9)}", "=SINGLE(A1)"])
@pytest.mark.parametrize("expand", [True, False])
def test_plain_formulas_are_prepared_as_xlsxwriter_prepares_them(formula: str,
                                                                 expand: bool) -> None:
    wb = new_workbook(io.BytesIO(), {"in_memory": True})
    plain, full = wb.add_worksheet(), wb.add_worksheet()
    plain_formulas(plain)
    assert plain._prepare_formula(formula, expand) == full._prepare_formula(formula, expand)


@pytest.mark.parametrize("combine", [True, False])
def test_a_members_crc_is_the_crc_of_its_pieces_texts(combine: bool,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """zlib's crc32_combine where it can be loaded (Linux, macOS), the zeros otherwise:
    both the CRC-32 of the texts one after another."""
    if not combine:
        monkeypatch.setattr(package, "_combine", lambda: None)
    elif package._combine() is None:
        pytest.skip("no zlib library to load here")
    texts = [os.urandom(n) for n in (0, 1, 70_000, 5, 0, 131_073, 300)]
    pieces = [deflate(t) for t in texts]
    assert package.crc_of(pieces) == zlib.crc32(b"".join(texts))
    assert package.crc_of([]) == 0 and package.crc_of(pieces[:1]) == 0
