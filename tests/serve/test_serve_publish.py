"""`sheetsync serve --publish DIR`: after a pull that read something, the month is
published into DIR as `sheetsync publish -o DIR` does (the cohort report, every district's
board PDF, the public site and an index); a pull that read nothing publishes nothing again.
A folder it cannot write, or no WeasyPrint, is refused at start."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.serve_process import Service, copy_cohort, sheetsync

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")
pytest.importorskip("weasyprint", reason="publishing prints PDFs with WeasyPrint")


def _wait_for(service: Service, text: str, count: int = 1, timeout: float = 240) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        log = service.log()
        if log.count(text) >= count:
            return log
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not logged {count} time(s) in {timeout} s:\n"
                         f"{service.log()}")


def test_serve_publishes_the_month_after_a_pull_and_not_again_when_nothing_changed(
        examples: Path, tmp_path: Path) -> None:
    toml = copy_cohort(examples, tmp_path / "cohort")
    out = tmp_path / "published"
    with Service(toml.parent, "--publish", str(out), "--log-format", "json") as service:
        _wait_for(service, '"event": "publish.finished"')
        months = [p for p in out.iterdir() if p.is_dir()]
        assert len(months) == 1, months
        folder = months[0]
        cohort_ids = {line.split('"')[1] for line in toml.read_text().splitlines()
                      if line.startswith("id = ")}
        boards = sorted(p.stem for p in (folder / "boards").glob("*.pdf"))
        assert len(boards) == len(cohort_ids), boards
        for name in ("index.html", "cohort.html", "cohort.pdf", "site/index.html"):
            assert (folder / name).stat().st_size > 0, name
        assert (folder / "cohort.pdf").read_bytes().startswith(b"%PDF")
        finished = [json.loads(line) for line in service.log().splitlines()
                    if '"publish.finished"' in line]
        assert finished[0]["written"] >= len(cohort_ids) + 4
        assert finished[0]["folder"] == str(folder)
        before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}

        status = service.pull()  # nothing changed: nothing read, nothing published
        assert status["totals"]["read"] == 0, status
        assert service.log().count('"publish.finished"') == 1
        assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == before
        metrics = service.get("/metrics").text
        assert 'sheetsync_publishes_total{outcome="done"} 1.0' in metrics


def test_serve_refuses_a_publish_folder_it_cannot_write(examples: Path,
                                                         tmp_path: Path) -> None:
    toml = copy_cohort(examples, tmp_path / "cohort")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = sheetsync("serve", "--publish", str(blocker / "out"), "--port", "9",
                     cwd=toml.parent, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "--publish" in done.stderr and "cannot write there" in done.stderr
    assert "Traceback" not in done.stderr
