"""``notes lint`` takes several targets, as the README promises: fragment files (as a
shell expands ``changes/*.md``), folders, tags and ranges, linted in turn."""

from __future__ import annotations

from pathlib import Path

from releasecare.lint import lint_targets
from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner


def _fragments(project: Runner) -> tuple[Path, Path, Path]:
    folder = project.cwd / "changes"
    folder.mkdir(exist_ok=True)
    good = folder / "good.md"
    good.write_text("---\ncomponents: [checkout]\n---\nYou can now pay by SEPA.\n")
    bad = folder / "bad.md"
    bad.write_text("We refactored the checkout endpoint.\n")
    worse = folder / "worse.md"
    worse.write_text("Fixed PAY-12.\n")
    return good, bad, worse


def test_several_files_are_each_linted_and_named(project: Runner) -> None:
    good, bad, worse = _fragments(project)
    found = project.json("notes", "lint", str(good), str(bad), str(worse))["findings"]
    assert sorted({f["location"] for f in found}) == [str(bad), str(worse)]
    assert project("notes", "lint", str(good), str(bad), "--strict").exit_code == 1
    assert project("notes", "lint", str(good), "--strict").exit_code == 0


def test_files_and_a_range_together_and_a_file_named_twice_is_linted_once(
    project: Runner,
) -> None:
    git = GitRepoFactory(project.cwd)
    git.commit("fix(checkout): parseTotals skipped rows", files={"services/checkout/t.py": "\n"})
    git.tag("v1.3.0")
    project.ok("release", "scan")
    _, bad, _ = _fragments(project)
    alone = project.json("notes", "lint", "v1.2.0..v1.3.0")["findings"]
    both = project.json("notes", "lint", str(bad), str(bad.parent), "v1.2.0..v1.3.0")["findings"]
    once = project.json("notes", "lint", str(bad))["findings"]
    assert [f for f in both if f["location"] == str(bad)] == once  # not twice
    assert alone and both[-len(alone) :] == alone  # the range's findings, in turn
    assert {f["location"] for f in both} >= {str(bad), str(bad.parent / "worse.md")}


def test_a_missing_note_file_is_bad_input_naming_it(project: Runner) -> None:
    result = project("notes", "lint", "changes/typo.md")
    assert result.exit_code == 2
    assert "changes/typo.md" in result.output


def test_no_target_lints_the_newest_release(project: Runner) -> None:
    project.ok("release", "scan")
    from releasecare.config import load_config

    config = load_config(project.cwd / "releasecare.toml")
    assert lint_targets(config, project.cwd, []) == lint_targets(config, project.cwd, ["v1.2.0"])
