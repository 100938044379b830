"""The master's links to each row's source cell work where the master is: relative to the
master's own folder with forward slashes, whatever folder the pull ran in; LibreOffice,
opening the master from yet another folder, finds the district's file through them."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from tests.helpers import AS_OF
from tests.libreoffice import convert, needs_libreoffice


@pytest.fixture
def pulled_from_above(examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example cohort in work/ex, pulled from work/ as `sheetsync pull --cohort
    ex/cohort.toml` would; the master's path."""
    work = tmp_path / "work"
    shutil.copytree(examples, work / "ex",
                    ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    monkeypatch.chdir(work)
    pull(load_cohort(Path("ex/cohort.toml")), AS_OF)
    return work / "ex" / "cohort_master.xlsx"


def source_links(master: Path) -> list[tuple[str, str]]:
    """(target, location) of every link on the master's Measures sheet."""
    ws = openpyxl.load_workbook(master)["Measures"]
    column = [c.value for c in ws[1]].index("Source Cell") + 1
    return [(c.hyperlink.target, c.hyperlink.location) for (c,) in
            ws.iter_rows(min_row=2, min_col=column, max_col=column) if c.hyperlink]


def test_links_are_relative_to_the_master_with_forward_slashes(pulled_from_above):
    links = source_links(pulled_from_above)
    assert links and all("\\" not in target for target, _ in links)
    targets = {target for target, _ in links}
    assert targets == {f"districts/{n}.xlsx" for n in
                       ("adair", "barren", "boyle", "calloway", "daviess", "fayette")}
    for target, _ in links:  # each resolves from the master's folder
        assert (pulled_from_above.parent / target).is_file(), target
    rels = zipfile.ZipFile(pulled_from_above).read(
        "xl/worksheets/_rels/sheet3.xml.rels").decode()
    assert 'Target="districts/adair.xlsx"' in rels and "\\" not in rels


@needs_libreoffice[0]
@needs_libreoffice[1]
def test_libreoffice_opened_elsewhere_finds_the_district_files(pulled_from_above, tmp_path,
                                                                monkeypatch):
    """LibreOffice opens the master (run from a third folder) and saves it elsewhere: each
    link it saves, resolved from where it saved it, is the district's file."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "out").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    (saved,) = convert([pulled_from_above], elsewhere / "out", to="fods")
    hrefs = set(re.findall(r'xlink:href="([^"#]+\.xlsx)#', saved.read_text(encoding="utf-8")))
    assert hrefs
    found = {(saved.parent / unquote(h)).resolve() for h in hrefs}
    districts = pulled_from_above.parent / "districts"
    assert found == {p.resolve() for p in districts.glob("*.xlsx")}
