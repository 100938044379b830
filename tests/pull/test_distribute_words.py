"""`sheetsync distribute` in words: the roster's contact name goes into the copy's
profile, and each run says what it found and did (a second run: nothing to make)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sheetsync.cli.distribute import distribute as distribute_command
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.distribute import distribute
from sheetsync.read.scorecard import read_scorecard

COHORT = '[cohort]\nname = "Test cohort"\nschool_year = "2026-27"\n\n'
DISTRICTS = ('[[district]]\nid = "KY-7"\nname = "Union"\n'
             'contacts = ["Jane Doe <jane@union.org>", "bob@union.org"]\n\n'
             '[[district]]\nid = "KY-8"\nname = "Webster"\ncontacts = ["amy@webster.org"]\n')


def cohort(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.toml"
    path.write_text(COHORT + DISTRICTS, encoding="utf-8")
    return path


def test_the_copy_s_profile_has_the_roster_s_contact_name(tmp_path):
    path = cohort(tmp_path)
    distribute(load_cohort(path), folder=tmp_path / "copies")
    union, webster = load_cohort(path).districts
    card, _ = read_scorecard(str(path.parent / union.source))
    assert (card.profile.contact_name, card.profile.contact_email) == \
        ("Jane Doe", "jane@union.org")
    card, _ = read_scorecard(str(path.parent / webster.source))
    assert (card.profile.contact_name, card.profile.contact_email) == \
        (None, "amy@webster.org")  # a bare address has no name to fill in


def test_a_second_run_says_what_it_found(tmp_path):
    path = cohort(tmp_path)
    run = ["--cohort", str(path), "--folder", str(tmp_path / "copies")]
    first = CliRunner().invoke(distribute_command, run)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == f"2 copies made; {path} updated."
    again = CliRunner().invoke(distribute_command, run)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == (
        f"Nothing to make: all 2 districts already have their scorecard (their sources in "
        f"{path}); {path} unchanged.")


def test_a_run_that_adopts_and_skips_says_both(tmp_path):
    path = cohort(tmp_path)
    distribute(load_cohort(path), folder=tmp_path / "copies")
    text = path.read_text(encoding="utf-8")  # Webster forgets its source; its copy stays
    path.write_text(text.replace(f'source = "{load_cohort(path).districts[1].source}"\n', ""),
                    encoding="utf-8")
    result = CliRunner().invoke(distribute_command,
                                ["--cohort", str(path), "--folder", str(tmp_path / "copies")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "0 copies made; 1 copy found in the folder under the district's name and recorded; "
        f"1 district already had a scorecard and kept it; {path} updated.")
