"""`sheetsync publish`: the month's cohort report (HTML, PDF), every district's board PDF,
the public site and an index in OUT/YYYY-MM/; run again, only what changed is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli import main
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.publish import MANIFEST, publish

pytest.importorskip("weasyprint")


def files(folder: Path) -> dict[str, float]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


def test_publish_then_again_then_one_district_changed(pulled_dir: Path, tmp_path: Path):
    out = tmp_path / "published"
    result = CliRunner().invoke(main, ["publish", "--cohort", str(pulled_dir / "cohort.toml"),
                                       "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    cohort = load_cohort(pulled_dir / "cohort.toml")
    ids = [d.id for d in cohort.members]
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert f"Published {folder.name}" in result.output
    first = files(folder)
    boards = {f"boards/{i}.pdf" for i in ids}
    assert {"cohort.html", "cohort.pdf", "index.html", "site/index.html", MANIFEST} | boards \
        <= set(first)
    assert {f"site/districts/{i}.html" for i in ids} <= set(first)
    for name in ("cohort.pdf", *boards):
        assert (folder / name).read_bytes().startswith(b"%PDF"), name
    index = (folder / "index.html").read_text()
    assert all(f'href="{b}"' in index for b in boards)
    assert 'href="cohort.pdf"' in index and 'href="site/index.html"' in index
    # the public site and the board reports leave out contacts
    assert "planning@" not in (folder / "site" / "index.html").read_text()

    again = publish(cohort, out)  # nothing changed: nothing written
    assert again.written == [] and len(again.unchanged) == len(first) - 1  # all but manifest
    assert {k: v for k, v in files(folder).items() if k != MANIFEST} == \
        {k: v for k, v in first.items() if k != MANIFEST}

    # one district renamed: its board report and page change, and the cohort's pages
    text = (pulled_dir / "cohort.toml").read_text()
    renamed = cohort.members[0]
    (pulled_dir / "cohort.toml").write_text(
        text.replace(f'name = "{renamed.name}"', f'name = "{renamed.name} Renamed"', 1))
    changed = publish(load_cohort(pulled_dir / "cohort.toml"), out, jobs=1)
    assert f"boards/{renamed.id}.pdf" in changed.written
    assert f"site/districts/{renamed.id}.html" in changed.written
    assert "cohort.pdf" in changed.written and "index.html" in changed.written
    others = boards - {f"boards/{renamed.id}.pdf"}
    assert others <= set(changed.unchanged) and not others & set(changed.written)
    assert f"{renamed.name} Renamed" in (folder / "index.html").read_text()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert set(manifest) == set(files(folder)) - {MANIFEST}


def test_a_month_not_in_the_store_is_refused(pulled_dir: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["publish", "--cohort", str(pulled_dir / "cohort.toml"),
                                       "-o", str(tmp_path / "o"), "--month", "2020-01"])
    assert result.exit_code == 2 and "2020-01" in result.output


def test_email_sends_each_board_report_once_a_month(pulled_dir: Path, tmp_path: Path,
                                                    smtp_server) -> None:
    box, port = smtp_server
    path = pulled_dir / "cohort.toml"
    path.write_text(path.read_text() + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                    'from = "Consultant <coach@example.org>"\nstarttls = false\n'
                    'timeout = 5\n')
    cohort = load_cohort(path)
    with_contacts = [d for d in cohort.members if d.contacts]
    args = ["publish", "--cohort", str(path), "-o", str(tmp_path / "o"), "--email",
            "--jobs", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"E-mailed {len(with_contacts)} board report" in first.output
    assert len(box.messages) == len(with_contacts) >= 1
    rcpt, msg = box.messages[0]
    district = next(d for d in with_contacts if rcpt[0] in " ".join(d.contacts))
    assert msg["Subject"].startswith(f"{district.name}: the board report for")
    (pdf,) = [p for p in msg.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"{district.id}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    again = CliRunner().invoke(main, args)  # the same month: nothing sent twice
    assert again.exit_code == 0, again.output
    assert len(box.messages) == len(with_contacts)
    assert f"{len(with_contacts)} already sent this month" in again.output


def test_email_without_smtp_settings_says_so(pulled_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--cohort", str(pulled_dir / "cohort.toml"),
                                       "-o", str(tmp_path / "o"), "--email", "--jobs", "1"])
    assert result.exit_code == 2 and "[smtp]" in result.output
    assert not (tmp_path / "o").exists()  # said before anything was printed
